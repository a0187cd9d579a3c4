import pytest
from django.urls import reverse

from trispace.catalog.tests.factories import on_sale_product
from trispace.inventory import selectors
from trispace.inventory.models import Location, StockMove
from trispace.inventory.services import reserve
from trispace.inventory.tests.conftest import stock_snapshot, stock_up, totals
from trispace.network.tests.factories import BrandFactory

pytestmark = pytest.mark.django_db


def url(name, *args, query=""):
    return reverse(f"console:{name}", args=args) + query


def test_the_sidebar_shows_stock_to_the_staff_who_keep_it(net, client_for):
    for persona in ("store_owner", "dealer_admin", "brand_admin"):
        page = client_for(persona).get(url("home")).content.decode()
        assert f'href="{url("stock_list")}"' in page, persona
    page = client_for("salesperson").get(url("home")).content.decode()
    assert f'href="{url("stock_list")}"' not in page


def test_stock_levels_page_filters_highlights_and_paginates(net, shelf, variant, client_for):
    _, milk = on_sale_product(net.brand, name="鲜牛奶")
    stock_up(shelf, variant, 30, shards=2)
    stock_up(shelf, milk, 2)
    reserve(actor=None, location=shelf, lines=[(variant.pk, 4)], reference="order:1")
    stock_up(selectors.location_for_store(net.store_b), variant, 9)
    client = client_for("store_owner")
    page = client.get(url("stock_list")).content.decode()
    assert variant.sku in page
    assert milk.sku in page
    assert "鲜牛奶" in page
    assert page.count("low-stock") == 1  # milk: 2 available
    assert ">26<" in page.replace(" ", "")  # 30 − 4 available
    assert "天一广场店" not in page  # store b is not the owner's
    low = client.get(url("stock_list", query="?low=on")).content.decode()
    assert milk.sku in low
    assert variant.sku not in low
    search = client.get(url("stock_list", query="?q=鲜牛")).content.decode()
    assert milk.sku in search
    assert variant.sku not in search
    higher = client.get(url("stock_list", query="?threshold=30")).content.decode()
    assert higher.count("low-stock") == 2
    for _ in range(21):
        stock_up(shelf, on_sale_product(net.brand)[1], 10)
    first = client.get(url("stock_list")).content.decode()
    assert "Page 1 of 2" in first
    assert "Page 2 of 2" in client.get(url("stock_list", query="?page=2")).content.decode()


def test_stock_levels_of_a_location_outside_the_scope_is_404(net, client_for):
    other = selectors.location_for_store(net.store_b)
    response = client_for("store_owner").get(url("stock_list", query=f"?location={other.pk}"))
    assert response.status_code == 404


def test_moves_page(net, shelf, variant, client_for):
    stock_up(shelf, variant, 10)
    reserve(actor=None, location=shelf, lines=[(variant.pk, 3)], reference="order:77")
    client = client_for("store_clerk")
    page = client.get(url("stock_moves", shelf.pk)).content.decode()
    assert "order:77" in page
    assert "Reserved" in page
    assert "Received" in page
    assert "+10" in page
    assert "+3" in page
    only = client.get(url("stock_moves", shelf.pk, query="?reason=receive")).content.decode()
    assert "order:77" not in only
    found = client.get(url("stock_moves", shelf.pk, query="?q=order:77")).content.decode()
    assert "order:77" in found


def test_receive_form_makes_the_shelf_and_adds_stock(net, variant, client_for):
    client = client_for("store_owner")
    form = client.get(url("stock_receive"))
    assert form.status_code == 200
    assert net.store_a.name in form.content.decode()
    assert net.store_b.name not in form.content.decode()
    response = client.post(
        url("stock_receive"),
        {
            "organization": net.store_a.pk,
            "sku": variant.sku,
            "quantity": 12,
            "reason": "receive",
            "reference": "送货单 8",
        },
    )
    shelf = Location.objects.get(organization=net.store_a)
    assert response.status_code == 302
    assert response["Location"] == url("stock_list", query=f"?location={shelf.pk}")
    assert totals(shelf, variant) == (12, 0)
    assert StockMove.objects.get().reference == "送货单 8"
    followed = client.get(response["Location"]).content.decode()
    assert "12 on hand" in followed


def test_receive_at_a_location_from_the_stock_list(net, shelf, variant, client_for):
    client = client_for("dealer_admin")
    link = url("stock_receive", query=f"?location={shelf.pk}&sku={variant.sku}")
    page = client.get(link).content.decode()
    assert shelf.name in page
    assert f'value="{variant.sku}"' in page
    response = client.post(link, {"sku": variant.sku, "quantity": 5, "reason": "return"})
    assert response.status_code == 302
    assert totals(shelf, variant) == (5, 0)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"sku": "NOPE", "quantity": 1}, "No variant has this SKU"),
        ({"quantity": 0}, "has-error"),
        ({"quantity": "x"}, "has-error"),
        ({"quantity": 1, "reason": "adjust"}, "has-error"),
    ],
)
def test_receive_form_errors_change_nothing(net, shelf, variant, client_for, data, message):
    client = client_for("store_owner")
    before = stock_snapshot()
    body = {"sku": variant.sku, "reason": "receive", **data}
    response = client.post(url("stock_receive", query=f"?location={shelf.pk}"), body)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert stock_snapshot() == before


def test_a_foreign_sku_is_not_offered(net, client_for):
    _, foreign = on_sale_product(BrandFactory())
    before = stock_snapshot()
    response = client_for("store_owner").post(
        url("stock_receive"),
        {"organization": net.store_a.pk, "sku": foreign.sku, "quantity": 1, "reason": "receive"},
    )
    assert response.status_code == 200
    assert "No variant has this SKU" in response.content.decode()
    assert stock_snapshot() == before


def test_stocktake_form(net, shelf, variant, client_for):
    stock_up(shelf, variant, 10)
    reserve(actor=None, location=shelf, lines=[(variant.pk, 4)], reference="order:1")
    client = client_for("store_clerk")
    link = url("stock_adjust", query=f"?location={shelf.pk}")
    below = client.post(link, {"sku": variant.sku, "counted": 3})
    assert below.status_code == 200
    assert "below the 4 units reserved" in below.content.decode()
    assert totals(shelf, variant) == (10, 4)
    done = client.post(link, {"sku": variant.sku, "counted": 8, "reason": "月底盘点"})
    assert done.status_code == 302
    assert totals(shelf, variant) == (8, 4)
    assert StockMove.objects.filter(note="月底盘点").exists()


def test_split_form(net, shelf, variant, client_for):
    stock_up(shelf, variant, 100)
    client = client_for("brand_admin")
    response = client.post(
        url("stock_split", query=f"?location={shelf.pk}"), {"sku": variant.sku, "shards": 8}
    )
    assert response.status_code == 302
    assert totals(shelf, variant) == (100, 0)
    page = client.get(response["Location"]).content.decode()
    assert "in 8 shards" in page
