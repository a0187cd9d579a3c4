"""/api/payments/: the providers' notify endpoint and a payment's detail."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from trispace.payments.models import Notification, Payment
from trispace.payments.states import PaymentStatus
from trispace.payments.tests.factories import paid, refund, start

pytestmark = pytest.mark.django_db


def post_notice(client: Client, provider: str, headers: dict[str, str], body: bytes):
    headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
    return client.post(
        f"/api/payments/notify/{provider}",
        data=body,
        content_type="application/json",
        headers=headers,
    )


@pytest.fixture
def wx_payment(wechat) -> Payment:
    return start(provider="wechatpay", payer_openid="o", amount_fen=1500)


def test_a_genuine_notification_is_answered_success_without_csrf(wechat, wx_payment):
    client = Client(enforce_csrf_checks=True)
    response = post_notice(client, "wechatpay", *wechat.payment_notice(wx_payment))
    assert response.status_code == 200
    assert response.json() == {"code": "SUCCESS", "message": ""}
    assert Payment.objects.get(pk=wx_payment.pk).status == PaymentStatus.SUCCEEDED


def test_a_logged_in_browser_session_does_not_make_csrf_apply(wechat, wx_payment, net):
    client = Client(enforce_csrf_checks=True)
    client.force_login(net.users["consumer"])
    response = post_notice(client, "wechatpay", *wechat.payment_notice(wx_payment))
    assert response.status_code == 200


def test_a_replay_is_answered_success_again(wechat, wx_payment):
    headers, body = wechat.payment_notice(wx_payment)
    assert post_notice(Client(), "wechatpay", headers, body).status_code == 200
    response = post_notice(Client(), "wechatpay", headers, body)
    assert (response.status_code, response.json()["code"]) == (200, "SUCCESS")
    assert Notification.objects.count() == 1


def test_a_tampered_notification_is_answered_fail(wechat, wx_payment):
    headers, body = wechat.payment_notice(wx_payment)
    response = post_notice(Client(), "wechatpay", headers, body.replace(b"EV-", b"EV-0"))
    assert response.status_code == 400
    assert response.json()["code"] == "FAIL"
    assert "signature" in response.json()["message"]


def test_a_mismatch_is_answered_fail(wechat, wx_payment):
    response = post_notice(Client(), "wechatpay", *wechat.payment_notice(wx_payment, amount_fen=1))
    assert response.status_code == 400
    assert response.json()["code"] == "FAIL"
    assert Payment.objects.get(pk=wx_payment.pk).status == PaymentStatus.CREATED


@pytest.mark.parametrize(
    ("provider", "body", "headers", "status"),
    [
        ("alipay", b"{}", {}, 404),
        ("wechatpay", b"", {}, 400),
        ("wechatpay", b"\x00\xff garbage", {"Wechatpay-Timestamp": "x"}, 400),
        ("wechatpay", b"[]", {"Wechatpay-Signature": "==", "Wechatpay-Nonce": "n"}, 400),
        ("simulated", b"{}", {}, 400),
        ("offline", b"{}", {}, 400),
        ("wechatpay", b"x" * 70_000, {}, 413),
    ],
)
def test_bad_notifications_are_4xx_fail_never_500(wechat, provider, body, headers, status):
    response = post_notice(Client(), provider, headers, body)
    assert response.status_code == status
    assert response.json()["code"] == "FAIL"
    assert Notification.objects.count() == 0


def test_a_notification_is_refused_when_wechatpay_is_not_configured(monkeypatch):
    monkeypatch.delenv("WECHATPAY_APIV3_KEY", raising=False)
    response = post_notice(Client(), "wechatpay", {}, b"{}")
    assert response.status_code == 400


def test_get_is_the_only_other_method(wechat, wx_payment):
    response = Client().get("/api/payments/notify/wechatpay")
    assert response.status_code in (401, 404, 405)


# --- detail ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 401),
        ("consumer", 200),  # the payer
        ("store_clerk", 200),
        ("store_owner", 200),
        ("other_store_owner", 404),
        ("dealer_admin", 200),
        ("other_dealer_admin", 404),
        ("salesperson", 200),
        ("brand_operator", 200),
        ("brand_admin", 200),
    ],
)
def test_who_sees_a_payment(net, client_for, persona, status):
    payment = paid(actor=net.user("consumer"), organization=net.store_a, amount_fen=2000)
    response = client_for(persona).get(f"/api/payments/{payment.out_trade_no}")
    assert response.status_code == status, response.content


def test_a_payer_sees_only_their_own(net, client_for):
    payment = paid(actor=net.user("store_owner"), amount_fen=2000)  # no organization named
    assert client_for("consumer").get(f"/api/payments/{payment.out_trade_no}").status_code == 404
    assert client_for("store_owner").get(f"/api/payments/{payment.out_trade_no}").status_code == 200


def test_the_detail_shows_amounts_and_refunds(net, client_for):
    payment = paid(actor=net.user("consumer"), organization=net.store_a, amount_fen=2000)
    done = refund(payment, 500)
    body = client_for("consumer").get(f"/api/payments/{payment.out_trade_no}").json()
    assert body["status"] == "succeeded"
    assert (body["amount_fen"], body["amount"]) == (2000, "¥20.00")
    assert (body["refunded_fen"], body["refundable_fen"]) == (500, 1500)
    assert body["source_type"] == "order"
    assert [r["out_refund_no"] for r in body["refunds"]] == [done.out_refund_no]
    assert body["refunds"][0]["status"] == "succeeded"


@pytest.mark.parametrize("number", ["P0000", "x" * 40, "%00", "%E4%B8%AD"])
def test_unknown_or_odd_numbers_are_404(net, client_for, number):
    response = client_for("brand_admin").get(f"/api/payments/{number}")
    assert response.status_code == 404
    assert json.loads(response.content)["code"] == "not_found"
