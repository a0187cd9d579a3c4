import pytest
from django.db.models import Sum

from trispace.inventory.models import MoveReason, StockMove
from trispace.inventory.services import commit, release, reserve
from trispace.inventory.tests.conftest import (
    assert_books_balance,
    shard_rows,
    stock_snapshot,
    stock_up,
    totals,
)
from trispace.kernel.errors import DomainError

pytestmark = pytest.mark.django_db


def test_release_gives_the_reservation_back(shelf, variant):
    stock_up(shelf, variant, 10)
    reserve(actor=None, location=shelf, lines=[(variant.pk, 4)], reference="order:1")
    release(actor=None, location=shelf, lines=[(variant.pk, 4)], reference="order:1")
    assert totals(shelf, variant) == (10, 0)
    move = StockMove.objects.get(reason=MoveReason.RELEASE)
    assert (move.delta_on_hand, move.delta_reserved) == (0, -4)
    assert_books_balance()


def test_a_retried_release_releases_once(shelf, variant):
    stock_up(shelf, variant, 10)
    reserve(actor=None, location=shelf, lines=[(variant.pk, 4)], reference="order:1")
    reserve(actor=None, location=shelf, lines=[(variant.pk, 3)], reference="order:2")
    for _ in range(3):
        release(actor=None, location=shelf, lines=[(variant.pk, 4)], reference="order:1")
    assert totals(shelf, variant) == (10, 3)  # order 2's reservation is untouched


def test_release_undoes_exactly_the_shards_of_the_reference(shelf, variant):
    stock_up(shelf, variant, 12, shards=4)  # 3 per shard
    reserve(actor=None, location=shelf, lines=[(variant.pk, 2)], reference="order:1")
    reserve(actor=None, location=shelf, lines=[(variant.pk, 9)], reference="order:2")
    held = {
        m.shard: m.delta_reserved
        for m in StockMove.objects.filter(reference="order:1", reason=MoveReason.RESERVE)
    }
    before = shard_rows(shelf, variant)
    release(actor=None, location=shelf, lines=[(variant.pk, 2)], reference="order:1")
    after = shard_rows(shelf, variant)
    for shard, (on_hand, reserved) in after.items():
        assert on_hand == before[shard][0]
        assert reserved == before[shard][1] - held.get(shard, 0)
    assert totals(shelf, variant) == (12, 9)
    assert_books_balance()


def test_release_of_a_reservation_gathered_over_shards(shelf, variant):
    stock_up(shelf, variant, 8, shards=4)
    reserve(actor=None, location=shelf, lines=[(variant.pk, 7)], reference="order:1")
    release(actor=None, location=shelf, lines=[(variant.pk, 7)], reference="order:1")
    assert totals(shelf, variant) == (8, 0)
    assert all(reserved == 0 for _, reserved in shard_rows(shelf, variant).values())
    assert_books_balance()


def test_release_after_a_partial_commit_gives_back_the_rest(shelf, variant, variant2):
    stock_up(shelf, variant, 10)
    stock_up(shelf, variant2, 10)
    lines = [(variant.pk, 2), (variant2.pk, 3)]
    reserve(actor=None, location=shelf, lines=lines, reference="order:1")
    commit(actor=None, location=shelf, lines=[(variant.pk, 2)], reference="order:1")
    release(actor=None, location=shelf, lines=lines, reference="order:1")
    assert totals(shelf, variant) == (8, 0)
    assert totals(shelf, variant2) == (10, 0)
    assert_books_balance()


def test_release_of_what_was_never_reserved_changes_nothing(shelf, variant):
    stock_up(shelf, variant, 10)
    reserve(actor=None, location=shelf, lines=[(variant.pk, 4)], reference="order:2")
    before = stock_snapshot()
    release(actor=None, location=shelf, lines=[(variant.pk, 4)], reference="order:1")
    after = stock_snapshot()
    assert after["stock"] == before["stock"]
    assert after["moves"] == before["moves"]


def test_the_same_reference_with_other_lines_is_refused(shelf, variant):
    stock_up(shelf, variant, 10)
    reserve(actor=None, location=shelf, lines=[(variant.pk, 4)], reference="order:1")
    release(actor=None, location=shelf, lines=[(variant.pk, 1)], reference="order:1")
    with pytest.raises(DomainError) as caught:
        release(actor=None, location=shelf, lines=[(variant.pk, 3)], reference="order:1")
    assert caught.value.code == "reference_reused"
    assert totals(shelf, variant) == (10, 3)


def test_a_release_does_not_bring_back_a_cancelled_reserve(shelf, variant):
    """A late retry of the reserve after the release does nothing."""
    stock_up(shelf, variant, 10)
    reserve(actor=None, location=shelf, lines=[(variant.pk, 4)], reference="order:1")
    release(actor=None, location=shelf, lines=[(variant.pk, 4)], reference="order:1")
    reserve(actor=None, location=shelf, lines=[(variant.pk, 4)], reference="order:1")
    assert totals(shelf, variant) == (10, 0)


# --- a reservation released in parts (refunds before handover) -------------------------------
def test_a_part_released_under_its_own_key_and_the_rest_later(shelf, variant, variant2):
    stock_up(shelf, variant, 10, shards=4)
    stock_up(shelf, variant2, 10)
    reserve(
        actor=None, location=shelf, lines=[(variant.pk, 5), (variant2.pk, 2)], reference="order:1"
    )
    release(
        actor=None,
        location=shelf,
        lines=[(variant.pk, 2)],
        reference="order:1",
        key="order:1:aftersale:7",
    )
    assert totals(shelf, variant) == (10, 3)  # back on sale at once
    release(
        actor=None,
        location=shelf,
        lines=[(variant.pk, 1), (variant2.pk, 1)],
        reference="order:1",
        key="order:1:aftersale:8",
    )
    assert (totals(shelf, variant), totals(shelf, variant2)) == ((10, 2), (10, 1))
    moves = StockMove.objects.filter(reason=MoveReason.RELEASE)
    assert set(moves.values_list("reference", flat=True)) == {"order:1"}
    assert set(moves.values_list("note", flat=True)) == {
        "order:1:aftersale:7",
        "order:1:aftersale:8",
    }
    # A release of the whole reference gives back only what is still held.
    release(
        actor=None,
        location=shelf,
        lines=[(variant.pk, 5), (variant2.pk, 2)],
        reference="order:1",
    )
    assert (totals(shelf, variant), totals(shelf, variant2)) == ((10, 0), (10, 0))
    assert_books_balance()


def test_a_partial_release_then_commit_of_the_rest(shelf, variant):
    stock_up(shelf, variant, 10)
    reserve(actor=None, location=shelf, lines=[(variant.pk, 5)], reference="order:1")
    release(
        actor=None, location=shelf, lines=[(variant.pk, 2)], reference="order:1", key="order:1:a"
    )
    with pytest.raises(DomainError) as caught:
        commit(actor=None, location=shelf, lines=[(variant.pk, 4)], reference="order:1")
    assert caught.value.code == "not_reserved"
    assert caught.value.params["reserved"] == 3
    commit(actor=None, location=shelf, lines=[(variant.pk, 3)], reference="order:1")
    assert totals(shelf, variant) == (7, 0)
    held = StockMove.objects.filter(reference="order:1").aggregate(held=Sum("delta_reserved"))
    assert held == {"held": 0}
    assert_books_balance()


def test_each_key_releases_once_and_never_more_than_is_held(shelf, variant):
    stock_up(shelf, variant, 10)
    reserve(actor=None, location=shelf, lines=[(variant.pk, 3)], reference="order:1")
    reserve(actor=None, location=shelf, lines=[(variant.pk, 4)], reference="order:2")
    for _ in range(3):
        release(
            actor=None,
            location=shelf,
            lines=[(variant.pk, 2)],
            reference="order:1",
            key="order:1:aftersale:1",
        )
    assert totals(shelf, variant) == (10, 5)
    with pytest.raises(DomainError) as caught:
        release(
            actor=None,
            location=shelf,
            lines=[(variant.pk, 1)],
            reference="order:1",
            key="order:1:aftersale:1",
        )
    assert caught.value.code == "reference_reused"
    release(
        actor=None,
        location=shelf,
        lines=[(variant.pk, 2)],
        reference="order:1",
        key="order:1:aftersale:2",
    )
    assert totals(shelf, variant) == (10, 4)  # only the 1 unit left of order 1; order 2 keeps 4
    assert_books_balance()


@pytest.mark.parametrize("key", ["order:2:aftersale:1", "order:1", "order:1:", "order:10", 7, ""])
def test_a_key_must_name_a_part_of_the_reference(shelf, variant, key):
    stock_up(shelf, variant, 10)
    reserve(actor=None, location=shelf, lines=[(variant.pk, 3)], reference="order:1")
    call = {"actor": None, "location": shelf, "lines": [(variant.pk, 1)], "reference": "order:1"}
    if key == "order:1":  # the reference itself is the default key
        release(**call, key=key)
        assert totals(shelf, variant) == (10, 2)
        return
    before = stock_snapshot()
    with pytest.raises(DomainError) as caught:
        release(**call, key=key)
    assert (caught.value.code, caught.value.field) == ("key_invalid", "key")
    assert caught.value.status == 400
    assert stock_snapshot() == before
