"""WeChat Pay (微信支付) API v3, through the ``wechatpayv3`` package: JSAPI prepay, refunds, close.

Configured from the environment (docs/operations.md, "WeChat Pay"); nothing reaches the network
unless every variable is set and a use case actually needs the provider. Notifications are
verified by ``notify_v3`` (the module the simulated cashier goes through too), with the
platform certificates (or the platform public key, file ``PUB_KEY_ID_….pem``) found in
``WECHATPAY_PLATFORM_CERT_DIR``.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from trispace.kernel import time as ktime
from trispace.payments.adapters import notify_v3
from trispace.payments.adapters.base import (
    Notice,
    NoticeInvalid,
    ProviderError,
    RefundResult,
    StartResult,
)
from trispace.payments.models import Payment, Refund

log = logging.getLogger("trispace.payments.wechatpay")

ENV = {
    "mchid": "WECHATPAY_MCHID",
    "appid": "WECHATPAY_APPID",
    "apiv3_key": "WECHATPAY_APIV3_KEY",
    "cert_serial": "WECHATPAY_CERT_SERIAL",
    "private_key_path": "WECHATPAY_PRIVATE_KEY_PATH",
    "platform_cert_dir": "WECHATPAY_PLATFORM_CERT_DIR",
    "notify_url": "WECHATPAY_NOTIFY_URL",
}
PUBLIC_KEY_PREFIX = "PUB_KEY_ID_"
TIMEOUT = (5, 15)  # connect, read (seconds)


@dataclass(frozen=True)
class WechatPayConfig:
    mchid: str = ""
    appid: str = ""
    apiv3_key: str = ""
    cert_serial: str = ""
    private_key_path: str = ""
    platform_cert_dir: str = ""
    notify_url: str = ""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> WechatPayConfig:
        environ = os.environ if environ is None else environ
        return cls(**{field: environ.get(name, "").strip() for field, name in ENV.items()})

    def can_verify(self) -> bool:
        """Enough to verify notifications: the APIv3 key and the platform keys' folder."""
        return bool(self.mchid and self.apiv3_key and self.platform_cert_dir)

    def is_complete(self) -> bool:
        return all(getattr(self, field) for field in ENV)


def load_platform_keys(directory: str | Path) -> dict[str, rsa.RSAPublicKey]:
    """The provider's public keys by serial, from ``*.pem`` files in ``directory``.

    A platform certificate (``-----BEGIN CERTIFICATE-----``) is known by its serial number in
    upper-case hex; a platform public key by its file name (``PUB_KEY_ID_….pem``).
    """
    keys: dict[str, rsa.RSAPublicKey] = {}
    folder = Path(directory)
    if not folder.is_dir():
        return keys
    now = ktime.now()
    for path in sorted(folder.glob("*.pem")):
        data = path.read_bytes()
        if b"BEGIN CERTIFICATE" in data:
            try:
                cert = x509.load_pem_x509_certificate(data)
            except ValueError:
                log.warning("%s: not a certificate", path)
                continue
            if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
                continue
            key: Any = cert.public_key()
            serial = format(cert.serial_number, "X")
        else:
            try:
                key = serialization.load_pem_public_key(data)
            except ValueError:
                log.warning("%s: not a public key", path)
                continue
            serial = path.stem
        if isinstance(key, rsa.RSAPublicKey):
            keys[serial] = key
    return keys


def _parse_json(text: Any) -> dict[str, Any]:
    try:
        data = json.loads(text) if isinstance(text, (str, bytes)) else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


class WechatPayAdapter:
    name = "wechatpay"
    needs_openid = True

    def __init__(
        self,
        config: WechatPayConfig | None = None,
        *,
        client_factory: Callable[[WechatPayConfig], Any] | None = None,
    ) -> None:
        self.config = config or WechatPayConfig.from_env()
        self._client_factory = client_factory or make_client
        self._client: Any = None

    @property
    def merchant_id(self) -> str:
        return self.config.mchid

    @property
    def app_id(self) -> str:
        return self.config.appid

    def is_configured(self) -> bool:
        return self.config.is_complete()

    def platform_keys(self) -> notify_v3.PlatformKeys:
        try:
            apiv3_key = notify_v3.check_apiv3_key(self.config.apiv3_key)
        except ValueError:
            raise NoticeInvalid("WeChat Pay APIv3 key not configured") from None
        return notify_v3.PlatformKeys(load_platform_keys(self.config.platform_cert_dir), apiv3_key)

    def client(self) -> Any:
        if self._client is None:
            self._client = self._client_factory(self.config)
        return self._client

    # --- the interface ------------------------------------------------------------------------

    def start(self, payment: Payment, *, payer_openid: str = "") -> StartResult:
        from wechatpayv3 import WeChatPayType

        if not payer_openid:
            raise ProviderError("JSAPI needs the payer's openid")
        try:
            code, message = self.client().pay(
                description=payment.description,
                out_trade_no=payment.out_trade_no,
                amount={"total": payment.amount_fen, "currency": "CNY"},
                payer={"openid": payer_openid},
                time_expire=ktime.local(payment.expires_at).replace(microsecond=0).isoformat(),
                pay_type=WeChatPayType.JSAPI,
            )
        except Exception as exc:  # requests' errors, the SDK's bare Exceptions
            raise ProviderError(f"prepay failed: {type(exc).__name__}") from exc
        prepay_id = _parse_json(message).get("prepay_id") if code == 200 else None
        if not isinstance(prepay_id, str) or not prepay_id:
            raise ProviderError(f"prepay refused: HTTP {code} {str(message)[:200]}")
        timestamp = str(int(ktime.now().timestamp()))
        nonce = secrets.token_hex(16)
        package = f"prepay_id={prepay_id}"
        pay_sign = self.client().sign([self.app_id, timestamp, nonce, package])
        params = {
            "appId": self.app_id,
            "timeStamp": timestamp,
            "nonceStr": nonce,
            "package": package,
            "signType": "RSA",
            "paySign": pay_sign,
        }
        return StartResult(action="jsapi", params=params, prepay_id=prepay_id)

    def parse_notification(self, headers: Mapping[str, str], body: bytes) -> Notice:
        if not self.config.can_verify():
            raise NoticeInvalid("WeChat Pay is not configured")
        return notify_v3.parse(headers, body, self.platform_keys())

    def refund(self, refund: Refund) -> RefundResult:
        payment = refund.payment
        try:
            code, message = self.client().refund(
                out_refund_no=refund.out_refund_no,
                amount={
                    "refund": refund.amount_fen,
                    "total": payment.amount_fen,
                    "currency": "CNY",
                },
                out_trade_no=payment.out_trade_no,
                reason=refund.reason or None,
            )
        except Exception as exc:
            # We cannot tell whether it arrived: the refund stays requested, and a retry with
            # the same out_refund_no is one refund at the provider.
            raise ProviderError(f"refund request failed: {type(exc).__name__}") from exc
        data = _parse_json(message)
        if code in (200, 201):
            status = data.get("status")
            refund_id = str(data.get("refund_id") or "")
            if status in ("CLOSED", "ABNORMAL"):
                return RefundResult(status="failed", provider_refund_id=refund_id, message=status)
            # SUCCESS or PROCESSING: the REFUND.* notification completes it.
            return RefundResult(status="processing", provider_refund_id=refund_id)
        if isinstance(code, int) and 400 <= code < 500:
            detail = f"{data.get('code', code)}: {data.get('message', '')}"[:255]
            return RefundResult(status="failed", message=detail)
        raise ProviderError(f"refund refused: HTTP {code}")

    def close(self, payment: Payment) -> None:
        try:
            code, message = self.client().close(out_trade_no=payment.out_trade_no)
        except Exception:
            log.exception("closing %s at WeChat Pay failed", payment.out_trade_no)
            return
        if code not in (200, 204):
            log.warning("closing %s at WeChat Pay: HTTP %s %s", payment.out_trade_no, code, message)


def make_client(config: WechatPayConfig) -> Any:
    """A ``wechatpayv3.WeChatPay`` for JSAPI. Only built when a request needs it.

    With a platform public key (``PUB_KEY_ID_….pem`` in the platform folder) the SDK needs no
    certificate download; with certificates it reads them from the folder.
    """
    from wechatpayv3 import WeChatPay, WeChatPayType

    if not config.is_complete():
        raise ProviderError("WeChat Pay is not configured")
    private_key = Path(config.private_key_path).read_text()
    kwargs: dict[str, Any] = {}
    folder = Path(config.platform_cert_dir)
    public_keys = sorted(folder.glob(f"{PUBLIC_KEY_PREFIX}*.pem")) if folder.is_dir() else []
    if public_keys:
        kwargs["public_key"] = public_keys[-1].read_text()
        kwargs["public_key_id"] = public_keys[-1].stem
    else:
        kwargs["cert_dir"] = str(folder)
    return WeChatPay(
        wechatpay_type=WeChatPayType.JSAPI,
        mchid=config.mchid,
        private_key=private_key,
        cert_serial_no=config.cert_serial,
        appid=config.appid,
        apiv3_key=config.apiv3_key,
        notify_url=config.notify_url,
        timeout=TIMEOUT,
        **kwargs,
    )
