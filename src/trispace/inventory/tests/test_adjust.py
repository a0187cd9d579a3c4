import pytest

from trispace.inventory.models import MoveReason, StockMove
from trispace.inventory.services import adjust, release, reserve
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


def test_stocktake_sets_on_hand_to_the_count(shelf, variant, net):
    stock_up(shelf, variant, 10)
    level = adjust(
        actor=net.user("store_clerk"), location=shelf, variant=variant, counted=7, reason="月盘"
    )
    assert (level.on_hand, level.available) == (7, 7)
    move = StockMove.objects.get(reason=MoveReason.ADJUST)
    assert (move.delta_on_hand, move.note) == (-3, "月盘")
    row = audit.trail(shelf).get(action="stock_adjust")
    assert row.data == {"variant_id": variant.pk, "before": 10, "counted": 7}
    adjust(actor=None, location=shelf, variant=variant, counted=9, reason="")
    assert totals(shelf, variant) == (9, 0)
    assert_books_balance()


def test_a_first_count_creates_the_stock(shelf, variant):
    adjust(actor=None, location=shelf, variant=variant, counted=5, reason="opening")
    assert totals(shelf, variant) == (5, 0)
    assert_books_balance()


def test_the_same_count_again_moves_nothing(shelf, variant):
    stock_up(shelf, variant, 10)
    adjust(actor=None, location=shelf, variant=variant, counted=10, reason="")
    assert not StockMove.objects.filter(reason=MoveReason.ADJUST).exists()


def test_reservations_are_kept_through_a_count(shelf, variant):
    stock_up(shelf, variant, 10)
    reserve(actor=None, location=shelf, lines=[(variant.pk, 4)], reference="order:1")
    adjust(actor=None, location=shelf, variant=variant, counted=6, reason="")
    assert totals(shelf, variant) == (6, 4)
    release(actor=None, location=shelf, lines=[(variant.pk, 4)], reference="order:1")
    assert totals(shelf, variant) == (6, 0)


def test_a_count_below_what_is_reserved_is_refused(shelf, variant):
    stock_up(shelf, variant, 10)
    reserve(actor=None, location=shelf, lines=[(variant.pk, 4)], reference="order:1")
    before = stock_snapshot()
    with pytest.raises(DomainError) as caught:
        adjust(actor=None, location=shelf, variant=variant, counted=3, reason="")
    assert caught.value.code == "stock_below_reserved"
    assert caught.value.status == 409
    assert caught.value.params == {"counted": 3, "reserved": 4}
    assert stock_snapshot() == before


def test_a_count_is_spread_over_the_shards_above_their_reservations(shelf, variant):
    stock_up(shelf, variant, 40, shards=4)
    reserve(actor=None, location=shelf, lines=[(variant.pk, 8)], reference="order:1")
    adjust(actor=None, location=shelf, variant=variant, counted=20, reason="")
    rows = shard_rows(shelf, variant)
    assert sum(on_hand for on_hand, _ in rows.values()) == 20
    assert sum(reserved for _, reserved in rows.values()) == 8
    available = [on_hand - reserved for on_hand, reserved in rows.values()]
    assert max(available) - min(available) <= 1
    assert_books_balance()


@pytest.mark.parametrize(
    ("persona", "code"),
    [
        ("store_owner", None),
        ("dealer_admin", None),
        ("brand_admin", None),
        ("other_store_owner", "not_found"),
        ("other_dealer_admin", "not_found"),
        ("consumer", "not_found"),
    ],
)
def test_who_may_count(shelf, variant, net, persona, code):
    stock_up(shelf, variant, 10)
    before = stock_snapshot()
    if code is None:
        adjust(actor=net.user(persona), location=shelf, variant=variant, counted=8, reason="")
        assert totals(shelf, variant) == (8, 0)
        return
    with pytest.raises(DomainError) as caught:
        adjust(actor=net.user(persona), location=shelf, variant=variant, counted=8, reason="")
    assert caught.value.code == code
    assert stock_snapshot() == before


@pytest.mark.parametrize(
    ("counted", "reason", "code"),
    [(-1, "", "quantity_invalid"), ("5", "", "quantity_invalid"), (5, "x" * 256, "invalid")],
)
def test_bad_input_is_refused(shelf, variant, counted, reason, code):
    with pytest.raises(DomainError) as caught:
        adjust(actor=None, location=shelf, variant=variant, counted=counted, reason=reason)
    assert caught.value.code == code
