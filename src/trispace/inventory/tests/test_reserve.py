from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from trispace.catalog.tests.factories import on_sale_product
from trispace.inventory import selectors
from trispace.inventory.models import MoveReason, StockMove, StockOperation
from trispace.inventory.services import reservations, reserve
from trispace.inventory.tests.conftest import (
    assert_books_balance,
    shard_rows,
    stock_snapshot,
    stock_up,
    totals,
)
from trispace.kernel.errors import DomainError

pytestmark = pytest.mark.django_db


def test_reserve_moves_stock_from_available_to_reserved(shelf, variant, net):
    stock_up(shelf, variant, 10)
    reserve(
        actor=net.user("consumer"), location=shelf, lines=[(variant.pk, 3)], reference="order:1"
    )
    assert totals(shelf, variant) == (10, 3)
    assert selectors.available(shelf, [variant.pk]) == {variant.pk: 7}
    move = StockMove.objects.get(reason=MoveReason.RESERVE)
    assert (move.delta_on_hand, move.delta_reserved, move.reference) == (0, 3, "order:1")
    assert move.actor_id == net.users["consumer"].pk
    assert_books_balance()


def test_the_last_unit_can_be_reserved_and_then_nothing(shelf, variant):
    stock_up(shelf, variant, 2)
    reserve(actor=None, location=shelf, lines=[(variant.pk, 2)], reference="order:1")
    with pytest.raises(DomainError) as caught:
        reserve(actor=None, location=shelf, lines=[(variant.pk, 1)], reference="order:2")
    assert caught.value.code == "out_of_stock"
    assert caught.value.status == 409
    assert caught.value.params == {"variant_id": variant.pk, "available": 0}
    assert totals(shelf, variant) == (2, 2)


def test_out_of_stock_says_which_variant_and_how_many_are_available(shelf, variant):
    stock_up(shelf, variant, 4)
    with pytest.raises(DomainError) as caught:
        reserve(actor=None, location=shelf, lines=[(variant.pk, 5)], reference="order:1")
    assert caught.value.params == {"variant_id": variant.pk, "available": 4}
    assert str(variant.pk) in caught.value.message
    assert "4" in caught.value.message


def test_a_variant_never_stocked_here_is_out_of_stock(shelf, variant):
    with pytest.raises(DomainError) as caught:
        reserve(actor=None, location=shelf, lines=[(variant.pk, 1)], reference="order:1")
    assert caught.value.params == {"variant_id": variant.pk, "available": 0}
    assert StockOperation.objects.count() == 0


def test_all_lines_or_none(shelf, variant, variant2):
    stock_up(shelf, variant, 10)
    stock_up(shelf, variant2, 1)
    before = stock_snapshot()
    with pytest.raises(DomainError) as caught:
        reserve(
            actor=None,
            location=shelf,
            lines=[(variant.pk, 5), (variant2.pk, 2)],
            reference="order:1",
        )
    assert caught.value.params["variant_id"] == variant2.pk
    assert stock_snapshot() == before  # the first line's reservation was undone too
    reserve(
        actor=None, location=shelf, lines=[(variant.pk, 5), (variant2.pk, 1)], reference="order:1"
    )
    assert totals(shelf, variant) == (10, 5)
    assert totals(shelf, variant2) == (1, 1)


def test_lines_of_one_variant_are_added_up(shelf, variant):
    stock_up(shelf, variant, 5)
    with pytest.raises(DomainError):
        reserve(
            actor=None, location=shelf, lines=[(variant.pk, 3), (variant.pk, 3)], reference="o:1"
        )
    reserve(actor=None, location=shelf, lines=[(variant.pk, 2), (variant.pk, 3)], reference="o:1")
    assert totals(shelf, variant) == (5, 5)


def test_a_retry_with_the_same_reference_reserves_once(shelf, variant):
    stock_up(shelf, variant, 10)
    for _ in range(3):
        reserve(actor=None, location=shelf, lines=[(variant.pk, 4)], reference="order:1")
    assert totals(shelf, variant) == (10, 4)
    assert StockMove.objects.filter(reason=MoveReason.RESERVE).count() == 1


def test_the_same_reference_with_other_lines_is_refused(shelf, variant):
    stock_up(shelf, variant, 10)
    reserve(actor=None, location=shelf, lines=[(variant.pk, 4)], reference="order:1")
    with pytest.raises(DomainError) as caught:
        reserve(actor=None, location=shelf, lines=[(variant.pk, 5)], reference="order:1")
    assert caught.value.code == "reference_reused"
    assert totals(shelf, variant) == (10, 4)


def test_a_refused_reserve_can_be_retried_once_stock_arrives(shelf, variant):
    with pytest.raises(DomainError):
        reserve(actor=None, location=shelf, lines=[(variant.pk, 1)], reference="order:1")
    stock_up(shelf, variant, 1)
    reserve(actor=None, location=shelf, lines=[(variant.pk, 1)], reference="order:1")
    assert totals(shelf, variant) == (1, 1)


def test_one_shard_with_enough_takes_the_whole_line(shelf, variant):
    stock_up(shelf, variant, 40, shards=4)  # 10 per shard
    reserve(actor=None, location=shelf, lines=[(variant.pk, 7)], reference="order:1")
    moves = list(StockMove.objects.filter(reason=MoveReason.RESERVE))
    assert len(moves) == 1
    assert shard_rows(shelf, variant)[moves[0].shard] == (10, 7)
    assert totals(shelf, variant) == (40, 7)


def test_reservations_start_at_random_shards(shelf, variant):
    stock_up(shelf, variant, 400, shards=8)
    for n in range(40):
        reserve(actor=None, location=shelf, lines=[(variant.pk, 1)], reference=f"order:{n}")
    used = set(StockMove.objects.filter(reason=MoveReason.RESERVE).values_list("shard", flat=True))
    assert len(used) >= 4  # 40 draws over 8 shards: fewer than 4 has odds below 1e-20


def test_a_line_larger_than_any_shard_is_gathered_across_shards(shelf, variant):
    stock_up(shelf, variant, 12, shards=4)  # 3 per shard
    reserve(actor=None, location=shelf, lines=[(variant.pk, 11)], reference="order:1")
    moves = StockMove.objects.filter(reason=MoveReason.RESERVE)
    assert sum(m.delta_reserved for m in moves) == 11
    assert moves.count() == 4
    assert totals(shelf, variant) == (12, 11)
    assert_books_balance()


def test_gathering_across_shards_falls_short_and_changes_nothing(shelf, variant):
    stock_up(shelf, variant, 12, shards=4)
    reserve(actor=None, location=shelf, lines=[(variant.pk, 2)], reference="order:0")
    before = stock_snapshot()
    with pytest.raises(DomainError) as caught:
        reserve(actor=None, location=shelf, lines=[(variant.pk, 11)], reference="order:1")
    assert caught.value.params == {"variant_id": variant.pk, "available": 10}
    assert stock_snapshot() == before


@pytest.mark.parametrize(
    ("lines", "reference", "code"),
    [
        ([], "order:1", "lines_invalid"),
        ([(1, 0)], "order:1", "quantity_invalid"),
        ([(1, -2)], "order:1", "quantity_invalid"),
        ([(1, 1.5)], "order:1", "quantity_invalid"),
        ([(1, True)], "order:1", "quantity_invalid"),
        ([("1", 1)], "order:1", "lines_invalid"),
        ([(1,)], "order:1", "lines_invalid"),
        (None, "order:1", "lines_invalid"),
        ([(1, 10**9)], "order:1", "quantity_invalid"),
        ([(1, 1)], "", "reference_invalid"),
        ([(1, 1)], "x" * 101, "reference_invalid"),
        ([(1, 1)], None, "reference_invalid"),
    ],
)
def test_bad_input_is_refused(shelf, lines, reference, code):
    with pytest.raises(DomainError) as caught:
        reserve(actor=None, location=shelf, lines=lines, reference=reference)
    assert caught.value.code == code
    assert caught.value.status == 400


def test_an_inactive_location_takes_no_reservations(shelf, variant):
    stock_up(shelf, variant, 5)
    shelf.is_active = False
    shelf.save()
    with pytest.raises(DomainError) as caught:
        reserve(actor=None, location=shelf, lines=[(variant.pk, 1)], reference="order:1")
    assert caught.value.code == "location_inactive"


# --- statements: fixed whatever the number of lines ------------------------------------------
def _variants(net, count):
    return [on_sale_product(net.brand)[1] for _ in range(count)]


@pytest.mark.parametrize("shards", [1, 4])
def test_reserving_20_lines_takes_as_many_queries_as_1(shelf, net, shards):
    counts = []
    for n, count in enumerate((1, 20)):
        variants = _variants(net, count)
        for v in variants:
            stock_up(shelf, v, 40, shards=shards)
        lines = [(v.pk, 3) for v in variants]
        with CaptureQueriesContext(connection) as queries:
            reserve(actor=None, location=shelf, lines=lines, reference=f"order:{n}")
        counts.append(len(queries))
        assert all(totals(shelf, v) == (40, 3) for v in variants)
    assert counts[0] == counts[1]
    updates = [q["sql"] for q in queries.captured_queries if "UPDATE" in q["sql"].upper()]
    assert len(updates) == 1  # one conditional UPDATE for all 20 lines
    assert_books_balance()


def test_a_shard_taken_meanwhile_falls_back_to_one_line_at_a_time(shelf, variant, variant2, net):
    """A concurrent buyer took a chosen shard's units between the read and the UPDATE: the
    attempt is undone and the lines are reserved one at a time from what is there now."""
    stock_up(shelf, variant, 8, shards=4)  # 2 per shard
    stock_up(shelf, variant2, 5)
    real = reservations.apply
    calls = []

    def one_row_refused(location, changes, **kwargs):
        done = real(location, changes, **kwargs)
        calls.append(len(changes))
        return set(list(done)[1:]) if len(calls) == 1 else done

    with mock.patch.object(reservations, "apply", one_row_refused):
        reserve(
            actor=net.user("consumer"),
            location=shelf,
            lines=[(variant.pk, 2), (variant2.pk, 3)],
            reference="order:1",
        )
    assert calls[0] == 2  # the whole order in one statement, then line by line
    assert (totals(shelf, variant), totals(shelf, variant2)) == ((8, 2), (5, 3))
    assert StockOperation.objects.filter(reference="order:1").count() == 1
    assert StockMove.objects.filter(reason=MoveReason.RESERVE).count() == 2
    assert_books_balance()


def test_a_line_no_single_shard_holds_is_gathered_with_the_others(shelf, variant, variant2):
    stock_up(shelf, variant, 8, shards=4)  # 2 per shard
    stock_up(shelf, variant2, 5)
    reserve(
        actor=None,
        location=shelf,
        lines=[(variant.pk, 7), (variant2.pk, 5)],
        reference="order:1",
    )
    assert (totals(shelf, variant), totals(shelf, variant2)) == ((8, 7), (5, 5))
    assert_books_balance()
