"""Events published by ``orders`` (订单).

Lines travel as tuples of plain dicts (JSON-safe through the outbox):

* ``OrderPlaced`` / ``OrderPaid``: ``{"line_id", "variant_id", "quantity", "paid_fen"}``;
* ``OrderRefunded``: ``{"line_id", "variant_id", "quantity", "amount_fen"}`` — the exact fen
  refunded on each line by this refund (shipping, when refunded, is ``shipping_fen`` apart).

The attribution snapshot (group, leader, promoter, salesperson, live session, campaign, share
token) rides on ``OrderPlaced`` and ``OrderPaid`` so distribution can accrue without a read.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from trispace.kernel.events import Event


@dataclasses.dataclass(frozen=True, kw_only=True)
class OrderPlaced(Event):
    order_id: int
    number: str
    buyer_id: int
    store_id: int
    channel: str
    fulfilment: str
    subtotal_fen: int
    discount_fen: int
    shipping_fen: int
    total_fen: int
    lines: tuple[dict[str, Any], ...] = ()
    group_id: int | None = None
    leader_id: int | None = None
    promoter_id: int | None = None
    salesperson_id: int | None = None
    live_session_id: int | None = None
    campaign_id: int | None = None
    share_token: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class OrderPaid(Event):
    order_id: int
    number: str
    buyer_id: int
    store_id: int
    channel: str
    total_fen: int
    payment_id: int | None
    paid_at: dt.datetime
    lines: tuple[dict[str, Any], ...] = ()
    group_id: int | None = None
    leader_id: int | None = None
    promoter_id: int | None = None
    salesperson_id: int | None = None
    live_session_id: int | None = None
    campaign_id: int | None = None
    share_token: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class OrderReadyForPickup(Event):
    order_id: int
    buyer_id: int
    store_id: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class OrderShipped(Event):
    order_id: int
    buyer_id: int
    store_id: int
    tracking_no: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class OrderCompleted(Event):
    order_id: int
    buyer_id: int
    store_id: int
    completed_at: dt.datetime
    via: str  # "pickup", "receipt" (the buyer confirmed), "auto" (confirmed after N days)


@dataclasses.dataclass(frozen=True, kw_only=True)
class OrderCancelled(Event):
    order_id: int
    buyer_id: int
    store_id: int
    reason: str
    by: str  # "buyer" or "timeout"


@dataclasses.dataclass(frozen=True, kw_only=True)
class OrderRefunded(Event):
    order_id: int
    aftersale_id: int
    refund_id: int | None
    buyer_id: int
    store_id: int
    amount_fen: int  # lines + shipping
    shipping_fen: int
    lines: tuple[dict[str, Any], ...] = ()
    handed_over: bool = False  # the goods had left the store: no stock returned
    fully_refunded: bool = False  # every unit of the order is now refunded


@dataclasses.dataclass(frozen=True, kw_only=True)
class OrderClosed(Event):
    order_id: int
    buyer_id: int
    store_id: int
    total_fen: int
    refunded_fen: int
    closed_at: dt.datetime
