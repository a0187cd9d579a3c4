"""The foundation's "done when", walked in Chromium as a person would.

A brand admin logs in to the back office, creates a dealer and a store under it (picking the
district from the province → city → district selects), gives a product a retail price at that
store, and the price shows on that store's H5 page on a 375-px phone.
"""

import re

import pytest

from trispace.catalog.tests.factories import on_sale_product
from trispace.conftest import screenshot
from trispace.network.models import Organization, OrgKind, Role
from trispace.network.regions import regions_fixture
from trispace.network.tests.factories import BrandFactory, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pick_district(page, province: str, city: str, district: str) -> None:  # type: ignore[no-untyped-def]
    page.select_option("select[name=region_province]", province)
    page.wait_for_selector(f"#region-city option[value='{city}']", state="attached")
    page.select_option("#region-city", city)
    page.wait_for_selector(f"#id_region_code option[value='{district}']", state="attached")
    page.select_option("#id_region_code", district)


def test_brand_admin_prices_a_product_for_a_new_store_and_the_shop_shows_it(
    live_server, desk_page, phone_page
):
    regions_fixture(("33",))
    brand = BrandFactory(name="禾邻优选")
    admin = MembershipFactory(organization=brand, role=Role.BRAND_ADMIN).user
    _product, variant = on_sale_product(brand, retail_fen=None, name="鲜牛奶")

    page = desk_page
    page.goto(f"{live_server.url}/console/login/")
    page.fill("input[name=phone]", admin.phone)
    page.fill("input[name=password]", "pass-1234")
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/console/$"))
    screenshot(page, "walk-1-dashboard")

    # A dealer under the brand.
    page.goto(f"{live_server.url}/console/network/new/?parent={brand.pk}&kind=dealer")
    page.fill("input[name=name]", "杭州鲜达商贸有限公司")
    pick_district(page, "330000", "330100", "330106")
    page.locator("main form.card button[type=submit]").click()
    page.wait_for_url(re.compile(r"/console/network/\d+/$"))
    dealer = Organization.objects.get(name="杭州鲜达商贸有限公司")
    assert dealer.kind == OrgKind.DEALER
    assert dealer.parent_id == brand.pk

    # A store under the dealer, with its coordinates.
    page.goto(f"{live_server.url}/console/network/new/?parent={dealer.pk}&kind=store")
    page.fill("input[name=name]", "张记便利店(文三路店)")
    pick_district(page, "330000", "330100", "330106")
    page.fill("input[name=address]", "文三路 100 号")
    page.fill("input[name=lng]", "120.1301")
    page.fill("input[name=lat]", "30.2789")
    page.locator("main form.card button[type=submit]").click()
    page.wait_for_url(re.compile(r"/console/network/\d+/$"))
    store = Organization.objects.get(name="张记便利店(文三路店)")
    assert store.kind == OrgKind.STORE
    assert store.parent_id == dealer.pk
    screenshot(page, "walk-2-store-created")

    # A retail price at that store, typed in yuan and saved inline.
    page.goto(f"{live_server.url}/console/catalog/prices/{store.pk}/retail/")
    row = page.locator(f"#price-{variant.pk}")
    row.locator("input[name=price]").fill("12.80")
    row.locator("button[type=submit]").click()
    page.locator(f"#price-{variant.pk}").get_by_text("¥12.80").wait_for()
    screenshot(page, "walk-3-retail-price")

    # The store's H5 page shows the product at that price.
    shop = phone_page
    shop.goto(f"{live_server.url}/?store={store.pk}")
    assert "张记便利店(文三路店)" in shop.locator(".h5-top").inner_text()
    card = shop.locator(".product-card", has_text="鲜牛奶")
    assert "¥12.80" in card.inner_text()
    screenshot(shop, "walk-4-h5-store-home")
    card.click()
    shop.wait_for_load_state()
    assert "¥12.80" in shop.locator("main").inner_text()
    screenshot(shop, "walk-5-h5-product")
