"""payment_confirm_offline: staff of the receiving organization confirm cash or a transfer."""

from __future__ import annotations

import pytest

from trispace.kernel.errors import DomainError
from trispace.kernel.models import AuditLog, OutboxEvent, StateChange
from trispace.ledger import selectors as ledger
from trispace.ledger.chart import PSP_CLEARING
from trispace.payments import services
from trispace.payments.models import Payment
from trispace.payments.states import PaymentStatus
from trispace.payments.tests.factories import start

pytestmark = pytest.mark.django_db


def snapshot() -> dict[str, object]:
    return {
        "payments": list(Payment.objects.values_list("pk", "status", "provider_txn_id")),
        "events": OutboxEvent.objects.count(),
        "state_changes": StateChange.objects.count(),
        "audit": AuditLog.objects.count(),
        "psp": ledger.balance(PSP_CLEARING),
    }


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("anonymous", True),  # actor None is the system (jobs, seeds)
        ("consumer", False),
        ("store_clerk", False),
        ("salesperson", False),
        ("store_owner", True),
        ("other_store_owner", False),
        ("dealer_admin", True),
        ("other_dealer_admin", False),
        ("brand_operator", False),
        ("brand_admin", True),
    ],
)
def test_who_may_confirm_an_offline_payment_of_store_a(
    net, persona, allowed, django_capture_on_commit_callbacks
):
    payment = start(provider="offline", amount_fen=5000, organization=net.store_a)
    before = snapshot()
    actor = net.user(persona)
    if not allowed:
        with pytest.raises(DomainError) as info:
            services.payment_confirm_offline(actor=actor, payment=payment, reference="现金")
        assert info.value.code == "permission_denied"
        assert snapshot() == before
        return
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = services.payment_confirm_offline(
            actor=actor, payment=payment, reference="现金-001"
        )
    assert confirmed.status == PaymentStatus.SUCCEEDED
    assert confirmed.provider_txn_id == "现金-001"
    assert ledger.balance(PSP_CLEARING) == 5000
    assert OutboxEvent.objects.filter(name="PaymentSucceeded").count() == 1
    audit = AuditLog.objects.get(action="payment_confirm_offline")
    assert audit.actor_id == (actor.pk if actor else None)


def test_another_organization_than_the_payments_own_is_refused(net):
    payment = start(provider="offline", organization=net.store_a)
    with pytest.raises(DomainError) as info:
        services.payment_confirm_offline(
            actor=net.user("other_store_owner"),
            payment=payment,
            reference="x",
            organization=net.store_b,
        )
    assert info.value.code == "permission_denied"


def test_an_organization_given_by_the_caller_decides_when_the_payment_names_none(net):
    payment = start(provider="offline")
    owner = net.user("store_owner")
    services.payment_confirm_offline(
        actor=owner, payment=payment, reference="x", organization=net.store_a
    )
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.SUCCEEDED
    other = start(provider="offline")
    with pytest.raises(DomainError):
        services.payment_confirm_offline(actor=owner, payment=other, reference="x")
    services.payment_confirm_offline(actor=net.user("brand_admin"), payment=other, reference="x")


def test_confirming_twice_changes_nothing(net):
    payment = start(provider="offline", organization=net.store_a)
    owner = net.user("store_owner")
    services.payment_confirm_offline(actor=owner, payment=payment, reference="a")
    before = snapshot()
    again = services.payment_confirm_offline(actor=owner, payment=payment, reference="b")
    assert again.provider_txn_id == "a"
    assert snapshot() == before


def test_only_offline_payments_are_confirmed_by_staff(net):
    payment = start(provider="simulated", organization=net.store_a)
    with pytest.raises(DomainError) as info:
        services.payment_confirm_offline(
            actor=net.user("brand_admin"), payment=payment, reference=""
        )
    assert info.value.code == "payment_not_offline"


def test_a_reference_too_long_is_refused(net):
    payment = start(provider="offline", organization=net.store_a)
    with pytest.raises(DomainError) as info:
        services.payment_confirm_offline(
            actor=net.user("brand_admin"), payment=payment, reference="x" * 65
        )
    assert info.value.field == "reference"
