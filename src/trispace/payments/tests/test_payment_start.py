"""payment_start: one open payment per source, validated input, the provider's next step."""

from __future__ import annotations

import pytest

from trispace.kernel.errors import DomainError
from trispace.kernel.models import AuditLog
from trispace.payments import services
from trispace.payments.adapters import simulated
from trispace.payments.models import Payment
from trispace.payments.services.payments import PAYMENT_TTL
from trispace.payments.states import PaymentStatus
from trispace.payments.tests.factories import MCHID

pytestmark = pytest.mark.django_db


def begin(**overrides):
    kwargs = {
        "actor": None,
        "source_type": "order",
        "source_id": 42,
        "amount_fen": 1990,
        "provider": "simulated",
        "description": "两箱橙子",
    }
    kwargs.update(overrides)
    return services.payment_start(**kwargs)


def refused(**overrides) -> DomainError:
    with pytest.raises(DomainError) as info:
        begin(**overrides)
    return info.value


def test_a_simulated_payment_starts_and_sends_the_payer_to_the_cashier(net):
    payer = net.user("consumer")
    started = begin(actor=payer, organization=net.store_a)
    payment = started.payment
    assert payment.status == PaymentStatus.CREATED
    assert payment.out_trade_no.startswith("P")
    assert len(payment.out_trade_no) <= 32
    assert (payment.source_type, payment.source_id, payment.amount_fen) == ("order", 42, 1990)
    assert payment.payer_id == payer.pk
    assert payment.organization_id == net.store_a.pk
    assert (payment.merchant_id, payment.app_id) == (simulated.MERCHANT_ID, simulated.APP_ID)
    assert payment.expires_at - payment.created_at == PAYMENT_TTL
    assert started.next.action == "redirect"
    assert started.next.redirect_url == f"/pay/{payment.out_trade_no}/"
    assert AuditLog.objects.filter(action="payment_start", target_id=str(payment.pk)).count() == 1


def test_starting_again_returns_the_open_payment():
    first = begin().payment
    again = begin().payment
    assert again.pk == first.pk
    assert Payment.objects.count() == 1
    assert AuditLog.objects.filter(action="payment_start").count() == 1


def test_another_amount_or_provider_while_one_is_open_is_refused():
    begin()
    assert refused(amount_fen=1).code == "payment_already_open"
    assert refused(provider="offline").code == "payment_already_open"
    assert Payment.objects.count() == 1


def test_after_closing_a_new_payment_can_start():
    first = begin().payment
    services.payment_close(actor=None, payment=first)
    second = begin(provider="offline").payment
    assert second.pk != first.pk
    assert second.out_trade_no != first.out_trade_no


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"amount_fen": 0}, "amount_invalid"),
        ({"amount_fen": -5}, "amount_invalid"),
        ({"amount_fen": 12.5}, "amount_invalid"),
        ({"amount_fen": True}, "amount_invalid"),
        ({"amount_fen": "100"}, "amount_invalid"),
        ({"description": "  "}, "description_invalid"),
        ({"description": "x" * 128}, "description_invalid"),
        ({"description": None}, "description_invalid"),
        ({"source_type": ""}, "source_invalid"),
        ({"source_id": "42"}, "source_invalid"),
        ({"provider": "alipay"}, "provider_unknown"),
        ({"provider": "wechatpay"}, "provider_not_configured"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_created(overrides, code, monkeypatch):
    for name in ("WECHATPAY_MCHID", "WECHATPAY_APIV3_KEY"):
        monkeypatch.delenv(name, raising=False)
    assert refused(**overrides).code == code
    assert Payment.objects.count() == 0


def test_control_characters_in_the_description_become_spaces():
    assert begin(description=" 橙\x00子\n两箱 ").payment.description == "橙 子 两箱"


def test_wechatpay_starts_a_jsapi_payment(wechat):
    started = begin(provider="wechatpay", payer_openid="oUpF8u")
    assert started.next.action == "jsapi"
    assert started.next.params["package"].startswith("prepay_id=")
    assert started.payment.merchant_id == MCHID


def test_wechatpay_needs_the_payers_openid(wechat):
    error = refused(provider="wechatpay")
    assert (error.code, error.field) == ("invalid", "payer_openid")
    assert Payment.objects.count() == 0


def test_a_refused_prepay_fails_the_payment_and_says_try_later(wechat):
    wechat.client.pay_response = (400, '{"code": "PARAM_ERROR"}')
    error = refused(provider="wechatpay", payer_openid="oUpF8u")
    assert (error.code, error.status) == ("provider_unavailable", 502)
    assert Payment.objects.get().status == PaymentStatus.FAILED
    wechat.client.pay_response = (200, '{"prepay_id": "wx2"}')
    assert begin(provider="wechatpay", payer_openid="oUpF8u").payment.status == "created"


def test_offline_gives_instructions():
    started = begin(provider="offline")
    assert started.next.action == "instructions"
    assert "¥19.90" in started.next.instructions
