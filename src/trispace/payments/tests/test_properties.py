"""Hypothesis: any sequence of partial refunds (and replays, and provider answers) never refunds
more than was captured, and the ledger stays balanced and equal to captured minus refunded."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trispace.kernel.errors import DomainError
from trispace.ledger import selectors as ledger
from trispace.ledger.chart import CUSTOMER_PAYMENTS, PSP_CLEARING
from trispace.payments import services
from trispace.payments.models import Refund
from trispace.payments.states import RefundStatus
from trispace.payments.tests.factories import paid, start

pytestmark = pytest.mark.django_db

HYPOTHESIS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _refund(payment, amount: int, key: str) -> Refund | str:
    try:
        return services.refund_start(
            actor=None,
            payment=payment,
            amount_fen=amount,
            reason="",
            source_type="after_sale",
            source_id=1,
            key=key,
        )
    except DomainError as exc:
        return exc.code


def _sum(payment, *statuses: str) -> int:
    total = Refund.objects.filter(payment=payment, status__in=statuses).aggregate(
        t=Sum("amount_fen")
    )["t"]
    return int(total or 0)


def _assert_sound(payment, captured: int) -> None:
    refunded = _sum(payment, RefundStatus.SUCCEEDED)
    held = _sum(payment, RefundStatus.SUCCEEDED, RefundStatus.REQUESTED)
    assert 0 <= refunded <= held <= captured
    assert services.refundable_fen(payment) == captured - held
    assert ledger.balance(PSP_CLEARING) == captured - refunded
    assert ledger.balance(CUSTOMER_PAYMENTS) == -(captured - refunded)
    report = ledger.check()
    assert report.ok, report


SIMULATED_OPS = st.lists(
    st.one_of(
        st.tuples(st.just("refund"), st.integers(1, 1200)),
        st.tuples(st.just("replay"), st.integers(0, 30)),
    ),
    max_size=15,
)


@HYPOTHESIS
@given(captured=st.integers(1, 1000), ops=SIMULATED_OPS)
def test_simulated_refunds_never_exceed_the_capture(captured: int, ops) -> None:
    with transaction.atomic():
        payment = paid(amount_fen=captured)
        remaining = captured
        keys: list[tuple[str, int, int]] = []  # key, amount, refund id
        for n, (kind, arg) in enumerate(ops):
            if kind == "refund":
                result = _refund(payment, arg, f"k{n}")
                if arg <= remaining:
                    assert isinstance(result, Refund)
                    assert result.status == RefundStatus.SUCCEEDED
                    remaining -= arg
                    keys.append((f"k{n}", arg, result.pk))
                else:
                    assert result == "refund_exceeds_payment"
            elif keys:
                key, amount, refund_id = keys[arg % len(keys)]
                again = _refund(payment, amount, key)
                assert isinstance(again, Refund)
                assert again.pk == refund_id
            _assert_sound(payment, captured)
        assert _sum(payment, RefundStatus.SUCCEEDED) == captured - remaining
        transaction.set_rollback(True)


WECHAT_OPS = st.lists(
    st.one_of(
        st.tuples(st.just("refund"), st.integers(1, 1200)),
        st.tuples(st.just("succeed"), st.integers(0, 30)),
        st.tuples(st.just("close"), st.integers(0, 30)),
    ),
    max_size=15,
)


@HYPOTHESIS
@given(captured=st.integers(1, 1000), ops=WECHAT_OPS)
def test_wechatpay_refunds_settled_in_any_order_never_exceed_the_capture(
    wechat, captured: int, ops
) -> None:
    with transaction.atomic():
        payment = start(provider="wechatpay", payer_openid="o", amount_fen=captured)
        headers, body = wechat.payment_notice(payment)
        services.notification_handle(provider="wechatpay", headers=headers, body=body)
        payment.refresh_from_db()
        refunds: list[Refund] = []
        for n, (kind, arg) in enumerate(ops):
            if kind == "refund":
                result = _refund(payment, arg, f"k{n}")
                if isinstance(result, Refund):
                    refunds.append(result)
                else:
                    assert result == "refund_exceeds_payment"
            elif refunds:
                target = refunds[arg % len(refunds)]
                target.refresh_from_db()
                wanted = RefundStatus.SUCCEEDED if kind == "succeed" else RefundStatus.FAILED
                status = "SUCCESS" if kind == "succeed" else "CLOSED"
                headers, body = wechat.refund_notice(target, status=status)
                if target.status in (RefundStatus.REQUESTED, wanted):
                    services.notification_handle(provider="wechatpay", headers=headers, body=body)
                    target.refresh_from_db()
                    assert target.status == wanted
                else:  # settled the other way before: refused, nothing changes
                    with pytest.raises(DomainError, match="notification_mismatch"):
                        services.notification_handle(
                            provider="wechatpay", headers=headers, body=body
                        )
            _assert_sound(payment, captured)
        transaction.set_rollback(True)
