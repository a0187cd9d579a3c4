"""Helpers for payments tests: start and pay payments, WeChat Pay fixtures without a network."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from trispace.kernel import time as ktime
from trispace.payments import services
from trispace.payments.adapters import notify_v3
from trispace.payments.adapters import wechatpay as wechatpay_module
from trispace.payments.models import Payment, Refund

MCHID = "1230000109"
APPID = "wxd678efh567hg6787"
_sources = iter(range(1, 10**9))


def next_source_id() -> int:
    return next(_sources)


def start(
    *,
    actor: Any = None,
    amount_fen: int = 1000,
    provider: str = "simulated",
    organization: Any = None,
    source_type: str = "order",
    source_id: int | None = None,
    payer_openid: str = "",
) -> Payment:
    return services.payment_start(
        actor=actor,
        source_type=source_type,
        source_id=next_source_id() if source_id is None else source_id,
        amount_fen=amount_fen,
        provider=provider,
        description="测试商品",
        organization=organization,
        payer_openid=payer_openid,
    ).payment


def paid(*, amount_fen: int = 1000, actor: Any = None, organization: Any = None) -> Payment:
    """A simulated payment that went through the cashier."""
    payment = start(actor=actor, amount_fen=amount_fen, organization=organization)
    services.payment_simulate_pay(actor=actor, payment=payment)
    payment.refresh_from_db()
    return payment


def refund(payment: Payment, amount_fen: int, *, key: str | None = None) -> Refund:
    return services.refund_start(
        actor=None,
        payment=payment,
        amount_fen=amount_fen,
        reason="售后",
        source_type="after_sale",
        source_id=next_source_id(),
        key=key or f"k{next_source_id()}",
    )


def self_signed_certificate(key: rsa.RSAPrivateKey, serial: int) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Tenpay.com Root CA")])
    now = dt.datetime.now(tz=dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )


class FakeWeChatPay:
    """Stands in for ``wechatpayv3.WeChatPay``: records calls, answers what a test sets."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.pay_response: Any = (200, json.dumps({"prepay_id": "wx201410272009395522657a690389"}))
        self.refund_response: Any = (
            200,
            json.dumps({"refund_id": "50000000382019052709732678859", "status": "PROCESSING"}),
        )
        self.close_response: Any = (204, "")

    def _answer(self, name: str, response: Any, kwargs: dict[str, Any]) -> Any:
        self.calls.append((name, kwargs))
        if isinstance(response, Exception):
            raise response
        return response

    def pay(self, **kwargs: Any) -> Any:
        return self._answer("pay", self.pay_response, kwargs)

    def refund(self, **kwargs: Any) -> Any:
        return self._answer("refund", self.refund_response, kwargs)

    def close(self, **kwargs: Any) -> Any:
        return self._answer("close", self.close_response, kwargs)

    def sign(self, data: list[str]) -> str:
        return "signed:" + "|".join(data)


@dataclass
class WechatFixture:
    """Keys as WeChat Pay would hold them (platform) and as we would (merchant), on disk."""

    folder: Path
    platform: notify_v3.SigningKeys  # the provider's signing key, its serial, our APIv3 key
    merchant_key_path: Path
    cert_dir: Path
    client: FakeWeChatPay = field(default_factory=FakeWeChatPay)

    @property
    def env(self) -> dict[str, str]:
        return {
            "WECHATPAY_MCHID": MCHID,
            "WECHATPAY_APPID": APPID,
            "WECHATPAY_APIV3_KEY": self.platform.apiv3_key.decode(),
            "WECHATPAY_CERT_SERIAL": "444F4864EA9B34415A1B2C3D4E5F60718293A4B5",
            "WECHATPAY_PRIVATE_KEY_PATH": str(self.merchant_key_path),
            "WECHATPAY_PLATFORM_CERT_DIR": str(self.cert_dir),
            "WECHATPAY_NOTIFY_URL": "https://shop.example.com/api/payments/notify/wechatpay",
        }

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.client = FakeWeChatPay()
        for name, value in self.env.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setattr(wechatpay_module, "make_client", lambda config: self.client)

    def payment_notice(
        self,
        payment: Payment,
        *,
        amount_fen: int | None = None,
        app_id: str = APPID,
        merchant_id: str = MCHID,
        out_trade_no: str | None = None,
        event_id: str | None = None,
        at: dt.datetime | None = None,
        keys: notify_v3.SigningKeys | None = None,
        transaction_id: str = "4200000000202401010000000001",
    ) -> tuple[dict[str, str], bytes]:
        at = at or ktime.now()
        resource = notify_v3.transaction_resource(
            app_id=app_id,
            merchant_id=merchant_id,
            out_trade_no=out_trade_no or payment.out_trade_no,
            transaction_id=transaction_id,
            amount_fen=payment.amount_fen if amount_fen is None else amount_fen,
            success_time=at,
            openid="oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
        )
        return notify_v3.build(
            keys=keys or self.platform,
            event_type="TRANSACTION.SUCCESS",
            resource=resource,
            event_id=event_id,
            at=at,
        )

    def refund_notice(
        self,
        refund: Refund,
        *,
        status: str = "SUCCESS",
        amount_fen: int | None = None,
        event_id: str | None = None,
    ) -> tuple[dict[str, str], bytes]:
        payment = refund.payment
        resource = notify_v3.refund_resource(
            merchant_id=MCHID,
            out_trade_no=payment.out_trade_no,
            transaction_id=payment.provider_txn_id,
            out_refund_no=refund.out_refund_no,
            refund_id="50000000382019052709732678859",
            refund_fen=refund.amount_fen if amount_fen is None else amount_fen,
            total_fen=payment.amount_fen,
            success_time=ktime.now(),
            refund_status=status,
        )
        return notify_v3.build(
            keys=self.platform,
            event_type=f"REFUND.{status}",
            resource=resource,
            event_id=event_id,
        )


def write_pem(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def make_wechat_fixture(folder: Path) -> WechatFixture:
    platform = notify_v3.generate_signing_keys()
    serial = int(platform.serial, 16) >> 8  # x509 serials stay under 2**159
    platform = notify_v3.SigningKeys(platform.private_key, format(serial, "X"), platform.apiv3_key)
    cert_dir = folder / "platform"
    cert_dir.mkdir()
    cert = self_signed_certificate(platform.private_key, serial)
    write_pem(cert_dir / "wechatpay_platform.pem", cert.public_bytes(serialization.Encoding.PEM))
    merchant = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    merchant_key_path = write_pem(
        folder / "apiclient_key.pem",
        merchant.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )
    return WechatFixture(folder, platform, merchant_key_path, cert_dir)
