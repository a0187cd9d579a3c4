"""aftersale_reject: the seller refuses; the units may be asked for again."""

from __future__ import annotations

import pytest

from trispace.kernel.errors import DomainError
from trispace.orders import services
from trispace.orders.states import AfterSaleStatus
from trispace.orders.tests.factories import paid_order
from trispace.payments.models import Refund

pytestmark = pytest.mark.django_db


def test_rejecting_gives_the_units_back(shop, net):
    order = paid_order(shop, [(shop.tea, 2)])
    aftersale = services.aftersale_request(actor=shop.buyer, order=order, reason="x")
    services.aftersale_reject(actor=net.user("dealer_admin"), aftersale=aftersale, reason="used")
    aftersale.refresh_from_db()
    assert aftersale.status == AfterSaleStatus.REJECTED
    assert aftersale.decision_note == "used"
    assert aftersale.decided_by_id == net.users["dealer_admin"].pk
    line = order.lines.get()
    assert (line.pending_quantity, line.pending_fen) == (0, 0)
    assert not Refund.objects.exists()
    with pytest.raises(DomainError) as caught:
        services.aftersale_approve(actor=shop.owner, aftersale=aftersale)
    assert caught.value.code == "transition_not_allowed"
    services.aftersale_request(actor=shop.buyer, order=order, reason="again")


def test_a_reason_is_required(shop):
    order = paid_order(shop)
    aftersale = services.aftersale_request(actor=shop.buyer, order=order, reason="x")
    with pytest.raises(DomainError) as caught:
        services.aftersale_reject(actor=shop.owner, aftersale=aftersale, reason="")
    assert caught.value.code == "reason_invalid"
    aftersale.refresh_from_db()
    assert aftersale.status == AfterSaleStatus.REQUESTED
