"""payment_close and the periodic scan that closes unpaid payments."""

from __future__ import annotations

import pytest

from trispace.kernel import time as ktime
from trispace.kernel.errors import DomainError
from trispace.kernel.models import AuditLog
from trispace.payments import services, tasks
from trispace.payments.models import Payment
from trispace.payments.services.payments import PAYMENT_TTL
from trispace.payments.states import PaymentStatus
from trispace.payments.tests.factories import paid, start

pytestmark = pytest.mark.django_db


def test_closing_an_unpaid_payment(django_capture_on_commit_callbacks):
    payment = start()
    with django_capture_on_commit_callbacks(execute=True):
        closed = services.payment_close(actor=None, payment=payment, reason="买家取消")
    assert closed.status == PaymentStatus.CLOSED
    assert closed.closed_at is not None
    assert AuditLog.objects.get(action="payment_close").reason == "买家取消"


def test_closing_twice_changes_nothing():
    payment = start()
    services.payment_close(actor=None, payment=payment)
    services.payment_close(actor=None, payment=payment)
    assert AuditLog.objects.filter(action="payment_close").count() == 1


def test_a_paid_payment_cannot_be_closed():
    payment = paid()
    with pytest.raises(DomainError) as info:
        services.payment_close(actor=None, payment=payment)
    assert info.value.code == "transition_not_allowed"
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.SUCCEEDED


def test_closing_a_wechatpay_payment_tells_wechat_after_commit(
    wechat, django_capture_on_commit_callbacks
):
    payment = start(provider="wechatpay", payer_openid="o")
    wechat.client.calls.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.payment_close(actor=None, payment=payment)
    assert wechat.client.calls == []
    for callback in callbacks:
        callback()
    assert [name for name, _ in wechat.client.calls] == ["close"]


def test_the_scan_closes_only_expired_unpaid_payments():
    expired = start()
    also_paid = paid()
    with ktime.travel(PAYMENT_TTL / 2):
        fresh = start()
    with ktime.travel(PAYMENT_TTL):
        assert tasks.close_expired() == 1
        assert tasks.close_expired() == 0  # a rerun changes nothing
        tasks.close_expired_payments.call_local()
    statuses = dict(Payment.objects.values_list("pk", "status"))
    assert statuses[expired.pk] == PaymentStatus.CLOSED
    assert statuses[fresh.pk] == PaymentStatus.CREATED
    assert statuses[also_paid.pk] == PaymentStatus.SUCCEEDED
