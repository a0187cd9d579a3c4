"""Races on PostgreSQL: one capture per notification, refunds never past the payment."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection

from trispace.kernel.errors import DomainError
from trispace.kernel.models import OutboxEvent
from trispace.ledger import selectors as ledger
from trispace.ledger.chart import PSP_CLEARING
from trispace.ledger.models import JournalTransaction
from trispace.payments import services
from trispace.payments.models import Notification, Payment, Refund
from trispace.payments.states import PaymentStatus, RefundStatus
from trispace.payments.tests.factories import paid, start

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_parallel(fn: Callable[[int], Any], count: int) -> list[Any]:
    barrier = threading.Barrier(count)

    def call(n: int) -> Any:
        try:
            barrier.wait(timeout=10)
            return fn(n)
        except DomainError as exc:
            return exc.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(call, range(count)))


def test_the_same_notification_at_once_captures_once(wechat):
    payment = start(provider="wechatpay", payer_openid="o", amount_fen=8800)
    headers, body = wechat.payment_notice(payment, event_id="EV-RACE")
    results = run_parallel(
        lambda _: (
            services.notification_handle(provider="wechatpay", headers=headers, body=body).outcome
        ),
        6,
    )
    assert Counter(results) == {"accepted": 1, "duplicate": 5}
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.SUCCEEDED
    assert Notification.objects.count() == 1
    assert JournalTransaction.objects.filter(key=f"payment:{payment.pk}").count() == 1
    assert OutboxEvent.objects.filter(name="PaymentSucceeded").count() == 1
    assert ledger.balance(PSP_CLEARING) == 8800


def test_different_notifications_of_one_capture_at_once_capture_once(wechat):
    payment = start(provider="wechatpay", payer_openid="o", amount_fen=8800)
    notices = [wechat.payment_notice(payment, event_id=f"EV-{n}") for n in range(6)]
    results = run_parallel(
        lambda n: (
            services.notification_handle(
                provider="wechatpay", headers=notices[n][0], body=notices[n][1]
            ).outcome
        ),
        6,
    )
    assert Counter(results) == {"accepted": 1, "duplicate": 5}
    assert JournalTransaction.objects.count() == 1
    assert OutboxEvent.objects.filter(name="PaymentSucceeded").count() == 1
    assert ledger.balance(PSP_CLEARING) == 8800


def test_refunds_at_once_never_exceed_the_payment():
    payment = paid(amount_fen=1000)
    results = run_parallel(
        lambda n: (
            services.refund_start(
                actor=None,
                payment=payment,
                amount_fen=300,
                reason="",
                source_type="after_sale",
                source_id=n,
                key=f"race:{n}",
            ).status
        ),
        8,
    )
    assert Counter(results) == {RefundStatus.SUCCEEDED: 3, "refund_exceeds_payment": 5}
    assert Refund.objects.filter(status=RefundStatus.SUCCEEDED).count() == 3
    assert ledger.balance(PSP_CLEARING) == 100
    assert ledger.check().ok


def test_the_same_refund_key_at_once_is_one_refund():
    payment = paid(amount_fen=1000)
    results = run_parallel(
        lambda n: (
            services.refund_start(
                actor=None,
                payment=payment,
                amount_fen=300,
                reason="",
                source_type="after_sale",
                source_id=1,
                key="race:same",
            ).pk
        ),
        6,
    )
    assert len(set(results)) == 1
    assert Refund.objects.count() == 1
    assert ledger.balance(PSP_CLEARING) == 700


def test_starting_one_source_at_once_opens_one_payment():
    results = run_parallel(
        lambda _: (
            services.payment_start(
                actor=None,
                source_type="order",
                source_id=77,
                amount_fen=500,
                provider="simulated",
                description="x",
            ).payment.pk
        ),
        6,
    )
    assert len(set(results)) == 1
    assert Payment.objects.count() == 1
