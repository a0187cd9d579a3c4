import pytest

from trispace.inventory.models import MoveReason, Stock, StockMove
from trispace.inventory.services import commit, receive, release, reserve, split
from trispace.inventory.tests.conftest import (
    assert_books_balance,
    shard_rows,
    stock_snapshot,
    stock_up,
    totals,
)
from trispace.kernel import audit
from trispace.kernel.errors import DomainError

pytestmark = pytest.mark.django_db


def test_split_spreads_the_stock_evenly_and_keeps_the_totals(shelf, variant, net):
    stock_up(shelf, variant, 50)
    level = split(actor=net.user("brand_admin"), location=shelf, variant=variant, shards=8)
    assert (level.on_hand, level.reserved, level.shards) == (50, 0, 8)
    assert shard_rows(shelf, variant) == {n: (7 if n < 2 else 6, 0) for n in range(8)}
    assert StockMove.objects.filter(reason=MoveReason.SPLIT).count() == 8
    assert audit.trail(shelf).filter(action="stock_split").count() == 1
    assert_books_balance()


def test_reservations_stay_on_their_shards(shelf, variant):
    stock_up(shelf, variant, 30, shards=3)
    reserve(actor=None, location=shelf, lines=[(variant.pk, 7)], reference="order:1")
    reserve(actor=None, location=shelf, lines=[(variant.pk, 20)], reference="order:2")
    held_before = {s: r for s, (_, r) in shard_rows(shelf, variant).items()}
    split(actor=None, location=shelf, variant=variant, shards=6)
    rows = shard_rows(shelf, variant)
    assert totals(shelf, variant) == (30, 27)
    assert sum(on_hand for on_hand, _ in rows.values()) == 30
    assert {s: r for s, (_, r) in rows.items() if r} == {s: r for s, r in held_before.items() if r}
    release(actor=None, location=shelf, lines=[(variant.pk, 7)], reference="order:1")
    commit(actor=None, location=shelf, lines=[(variant.pk, 20)], reference="order:2")
    assert totals(shelf, variant) == (10, 0)
    assert_books_balance()


def test_merging_back_to_one_shard(shelf, variant):
    stock_up(shelf, variant, 40, shards=8)
    reserve(actor=None, location=shelf, lines=[(variant.pk, 5)], reference="order:1")
    split(actor=None, location=shelf, variant=variant, shards=1)
    rows = shard_rows(shelf, variant)
    # Shard 0 has everything available; only a shard holding order 1 is left beside it.
    assert sum(on_hand - reserved for on_hand, reserved in rows.values()) == 35
    assert all(on_hand == reserved for s, (on_hand, reserved) in rows.items() if s)
    assert len(rows) <= 2
    inactive = Stock.objects.filter(location=shelf, variant=variant, is_active=False)
    assert all(s.reserved for s in inactive)
    receive(actor=None, location=shelf, variant=variant, quantity=10)  # all to shard 0
    assert all(
        on_hand == reserved for s, (on_hand, reserved) in shard_rows(shelf, variant).items() if s
    )
    release(actor=None, location=shelf, lines=[(variant.pk, 5)], reference="order:1")
    split(actor=None, location=shelf, variant=variant, shards=1)
    assert shard_rows(shelf, variant) == {0: (50, 0)}  # the drained shard is gone
    assert_books_balance()


def test_splitting_before_any_stock_prepares_empty_shards(shelf, variant):
    split(actor=None, location=shelf, variant=variant, shards=4)
    assert shard_rows(shelf, variant) == dict.fromkeys(range(4), (0, 0))
    assert not StockMove.objects.exists()


@pytest.mark.parametrize("shards", [0, 65, -1, "4", 2.0, None])
def test_bad_shard_counts_are_refused(shelf, variant, shards):
    before = stock_snapshot()
    with pytest.raises(DomainError) as caught:
        split(actor=None, location=shelf, variant=variant, shards=shards)
    assert caught.value.code == "shards_invalid"
    assert stock_snapshot() == before


@pytest.mark.parametrize(
    ("persona", "code"),
    [("store_owner", None), ("other_store_owner", "not_found"), ("consumer", "not_found")],
)
def test_who_may_split(shelf, variant, net, persona, code):
    stock_up(shelf, variant, 10)
    before = stock_snapshot()
    if code is None:
        split(actor=net.user(persona), location=shelf, variant=variant, shards=2)
        assert totals(shelf, variant) == (10, 0)
        return
    with pytest.raises(DomainError) as caught:
        split(actor=net.user(persona), location=shelf, variant=variant, shards=2)
    assert caught.value.code == code
    assert stock_snapshot() == before
