"""The simulated provider (模拟支付): the demo's default, with WeChat Pay v3's notifications.

``start`` sends the payer to our own cashier page (``/pay/<out_trade_no>/``). Pressing "Pay"
there makes the server build a notification exactly as WeChat Pay v3 posts one — the resource
encrypted with AES-256-GCM under an APIv3-style key, the headers signed with an RSA key — and
hand it to ``notification_handle``, which verifies it with the same module (``notify_v3``) as
real notifications. The keys are generated on first use under ``VAR_DIR/simulated-pay/``.

Refunds succeed at once (there is no money to move).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.urls import reverse

from trispace.kernel import time as ktime
from trispace.payments.adapters import notify_v3
from trispace.payments.adapters.base import Notice, RefundResult, StartResult
from trispace.payments.models import Payment, Refund

MERCHANT_ID = "1900000001"
APP_ID = "wxs1mu1a7ed0000001"
KEY_FILE = "keys.json"

_lock = threading.Lock()
_cache: dict[Path, notify_v3.SigningKeys] = {}


def key_directory() -> Path:
    return Path(settings.VAR_DIR) / "simulated-pay"


def _write_once(path: Path, keys: notify_v3.SigningKeys) -> None:
    """Write the key file unless another process got there first (then theirs wins)."""
    pem = keys.private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    data = {"serial": keys.serial, "apiv3_key": keys.apiv3_key.decode(), "private_key": pem}
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".keys-")
    try:
        with os.fdopen(fd, "w") as handle:
            json.dump(data, handle)
        os.chmod(tmp, 0o600)
        with contextlib.suppress(FileExistsError):  # another process was first: theirs wins
            os.link(tmp, path)  # atomic, and refuses to replace an existing file
    finally:
        os.unlink(tmp)


def _read(path: Path) -> notify_v3.SigningKeys:
    data = json.loads(path.read_text())
    private_key = serialization.load_pem_private_key(data["private_key"].encode(), password=None)
    if not isinstance(private_key, rsa.RSAPrivateKey):
        raise ValueError(f"{path}: not an RSA key")
    return notify_v3.SigningKeys(
        private_key=private_key,
        serial=str(data["serial"]),
        apiv3_key=notify_v3.check_apiv3_key(str(data["apiv3_key"])),
    )


def signing_keys(directory: Path | None = None) -> notify_v3.SigningKeys:
    """The simulated provider's keys in ``directory`` (default ``key_directory()``), made once."""
    directory = (directory or key_directory()).resolve()
    with _lock:
        cached = _cache.get(directory)
        if cached is not None:
            return cached
        path = directory / KEY_FILE
        if not path.exists():
            _write_once(path, notify_v3.generate_signing_keys())
        keys = _read(path)
        _cache[directory] = keys
        return keys


class SimulatedAdapter:
    name = "simulated"
    merchant_id = MERCHANT_ID
    app_id = APP_ID

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory

    def keys(self) -> notify_v3.SigningKeys:
        return signing_keys(self.directory)

    def is_configured(self) -> bool:
        return True

    def start(self, payment: Payment, *, payer_openid: str = "") -> StartResult:
        url = reverse("h5:cashier", args=[payment.out_trade_no])
        return StartResult(action="redirect", redirect_url=url)

    def parse_notification(self, headers: Mapping[str, str], body: bytes) -> Notice:
        return notify_v3.parse(headers, body, self.keys().platform_keys())

    def refund(self, refund: Refund) -> RefundResult:
        return RefundResult(status="succeeded", provider_refund_id=f"SIMR{refund.out_refund_no}")

    def close(self, payment: Payment) -> None:
        return None

    # --- the provider's side: what the cashier page posts ---------------------------------------

    @staticmethod
    def transaction_id(payment: Payment) -> str:
        """One provider transaction per ``out_trade_no``, as at WeChat Pay."""
        return f"SIM{payment.out_trade_no}"

    def payment_notification(
        self, payment: Payment, *, at: dt.datetime | None = None
    ) -> tuple[dict[str, str], bytes]:
        """A signed ``TRANSACTION.SUCCESS`` notification for ``payment``."""
        at = at or ktime.now()
        resource = notify_v3.transaction_resource(
            app_id=self.app_id,
            merchant_id=self.merchant_id,
            out_trade_no=payment.out_trade_no,
            transaction_id=self.transaction_id(payment),
            amount_fen=payment.amount_fen,
            success_time=at,
        )
        return notify_v3.build(
            keys=self.keys(), event_type="TRANSACTION.SUCCESS", resource=resource, at=at
        )
