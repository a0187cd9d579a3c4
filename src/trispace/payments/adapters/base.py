"""The one small interface every payment provider adapter has.

An adapter translates between our ``Payment``/``Refund`` rows and one provider. It never
changes our tables: the services do, whatever the provider (so ``offline``, ``simulated`` and
``wechatpay`` share every rule about states, the ledger and events).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    from trispace.payments.models import Payment, Refund

NoticeKind = Literal["payment", "refund"]


class ProviderError(Exception):
    """The provider refused a request or could not be reached (nothing is known to have changed
    there unless the adapter says so)."""


class NoticeInvalid(Exception):
    """A notification failed verification (signature, key serial, freshness, decryption, form).

    ``reason`` is a short English phrase for logs and the provider's retry dashboard.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class StartResult:
    """What the payer does next.

    * ``redirect``: open ``redirect_url`` (the simulated cashier);
    * ``jsapi``: call ``wx.requestPayment(params)`` in WeChat (JSAPI / mini-program);
    * ``instructions``: show ``instructions`` (offline: pay at the counter or by transfer).
    """

    action: Literal["redirect", "jsapi", "instructions"]
    redirect_url: str = ""
    params: Mapping[str, str] = field(default_factory=dict)
    instructions: str = ""
    prepay_id: str = ""


@dataclass(frozen=True)
class Notice:
    """A verified, decrypted provider notification in our words.

    ``amount_fen`` is the captured amount for a payment and the refunded amount for a refund
    (``total_fen`` is then the payment's total, when the provider says it). ``status`` keeps the
    provider's word (WeChat: ``SUCCESS``, ``CLOSED``, ``ABNORMAL``, ``PAYERROR`` …).
    """

    event_id: str
    out_trade_no: str
    provider_txn_id: str
    amount_fen: int
    app_id: str
    merchant_id: str
    kind: NoticeKind
    status: str
    occurred_at: dt.datetime | None
    out_refund_no: str = ""
    provider_refund_id: str = ""
    total_fen: int | None = None
    currency: str = "CNY"

    @property
    def succeeded(self) -> bool:
        return self.status == "SUCCESS"


@dataclass(frozen=True)
class RefundResult:
    """``succeeded`` now (offline, simulated), ``processing`` (wait for the provider's
    notification) or ``failed`` (refused; ``message`` says why)."""

    status: Literal["succeeded", "processing", "failed"]
    provider_refund_id: str = ""
    message: str = ""


class PaymentAdapter(Protocol):
    name: str

    @property
    def merchant_id(self) -> str:
        """Our merchant account at the provider (blank when there is none)."""

    @property
    def app_id(self) -> str:
        """The app the payer pays in (blank when there is none)."""

    def is_configured(self) -> bool:
        """Whether this installation can use the provider (keys and ids are present)."""

    def start(self, payment: Payment, *, payer_openid: str = "") -> StartResult:
        """Ask the provider to expect ``payment``; raise ``ProviderError`` when it refuses."""

    def parse_notification(self, headers: Mapping[str, str], body: bytes) -> Notice:
        """Verify and decode a notification; raise ``NoticeInvalid`` when it is not genuine."""

    def refund(self, refund: Refund) -> RefundResult:
        """Ask the provider to pay ``refund`` back; raise ``ProviderError`` when unreachable."""

    def close(self, payment: Payment) -> None:
        """Tell the provider to stop accepting ``payment`` (best effort; never raises)."""
