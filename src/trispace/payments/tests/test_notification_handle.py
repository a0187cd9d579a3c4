"""notification_handle: verify → record once → compare → succeed once → ledger → event."""

from __future__ import annotations

import datetime as dt

import pytest

from trispace.kernel import time as ktime
from trispace.kernel.errors import DomainError
from trispace.kernel.models import AuditLog, OutboxEvent, StateChange
from trispace.ledger import selectors as ledger
from trispace.ledger.chart import CUSTOMER_PAYMENTS, PSP_CLEARING
from trispace.ledger.models import JournalTransaction
from trispace.payments import services
from trispace.payments.adapters import notify_v3
from trispace.payments.models import Notification, Outcome, Payment
from trispace.payments.states import PaymentStatus
from trispace.payments.tests.factories import start

pytestmark = pytest.mark.django_db


def state() -> dict[str, object]:
    """Everything a refused or replayed notification must leave alone."""
    return {
        "payments": list(Payment.objects.values_list("pk", "status", "provider_txn_id")),
        "ledger": JournalTransaction.objects.count(),
        "events": OutboxEvent.objects.count(),
        "state_changes": StateChange.objects.count(),
        "audit": AuditLog.objects.count(),
        "psp": ledger.balance(PSP_CLEARING),
    }


def handle(headers, body, provider="wechatpay"):
    return services.notification_handle(provider=provider, headers=headers, body=body)


def refused(headers, body, provider="wechatpay") -> DomainError:
    with pytest.raises(DomainError) as info:
        handle(headers, body, provider)
    return info.value


@pytest.fixture
def payment(wechat) -> Payment:
    return start(provider="wechatpay", payer_openid="oUpF8u", amount_fen=2599)


def test_a_genuine_notification_marks_the_payment_paid_posts_the_ledger_and_publishes(
    wechat, payment, django_capture_on_commit_callbacks
):
    headers, body = wechat.payment_notice(payment, event_id="EV-1")
    with django_capture_on_commit_callbacks(execute=True):
        outcome = handle(headers, body)
    assert outcome.outcome == "accepted"
    assert outcome.payment_id == payment.pk
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert payment.provider_txn_id == "4200000000202401010000000001"
    assert payment.succeeded_at is not None
    tx = JournalTransaction.objects.get(key=f"payment:{payment.pk}")
    assert (tx.source_type, tx.source_id) == ("payment", str(payment.pk))
    assert ledger.balance(PSP_CLEARING) == 2599
    assert ledger.balance(CUSTOMER_PAYMENTS) == -2599
    assert ledger.check().ok
    event = OutboxEvent.objects.get(name="PaymentSucceeded")
    assert event.payload == {
        "payment_id": payment.pk,
        "source_type": "order",
        "source_id": payment.source_id,
        "amount_fen": 2599,
        "provider": "wechatpay",
    }
    assert event.dispatched_at is not None
    row = Notification.objects.get()
    assert (row.provider, row.event_id, row.outcome, row.payment_id) == (
        "wechatpay",
        "EV-1",
        Outcome.ACCEPTED,
        payment.pk,
    )
    assert AuditLog.objects.filter(action="payment_succeeded", target_id=str(payment.pk)).exists()


def test_a_replay_changes_nothing_and_says_duplicate(wechat, payment):
    headers, body = wechat.payment_notice(payment, event_id="EV-1")
    first = handle(headers, body)
    before = state()
    again = handle(headers, body)
    assert again.outcome == "duplicate"
    assert again.notification_id == first.notification_id
    assert state() == before
    assert Notification.objects.count() == 1


def test_another_notification_of_the_same_capture_is_a_duplicate(wechat, payment):
    handle(*wechat.payment_notice(payment, event_id="EV-1"))
    before = state()
    outcome = handle(*wechat.payment_notice(payment, event_id="EV-2"))
    assert outcome.outcome == "duplicate"
    assert state() == before
    assert Notification.objects.get(event_id="EV-2").outcome == Outcome.DUPLICATE


def test_a_second_capture_with_another_transaction_is_rejected(wechat, payment):
    handle(*wechat.payment_notice(payment, event_id="EV-1"))
    before = state()
    error = refused(*wechat.payment_notice(payment, event_id="EV-2", transaction_id="42000099"))
    assert error.code == "notification_mismatch"
    assert state() == before
    assert Notification.objects.get(event_id="EV-2").outcome == Outcome.REJECTED


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        ({"amount_fen": 1}, "amount"),
        ({"app_id": "wx0000000000000000"}, "app id"),
        ({"merchant_id": "1900000000"}, "merchant id"),
    ],
)
def test_a_mismatch_is_recorded_as_rejected_and_refused_every_time(wechat, payment, change, detail):
    headers, body = wechat.payment_notice(payment, event_id="EV-bad", **change)
    before = state()
    error = refused(headers, body)
    assert error.code == "notification_mismatch"
    assert error.status == 400
    assert detail in error.message
    row = Notification.objects.get(event_id="EV-bad")
    assert (row.outcome, row.detail, row.payment_id) == (Outcome.REJECTED, detail, payment.pk)
    assert state() == before
    again = refused(headers, body)  # a replay is refused again, and records nothing more
    assert again.code == "notification_mismatch"
    assert Notification.objects.count() == 1
    assert state() == before


def test_an_unknown_order_is_recorded_and_refused(wechat, payment):
    headers, body = wechat.payment_notice(payment, out_trade_no="P0000000000000000000000NONE")
    before = state()
    error = refused(headers, body)
    assert error.code == "notification_unknown"
    assert Notification.objects.get().outcome == Outcome.REJECTED
    assert state() == before
    assert refused(headers, body).code == "notification_unknown"


def test_a_notification_for_another_providers_payment_is_unknown(wechat):
    simulated = start(provider="simulated", amount_fen=2599)
    error = refused(*wechat.payment_notice(simulated))
    assert error.code == "notification_unknown"
    assert Payment.objects.get(pk=simulated.pk).status == PaymentStatus.CREATED


def test_a_tampered_notification_is_refused_and_stores_nothing(wechat, payment):
    headers, body = wechat.payment_notice(payment)
    before = state()
    error = refused(headers, body.replace(b'"id":"EV-', b'"id":"EV-X'))
    assert (error.code, error.status) == ("notification_invalid", 400)
    assert Notification.objects.count() == 0
    assert state() == before


def test_a_notification_signed_with_the_wrong_key_is_refused(wechat, payment):
    forged = notify_v3.generate_signing_keys()
    keys = notify_v3.SigningKeys(forged.private_key, wechat.platform.serial, forged.apiv3_key)
    error = refused(*wechat.payment_notice(payment, keys=keys))
    assert error.code == "notification_invalid"
    assert Notification.objects.count() == 0


def test_a_stale_notification_is_refused(wechat, payment):
    at = ktime.now() - dt.timedelta(minutes=6)
    error = refused(*wechat.payment_notice(payment, at=at))
    assert error.code == "notification_invalid"
    assert "5 minutes" in error.message
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.CREATED


def test_an_unknown_provider_is_refused():
    with pytest.raises(DomainError) as info:
        handle({}, b"{}", provider="alipay")
    assert info.value.code == "provider_unknown"


def test_a_closed_payment_still_records_money_that_arrives(wechat, payment):
    services.payment_close(actor=None, payment=payment)
    outcome = handle(*wechat.payment_notice(payment))
    assert outcome.outcome == "accepted"
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.SUCCEEDED
    assert ledger.balance(PSP_CLEARING) == 2599


def test_a_non_success_payment_status_is_ignored(wechat, payment):
    resource = notify_v3.transaction_resource(
        app_id=payment.app_id,
        merchant_id=payment.merchant_id,
        out_trade_no=payment.out_trade_no,
        transaction_id="",
        amount_fen=payment.amount_fen,
        success_time=ktime.now(),
        trade_state="PAYERROR",
    )
    headers, body = notify_v3.build(
        keys=wechat.platform, event_type="TRANSACTION.PAYERROR", resource=resource
    )
    outcome = handle(headers, body)
    assert outcome.outcome == "ignored"
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.CREATED


def test_simulated_notifications_go_through_the_same_code(django_capture_on_commit_callbacks):
    payment = start(provider="simulated", amount_fen=800)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.payment_simulate_pay(actor=None, payment=payment)
    assert outcome.outcome == "accepted"
    assert Notification.objects.get().provider == "simulated"
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.SUCCEEDED
    assert OutboxEvent.objects.filter(name="PaymentSucceeded").count() == 1
    assert ledger.balance(PSP_CLEARING) == 800


def test_a_simulated_notification_signed_with_other_keys_is_refused(wechat):
    payment = start(provider="simulated", amount_fen=800)
    from trispace.payments.adapters.simulated import SimulatedAdapter

    resource = notify_v3.transaction_resource(
        app_id=SimulatedAdapter.app_id,
        merchant_id=SimulatedAdapter.merchant_id,
        out_trade_no=payment.out_trade_no,
        transaction_id="SIMX",
        amount_fen=800,
        success_time=ktime.now(),
    )
    headers, body = notify_v3.build(
        keys=wechat.platform, event_type="TRANSACTION.SUCCESS", resource=resource
    )
    error = refused(headers, body, provider="simulated")
    assert error.code == "notification_invalid"
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.CREATED
