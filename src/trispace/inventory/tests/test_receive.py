import pytest

from trispace.catalog.tests.factories import on_sale_product
from trispace.inventory import selectors
from trispace.inventory.models import MoveReason, StockMove
from trispace.inventory.services import receive
from trispace.inventory.tests.conftest import (
    assert_books_balance,
    shard_rows,
    stock_snapshot,
    stock_up,
    totals,
)
from trispace.kernel import audit
from trispace.kernel.errors import DomainError
from trispace.network.tests.factories import BrandFactory

pytestmark = pytest.mark.django_db


def test_receive_adds_on_hand_and_records_who(shelf, variant, net):
    owner = net.user("store_owner")
    level = receive(
        actor=owner, location=shelf, variant=variant, quantity=12, reference="delivery:7"
    )
    assert (level.on_hand, level.reserved, level.available, level.shards) == (12, 0, 12, 1)
    move = StockMove.objects.get()
    assert (move.reason, move.delta_on_hand, move.reference) == ("receive", 12, "delivery:7")
    assert move.actor_id == owner.pk
    row = audit.trail(shelf).get()
    assert row.action == "stock_receive"
    assert row.data == {"variant_id": variant.pk, "quantity": 12, "reason": "receive"}
    receive(actor=owner, location=shelf, variant=variant, quantity=3, reason=MoveReason.RETURN)
    assert totals(shelf, variant) == (15, 0)
    assert_books_balance()


def test_receive_spreads_over_the_shards(shelf, variant):
    stock_up(shelf, variant, 0, shards=4)
    receive(actor=None, location=shelf, variant=variant, quantity=10)
    assert shard_rows(shelf, variant) == {0: (3, 0), 1: (3, 0), 2: (2, 0), 3: (2, 0)}
    assert_books_balance()


@pytest.mark.parametrize(
    ("persona", "code"),
    [
        ("brand_admin", None),
        ("brand_operator", None),
        ("dealer_admin", None),
        ("store_owner", None),
        ("store_clerk", None),
        ("other_dealer_admin", "not_found"),
        ("other_store_owner", "not_found"),
        ("salesperson", "not_found"),
        ("consumer", "not_found"),
    ],
)
def test_who_may_receive(shelf, variant, net, persona, code):
    before = stock_snapshot()
    if code is None:
        receive(actor=net.user(persona), location=shelf, variant=variant, quantity=1)
        assert totals(shelf, variant) == (1, 0)
        return
    with pytest.raises(DomainError) as caught:
        receive(actor=net.user(persona), location=shelf, variant=variant, quantity=1)
    assert caught.value.code == code
    assert stock_snapshot() == before


def test_a_dealer_admin_receives_in_its_sub_dealers_stores(net, variant):
    shelf = selectors.location_for_store(net.store_a2)  # under sub_a, under dealer a
    receive(actor=net.user("dealer_admin"), location=shelf, variant=variant, quantity=2)
    assert totals(shelf, variant) == (2, 0)


def test_another_brands_variant_is_not_found(shelf):
    _, foreign = on_sale_product(BrandFactory())
    with pytest.raises(DomainError) as caught:
        receive(actor=None, location=shelf, variant=foreign, quantity=1)
    assert caught.value.code == "variant_not_found"


@pytest.mark.parametrize(
    ("quantity", "reason", "reference", "code"),
    [
        (0, "receive", "", "quantity_invalid"),
        (-1, "receive", "", "quantity_invalid"),
        ("3", "receive", "", "quantity_invalid"),
        (1_000_001, "receive", "", "quantity_invalid"),
        (1, "adjust", "", "reason_invalid"),
        (1, "reserve", "", "reason_invalid"),
        (1, "receive", "x" * 101, "reference_invalid"),
    ],
)
def test_bad_input_is_refused(shelf, variant, quantity, reason, reference, code):
    before = stock_snapshot()
    with pytest.raises(DomainError) as caught:
        receive(
            actor=None,
            location=shelf,
            variant=variant,
            quantity=quantity,
            reason=reason,
            reference=reference,
        )
    assert caught.value.code == code
    assert stock_snapshot() == before
