"""WeChat Pay API v3 notifications (回调通知): the ONE place they are verified and decoded.

Used by the ``wechatpay`` adapter for real notifications and by the ``simulated`` adapter for
the ones its cashier page makes, so the demo exercises exactly the production checks:

1. the headers ``Wechatpay-Timestamp``, ``-Nonce``, ``-Signature``, ``-Serial`` are present
   (``Wechatpay-Signature-Type``, when sent, is ``WECHATPAY2-SHA256-RSA2048``);
2. the timestamp is within 5 minutes of our clock (``kernel.time.now``), either way;
3. the serial names one of the platform keys we trust (certificate serial or public-key id);
4. the RSA PKCS#1 v1.5 SHA-256 signature covers ``timestamp\\nnonce\\nbody\\n``;
5. the body is an ``encrypt-resource`` whose ``AEAD_AES_256_GCM`` resource decrypts with our
   APIv3 key (nonce and associated data as the provider sent them).

The building half (``build``) signs and encrypts a notification the same way the provider does;
the simulated cashier and the tests use it.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from trispace.kernel import time as ktime
from trispace.payments.adapters.base import Notice, NoticeInvalid, NoticeKind

SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048"
MAX_SKEW = dt.timedelta(minutes=5)
MAX_BODY_BYTES = 64 * 1024
APIV3_KEY_BYTES = 32  # AES-256
ALGORITHM = "AEAD_AES_256_GCM"

PAYMENT_EVENTS = {"TRANSACTION.SUCCESS": "payment"}
REFUND_EVENTS = {"REFUND.SUCCESS", "REFUND.ABNORMAL", "REFUND.CLOSED"}


@dataclass(frozen=True)
class PlatformKeys:
    """What verifies notifications: the provider's public keys by serial, and our APIv3 key."""

    public_keys: Mapping[str, rsa.RSAPublicKey]
    apiv3_key: bytes

    def key_for(self, serial: str) -> rsa.RSAPublicKey | None:
        wanted = serial.strip().upper()
        for known, key in self.public_keys.items():
            if known.strip().upper() == wanted:
                return key
        return None


@dataclass(frozen=True)
class SigningKeys:
    """What signs notifications (the provider's side): a private key, its serial, the APIv3 key."""

    private_key: rsa.RSAPrivateKey
    serial: str
    apiv3_key: bytes

    def platform_keys(self) -> PlatformKeys:
        return PlatformKeys({self.serial: self.private_key.public_key()}, self.apiv3_key)


def check_apiv3_key(key: str | bytes) -> bytes:
    raw = key.encode() if isinstance(key, str) else key
    if len(raw) != APIV3_KEY_BYTES:
        raise ValueError("an APIv3 key is 32 bytes (32 ASCII characters)")
    return raw


# --- verifying --------------------------------------------------------------------------------


def _headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Header names folded: ``Wechatpay-Serial``, ``wechatpay-serial`` and Django's META
    ``HTTP_WECHATPAY_SERIAL`` are one name."""
    folded: dict[str, str] = {}
    for name, value in headers.items():
        key = str(name).lower().replace("_", "-")
        key = key.removeprefix("http-")
        folded[key] = str(value)
    return folded


def verify(
    headers: Mapping[str, str], body: bytes | str, keys: PlatformKeys
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Check a notification and return ``(envelope, resource)``, the resource decrypted.

    Raises ``NoticeInvalid`` for anything short of genuine, fresh and readable.
    """
    raw = body.encode() if isinstance(body, str) else bytes(body)
    if len(raw) > MAX_BODY_BYTES:
        raise NoticeInvalid("body too large")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise NoticeInvalid("body is not UTF-8") from None
    h = _headers(headers)
    timestamp = h.get("wechatpay-timestamp", "")
    nonce = h.get("wechatpay-nonce", "")
    signature = h.get("wechatpay-signature", "")
    serial = h.get("wechatpay-serial", "")
    if not (timestamp and nonce and signature and serial):
        raise NoticeInvalid("signature headers missing")
    signature_type = h.get("wechatpay-signature-type", SIGNATURE_TYPE)
    if signature_type != SIGNATURE_TYPE:
        raise NoticeInvalid("unsupported signature type")
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 10):
        raise NoticeInvalid("timestamp malformed")
    try:
        sent_at = dt.datetime.fromtimestamp(int(timestamp), tz=dt.UTC)
    except (OverflowError, OSError, ValueError):
        raise NoticeInvalid("timestamp malformed") from None
    if abs(ktime.now() - sent_at) > MAX_SKEW:
        raise NoticeInvalid("timestamp not within 5 minutes")
    public_key = keys.key_for(serial)
    if public_key is None:
        raise NoticeInvalid("unknown platform key serial")
    try:
        signature_bytes = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        raise NoticeInvalid("signature malformed") from None
    message = f"{timestamp}\n{nonce}\n{text}\n".encode()
    try:
        public_key.verify(signature_bytes, message, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise NoticeInvalid("signature does not verify") from None
    try:
        envelope = json.loads(text)
    except ValueError:
        raise NoticeInvalid("body is not JSON") from None
    if not isinstance(envelope, dict):
        raise NoticeInvalid("body is not a JSON object")
    resource = decrypt_resource(envelope, keys.apiv3_key)
    return envelope, resource


def decrypt_resource(envelope: Mapping[str, Any], apiv3_key: bytes) -> dict[str, Any]:
    if envelope.get("resource_type") != "encrypt-resource":
        raise NoticeInvalid("resource is not encrypted")
    resource = envelope.get("resource")
    if not isinstance(resource, dict):
        raise NoticeInvalid("resource missing")
    if resource.get("algorithm") != ALGORITHM:
        raise NoticeInvalid("unsupported resource algorithm")
    nonce = resource.get("nonce")
    ciphertext = resource.get("ciphertext")
    associated = resource.get("associated_data") or ""
    if not (isinstance(nonce, str) and isinstance(ciphertext, str) and isinstance(associated, str)):
        raise NoticeInvalid("resource malformed")
    if not nonce:
        raise NoticeInvalid("resource malformed")
    try:
        data = base64.b64decode(ciphertext, validate=True)
        plain = AESGCM(apiv3_key).decrypt(nonce.encode(), data, associated.encode() or None)
    except (binascii.Error, ValueError, InvalidTag):
        raise NoticeInvalid("resource does not decrypt") from None
    try:
        decoded = json.loads(plain.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise NoticeInvalid("resource is not JSON") from None
    if not isinstance(decoded, dict):
        raise NoticeInvalid("resource is not a JSON object")
    return decoded


def _text(data: Mapping[str, Any], name: str, max_length: int = 64) -> str:
    value = data.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > max_length:
        raise NoticeInvalid(f"{name} malformed")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise NoticeInvalid(f"{name} malformed")
    return value


def _fen(data: Mapping[str, Any], name: str, *, required: bool = True) -> int | None:
    value = data.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 10**13:
        raise NoticeInvalid(f"amount {name} malformed")
    return value


def _moment(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def notice_from(envelope: Mapping[str, Any], resource: Mapping[str, Any]) -> Notice:
    """Our ``Notice`` from a verified envelope and its decrypted resource."""
    event_id = _text(envelope, "id")
    if not event_id:
        raise NoticeInvalid("event id missing")
    event_type = _text(envelope, "event_type")
    amount = resource.get("amount")
    if not isinstance(amount, dict):
        raise NoticeInvalid("amount missing")
    kind: NoticeKind
    if event_type in PAYMENT_EVENTS or (
        event_type.startswith("TRANSACTION.") and "trade_state" in resource
    ):
        kind = "payment"
        status = _text(resource, "trade_state")
        amount_fen = _fen(amount, "total")
        total_fen = amount_fen
        occurred = _moment(resource.get("success_time"))
        currency = _text(amount, "currency") or "CNY"
    elif event_type in REFUND_EVENTS:
        kind = "refund"
        status = _text(resource, "refund_status")
        amount_fen = _fen(amount, "refund")
        total_fen = _fen(amount, "total", required=False)
        occurred = _moment(resource.get("success_time"))
        currency = "CNY"  # refund notifications carry no currency: refunds are in the payment's
    else:
        raise NoticeInvalid("unknown event type")
    out_trade_no = _text(resource, "out_trade_no", 32)
    if not out_trade_no:
        raise NoticeInvalid("out_trade_no missing")
    assert amount_fen is not None
    return Notice(
        event_id=event_id,
        out_trade_no=out_trade_no,
        provider_txn_id=_text(resource, "transaction_id"),
        amount_fen=amount_fen,
        app_id=_text(resource, "appid", 32),
        merchant_id=_text(resource, "mchid", 32),
        kind=kind,
        status=status,
        occurred_at=occurred or _moment(envelope.get("create_time")),
        out_refund_no=_text(resource, "out_refund_no", 32) if kind == "refund" else "",
        provider_refund_id=_text(resource, "refund_id") if kind == "refund" else "",
        total_fen=total_fen,
        currency=currency,
    )


def parse(headers: Mapping[str, str], body: bytes | str, keys: PlatformKeys) -> Notice:
    """Verify, decrypt and read a notification (what an adapter's ``parse_notification`` is)."""
    envelope, resource = verify(headers, body, keys)
    return notice_from(envelope, resource)


# --- building (the provider's side: the simulated cashier and the tests) ------------------------


def _iso(moment: dt.datetime) -> str:
    return ktime.local(moment).replace(microsecond=0).isoformat()


def transaction_resource(
    *,
    app_id: str,
    merchant_id: str,
    out_trade_no: str,
    transaction_id: str,
    amount_fen: int,
    success_time: dt.datetime,
    trade_state: str = "SUCCESS",
    openid: str = "",
) -> dict[str, Any]:
    """The decrypted resource of ``TRANSACTION.SUCCESS``, shaped as WeChat Pay sends it."""
    return {
        "appid": app_id,
        "mchid": merchant_id,
        "out_trade_no": out_trade_no,
        "transaction_id": transaction_id,
        "trade_type": "JSAPI",
        "trade_state": trade_state,
        "trade_state_desc": "支付成功" if trade_state == "SUCCESS" else trade_state,
        "bank_type": "OTHERS",
        "attach": "",
        "success_time": _iso(success_time),
        "payer": {"openid": openid},
        "amount": {
            "total": amount_fen,
            "payer_total": amount_fen,
            "currency": "CNY",
            "payer_currency": "CNY",
        },
    }


def refund_resource(
    *,
    merchant_id: str,
    out_trade_no: str,
    transaction_id: str,
    out_refund_no: str,
    refund_id: str,
    refund_fen: int,
    total_fen: int,
    success_time: dt.datetime,
    refund_status: str = "SUCCESS",
) -> dict[str, Any]:
    """The decrypted resource of ``REFUND.SUCCESS`` (or ``.ABNORMAL``/``.CLOSED``)."""
    return {
        "mchid": merchant_id,
        "out_trade_no": out_trade_no,
        "transaction_id": transaction_id,
        "out_refund_no": out_refund_no,
        "refund_id": refund_id,
        "refund_status": refund_status,
        "success_time": _iso(success_time),
        "user_received_account": "支付用户零钱",
        "amount": {
            "total": total_fen,
            "refund": refund_fen,
            "payer_total": total_fen,
            "payer_refund": refund_fen,
        },
    }


def encrypt_resource(
    plain: Mapping[str, Any], apiv3_key: bytes, *, original_type: str, associated_data: str
) -> dict[str, str]:
    nonce = secrets.token_hex(6)  # 12 characters, as the provider's
    data = json.dumps(plain, ensure_ascii=False, separators=(",", ":")).encode()
    ciphertext = AESGCM(apiv3_key).encrypt(nonce.encode(), data, associated_data.encode() or None)
    return {
        "original_type": original_type,
        "algorithm": ALGORITHM,
        "ciphertext": base64.b64encode(ciphertext).decode(),
        "associated_data": associated_data,
        "nonce": nonce,
    }


def sign(private_key: rsa.RSAPrivateKey, timestamp: str, nonce: str, body: str) -> str:
    message = f"{timestamp}\n{nonce}\n{body}\n".encode()
    return base64.b64encode(private_key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()


def build(
    *,
    keys: SigningKeys,
    event_type: str,
    resource: Mapping[str, Any],
    event_id: str | None = None,
    at: dt.datetime | None = None,
) -> tuple[dict[str, str], bytes]:
    """A signed notification ``(headers, body)`` exactly as WeChat Pay v3 posts it."""
    at = at or ktime.now()
    original_type = "transaction" if event_type.startswith("TRANSACTION.") else "refund"
    envelope = {
        "id": event_id or f"EV-{secrets.token_hex(12)}",
        "create_time": _iso(at),
        "resource_type": "encrypt-resource",
        "event_type": event_type,
        "summary": "支付成功" if original_type == "transaction" else "退款状态变更",
        "resource": encrypt_resource(
            resource, keys.apiv3_key, original_type=original_type, associated_data=original_type
        ),
    }
    body = json.dumps(envelope, ensure_ascii=False, separators=(",", ":"))
    timestamp = str(int(at.timestamp()))
    nonce = secrets.token_hex(16).upper()
    headers = {
        "Wechatpay-Timestamp": timestamp,
        "Wechatpay-Nonce": nonce,
        "Wechatpay-Signature": sign(keys.private_key, timestamp, nonce, body),
        "Wechatpay-Serial": keys.serial,
        "Wechatpay-Signature-Type": SIGNATURE_TYPE,
        "Content-Type": "application/json",
    }
    return headers, body.encode()


def generate_signing_keys() -> SigningKeys:
    """A fresh RSA-2048 key, a certificate-like serial and an APIv3 key (simulated, tests)."""
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    return SigningKeys(
        private_key=rsa.generate_private_key(public_exponent=65537, key_size=2048),
        serial=secrets.token_hex(20).upper(),
        apiv3_key="".join(secrets.choice(alphabet) for _ in range(APIV3_KEY_BYTES)).encode(),
    )
