"""H5 order pages: cart, checkout, paying on the simulated cashier, my orders, an order with its
pickup code, cancelling, refund requests — each through the orders services, for the buyer
only (another buyer's order does not exist), with refusals shown and changing nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from trispace.catalog.tests.factories import on_sale_product
from trispace.network.models import Role
from trispace.network.tests.conftest import client_for, net, zhejiang  # noqa: F401  (fixtures)
from trispace.network.tests.factories import MembershipFactory, UserFactory
from trispace.orders import services
from trispace.orders.models import AfterSale, CartLine, Order
from trispace.orders.tests.conftest import shop  # noqa: F401  (fixture)
from trispace.orders.tests.factories import (
    Shop,
    available,
    paid_order,
    place,
    settle,
    stocked,
)
from trispace.payments.models import Payment

pytestmark = pytest.mark.django_db

LOGIN = "/login/"


def buyer_client(shop: Shop) -> Client:  # noqa: F811
    client = Client()
    client.force_login(shop.buyer)
    return client


def add(client: Client, variant: Any, quantity: int = 1, **extra: Any) -> Any:
    return client.post(
        reverse("h5:cart_add"), {"variant_id": variant.pk, "quantity": quantity, **extra}
    )


def state() -> dict[str, Any]:
    """What a refused write must leave alone."""
    return {
        "orders": list(Order.objects.order_by("pk").values_list("pk", "status", "refunded_fen")),
        "cart": list(CartLine.objects.order_by("pk").values_list("pk", "quantity")),
        "aftersales": list(AfterSale.objects.order_by("pk").values_list("pk", "status")),
        "payments": Payment.objects.count(),
    }


# --- authorization ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("h5:cart", []),
        ("h5:checkout", []),
        ("h5:orders", []),
        ("h5:order", [1]),
        ("h5:aftersale", [1]),
    ],
)
def test_anonymous_is_sent_to_login_and_back(client, net, name, args):  # noqa: F811
    url = reverse(name, args=args)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={url.replace('/', '%2F')}"


def test_anonymous_posts_change_nothing_and_go_to_login(client, shop):  # noqa: F811
    order = place(shop)
    before = state()
    product_url = reverse("h5:product", args=[shop.tea.product_id])
    response = add(client, shop.tea, next=product_url)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{LOGIN}?next=")
    assert "products" in response["Location"]
    for name in ("h5:order_pay", "h5:order_cancel", "h5:order_confirm"):
        assert client.post(reverse(name, args=[order.pk])).status_code == 302
    assert client.post(reverse("h5:aftersale", args=[order.pk]), {"reason": "x"}).status_code == 302
    assert state() == before


def test_another_buyers_order_does_not_exist(shop):  # noqa: F811
    order = paid_order(shop)
    stranger = Client()
    stranger.force_login(UserFactory())
    before = state()
    assert stranger.get(reverse("h5:order", args=[order.pk])).status_code == 404
    assert stranger.get(reverse("h5:aftersale", args=[order.pk])).status_code == 404
    for name in ("h5:order_pay", "h5:order_cancel", "h5:order_confirm"):
        assert stranger.post(reverse(name, args=[order.pk])).status_code == 404
    response = stranger.post(
        reverse("h5:aftersale", args=[order.pk]), {"reason": "mine now", "qty_1": "1"}
    )
    assert response.status_code == 404
    assert order.number not in stranger.get(reverse("h5:orders")).content.decode()
    assert state() == before


def test_another_buyers_cart_line_is_not_theirs_to_change(shop):  # noqa: F811
    mine = buyer_client(shop)
    add(mine, shop.tea, 2)
    line = CartLine.objects.get()
    stranger = Client()
    stranger.force_login(UserFactory())
    before = state()
    response = stranger.post(reverse("h5:cart_line", args=[line.pk]), {"quantity": 9})
    assert response.status_code == 302
    response = stranger.post(reverse("h5:cart_line", args=[line.pk]), {"remove": "1"}, follow=True)
    assert "Not found." in response.content.decode()
    assert state() == before


# --- cart -----------------------------------------------------------------------------------
def test_product_page_has_an_add_to_cart_form(client, shop):  # noqa: F811
    page = client.get(reverse("h5:product", args=[shop.tea.product_id]), {"store": shop.store.pk})
    text = page.content.decode()
    assert reverse("h5:cart_add") in text
    assert f'name="variant_id" value="{shop.tea.pk}"' in text
    assert reverse("h5:cart") in text


def test_add_to_cart_then_the_cart_shows_lines_and_total(shop):  # noqa: F811
    client = buyer_client(shop)
    back = reverse("h5:product", args=[shop.tea.product_id])
    response = add(client, shop.tea, 2, next=back)
    assert response.status_code == 302
    assert response["Location"] == back
    add(client, shop.cake, 1)
    assert "Added to your cart." in client.get(back).content.decode()
    page = client.get(reverse("h5:cart"))
    text = page.content.decode()
    assert page.status_code == 200
    assert shop.tea.product.name in text
    assert "¥53.33" in text  # 2 × ¥10.00 + ¥33.33
    assert reverse("h5:checkout") in text


def test_adding_what_the_store_does_not_sell_is_refused(shop):  # noqa: F811
    client = buyer_client(shop)
    _product, unpriced = on_sale_product(shop.net.brand, retail_fen=None)
    before = state()
    response = add(client, unpriced, 1, next=reverse("h5:cart"))
    assert response.status_code == 302
    assert "not sold at this store" in client.get(reverse("h5:cart")).content.decode()
    response = client.post(reverse("h5:cart_add"), {"variant_id": "abc"}, follow=True)
    assert "Not found." in response.content.decode()
    assert state() == before


def test_quantity_steps_through_htmx_and_zero_removes(shop):  # noqa: F811
    client = buyer_client(shop)
    add(client, shop.tea, 1)
    line = CartLine.objects.get()
    url = reverse("h5:cart_line", args=[line.pk])
    response = client.post(url, {"quantity": 3}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    text = response.content.decode()
    assert text.lstrip().startswith('<div id="cart"')
    assert "¥30.00" in text
    line.refresh_from_db()
    assert line.quantity == 3
    response = client.post(url, {"quantity": 1000}, headers={"HX-Request": "true"})
    assert "Enter a quantity from 1 to 999." in response.content.decode()
    line.refresh_from_db()
    assert line.quantity == 3
    client.post(url, {"quantity": 0}, headers={"HX-Request": "true"})
    assert not CartLine.objects.exists()


def test_remove_without_htmx_redirects_to_the_cart(shop):  # noqa: F811
    client = buyer_client(shop)
    add(client, shop.tea, 1)
    line = CartLine.objects.get()
    response = client.post(reverse("h5:cart_line", args=[line.pk]), {"remove": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("h5:cart")
    assert not CartLine.objects.exists()
    assert "Your cart is empty." in client.get(reverse("h5:cart")).content.decode()


# --- checkout -------------------------------------------------------------------------------
def test_checkout_with_an_empty_cart_goes_back_to_the_cart(shop):  # noqa: F811
    response = buyer_client(shop).get(reverse("h5:checkout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("h5:cart")


def test_checkout_shows_the_store_and_the_delivery_fee(shop):  # noqa: F811
    services.order_policy_set(
        actor=shop.net.user("brand_admin"),
        unpaid_timeout_minutes=15,
        auto_confirm_days=7,
        aftersale_window_days=7,
        delivery_fee_fen=800,
        free_delivery_from_fen=9900,
    )
    client = buyer_client(shop)
    add(client, shop.tea, 2)
    page = client.get(reverse("h5:checkout"))
    text = page.content.decode()
    assert page.status_code == 200
    assert shop.store.name in text
    assert 'value="pickup" checked' in text
    assert "¥8.00" in text  # the delivery fee
    assert "¥99.00" in text  # free from
    assert 'data-total="2800"' in text  # with delivery


def test_pickup_checkout_places_the_order_with_the_share_context(shop):  # noqa: F811
    client = buyer_client(shop)
    client.get("/", {"share": "tok_42", "leader": "5", "promoter": "7", "group": "x"})
    add(client, shop.tea, 2)
    response = client.post(reverse("h5:checkout"), {"fulfilment": "pickup"})
    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("h5:order", args=[order.pk])
    assert order.buyer_id == shop.buyer.pk
    assert order.store == shop.store
    assert order.fulfilment == "pickup"
    assert order.total_fen == 2000
    assert (order.share_token, order.leader_id, order.promoter_id, order.group_id) == (
        "tok_42",
        5,
        7,
        None,
    )
    assert not CartLine.objects.exists()
    assert available(shop.store, shop.tea) == 98


def test_a_later_link_replaces_the_share_context(shop):  # noqa: F811
    client = buyer_client(shop)
    client.get("/", {"share": "first", "promoter": "7"})
    client.get(reverse("h5:products"), {"leader": "9"})
    client.get(reverse("h5:products"))  # no parameters: keeps what it has
    add(client, shop.tea, 1)
    client.post(reverse("h5:checkout"), {"fulfilment": "pickup"})
    order = Order.objects.get()
    assert (order.share_token, order.leader_id, order.promoter_id) == ("", 9, None)


def test_delivery_without_an_address_is_refused_on_the_form(shop):  # noqa: F811
    client = buyer_client(shop)
    add(client, shop.tea, 1)
    before = state()
    response = client.post(reverse("h5:checkout"), {"fulfilment": "delivery", "name": ""})
    assert response.status_code == 200
    assert "Enter the recipient" in response.content.decode()
    assert state() == before


def test_delivery_checkout_with_an_address(shop, zhejiang):  # noqa: F811
    services.order_policy_set(
        actor=shop.net.user("brand_admin"),
        unpaid_timeout_minutes=15,
        auto_confirm_days=7,
        aftersale_window_days=7,
        delivery_fee_fen=600,
    )
    client = buyer_client(shop)
    add(client, shop.tea, 1)
    page = client.get(reverse("h5:checkout"))
    assert "浙江省" in page.content.decode()
    cities = client.get(reverse("h5:regions"), {"province": "330000"}).content.decode()
    assert "杭州市" in cities
    assert 'hx-swap-oob="innerHTML"' in cities
    assert "西湖区" in client.get(reverse("h5:regions"), {"city": "330100"}).content.decode()
    response = client.post(
        reverse("h5:checkout"),
        {
            "fulfilment": "delivery",
            "name": "王小明",
            "phone": "13912345678",
            "province": "330000",
            "city": "330100",
            "region_code": "330106",
            "detail": "文三路 100 号 2 单元",
        },
    )
    order = Order.objects.get()
    assert response.status_code == 302
    assert (order.fulfilment, order.shipping_fen, order.total_fen) == ("delivery", 600, 1600)
    detail = client.get(reverse("h5:order", args=[order.pk])).content.decode()
    assert "西湖区" in detail
    assert "139****5678" in detail
    assert "13912345678" not in detail


def test_checkout_out_of_stock_names_the_product(shop):  # noqa: F811
    scarce = stocked(shop.net, price_fen=500, stock=1)
    client = buyer_client(shop)
    add(client, scarce, 3)
    before = state()
    response = client.post(reverse("h5:checkout"), {"fulfilment": "pickup"})
    assert response.status_code == 200
    assert f"Only 1 of {scarce.product.name} left" in response.content.decode()
    assert state() == before


# --- paying ---------------------------------------------------------------------------------
def test_pay_goes_to_the_simulated_cashier_and_back_to_the_order(shop):  # noqa: F811
    order = place(shop)
    client = buyer_client(shop)
    page = client.get(reverse("h5:order", args=[order.pk])).content.decode()
    assert reverse("h5:order_pay", args=[order.pk]) in page
    assert "data-pickup-code" not in page  # no code before paying
    response = client.post(reverse("h5:order_pay", args=[order.pk]))
    payment = Payment.objects.get(source_type="order", source_id=order.pk)
    order_url = reverse("h5:order", args=[order.pk])
    assert payment.provider == "simulated"
    assert response.status_code == 302
    assert response["Location"] == (
        f"{reverse('h5:cashier', args=[payment.out_trade_no])}?next={order_url.replace('/', '%2F')}"
    )
    with settle():
        paid = client.post(response["Location"], {"next": order_url})
    assert paid["Location"] == order_url
    order.refresh_from_db()
    assert order.status == "paid"
    text = client.get(order_url).content.decode()
    assert order.pickup_code in text
    assert 'src="data:image/svg+xml' in text
    assert reverse("h5:aftersale", args=[order.pk]) in text
    assert reverse("h5:order_cancel", args=[order.pk]) not in text


def test_paying_a_paid_order_is_refused_with_a_message(shop):  # noqa: F811
    order = paid_order(shop)
    client = buyer_client(shop)
    before = state()
    response = client.post(reverse("h5:order_pay", args=[order.pk]), follow=True)
    assert "not allowed in the current status" in response.content.decode()
    assert state() == before


# --- my orders, cancel ----------------------------------------------------------------------
def test_my_orders_tabs_filter_by_status(shop):  # noqa: F811
    unpaid = place(shop)
    paid = paid_order(shop)
    client = buyer_client(shop)
    everything = client.get(reverse("h5:orders")).content.decode()
    assert unpaid.number in everything
    assert paid.number in everything
    to_pay = client.get(reverse("h5:orders"), {"status": "pending_payment"}).content.decode()
    assert unpaid.number in to_pay
    assert paid.number not in to_pay
    bogus = client.get(reverse("h5:orders"), {"status": "nonsense"})
    assert bogus.context["status"] == ""


def test_cancel_an_unpaid_order_releases_the_stock(shop):  # noqa: F811
    order = place(shop, [(shop.tea, 3)])
    assert available(shop.store, shop.tea) == 97
    client = buyer_client(shop)
    response = client.post(reverse("h5:order_cancel", args=[order.pk]), follow=True)
    assert "The order was cancelled." in response.content.decode()
    order.refresh_from_db()
    assert order.status == "cancelled"
    assert available(shop.store, shop.tea) == 100


def test_cancel_a_paid_order_is_refused(shop):  # noqa: F811
    order = paid_order(shop)
    before = state()
    response = buyer_client(shop).post(reverse("h5:order_cancel", args=[order.pk]), follow=True)
    assert "not allowed in the current status" in response.content.decode()
    assert state() == before


# --- refunds --------------------------------------------------------------------------------
def test_refund_page_defaults_to_everything_and_shows_the_refundable_amount(shop):  # noqa: F811
    order = paid_order(shop, [(shop.tea, 2), (shop.cake, 1)])
    page = buyer_client(shop).get(reverse("h5:aftersale", args=[order.pk]))
    text = page.content.decode()
    tea, cake = order.lines.order_by("pk")
    assert f'name="qty_{tea.pk}" value="2"' in text
    assert f'name="qty_{cake.pk}" value="1"' in text
    assert 'data-refundable="5333"' in text


def test_partial_refund_request_then_its_status_on_the_order(shop):  # noqa: F811
    order = paid_order(shop, [(shop.tea, 2), (shop.cake, 1)])
    tea, cake = order.lines.order_by("pk")
    client = buyer_client(shop)
    response = client.post(
        reverse("h5:aftersale", args=[order.pk]),
        {f"qty_{tea.pk}": "1", f"qty_{cake.pk}": "0", "reason": "one was broken"},
    )
    assert response.status_code == 302
    aftersale = AfterSale.objects.get()
    assert aftersale.amount_fen == 1000
    assert list(aftersale.lines.values_list("order_line_id", "quantity")) == [(tea.pk, 1)]
    text = client.get(reverse("h5:order", args=[order.pk])).content.decode()
    assert 'data-aftersale-status="requested"' in text
    assert "one was broken" in text
    with settle():
        services.aftersale_approve(actor=shop.owner, aftersale=aftersale)
    text = client.get(reverse("h5:order", args=[order.pk])).content.decode()
    assert 'data-aftersale-status="refunded"' in text
    assert 'data-refunded="1000"' in text


def test_refund_request_refusals_are_shown_and_change_nothing(shop):  # noqa: F811
    order = paid_order(shop, [(shop.tea, 2)])
    (tea,) = order.lines.all()
    client = buyer_client(shop)
    url = reverse("h5:aftersale", args=[order.pk])
    before = state()
    no_reason = client.post(url, {f"qty_{tea.pk}": "1", "reason": ""})
    assert "Tell the store why" in no_reason.content.decode()
    too_many = client.post(url, {f"qty_{tea.pk}": "5", "reason": "all"})
    assert "At most 2 of this item can still be refunded." in too_many.content.decode()
    nothing = client.post(url, {f"qty_{tea.pk}": "0", "reason": "none"})
    assert "Choose at least one item to refund." in nothing.content.decode()
    assert state() == before


def test_no_refund_for_an_unpaid_order(shop):  # noqa: F811
    order = place(shop)
    client = buyer_client(shop)
    page = client.get(reverse("h5:aftersale", args=[order.pk])).content.decode()
    assert "A refund cannot be requested for this order now." in page
    before = state()
    (line,) = order.lines.all()
    refused = client.post(
        reverse("h5:aftersale", args=[order.pk]), {f"qty_{line.pk}": "1", "reason": "x"}
    )
    assert refused.status_code == 200
    assert state() == before


# --- me -------------------------------------------------------------------------------------
def test_me_links_to_my_orders_and_the_workbench_for_store_staff(client_for, net):  # noqa: F811
    consumer = client_for("consumer").get(reverse("h5:me")).content.decode()
    assert reverse("h5:orders") in consumer
    assert reverse("h5:workbench") not in consumer
    owner = client_for("store_owner").get(reverse("h5:me")).content.decode()
    assert reverse("h5:workbench") in owner
    clerk = MembershipFactory(organization=net.store_a, role=Role.STORE_CLERK).user
    staff = Client()
    staff.force_login(clerk)
    assert reverse("h5:workbench") in staff.get(reverse("h5:me")).content.decode()


# --- query counts ---------------------------------------------------------------------------
def test_my_orders_and_an_order_page_take_a_fixed_number_of_queries(
    shop,  # noqa: F811
    django_assert_max_num_queries,
):
    client = buyer_client(shop)
    first = paid_order(shop, [(shop.tea, 1)])
    client.get(reverse("h5:orders"))
    with django_assert_max_num_queries(15) as one:
        client.get(reverse("h5:orders"))
    with django_assert_max_num_queries(15) as detail_one:
        client.get(reverse("h5:order", args=[first.pk]))
    for _ in range(4):
        paid_order(shop, [(shop.tea, 1), (shop.cake, 2)])
    big = paid_order(shop, [(shop.tea, 1), (shop.cake, 2)])
    with django_assert_max_num_queries(15) as five:
        client.get(reverse("h5:orders"))
    with django_assert_max_num_queries(15) as detail_big:
        client.get(reverse("h5:order", args=[big.pk]))
    assert len(one.captured_queries) == len(five.captured_queries)
    assert len(detail_one.captured_queries) == len(detail_big.captured_queries)
