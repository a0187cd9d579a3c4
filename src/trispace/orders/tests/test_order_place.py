"""order_place: prices, limits, stock, pickup codes, the snapshot, a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from trispace.catalog.models import Channel
from trispace.catalog.tests.factories import on_sale_product, set_price
from trispace.contracts.orders import OrderPlaced
from trispace.kernel.errors import DomainError
from trispace.kernel.models import AuditLog, OutboxEvent
from trispace.network.services import store_set_status
from trispace.orders import services
from trispace.orders.models import Cart, CartLine, Order, OrderLine, PurchaseLimit
from trispace.orders.states import OrderStatus
from trispace.orders.tests.factories import available, place, stocked

pytestmark = pytest.mark.django_db


def test_a_pickup_order_snapshots_prices_and_reserves_stock(shop):
    order = place(shop, [(shop.tea, 2), (shop.cake, 1)])
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert order.buyer_id == shop.buyer.pk
    assert order.store_id == shop.store.pk
    assert order.fulfilment == "pickup"
    assert (order.subtotal_fen, order.discount_fen, order.shipping_fen, order.total_fen) == (
        5333,
        0,
        0,
        5333,
    )
    assert len(order.number) <= 32
    assert len(order.pickup_code) == 6
    assert order.pickup_code.isdigit()
    assert order.expires_at == order.created_at + dt.timedelta(minutes=15)
    lines = list(order.lines.order_by("pk"))
    assert [
        (line.variant_id, line.quantity, line.unit_price_fen, line.paid_fen) for line in lines
    ] == [
        (shop.tea.pk, 2, 1000, 2000),
        (shop.cake.pk, 1, 3333, 3333),
    ]
    assert lines[0].product_name == shop.tea.product.name
    assert lines[0].sku == shop.tea.sku
    assert lines[0].price_channel == "retail"
    assert available(shop.store, shop.tea) == 98
    assert available(shop.store, shop.cake) == 99
    event = OutboxEvent.objects.get(name="OrderPlaced")
    placed = OrderPlaced.from_payload(event.payload)
    assert placed.order_id == order.pk
    assert placed.total_fen == 5333
    assert [line["paid_fen"] for line in placed.lines] == [2000, 3333]
    assert AuditLog.objects.filter(action="order_place", target_id=str(order.pk)).exists()


def test_a_member_of_the_store_pays_the_member_price(shop, net):
    variant = stocked(net, price_fen=1000, member_fen=900)
    order = place(shop, [(variant, 1)])
    assert order.channel == "member"
    assert order.total_fen == 900
    # Someone who is not a consumer of this store pays retail.
    other = net.user("other_store_owner")
    order = place(shop, [(variant, 1)], buyer=other)
    assert order.channel == "retail"
    assert order.total_fen == 1000


def test_a_store_price_wins_over_the_brand_price(shop, net):
    set_price(shop.tea, net.store_a, 800, Channel.RETAIL)
    assert place(shop, [(shop.tea, 1)]).total_fen == 800


def test_the_discount_is_apportioned_to_the_lines(shop):
    order = place(shop, [(shop.tea, 1), (shop.cake, 1)], discount_fen=100)
    lines = list(order.lines.order_by("pk"))
    assert [line.discount_fen for line in lines] == [23, 77]
    assert sum(line.paid_fen for line in lines) == order.total_fen == 4333 - 100


def test_delivery_takes_an_address_and_the_shipping_fee(shop, net, zhejiang):
    services.order_policy_set(
        actor=net.user("brand_admin"),
        unpaid_timeout_minutes=30,
        auto_confirm_days=7,
        aftersale_window_days=7,
        delivery_fee_fen=600,
        free_delivery_from_fen=10000,
    )
    address = {
        "name": "王五",
        "phone": "13912345678",
        "region_code": "330106",
        "detail": "文三路1号",
    }
    order = place(shop, [(shop.tea, 1)], fulfilment="delivery", address=address)
    assert (order.shipping_fen, order.total_fen) == (600, 1600)
    assert order.pickup_code == ""
    assert order.recipient_phone == "+8613912345678"
    assert order.expires_at - order.created_at == dt.timedelta(minutes=30)
    free = place(shop, [(shop.tea, 10)], fulfilment="delivery", address=address)
    assert (free.shipping_fen, free.total_fen) == (0, 10000)
    with pytest.raises(DomainError) as caught:
        place(
            shop,
            [(shop.tea, 1)],
            fulfilment="delivery",
            address={**address, "region_code": "999999"},
        )
    assert caught.value.code == "address_invalid"
    with pytest.raises(DomainError) as caught:
        place(shop, [(shop.tea, 1)], fulfilment="delivery")
    assert caught.value.code == "address_invalid"


def test_the_share_context_is_snapshotted_and_junk_is_dropped(shop):
    order = place(
        shop,
        share_context={
            "promoter_id": "42",
            "group_id": 7,
            "leader_id": -1,
            "campaign_id": True,
            "share_token": "abc_DEF-1",
            "other": "x",
        },
    )
    order.refresh_from_db()
    assert (order.promoter_id, order.group_id, order.leader_id, order.campaign_id) == (
        42,
        7,
        None,
        None,
    )
    assert order.share_token == "abc_DEF-1"
    assert place(shop, share_context={"share_token": "<script>"}).share_token == ""


def test_placing_from_the_cart_empties_it(shop):
    services.cart_add(actor=shop.buyer, store=shop.store, variant=shop.tea, quantity=2)
    services.cart_add(actor=shop.buyer, store=shop.store, variant=shop.cake, quantity=1)
    order = services.order_place(actor=shop.buyer, store=shop.store)
    assert order.total_fen == 5333
    assert not CartLine.objects.exists()
    assert Cart.objects.count() == 1
    with pytest.raises(DomainError) as caught:
        services.order_place(actor=shop.buyer, store=shop.store)
    assert caught.value.code == "cart_empty"


@pytest.mark.parametrize(
    ("lines", "code"),
    [
        ([], "cart_empty"),
        ([(1, 0)], "quantity_invalid"),
        ([(1, 1000)], "quantity_invalid"),
        ([("x", 1)], "invalid"),
        ([(1, 1, 1)], "invalid"),
        ("nonsense", "invalid"),
        ([(999_999, 1)], "variant_unavailable"),
    ],
)
def test_bad_lines_are_refused_and_change_nothing(shop, lines, code):
    with pytest.raises(DomainError) as caught:
        services.order_place(actor=shop.buyer, store=shop.store, lines=lines)
    assert caught.value.code == code
    assert not Order.objects.exists()
    assert not OutboxEvent.objects.filter(name="OrderPlaced").exists()


def test_out_of_stock_is_all_or_nothing(shop, net):
    scarce = stocked(net, stock=1)
    with pytest.raises(DomainError) as caught:
        place(shop, [(shop.tea, 1), (scarce, 2)])
    assert caught.value.code == "out_of_stock"
    assert not Order.objects.exists()
    assert available(shop.store, shop.tea) == 100
    assert available(shop.store, scarce) == 1


def test_variants_not_sold_here_are_refused(shop, net):
    _, unpriced = on_sale_product(net.brand, retail_fen=None)
    with pytest.raises(DomainError) as caught:
        place(shop, [(unpriced, 1)])
    assert caught.value.code == "variant_unavailable"
    shop.tea.product.status = "off_sale"
    shop.tea.product.save()
    with pytest.raises(DomainError) as caught:
        place(shop, [(shop.tea, 1)])
    assert caught.value.code == "variant_unavailable"


def test_a_paused_store_takes_no_orders(shop, net):
    store_set_status(actor=None, store=net.store_a, status="paused")
    net.store_a.refresh_from_db()
    with pytest.raises(DomainError) as caught:
        place(shop, store=net.store_a)
    assert caught.value.code == "store_unavailable"


def test_anonymous_cannot_order(shop):
    with pytest.raises(DomainError) as caught:
        services.order_place(actor=None, store=shop.store, lines=[(shop.tea.pk, 1)])
    assert caught.value.code == "not_authenticated"


def test_purchase_limits_count_earlier_orders_except_cancelled(shop, net):
    services.purchase_limit_set(actor=net.user("brand_admin"), variant=shop.tea, max_quantity=3)
    first = place(shop, [(shop.tea, 2)])
    with pytest.raises(DomainError) as caught:
        place(shop, [(shop.tea, 2)])
    assert caught.value.code == "limit_exceeded"
    assert "1 left" in caught.value.message
    place(shop, [(shop.tea, 1)])
    services.order_cancel(actor=shop.buyer, order=first)
    place(shop, [(shop.tea, 2)])
    # Another buyer has their own allowance.
    place(shop, [(shop.tea, 3)], buyer=net.user("other_store_owner"))
    assert PurchaseLimit.objects.get().max_quantity == 3


def test_pickup_codes_are_retried_on_a_clash(shop, monkeypatch):
    first = place(shop)
    codes = iter([first.pickup_code, first.pickup_code, "123456"])
    monkeypatch.setattr("trispace.kernel.ids.numeric_code", lambda digits=6: next(codes))
    second = place(shop)
    assert second.pickup_code == "123456"


def _measure(shop, net, count, monkeypatch):
    """Queries of placing an order of ``count`` lines: (all, those inside inventory.reserve)."""
    from trispace.orders.services import checkout

    variants = [stocked(net, price_fen=100 + i) for i in range(count)]
    buyer = shop.buyer
    place(shop, [(variants[0], 1)], buyer=buyer)  # the buyer's scope and the shelf exist now
    inside = [0]
    reserve = checkout.inventory.reserve

    def counting_reserve(**kwargs):
        before = len(connection.queries)
        reserve(**kwargs)
        inside[0] += len(connection.queries) - before

    monkeypatch.setattr(checkout.inventory, "reserve", counting_reserve)
    with CaptureQueriesContext(connection) as queries:
        order = place(shop, [(v, 1) for v in variants], buyer=buyer)
    assert OrderLine.objects.filter(order=order).count() == count
    return len(queries), inside[0]


# variants, prices, policy, limits, shelf, order (in a savepoint for the pickup code), lines,
# audit, outbox, and the transaction's savepoint: whatever the number of lines.
ORDERS_QUERIES = 13


@pytest.mark.parametrize("count", [1, 20])
def test_orders_own_queries_do_not_depend_on_the_lines(shop, net, count, monkeypatch):
    total, inside_inventory = _measure(shop, net, count, monkeypatch)
    assert total - inside_inventory == ORDERS_QUERIES


def test_placing_20_lines_takes_as_many_queries_as_1(shop, net, monkeypatch):
    one, reserve_one = _measure(shop, net, 1, monkeypatch)
    twenty, reserve_twenty = _measure(shop, net, 20, monkeypatch)
    assert one == twenty
    assert reserve_one == reserve_twenty
