"""pickup_candidates: staff look a buyer up by phone tail; names and phones come masked."""

from __future__ import annotations

import pytest

from trispace.kernel.errors import DomainError
from trispace.kernel.models import AuditLog
from trispace.orders import services
from trispace.orders.tests.factories import paid_order, place

pytestmark = pytest.mark.django_db


def test_candidates_are_masked_and_the_lookup_is_audited(shop):
    order = paid_order(shop, [(shop.tea, 2)])
    place(shop)  # unpaid: not a candidate
    buyer = shop.buyer
    found = services.pickup_candidates(
        actor=shop.owner, store=shop.store, phone_tail=buyer.phone[-4:]
    )
    assert [c.order_id for c in found] == [order.pk]
    candidate = found[0]
    assert candidate.phone == f"{buyer.phone[3:6]}****{buyer.phone[-4:]}"
    assert buyer.name not in candidate.buyer
    assert candidate.buyer.startswith(buyer.name[0])
    assert "× 2" in candidate.summary
    assert AuditLog.objects.filter(action="pickup_candidates").count() == 1
    services.pickup_verify(actor=shop.owner, store=shop.store, order_id=candidate.order_id)
    assert (
        services.pickup_candidates(actor=shop.owner, store=shop.store, phone_tail=buyer.phone[-4:])
        == []
    )


@pytest.mark.parametrize("tail", ["123", "12345", "abcd", "", None])
def test_a_tail_is_four_digits(shop, tail):
    with pytest.raises(DomainError) as caught:
        services.pickup_candidates(actor=shop.owner, store=shop.store, phone_tail=tail)
    assert caught.value.code == "invalid"


def test_other_stores_and_consumers_cannot_look(shop, net):
    for persona, code in [("other_store_owner", "not_found"), ("consumer", "not_found")]:
        with pytest.raises(DomainError) as caught:
            services.pickup_candidates(actor=net.user(persona), store=shop.store, phone_tail="1234")
        assert caught.value.code == code
    assert not AuditLog.objects.filter(action="pickup_candidates").exists()
