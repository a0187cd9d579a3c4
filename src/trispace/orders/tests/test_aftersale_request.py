"""aftersale_request: the buyer asks for a refund of some units, or of everything."""

from __future__ import annotations

import pytest

from trispace.kernel.errors import DomainError
from trispace.kernel.models import AuditLog
from trispace.orders import services
from trispace.orders.models import AfterSale, OrderLine
from trispace.orders.tests.factories import paid_order, place

pytestmark = pytest.mark.django_db


def lines_of(order):
    return {line.variant_id: line for line in order.lines.order_by("pk")}


def test_a_partial_request_holds_the_units_and_their_exact_amount(shop):
    order = paid_order(shop, [(shop.tea, 3), (shop.cake, 1)], discount_fen=100)
    tea = lines_of(order)[shop.tea.pk]
    # 100 fen over 3000 + 3333: 47.37 and 52.63 → 47 and 53 (the fen left goes to the larger).
    assert (tea.paid_fen, tea.quantity) == (3000 - 47, 3)
    aftersale = services.aftersale_request(
        actor=shop.buyer, order=order, lines=[(tea.pk, 1)], reason="one was broken"
    )
    assert aftersale.status == "requested"
    assert aftersale.amount_fen == 2953 // 3 == 984
    assert aftersale.shipping_fen == 0
    tea.refresh_from_db()
    assert (tea.pending_quantity, tea.pending_fen) == (1, aftersale.amount_fen)
    assert AuditLog.objects.filter(action="aftersale_request").count() == 1


def test_more_than_is_left_is_refused_counting_pending_requests(shop):
    order = paid_order(shop, [(shop.tea, 3)])
    line = order.lines.get()
    services.aftersale_request(actor=shop.buyer, order=order, lines=[(line.pk, 2)], reason="a")
    with pytest.raises(DomainError) as caught:
        services.aftersale_request(actor=shop.buyer, order=order, lines=[(line.pk, 2)], reason="b")
    assert caught.value.code == "aftersale_quantity_exceeded"
    assert "1" in caught.value.message
    services.aftersale_request(actor=shop.buyer, order=order, lines=[(line.pk, 1)], reason="c")
    line.refresh_from_db()
    assert (line.pending_quantity, line.pending_fen) == (3, 3000)  # the last unit: the rest
    with pytest.raises(DomainError) as caught:
        services.aftersale_request(actor=shop.buyer, order=order, reason="everything")
    assert caught.value.code == "aftersale_empty"


def test_everything_includes_shipping_before_it_ships(shop, zhejiang):
    address = {"name": "王五", "phone": "13912345678", "region_code": "330106", "detail": "x路1号"}
    services.order_policy_set(
        actor=shop.net.user("brand_admin"),
        unpaid_timeout_minutes=15,
        auto_confirm_days=7,
        aftersale_window_days=7,
        delivery_fee_fen=800,
    )
    order = paid_order(shop, [(shop.tea, 2)], fulfilment="delivery", address=address)
    aftersale = services.aftersale_request(actor=shop.buyer, order=order, reason="too slow")
    assert (aftersale.amount_fen, aftersale.shipping_fen) == (2800, 800)


@pytest.mark.parametrize(
    ("lines", "code"),
    [
        ([], "aftersale_empty"),
        ([(999_999, 1)], "not_found"),
        ([("x", 1)], "not_found"),
        ([(1,)], "invalid"),
        (42, "invalid"),
    ],
)
def test_bad_requests_change_nothing(shop, lines, code):
    order = paid_order(shop)
    with pytest.raises(DomainError) as caught:
        services.aftersale_request(actor=shop.buyer, order=order, lines=lines, reason="x")
    assert caught.value.code == code
    assert not AfterSale.objects.exists()
    assert not OrderLine.objects.filter(pending_quantity__gt=0).exists()


def test_zero_and_negative_quantities_are_refused(shop):
    order = paid_order(shop)
    line = order.lines.get()
    for qty in (0, -1):
        with pytest.raises(DomainError) as caught:
            services.aftersale_request(
                actor=shop.buyer, order=order, lines=[(line.pk, qty)], reason="x"
            )
        assert caught.value.code == "quantity_invalid"


def test_a_line_of_another_order_is_not_found(shop):
    mine = paid_order(shop)
    other = paid_order(shop)
    with pytest.raises(DomainError) as caught:
        services.aftersale_request(
            actor=shop.buyer, order=mine, lines=[(other.lines.get().pk, 1)], reason="x"
        )
    assert caught.value.code == "not_found"


def test_only_the_buyer_of_a_paid_order_may_ask_with_a_reason(shop, net):
    order = paid_order(shop)
    with pytest.raises(DomainError) as caught:
        services.aftersale_request(actor=net.user("store_owner"), order=order, reason="x")
    assert caught.value.code == "not_found"
    with pytest.raises(DomainError) as caught:
        services.aftersale_request(actor=shop.buyer, order=order, reason="  ")
    assert caught.value.code == "reason_invalid"
    with pytest.raises(DomainError) as caught:
        services.aftersale_request(actor=shop.buyer, order=place(shop), reason="x")
    assert caught.value.code == "aftersale_not_allowed"
    assert not AfterSale.objects.exists()
