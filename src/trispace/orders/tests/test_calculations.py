"""Order arithmetic: discounts by largest remainder, exact partial refunds (Hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trispace.orders import calculations as calc
from trispace.orders.calculations import LineIn, RefundableLine

line_in = st.builds(
    LineIn,
    key=st.integers(1, 10**6),
    unit_price_fen=st.integers(0, 10**7),
    quantity=st.integers(1, 999),
)


def test_an_order_discount_is_apportioned_by_subtotal_with_the_remainder_to_the_largest():
    amounts = calc.order_amounts(
        [LineIn(1, 1000, 1), LineIn(2, 1000, 1), LineIn(3, 1000, 1)], discount_fen=100
    )
    assert [line.discount_fen for line in amounts.lines] == [34, 33, 33]
    assert [line.paid_fen for line in amounts.lines] == [966, 967, 967]
    assert (amounts.subtotal_fen, amounts.discount_fen, amounts.total_fen) == (3000, 100, 2900)


def test_shipping_stays_apart_from_the_lines():
    amounts = calc.with_shipping(calc.order_amounts([LineIn(1, 500, 2)]), 800)
    assert amounts.lines[0].paid_fen == 1000
    assert (amounts.goods_fen, amounts.shipping_fen, amounts.total_fen) == (1000, 800, 1800)


def test_a_discount_above_the_subtotal_is_capped():
    amounts = calc.order_amounts([LineIn(1, 300, 1)], discount_fen=1000)
    assert amounts.discount_fen == 300
    assert amounts.total_fen == 0
    assert amounts.lines[0].paid_fen == 0


@pytest.mark.parametrize(
    ("lines", "discount", "shipping"),
    [([LineIn(1, 100, 0)], 0, 0), ([LineIn(1, -1, 1)], 0, 0), ([LineIn(1, 1, 1)], -1, 0)],
)
def test_bad_amounts_are_refused(lines, discount, shipping):
    with pytest.raises(ValueError):
        calc.order_amounts(lines, discount_fen=discount, shipping_fen=shipping)


def test_delivery_is_free_from_the_threshold():
    assert calc.delivery_fee(4999, fee_fen=600, free_from_fen=5000) == 600
    assert calc.delivery_fee(5000, fee_fen=600, free_from_fen=5000) == 0
    assert calc.delivery_fee(10**6, fee_fen=600, free_from_fen=None) == 600


@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(line_in, min_size=1, max_size=20),
    discount=st.integers(0, 10**9),
    shipping=st.integers(0, 10**5),
)
def test_lines_always_sum_to_the_totals(lines, discount, shipping):
    amounts = calc.with_shipping(calc.order_amounts(lines, discount_fen=discount), shipping)
    assert sum(line.subtotal_fen for line in amounts.lines) == amounts.subtotal_fen
    assert sum(line.discount_fen for line in amounts.lines) == amounts.discount_fen
    assert sum(line.paid_fen for line in amounts.lines) == amounts.goods_fen
    assert amounts.total_fen == amounts.goods_fen + shipping
    for line in amounts.lines:
        assert 0 <= line.discount_fen <= line.subtotal_fen
        assert line.paid_fen == line.subtotal_fen - line.discount_fen
        # Largest remainder: within one fen of the exact proportional share.
        if amounts.subtotal_fen:
            exact = amounts.discount_fen * line.subtotal_fen / amounts.subtotal_fen
            assert abs(line.discount_fen - exact) < 1


def test_the_last_unit_takes_the_remainder():
    common = {"paid_fen": 100, "quantity": 3}
    first = calc.refund_amount(**common, claimed_quantity=0, claimed_fen=0, refund_quantity=1)
    second = calc.refund_amount(**common, claimed_quantity=1, claimed_fen=33, refund_quantity=1)
    last = calc.refund_amount(**common, claimed_quantity=2, claimed_fen=66, refund_quantity=1)
    assert (first, second, last) == (33, 33, 34)


def test_refunding_more_than_is_left_is_refused():
    line = RefundableLine(line_id=7, quantity=3, paid_fen=300, claimed_quantity=2, claimed_fen=200)
    with pytest.raises(calc.ExceedsRefundable) as caught:
        calc.refund_plan([line], {7: 2})
    assert (caught.value.line_id, caught.value.available) == (7, 1)
    with pytest.raises(KeyError):
        calc.refund_plan([line], {8: 1})
    assert calc.refund_plan([line]) == [calc.RefundPart(7, 1, 100)]


@st.composite
def refund_runs(draw):
    """A line and a random split of its units into partial refund requests."""
    quantity = draw(st.integers(1, 60))
    paid = draw(st.integers(0, 10**7))
    sizes = []
    left = quantity
    while left:
        size = draw(st.integers(1, left))
        sizes.append(size)
        left -= size
    return quantity, paid, sizes


@settings(max_examples=400, deadline=None)
@given(run=refund_runs())
def test_partial_refunds_of_every_unit_sum_exactly_to_what_was_paid(run):
    quantity, paid, sizes = run
    claimed_q = claimed_fen = 0
    for size in sizes:
        amount = calc.refund_amount(
            paid_fen=paid,
            quantity=quantity,
            claimed_quantity=claimed_q,
            claimed_fen=claimed_fen,
            refund_quantity=size,
        )
        assert amount >= 0
        claimed_q += size
        claimed_fen += amount
        assert claimed_fen <= paid  # never more than was paid, at any step
    assert claimed_fen == paid


@settings(max_examples=200, deadline=None)
@given(
    lines=st.lists(line_in, min_size=1, max_size=8, unique_by=lambda line: line.key),
    discount=st.integers(0, 10**6),
    data=st.data(),
)
def test_random_carts_discounts_and_partial_refunds_never_exceed_paid_per_line(
    lines, discount, data
):
    amounts = calc.order_amounts(lines, discount_fen=discount)
    state = {
        line.key: RefundableLine(line.key, line.quantity, line.paid_fen) for line in amounts.lines
    }
    for _ in range(data.draw(st.integers(1, 12))):
        open_lines = [line for line in state.values() if line.claimable_quantity]
        if not open_lines:
            break
        request = {}
        for line in data.draw(st.lists(st.sampled_from(open_lines), min_size=1, unique=True)):
            request[line.line_id] = data.draw(st.integers(1, line.claimable_quantity))
        for part in calc.refund_plan(list(state.values()), request):
            line = state[part.line_id]
            state[part.line_id] = RefundableLine(
                line.line_id,
                line.quantity,
                line.paid_fen,
                line.claimed_quantity + part.quantity,
                line.claimed_fen + part.amount_fen,
            )
    for line in state.values():
        assert 0 <= line.claimed_fen <= line.paid_fen
        if line.claimable_quantity == 0:
            assert line.claimed_fen == line.paid_fen
    rest = calc.refund_plan(list(state.values()))
    assert sum(p.amount_fen for p in rest) + sum(
        line.claimed_fen for line in state.values()
    ) == sum(line.paid_fen for line in amounts.lines)


def test_limits():
    assert calc.first_limit_breach({1: 2}, {1: 3}, {1: 1}) is None
    breach = calc.first_limit_breach({1: 3}, {1: 3}, {1: 1})
    assert breach == calc.LimitBreach(variant_id=1, max_quantity=3, left=2)
    assert calc.first_limit_breach({2: 100}, {1: 3}, {}) is None
