"""Getting the goods to the buyer: ready for pickup, pickup verification (核销), shipping,
receipt, and closing an order after its after-sale window.

Handover (a verified pickup, or shipping) commits the stock the order holds: the units not
refunded leave the shelf (inventory ``commit``, once per order). Units refunded before handover
went back on sale when their refund succeeded (``aftersales``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef

from trispace.accounts import phones
from trispace.contracts.orders import (
    OrderClosed,
    OrderCompleted,
    OrderReadyForPickup,
    OrderShipped,
)
from trispace.inventory import selectors as inventory_selectors
from trispace.inventory import services as inventory
from trispace.kernel import audit
from trispace.kernel import errors as kernel_errors
from trispace.kernel import time as ktime
from trispace.kernel.errors import DomainError
from trispace.kernel.transitions import transition
from trispace.network.models import Organization
from trispace.orders import errors, selectors, tokens
from trispace.orders.models import AfterSale, Fulfilment, Order
from trispace.orders.services._common import (
    lock_order,
    reference,
    require_buyer,
    require_seller,
)
from trispace.orders.states import (
    AWAITING_PICKUP,
    OPEN_AFTERSALE_STATUSES,
    OPEN_STATUSES,
    ORDER_STATES,
    OrderStatus,
)

CHUNK = 200
_CODE = re.compile(r"[0-9]{6}")
_TRACKING = re.compile(r"[A-Za-z0-9-]{4,40}")
_TAIL = re.compile(r"[0-9]{4}")


# --- pickup ---------------------------------------------------------------------------------
def order_mark_ready(*, actor: Any, order: Order) -> Order:
    """The store has packed a paid pickup order: the buyer may come (a notice goes out)."""
    require_seller(actor, order.store)
    if order.fulfilment != Fulfilment.PICKUP:
        raise errors.TRANSITION_NOT_ALLOWED(field="fulfilment")
    with transaction.atomic():
        transition(
            order,
            machine=ORDER_STATES,
            to=OrderStatus.READY_FOR_PICKUP,
            actor=actor,
            updates={"ready_at": ktime.now()},
            event=OrderReadyForPickup(
                order_id=order.pk, buyer_id=order.buyer_id, store_id=order.store_id
            ),
        )
        audit.record(actor=actor, action="order_mark_ready", target=order)
    return order


def pickup_verify(
    *,
    actor: Any,
    store: Organization,
    code: str | None = None,
    qr_token: str | None = None,
    order_id: int | None = None,
) -> Order:
    """The store verifies a pickup by the 6-digit code, the QR token, or an order chosen from
    the phone-tail candidates; the order is completed and its stock leaves the shelf.

    Verifying the same order twice — even at the same moment — completes it once; the second
    gets ALREADY_PICKED_UP.
    """
    require_seller(actor, store)
    given = [v for v in (code, qr_token, order_id) if v not in (None, "")]
    if len(given) != 1:
        raise errors.INVALID(field="code")
    order: Order | None
    if code not in (None, ""):
        text = str(code).strip()
        if not _CODE.fullmatch(text):
            raise errors.PICKUP_CODE_INVALID(field="code")
        order = Order.objects.filter(
            store=store, pickup_code=text, status__in=OPEN_STATUSES
        ).first()
        field = "code"
    else:
        if qr_token not in (None, ""):
            pk = tokens.order_id_from_token(str(qr_token))
            field = "qr_token"
        else:
            pk = order_id if isinstance(order_id, int) and not isinstance(order_id, bool) else None
            field = "order_id"
        order = Order.objects.filter(pk=pk, store=store).first() if pk else None
    if order is None or order.fulfilment != Fulfilment.PICKUP:
        raise errors.PICKUP_CODE_INVALID(field=field)
    if order.status == OrderStatus.PENDING_PAYMENT:
        raise errors.PICKUP_NOT_PAID(field=field)
    if order.status not in AWAITING_PICKUP:
        raise errors.ALREADY_PICKED_UP(field=field)
    order.store = store
    return _hand_over(actor=actor, order=order, to=OrderStatus.COMPLETED, via="pickup")


def _hand_over(
    *,
    actor: Any,
    order: Order,
    to: str,
    via: str,
    updates: dict[str, Any] | None = None,
    event: Any = None,
) -> Order:
    """Move ``order`` to ``to`` (completed after a pickup, shipped) and commit its stock."""
    now = ktime.now()
    values = dict(updates or {})
    if to == OrderStatus.COMPLETED:
        policy = selectors.current_policy(now)
        values.update(completed_at=now, closes_at=now + policy.aftersale_window)
        event = OrderCompleted(
            order_id=order.pk,
            buyer_id=order.buyer_id,
            store_id=order.store_id,
            completed_at=now,
            via=via,
        )
    with transaction.atomic():
        try:
            transition(
                order,
                machine=ORDER_STATES,
                to=to,
                actor=actor,
                reason=via,
                updates=values,
                event=event,
            )
        except DomainError as exc:
            if exc.error in (kernel_errors.CONFLICT, kernel_errors.TRANSITION_NOT_ALLOWED):
                raise errors.ALREADY_PICKED_UP() from exc
            raise
        # Read after the compare-and-set holds the row: refunds settled before are included,
        # and their units were released from the reservation when they were refunded.
        lines = list(order.lines.values_list("variant_id", "quantity", "refunded_quantity"))
        handed = [(v, q - r) for v, q, r in lines if q - r > 0]
        if handed:
            inventory.commit(
                actor=actor,
                location=inventory_selectors.location_for_store(order.store),
                lines=handed,
                reference=reference(order),
            )
        audit.record(actor=actor, action=f"order_{via}", target=order)
    return order


@dataclass(frozen=True)
class PickupCandidate:
    """An order waiting at the store, as shown to staff who look a buyer up by phone tail."""

    order_id: int
    number: str
    status: str
    buyer: str  # masked name
    phone: str  # masked phone
    summary: str  # "商品A 500ml × 2, 商品B × 1"
    total_fen: int
    created_at: dt.datetime


MAX_CANDIDATES = 20


def pickup_candidates(*, actor: Any, store: Organization, phone_tail: str) -> list[PickupCandidate]:
    """Orders waiting for pickup at ``store`` whose buyer's phone ends with ``phone_tail``
    (4 digits), with masked names and phones. Looking people up is audited."""
    require_seller(actor, store)
    tail = phone_tail.strip() if isinstance(phone_tail, str) else ""
    if not _TAIL.fullmatch(tail):
        raise errors.INVALID(field="phone_tail")
    orders = list(
        Order.objects.filter(
            store=store,
            fulfilment=Fulfilment.PICKUP,
            status__in=AWAITING_PICKUP,
            buyer__phone__endswith=tail,
        )
        .select_related("buyer")
        .prefetch_related("lines")
        .order_by("created_at", "pk")[:MAX_CANDIDATES]
    )
    audit.record(
        actor=actor,
        action="pickup_candidates",
        target=store,
        data={"phone_tail": tail, "found": len(orders)},
    )
    return [
        PickupCandidate(
            order_id=o.pk,
            number=o.number,
            status=o.status,
            buyer=mask_name(getattr(o.buyer, "name", "") or ""),
            phone=phones.mask(getattr(o.buyer, "phone", "") or ""),
            summary=", ".join(
                f"{line.product_name} {line.variant_name} × {line.quantity}".replace("  ", " ")
                for line in o.lines.all()
            )[:200],
            total_fen=o.total_fen,
            created_at=o.created_at,
        )
        for o in orders
    ]


def mask_name(name: str) -> str:
    """ "张三丰" → "张**": the first character only."""
    text = name.strip()
    if not text:
        return ""
    return text[0] + "*" * max(1, len(text) - 1)


# --- delivery -------------------------------------------------------------------------------
def order_ship(*, actor: Any, order: Order, tracking_no: str) -> Order:
    """The seller ships a paid delivery order with its tracking number."""
    require_seller(actor, order.store)
    text = tracking_no.strip() if isinstance(tracking_no, str) else ""
    if not _TRACKING.fullmatch(text):
        raise errors.TRACKING_INVALID(field="tracking_no")
    if order.fulfilment != Fulfilment.DELIVERY:
        raise errors.TRANSITION_NOT_ALLOWED(field="fulfilment")
    if order.status != OrderStatus.PAID:
        raise errors.TRANSITION_NOT_ALLOWED(field="status")
    now = ktime.now()
    policy = selectors.current_policy(now)
    try:
        return _hand_over(
            actor=actor,
            order=order,
            to=OrderStatus.SHIPPED,
            via="ship",
            updates={
                "shipped_at": now,
                "tracking_no": text,
                "confirm_due_at": now + policy.auto_confirm,
            },
            event=OrderShipped(
                order_id=order.pk,
                buyer_id=order.buyer_id,
                store_id=order.store_id,
                tracking_no=text,
            ),
        )
    except DomainError as exc:
        if exc.error is errors.ALREADY_PICKED_UP:
            raise errors.TRANSITION_NOT_ALLOWED(field="status") from exc
        raise


def order_confirm_receipt(*, actor: Any, order: Order) -> Order:
    """The buyer confirms a shipped order arrived."""
    require_buyer(actor, order)
    return _complete_shipped(actor=actor, order=order, via="receipt")


def _complete_shipped(*, actor: Any, order: Order, via: str) -> Order:
    if order.status != OrderStatus.SHIPPED:
        raise errors.TRANSITION_NOT_ALLOWED(field="status")
    now = ktime.now()
    policy = selectors.current_policy(now)
    with transaction.atomic():
        transition(
            order,
            machine=ORDER_STATES,
            to=OrderStatus.COMPLETED,
            actor=actor,
            reason=via,
            updates={"completed_at": now, "closes_at": now + policy.aftersale_window},
            event=OrderCompleted(
                order_id=order.pk,
                buyer_id=order.buyer_id,
                store_id=order.store_id,
                completed_at=now,
                via=via,
            ),
        )
        audit.record(actor=actor, action=f"order_confirm_{via}", target=order)
    return order


def orders_auto_confirm(*, chunk: int = CHUNK) -> int:
    """Complete shipped orders whose buyer did not confirm within N days; returns how many."""
    moment = ktime.now()
    done = 0
    last_pk = 0
    while True:
        due = list(
            Order.objects.filter(
                status=OrderStatus.SHIPPED, confirm_due_at__lte=moment, pk__gt=last_pk
            ).order_by("pk")[:chunk]
        )
        if not due:
            return done
        for order in due:
            last_pk = order.pk
            try:
                _complete_shipped(actor=None, order=order, via="auto")
            except DomainError:
                continue
            done += 1


# --- closing --------------------------------------------------------------------------------
def _open_aftersale() -> Exists:
    return Exists(
        AfterSale.objects.filter(order=OuterRef("pk"), status__in=OPEN_AFTERSALE_STATUSES)
    )


def order_close(*, actor: Any, order: Order) -> Order:
    """Close a completed order whose after-sale window has passed and that has no open
    after-sale (commissions unfreeze on ``OrderClosed``)."""
    with transaction.atomic():
        order = lock_order(order)
        now = ktime.now()
        if order.status != OrderStatus.COMPLETED:
            raise errors.TRANSITION_NOT_ALLOWED(field="status")
        if order.closes_at is None or order.closes_at > now:
            raise errors.TRANSITION_NOT_ALLOWED(field="closes_at")
        if AfterSale.objects.filter(order=order, status__in=OPEN_AFTERSALE_STATUSES).exists():
            raise errors.TRANSITION_NOT_ALLOWED(field="aftersales")
        transition(
            order,
            machine=ORDER_STATES,
            to=OrderStatus.CLOSED,
            actor=actor,
            reason="after-sale window over",
            updates={"closed_at": now},
            event=OrderClosed(
                order_id=order.pk,
                buyer_id=order.buyer_id,
                store_id=order.store_id,
                total_fen=order.total_fen,
                refunded_fen=order.refunded_fen,
                closed_at=now,
            ),
        )
        audit.record(actor=actor, action="order_close", target=order)
    return order


def orders_close_due(*, chunk: int = CHUNK) -> int:
    """Close every completed order past its after-sale window without an open after-sale."""
    moment = ktime.now()
    closed = 0
    last_pk = 0
    while True:
        due = list(
            Order.objects.filter(
                status=OrderStatus.COMPLETED, closes_at__lte=moment, pk__gt=last_pk
            )
            .filter(~_open_aftersale())
            .order_by("pk")[:chunk]
        )
        if not due:
            return closed
        for order in due:
            last_pk = order.pk
            try:
                order_close(actor=None, order=order)
            except DomainError:
                continue
            closed += 1
