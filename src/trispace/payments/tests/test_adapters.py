"""The adapters: offline, simulated (keys on disk), WeChat Pay (configured offline, fake SDK)."""

from __future__ import annotations

import base64
import json
import stat

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from django.conf import settings

from trispace.kernel.errors import DomainError
from trispace.payments.adapters import ADAPTERS, get_adapter, notify_v3, simulated
from trispace.payments.adapters.base import NoticeInvalid, ProviderError
from trispace.payments.adapters.offline import OfflineAdapter
from trispace.payments.adapters.simulated import SimulatedAdapter
from trispace.payments.adapters.wechatpay import (
    WechatPayAdapter,
    WechatPayConfig,
    load_platform_keys,
    make_client,
)
from trispace.payments.models import Payment
from trispace.payments.tests.factories import APPID, MCHID, start


def test_every_provider_has_an_adapter():
    assert set(ADAPTERS) == {"offline", "simulated", "wechatpay"}
    with pytest.raises(DomainError) as info:
        get_adapter("alipay")
    assert info.value.code == "provider_unknown"


# --- offline ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_offline_start_gives_instructions_with_the_amount_and_number():
    payment = start(provider="offline", amount_fen=12345)
    result = OfflineAdapter().start(payment)
    assert result.action == "instructions"
    assert "¥123.45" in result.instructions
    assert payment.out_trade_no in result.instructions


def test_offline_refuses_notifications():
    with pytest.raises(NoticeInvalid):
        OfflineAdapter().parse_notification({}, b"{}")


# --- simulated ----------------------------------------------------------------------------------


def test_simulated_keys_are_generated_once_under_var_dir():
    folder = settings.VAR_DIR / "simulated-pay"
    assert not folder.exists()
    keys = simulated.signing_keys()
    path = folder / simulated.KEY_FILE
    assert path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    simulated._cache.clear()
    again = simulated.signing_keys()
    assert again.serial == keys.serial
    assert again.apiv3_key == keys.apiv3_key
    assert len(keys.apiv3_key) == 32
    assert again.private_key.private_numbers() == keys.private_key.private_numbers()


def test_an_existing_key_file_is_never_replaced(tmp_path):
    first = notify_v3.generate_signing_keys()
    second = notify_v3.generate_signing_keys()
    simulated._write_once(tmp_path / "keys.json", first)
    simulated._write_once(tmp_path / "keys.json", second)
    assert json.loads((tmp_path / "keys.json").read_text())["serial"] == first.serial
    assert [p.name for p in tmp_path.iterdir()] == ["keys.json"]  # no temporary file left


@pytest.mark.django_db
def test_simulated_start_sends_the_payer_to_the_cashier_page():
    payment = start()
    result = SimulatedAdapter().start(payment)
    assert result.action == "redirect"
    assert result.redirect_url == f"/pay/{payment.out_trade_no}/"


@pytest.mark.django_db
def test_simulated_notifications_verify_through_the_shared_module():
    payment = start(amount_fen=4321)
    adapter = SimulatedAdapter()
    headers, body = adapter.payment_notification(payment)
    notice = adapter.parse_notification(headers, body)
    assert (notice.out_trade_no, notice.amount_fen) == (payment.out_trade_no, 4321)
    assert (notice.app_id, notice.merchant_id) == (simulated.APP_ID, simulated.MERCHANT_ID)
    assert notice.provider_txn_id == SimulatedAdapter.transaction_id(payment)


@pytest.mark.django_db
def test_the_simulated_notification_is_what_the_wechatpayv3_sdk_would_accept():
    """Interoperability: the SDK's own signature check and decryption read our notification."""
    from wechatpayv3.utils import aes_decrypt, rsa_verify

    payment = start(amount_fen=4321)
    adapter = SimulatedAdapter()
    headers, body = adapter.payment_notification(payment)
    keys = adapter.keys()
    assert rsa_verify(
        headers["Wechatpay-Timestamp"],
        headers["Wechatpay-Nonce"],
        body.decode(),
        headers["Wechatpay-Signature"],
        keys.private_key.public_key(),
    )
    resource = json.loads(body)["resource"]
    plain = aes_decrypt(
        nonce=resource["nonce"],
        ciphertext=resource["ciphertext"],
        associated_data=resource["associated_data"],
        apiv3_key=keys.apiv3_key.decode(),
    )
    assert json.loads(plain)["amount"]["total"] == 4321


# --- wechatpay ----------------------------------------------------------------------------------


def test_wechatpay_reads_its_configuration_from_the_environment(wechat):
    config = WechatPayConfig.from_env()
    assert (config.mchid, config.appid) == (MCHID, APPID)
    assert config.is_complete()
    assert WechatPayAdapter().is_configured()


def test_wechatpay_is_not_configured_without_every_variable(wechat, monkeypatch):
    monkeypatch.delenv("WECHATPAY_PRIVATE_KEY_PATH")
    assert not WechatPayAdapter().is_configured()
    assert not WechatPayConfig.from_env({}).is_complete()


def test_platform_keys_load_from_certificates_and_public_key_files(wechat, tmp_path):
    keys = load_platform_keys(wechat.cert_dir)
    assert list(keys) == [wechat.platform.serial]
    public_pem = wechat.platform.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    (tmp_path / "PUB_KEY_ID_0114232134912410000.pem").write_bytes(public_pem)
    (tmp_path / "junk.pem").write_text("-----BEGIN CERTIFICATE-----\nnope\n")
    (tmp_path / "readme.txt").write_text("ignored")
    assert list(load_platform_keys(tmp_path)) == ["PUB_KEY_ID_0114232134912410000"]
    assert load_platform_keys(tmp_path / "missing") == {}


@pytest.mark.django_db
def test_wechatpay_verifies_notifications_with_the_shared_module(wechat):
    payment = start(provider="wechatpay", payer_openid="oUpF8u", amount_fen=2000)
    headers, body = wechat.payment_notice(payment)
    notice = WechatPayAdapter().parse_notification(headers, body)
    assert (notice.amount_fen, notice.app_id, notice.merchant_id) == (2000, APPID, MCHID)


def test_wechatpay_without_configuration_refuses_notifications(monkeypatch):
    for name in ("WECHATPAY_MCHID", "WECHATPAY_APIV3_KEY", "WECHATPAY_PLATFORM_CERT_DIR"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(NoticeInvalid):
        WechatPayAdapter().parse_notification({}, b"{}")


@pytest.mark.django_db
def test_wechatpay_start_asks_for_a_jsapi_prepay_and_signs_the_payment_request(wechat):
    payment = start(provider="wechatpay", payer_openid="oUpF8u", amount_fen=2000)
    wechat.client.calls.clear()
    result = WechatPayAdapter().start(payment, payer_openid="oUpF8u")
    [(name, call)] = wechat.client.calls
    assert name == "pay"
    assert call["out_trade_no"] == payment.out_trade_no
    assert call["amount"] == {"total": 2000, "currency": "CNY"}
    assert call["payer"] == {"openid": "oUpF8u"}
    assert call["time_expire"].endswith("+08:00")
    assert result.action == "jsapi"
    assert result.prepay_id == "wx201410272009395522657a690389"
    params = result.params
    assert params["package"] == "prepay_id=wx201410272009395522657a690389"
    assert params["appId"] == APPID
    assert params["signType"] == "RSA"
    assert params["paySign"] == "signed:" + "|".join(
        [APPID, params["timeStamp"], params["nonceStr"], params["package"]]
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "response",
    [(400, '{"code": "PARAM_ERROR"}'), (200, "not json"), ConnectionError("down")],
)
def test_wechatpay_start_failures_are_provider_errors(wechat, response):
    payment = Payment(out_trade_no="P1", amount_fen=1, description="x")
    payment.expires_at = payment.created_at
    wechat.client.pay_response = response
    with pytest.raises(ProviderError):
        WechatPayAdapter().start(payment, payer_openid="o")
    with pytest.raises(ProviderError):
        WechatPayAdapter().start(payment, payer_openid="")


@pytest.mark.parametrize(
    ("response", "status"),
    [
        ((200, '{"refund_id": "5000", "status": "PROCESSING"}'), "processing"),
        ((200, '{"refund_id": "5000", "status": "SUCCESS"}'), "processing"),
        ((200, '{"refund_id": "5000", "status": "ABNORMAL"}'), "failed"),
        ((403, '{"code": "NOT_ENOUGH", "message": "余额不足"}'), "failed"),
    ],
)
def test_wechatpay_refund_results(wechat, response, status):
    from trispace.payments.models import Refund

    payment = Payment(out_trade_no="P1", amount_fen=1000)
    refund = Refund(payment=payment, out_refund_no="R1", amount_fen=300, reason="坏了")
    wechat.client.refund_response = response
    result = WechatPayAdapter().refund(refund)
    assert result.status == status
    [(_, call)] = wechat.client.calls
    assert call["amount"] == {"refund": 300, "total": 1000, "currency": "CNY"}
    assert (call["out_trade_no"], call["out_refund_no"], call["reason"]) == ("P1", "R1", "坏了")


@pytest.mark.parametrize("response", [(500, "{}"), TimeoutError("slow")])
def test_wechatpay_refund_not_knowing_is_a_provider_error(wechat, response):
    from trispace.payments.models import Refund

    refund = Refund(
        payment=Payment(out_trade_no="P1", amount_fen=1000), out_refund_no="R1", amount_fen=1
    )
    wechat.client.refund_response = response
    with pytest.raises(ProviderError):
        WechatPayAdapter().refund(refund)


def test_wechatpay_close_is_best_effort(wechat):
    wechat.client.close_response = ConnectionError("down")
    WechatPayAdapter().close(Payment(out_trade_no="P1"))
    wechat.client.close_response = (400, "{}")
    WechatPayAdapter().close(Payment(out_trade_no="P1"))
    assert [name for name, _ in wechat.client.calls] == ["close", "close"]


def test_the_real_sdk_client_is_built_without_the_network_in_public_key_mode(wechat, tmp_path):
    """``make_client`` wires the wechatpayv3 SDK; with a platform public key it makes no call.

    The SDK's request is replaced, so the test sees what it would send and nothing leaves.
    """
    public_pem = wechat.platform.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    (tmp_path / "PUB_KEY_ID_0114232134912410000.pem").write_bytes(public_pem)
    config = WechatPayConfig(
        **{**WechatPayConfig.from_env().__dict__, "platform_cert_dir": str(tmp_path)}
    )
    client = make_client(config)
    sent = []

    def request(path, method=None, data=None, **kwargs):
        sent.append((path, data))
        return 200, json.dumps({"prepay_id": "wx1"})

    client._core.request = request
    adapter = WechatPayAdapter(config, client_factory=lambda c: client)
    payment = Payment(out_trade_no="P9", amount_fen=990, description="苹果")
    payment.expires_at = payment.created_at
    result = adapter.start(payment, payer_openid="oUpF8u")
    [(path, data)] = sent
    assert path == "/v3/pay/transactions/jsapi"
    assert data["mchid"] == MCHID
    assert data["appid"] == APPID
    assert data["notify_url"] == config.notify_url
    assert data["amount"] == {"total": 990, "currency": "CNY"}
    # The SDK signs the JSAPI request with our merchant key: check it with the public half.
    merchant = serialization.load_pem_private_key(wechat.merchant_key_path.read_bytes(), None)
    p = result.params
    message = f"{p['appId']}\n{p['timeStamp']}\n{p['nonceStr']}\n{p['package']}\n".encode()
    merchant.public_key().verify(
        base64.b64decode(p["paySign"]), message, padding.PKCS1v15(), hashes.SHA256()
    )


def test_an_unconfigured_client_is_never_built():
    with pytest.raises(ProviderError):
        make_client(WechatPayConfig())
