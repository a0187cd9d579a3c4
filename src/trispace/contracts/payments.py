"""Events published by ``payments`` (支付与退款)."""

from __future__ import annotations

import dataclasses

from trispace.kernel.events import Event


@dataclasses.dataclass(frozen=True, kw_only=True)
class PaymentSucceeded(Event):
    """The money of a payment was captured (once per payment)."""

    payment_id: int
    source_type: str  # what was paid for, e.g. "order" (opaque to payments)
    source_id: int
    amount_fen: int
    provider: str  # "offline", "simulated", "wechatpay"


@dataclasses.dataclass(frozen=True, kw_only=True)
class RefundSucceeded(Event):
    """Money went back to the payer (once per refund).

    ``source_*`` is what asked for the refund (e.g. an after-sale request); ``payment_source_*``
    is what the refunded payment paid for (e.g. the order).
    """

    refund_id: int
    payment_id: int
    source_type: str
    source_id: int
    amount_fen: int
    payment_source_type: str = ""
    payment_source_id: int = 0


@dataclasses.dataclass(frozen=True, kw_only=True)
class RefundFailed(Event):
    """The provider refused or abandoned a refund; nothing was paid back."""

    refund_id: int
    payment_id: int
    source_type: str
    source_id: int
    amount_fen: int
    reason: str = ""
    payment_source_type: str = ""
    payment_source_id: int = 0
