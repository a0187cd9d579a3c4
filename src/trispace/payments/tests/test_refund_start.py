"""refund_start: never more than captured minus refunded minus pending; settled once."""

from __future__ import annotations

import pytest

from trispace.kernel.errors import DomainError
from trispace.kernel.models import AuditLog, OutboxEvent
from trispace.ledger import selectors as ledger
from trispace.ledger.chart import CUSTOMER_PAYMENTS, PSP_CLEARING
from trispace.ledger.models import JournalTransaction
from trispace.payments import services
from trispace.payments.models import Notification, Outcome, Refund
from trispace.payments.states import RefundStatus
from trispace.payments.tests.factories import paid, refund, start

pytestmark = pytest.mark.django_db


def refused(payment, amount_fen, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as info:
        refund(payment, amount_fen, **kwargs)
    return info.value


def test_a_simulated_refund_succeeds_at_once(django_capture_on_commit_callbacks):
    payment = paid(amount_fen=1000)
    with django_capture_on_commit_callbacks(execute=True):
        done = refund(payment, 300)
    assert done.status == RefundStatus.SUCCEEDED
    assert done.out_refund_no.startswith("R")
    assert done.succeeded_at is not None
    assert done.provider_refund_id == f"SIMR{done.out_refund_no}"
    assert ledger.balance(PSP_CLEARING) == 700
    assert ledger.balance(CUSTOMER_PAYMENTS) == -700
    tx = JournalTransaction.objects.get(key=f"refund:{done.pk}")
    assert tx.source_type == "refund"
    event = OutboxEvent.objects.get(name="RefundSucceeded")
    assert event.payload["refund_id"] == done.pk
    assert event.payload["amount_fen"] == 300
    assert event.payload["source_type"] == "after_sale"
    assert event.payload["payment_source_type"] == "order"
    assert event.payload["payment_source_id"] == payment.source_id
    assert services.refundable_fen(payment) == 700
    assert AuditLog.objects.filter(action="refund_start").count() == 1
    assert ledger.check().ok


def test_refunds_add_up_to_the_payment_and_no_further():
    payment = paid(amount_fen=1000)
    refund(payment, 600)
    error = refused(payment, 401)
    assert (error.code, error.status, error.field) == ("refund_exceeds_payment", 409, "amount_fen")
    assert "400" in error.message
    refund(payment, 400)
    assert refused(payment, 1).code == "refund_exceeds_payment"
    assert Refund.objects.count() == 2
    assert ledger.balance(PSP_CLEARING) == 0


def test_the_same_key_is_one_refund():
    payment = paid(amount_fen=1000)
    first = refund(payment, 300, key="after_sale:1")
    again = refund(payment, 300, key="after_sale:1")
    assert again.pk == first.pk
    assert Refund.objects.count() == 1
    assert ledger.balance(PSP_CLEARING) == 700
    assert refused(payment, 301, key="after_sale:1").code == "refund_key_conflict"
    assert refused(paid(amount_fen=1000), 300, key="after_sale:1").code == "refund_key_conflict"


def test_an_unpaid_payment_cannot_be_refunded():
    assert refused(start(), 1).code == "payment_not_refundable"
    assert Refund.objects.count() == 0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"amount_fen": 0}, "amount_fen"),
        ({"amount_fen": -1}, "amount_fen"),
        ({"amount_fen": 1.0}, "amount_fen"),
        ({"key": ""}, "key"),
        ({"key": "k" * 101}, "key"),
        ({"key": None}, "key"),
        ({"key": "k\x00"}, "key"),
        ({"reason": "r" * 81}, "reason"),
        ({"source_type": ""}, "source_type"),
        ({"source_id": None}, "source_id"),
    ],
)
def test_bad_input_is_refused(kwargs, field):
    payment = paid()
    arguments = {
        "actor": None,
        "payment": payment,
        "amount_fen": 100,
        "reason": "",
        "source_type": "after_sale",
        "source_id": 1,
        "key": "k",
        **kwargs,
    }
    with pytest.raises(DomainError) as info:
        services.refund_start(**arguments)
    assert info.value.field == field
    assert Refund.objects.count() == 0


def test_control_characters_in_the_reason_become_spaces():
    payment = paid()
    done = services.refund_start(
        actor=None,
        payment=payment,
        amount_fen=100,
        reason="坏\x00了\n退",
        source_type="after_sale",
        source_id=1,
        key="k",
    )
    assert done.reason == "坏 了 退"


def test_an_offline_refund_succeeds_at_once(net):
    payment = start(provider="offline", organization=net.store_a)
    services.payment_confirm_offline(actor=None, payment=payment, reference="cash")
    payment.refresh_from_db()
    assert refund(payment, 1000).status == RefundStatus.SUCCEEDED
    assert ledger.balance(PSP_CLEARING) == 0


# --- WeChat Pay: the refund waits for its notification --------------------------------------------


@pytest.fixture
def wx_paid(wechat):
    payment = start(provider="wechatpay", payer_openid="o", amount_fen=1000)
    headers, body = wechat.payment_notice(payment)
    services.notification_handle(provider="wechatpay", headers=headers, body=body)
    payment.refresh_from_db()
    return payment


def test_a_wechatpay_refund_waits_for_the_notification(
    wechat, wx_paid, django_capture_on_commit_callbacks
):
    pending = refund(wx_paid, 400)
    assert pending.status == RefundStatus.REQUESTED
    assert pending.provider_refund_id == "50000000382019052709732678859"
    assert services.refundable_fen(wx_paid) == 600  # held while on its way
    assert refused(wx_paid, 601).code == "refund_exceeds_payment"
    assert ledger.balance(PSP_CLEARING) == 1000
    headers, body = wechat.refund_notice(pending, event_id="EV-R1")
    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.notification_handle(provider="wechatpay", headers=headers, body=body)
    assert (outcome.outcome, outcome.refund_id) == ("accepted", pending.pk)
    pending.refresh_from_db()
    assert pending.status == RefundStatus.SUCCEEDED
    assert ledger.balance(PSP_CLEARING) == 600
    assert OutboxEvent.objects.filter(name="RefundSucceeded").count() == 1
    again = services.notification_handle(provider="wechatpay", headers=headers, body=body)
    assert again.outcome == "duplicate"
    assert ledger.balance(PSP_CLEARING) == 600


def test_a_wechatpay_refund_closed_by_the_provider_fails_and_frees_the_amount(
    wechat, wx_paid, django_capture_on_commit_callbacks
):
    pending = refund(wx_paid, 1000)
    headers, body = wechat.refund_notice(pending, status="CLOSED")
    with django_capture_on_commit_callbacks(execute=True):
        services.notification_handle(provider="wechatpay", headers=headers, body=body)
    pending.refresh_from_db()
    assert pending.status == RefundStatus.FAILED
    assert pending.failure_reason == "wechatpay: CLOSED"
    event = OutboxEvent.objects.get(name="RefundFailed")
    assert event.payload["reason"] == "wechatpay: CLOSED"
    assert services.refundable_fen(wx_paid) == 1000
    assert ledger.balance(PSP_CLEARING) == 1000
    # A success arriving after the failure is an alarm, never a second movement of money.
    headers, body = wechat.refund_notice(pending, status="SUCCESS")
    with pytest.raises(DomainError) as info:
        services.notification_handle(provider="wechatpay", headers=headers, body=body)
    assert info.value.code == "notification_mismatch"
    assert ledger.balance(PSP_CLEARING) == 1000


def test_a_refund_notification_with_another_amount_is_rejected(wechat, wx_paid):
    pending = refund(wx_paid, 400)
    headers, body = wechat.refund_notice(pending, amount_fen=500)
    with pytest.raises(DomainError) as info:
        services.notification_handle(provider="wechatpay", headers=headers, body=body)
    assert info.value.code == "notification_mismatch"
    assert Notification.objects.filter(outcome=Outcome.REJECTED).count() == 1
    assert Refund.objects.get(pk=pending.pk).status == RefundStatus.REQUESTED


def test_a_refund_the_provider_refuses_fails_at_once(wechat, wx_paid):
    wechat.client.refund_response = (403, '{"code": "NOT_ENOUGH", "message": "余额不足"}')
    failed = refund(wx_paid, 400)
    assert failed.status == RefundStatus.FAILED
    assert "NOT_ENOUGH" in failed.failure_reason
    assert services.refundable_fen(wx_paid) == 1000


def test_an_unreachable_provider_keeps_the_refund_and_a_retry_with_the_key_resubmits(
    wechat, wx_paid
):
    wechat.client.refund_response = ConnectionError("down")
    with pytest.raises(DomainError) as info:
        refund(wx_paid, 400, key="as:9")
    assert info.value.code == "provider_unavailable"
    pending = Refund.objects.get(key="as:9")
    assert pending.status == RefundStatus.REQUESTED
    assert services.refundable_fen(wx_paid) == 600
    wechat.client.refund_response = (200, '{"refund_id": "5001", "status": "PROCESSING"}')
    again = refund(wx_paid, 400, key="as:9")
    assert again.pk == pending.pk
    assert again.provider_refund_id == "5001"
    calls = [call for name, call in wechat.client.calls if name == "refund"]
    assert [c["out_refund_no"] for c in calls] == [pending.out_refund_no] * 2
