import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from trispace.catalog.tests.factories import on_sale_product
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


def test_commit_takes_the_goods_off_the_books(shelf, variant):
    stock_up(shelf, variant, 10)
    reserve(actor=None, location=shelf, lines=[(variant.pk, 4)], reference="order:1")
    commit(actor=None, location=shelf, lines=[(variant.pk, 4)], reference="order:1")
    assert totals(shelf, variant) == (6, 0)
    move = StockMove.objects.get(reason=MoveReason.COMMIT)
    assert (move.delta_on_hand, move.delta_reserved) == (-4, -4)
    assert_books_balance()


def test_a_retried_commit_commits_once(shelf, variant):
    stock_up(shelf, variant, 10)
    reserve(actor=None, location=shelf, lines=[(variant.pk, 4)], reference="order:1")
    reserve(actor=None, location=shelf, lines=[(variant.pk, 4)], reference="order:2")
    for _ in range(3):
        commit(actor=None, location=shelf, lines=[(variant.pk, 4)], reference="order:1")
    assert totals(shelf, variant) == (6, 4)


def test_commit_of_more_than_is_reserved_is_refused(shelf, variant, variant2):
    stock_up(shelf, variant, 10)
    stock_up(shelf, variant2, 10)
    reserve(
        actor=None, location=shelf, lines=[(variant.pk, 2), (variant2.pk, 2)], reference="order:1"
    )
    before = stock_snapshot()
    with pytest.raises(DomainError) as caught:
        commit(
            actor=None,
            location=shelf,
            lines=[(variant.pk, 2), (variant2.pk, 3)],
            reference="order:1",
        )
    assert caught.value.code == "not_reserved"
    assert caught.value.status == 409
    assert caught.value.params == {
        "variant_id": variant2.pk,
        "reserved": 2,
        "reference": "order:1",
    }
    assert stock_snapshot() == before


def test_commit_after_release_is_refused(shelf, variant):
    stock_up(shelf, variant, 10)
    reserve(actor=None, location=shelf, lines=[(variant.pk, 2)], reference="order:1")
    release(actor=None, location=shelf, lines=[(variant.pk, 2)], reference="order:1")
    with pytest.raises(DomainError) as caught:
        commit(actor=None, location=shelf, lines=[(variant.pk, 2)], reference="order:1")
    assert caught.value.code == "not_reserved"
    assert totals(shelf, variant) == (10, 0)


def test_commit_takes_from_exactly_the_shards_of_the_reference(shelf, variant):
    stock_up(shelf, variant, 12, shards=4)
    reserve(actor=None, location=shelf, lines=[(variant.pk, 5)], reference="order:1")
    reserve(actor=None, location=shelf, lines=[(variant.pk, 1)], reference="order:2")
    held = {}
    for m in StockMove.objects.filter(reference="order:1"):
        held[m.shard] = held.get(m.shard, 0) + m.delta_reserved
    before = shard_rows(shelf, variant)
    commit(actor=None, location=shelf, lines=[(variant.pk, 5)], reference="order:1")
    after = shard_rows(shelf, variant)
    for shard, (on_hand, reserved) in after.items():
        assert on_hand == before[shard][0] - held.get(shard, 0)
        assert reserved == before[shard][1] - held.get(shard, 0)
    assert totals(shelf, variant) == (7, 1)
    assert_books_balance()


def test_a_part_may_be_committed_and_the_rest_released(shelf, variant):
    stock_up(shelf, variant, 10)
    reserve(actor=None, location=shelf, lines=[(variant.pk, 5)], reference="order:1")
    commit(actor=None, location=shelf, lines=[(variant.pk, 3)], reference="order:1")
    release(actor=None, location=shelf, lines=[(variant.pk, 5)], reference="order:1")
    assert totals(shelf, variant) == (7, 0)
    assert_books_balance()


@pytest.mark.parametrize("settle", [commit, release])
def test_settling_20_lines_takes_as_many_queries_as_1(shelf, net, settle):
    counts = []
    for n, count in enumerate((1, 20)):
        variants = [on_sale_product(net.brand)[1] for _ in range(count)]
        for v in variants:
            stock_up(shelf, v, 8, shards=4)
        lines = [(v.pk, 5) for v in variants]  # 2 per shard: each line spans three shards
        reserve(actor=None, location=shelf, lines=lines, reference=f"order:{n}")
        with CaptureQueriesContext(connection) as queries:
            settle(actor=None, location=shelf, lines=lines, reference=f"order:{n}")
        counts.append(len(queries))
        on_hand = 3 if settle is commit else 8
        assert all(totals(shelf, v) == (on_hand, 0) for v in variants)
    assert counts[0] == counts[1]
    assert_books_balance()
