"""The commerce core's "done when", walked in Chromium on a 375-px phone.

A consumer lands on a shared product link, logs in with the SMS code the development hint shows,
adds the product to the cart, checks out for pickup, pays on the simulated cashier and sees the
pickup code; the store's owner verifies the code on the workbench; the consumer asks for a
partial refund, the store approves it, and the ledger still balances.
"""

import re

import pytest
from django.core.management import call_command

from trispace.catalog.tests.factories import on_sale_product
from trispace.conftest import screenshot
from trispace.inventory import selectors as inventory_selectors
from trispace.inventory import services as inventory
from trispace.network.models import Role
from trispace.network.tests.factories import (
    BrandFactory,
    DealerFactory,
    MembershipFactory,
    StoreFactory,
)
from trispace.orders import services
from trispace.orders.models import AfterSale, Order
from trispace.payments.models import Payment, Refund

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONSUMER_PHONE = "139 5678 1234"


def sms_login(page, base: str, phone: str, next_url: str) -> None:  # type: ignore[no-untyped-def]
    """Log in on the H5 login page with the code the development hint shows."""
    page.goto(f"{base}/login/?next={next_url}")
    page.fill("input[name=phone]", phone)
    page.locator("button[data-action=send-code]").click()
    hint = page.locator(".dev-hint")
    hint.wait_for()
    code = re.search(r"\d{6}", hint.inner_text()).group(0)
    page.fill("input[name=code]", code)
    page.locator("button[value=login]").click()
    page.wait_for_load_state()


def test_buy_for_pickup_pay_verify_and_refund_part(live_server, chromium, phone_page):
    base = live_server.url
    brand = BrandFactory(name="禾邻优选")
    dealer = DealerFactory(parent=brand, name="杭州鲜达商贸")
    store = StoreFactory(parent=dealer, name="张记便利店(文三路店)", address="文三路 100 号")
    owner = MembershipFactory(organization=store, role=Role.STORE_OWNER).user
    product, variant = on_sale_product(brand, retail_fen=1280, name="鲜牛奶 950ml")
    inventory.receive(
        actor=None,
        location=inventory_selectors.location_for_store(store),
        variant=variant,
        quantity=10,
    )

    # 1. A shared link to the product; the consumer logs in with an SMS code and comes back.
    shop = phone_page
    landing = f"/products/{product.pk}/?store={store.pk}&share=walk-share&leader=77"
    shop.goto(f"{base}{landing}")
    assert "¥12.80" in shop.locator("main").inner_text()
    shop.locator("button[data-action=add-to-cart]").click()
    shop.wait_for_url(re.compile(r"/login/\?next="))
    sms_login(shop, base, CONSUMER_PHONE, f"/products/{product.pk}/")
    shop.wait_for_url(re.compile(rf"/products/{product.pk}/$"))
    screenshot(shop, "buy-1-product")

    # 2. Two in the cart, then one more with the + button (htmx).
    shop.fill("input[name=quantity]", "2")
    shop.locator("button[data-action=add-to-cart]").click()
    shop.wait_for_load_state()
    assert shop.locator(".msg").count() >= 1
    shop.locator("a[data-action=cart]").click()
    shop.wait_for_url(re.compile(r"/cart/$"))
    assert shop.locator("[data-qty]").inner_text() == "2"
    shop.locator("button[data-action=inc]").click()
    shop.locator("[data-subtotal='3840']").wait_for()
    assert shop.locator("[data-qty]").inner_text() == "3"
    screenshot(shop, "buy-2-cart")

    # 3. Check out for pickup at the store (the default).
    shop.locator("a[data-action=checkout]").click()
    shop.wait_for_url(re.compile(r"/checkout/$"))
    assert shop.locator("input[name=fulfilment][value=pickup]").is_checked()
    assert "张记便利店(文三路店)" in shop.locator("main").inner_text()
    screenshot(shop, "buy-3-checkout")
    shop.locator("button[data-action=place-order]").click()
    shop.wait_for_url(re.compile(r"/orders/\d+/$"))
    order = Order.objects.get()
    assert (order.status, order.fulfilment, order.total_fen) == ("pending_payment", "pickup", 3840)
    assert (order.share_token, order.leader_id) == ("walk-share", 77)
    screenshot(shop, "buy-4-order-unpaid")

    # 4. Pay on the simulated cashier, which comes back to the order with its pickup code.
    shop.locator("form[action$='/pay/'] button[data-action=pay]").click()
    shop.wait_for_url(re.compile(r"/pay/[^/]+/\?next="))
    assert "¥38.40" in shop.locator("main").inner_text()
    screenshot(shop, "buy-5-cashier")
    shop.locator("button[data-action=pay]").click()
    shop.wait_for_url(re.compile(rf"/orders/{order.pk}/$"))
    order.refresh_from_db()
    assert order.status == "paid"
    code = shop.locator("[data-pickup-code]").inner_text().strip()
    assert code == order.pickup_code
    assert re.fullmatch(r"\d{6}", code)
    assert shop.locator("img.qr").get_attribute("src").startswith("data:image/svg+xml")
    screenshot(shop, "buy-6-pickup-code")

    # 5. The store's owner verifies the code on the workbench.
    desk = chromium.new_context(
        viewport={"width": 375, "height": 812}, locale="zh-CN", device_scale_factor=2
    )
    bench = desk.new_page()
    try:
        sms_login(bench, base, owner.phone, "/workbench/")
        bench.wait_for_url(re.compile(rf"/workbench/{store.pk}/$"))
        assert order.number in bench.locator("ul.pickups").inner_text()
        screenshot(bench, "buy-7-workbench")
        bench.fill("#wb-code", "000000")
        bench.locator("button[data-action=verify-code]").click()
        bench.locator("[data-result=fail]").wait_for()
        screenshot(bench, "buy-8-workbench-wrong-code")
        bench.fill("#wb-code", code)
        bench.locator("button[data-action=verify-code]").click()
        bench.locator("[data-result=ok]").wait_for()
        assert order.number in bench.locator("#result").inner_text()
        screenshot(bench, "buy-9-workbench-verified")
    finally:
        desk.close()
    order.refresh_from_db()
    assert order.status == "completed"
    assert inventory_selectors.available(
        inventory_selectors.location_for_store(store), [variant.pk]
    ) == {variant.pk: 7}

    # 6. The consumer asks for a refund of one of the three.
    shop.reload()
    assert shop.locator("[data-status]").get_attribute("data-status") == "completed"
    shop.locator("a[data-action=refund]").click()
    shop.wait_for_url(re.compile(rf"/orders/{order.pk}/refund/$"))
    line = order.lines.get()
    quantity = shop.locator(f"input[name=qty_{line.pk}]")
    assert quantity.input_value() == "3"
    quantity.fill("1")
    shop.fill("textarea[name=reason]", "一盒漏了")
    screenshot(shop, "buy-10-refund-request")
    shop.locator("button[data-action=request-refund]").click()
    shop.wait_for_url(re.compile(rf"/orders/{order.pk}/$"))
    aftersale = AfterSale.objects.get()
    assert (aftersale.status, aftersale.amount_fen) == ("requested", 1280)
    assert shop.locator("[data-aftersale-status]").get_attribute("data-aftersale-status") == (
        "requested"
    )

    # 7. The store approves (the back-office page is another's); the refund goes through.
    services.aftersale_approve(actor=owner, aftersale=aftersale)
    aftersale.refresh_from_db()
    assert aftersale.status == "refunded"
    shop.reload()
    assert shop.locator("[data-aftersale-status]").get_attribute("data-aftersale-status") == (
        "refunded"
    )
    assert shop.locator("[data-refunded]").get_attribute("data-refunded") == "1280"
    screenshot(shop, "buy-11-refunded")
    order.refresh_from_db()
    assert (order.status, order.refunded_fen) == ("completed", 1280)
    payment = Payment.objects.get(pk=order.payment_id)
    assert (payment.provider, payment.status, payment.amount_fen) == (
        "simulated",
        "succeeded",
        3840,
    )
    assert list(Refund.objects.values_list("amount_fen", "status")) == [(1280, "succeeded")]

    # 8. Every fen is in a balanced ledger.
    call_command("check_ledger")
