"""After-sales (售后): a refund request for the whole order or some units of some lines →
approved or rejected by the seller → refunded through payments → stock returned when the goods
had not been handed over → ``OrderRefunded`` with the exact fen per line.

What a request holds is counted on the lines (``pending_*``) under the order's row lock and
guarded by CHECK constraints, so requests made at the same moment can never together claim
more than was paid. Amounts follow ``calculations.refund_amount``: refunding every unit of a
line, in any number of requests, returns exactly its ``paid_fen``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import F

from trispace.contracts.orders import OrderRefunded
from trispace.inventory import selectors as inventory_selectors
from trispace.inventory import services as inventory
from trispace.kernel import audit, outbox
from trispace.kernel import time as ktime
from trispace.kernel.transitions import transition
from trispace.orders import calculations, errors
from trispace.orders.models import AfterSale, AfterSaleLine, Order, OrderLine
from trispace.orders.services._common import (
    clean_quantity,
    clean_reason,
    lock_order,
    reference,
    require_buyer,
    require_seller,
)
from trispace.orders.states import (
    AFTERSALE_STATES,
    AWAITING_HANDOVER,
    ORDER_STATES,
    REFUNDABLE_STATUSES,
    AfterSaleStatus,
    OrderStatus,
)
from trispace.payments import services as payments
from trispace.payments.models import Payment

log = logging.getLogger("trispace.orders")

SOURCE_TYPE = "aftersale"


def refund_key(aftersale: AfterSale) -> str:
    """The idempotency key of an after-sale's refund at payments: one refund per request."""
    return f"aftersale:{aftersale.pk}:refund"


def aftersale_stock_key(order: Order, aftersale: AfterSale) -> str:
    """The key of the release of an after-sale's units from the order's reservation."""
    return f"{reference(order)}:aftersale:{aftersale.pk}"


def _clean_request(lines: Any) -> dict[int, int]:
    items: Iterable[Any] = lines.items() if isinstance(lines, Mapping) else lines
    wanted: dict[int, int] = {}
    try:
        pairs = list(items)
    except TypeError as exc:
        raise errors.INVALID(field="lines") from exc
    for pair in pairs:
        try:
            line_id, quantity = pair
        except (TypeError, ValueError) as exc:
            raise errors.INVALID(field="lines") from exc
        if isinstance(line_id, bool) or not isinstance(line_id, int):
            raise errors.NOT_FOUND(field="lines")
        clean_quantity(quantity, field="lines")
        wanted[line_id] = wanted.get(line_id, 0) + quantity
    if not wanted:
        raise errors.AFTERSALE_EMPTY(field="lines")
    return wanted


def _refundable(line: OrderLine) -> calculations.RefundableLine:
    return calculations.RefundableLine(
        line_id=line.pk,
        quantity=line.quantity,
        paid_fen=line.paid_fen,
        claimed_quantity=line.pending_quantity + line.refunded_quantity,
        claimed_fen=line.pending_fen + line.refunded_fen,
    )


def aftersale_request(*, actor: Any, order: Order, lines: Any = None, reason: str) -> AfterSale:
    """The buyer asks for a refund of ``lines`` (``[(line_id, quantity)]``), or of everything
    still refundable when ``lines`` is None. Shipping is refunded with the last units of an
    order that was not handed over yet."""
    require_buyer(actor, order)
    text = clean_reason(reason)
    wanted = None if lines is None else _clean_request(lines)
    with transaction.atomic():
        order = lock_order(order)
        now = ktime.now()
        if order.status not in REFUNDABLE_STATUSES:
            raise errors.AFTERSALE_NOT_ALLOWED(field="status")
        if order.status == OrderStatus.COMPLETED and (
            order.closes_at is None or order.closes_at <= now
        ):
            raise errors.AFTERSALE_WINDOW_CLOSED()
        order_lines = list(OrderLine.objects.filter(order=order).order_by("pk"))
        refundable = [_refundable(line) for line in order_lines]
        try:
            parts = calculations.refund_plan(refundable, wanted)
        except KeyError as exc:
            raise errors.NOT_FOUND(field="lines") from exc
        except calculations.ExceedsRefundable as exc:
            raise errors.AFTERSALE_QUANTITY_EXCEEDED(
                field="lines", line_id=exc.line_id, available=exc.available
            ) from exc
        if not parts:
            raise errors.AFTERSALE_EMPTY(field="lines")
        shipping = 0
        if (
            order.shipping_fen
            and order.status in AWAITING_HANDOVER
            and calculations.fully_claimed_after(refundable, parts)
            and not AfterSale.objects.filter(order=order, shipping_fen__gt=0)
            .exclude(status__in=(AfterSaleStatus.REJECTED, AfterSaleStatus.FAILED))
            .exists()
        ):
            shipping = order.shipping_fen
        aftersale = AfterSale.objects.create(
            order=order,
            reason=text,
            amount_fen=sum(p.amount_fen for p in parts) + shipping,
            shipping_fen=shipping,
            requested_by_id=actor.pk,
            created_at=now,
        )
        AfterSaleLine.objects.bulk_create(
            [
                AfterSaleLine(
                    aftersale=aftersale,
                    order_line_id=p.line_id,
                    quantity=p.quantity,
                    amount_fen=p.amount_fen,
                )
                for p in parts
            ]
        )
        for p in parts:
            OrderLine.objects.filter(pk=p.line_id).update(
                pending_quantity=F("pending_quantity") + p.quantity,
                pending_fen=F("pending_fen") + p.amount_fen,
            )
        audit.record(
            actor=actor,
            action="aftersale_request",
            target=aftersale,
            reason=text,
            data={
                "order_id": order.pk,
                "amount_fen": aftersale.amount_fen,
                "lines": [[p.line_id, p.quantity, p.amount_fen] for p in parts],
            },
        )
    return aftersale


def _give_back(aftersale: AfterSale) -> None:
    """Return an after-sale's pending quantities to its lines (rejected, or refund failed)."""
    for line_id, qty, amount in aftersale.lines.values_list(
        "order_line_id", "quantity", "amount_fen"
    ):
        OrderLine.objects.filter(pk=line_id).update(
            pending_quantity=F("pending_quantity") - qty,
            pending_fen=F("pending_fen") - amount,
        )


def aftersale_reject(*, actor: Any, aftersale: AfterSale, reason: str) -> AfterSale:
    """The seller refuses the request, saying why; the units may be requested again."""
    require_seller(actor, aftersale.order.store)
    text = clean_reason(reason)
    with transaction.atomic():
        lock_order(aftersale.order)
        transition(
            aftersale,
            machine=AFTERSALE_STATES,
            to=AfterSaleStatus.REJECTED,
            actor=actor,
            reason=text,
            updates={
                "decided_at": ktime.now(),
                "decided_by_id": getattr(actor, "pk", None),
                "decision_note": text,
            },
        )
        _give_back(aftersale)
        audit.record(actor=actor, action="aftersale_reject", target=aftersale, reason=text)
    return aftersale


def aftersale_approve(*, actor: Any, aftersale: AfterSale, note: str = "") -> AfterSale:
    """The seller approves the request and the refund starts at payments.

    Three steps, so that a provider that cannot be reached never loses a refund: the approval
    commits; ``payments.refund_start`` records the refund (key ``aftersale:<id>:refund``) and
    asks the provider; the after-sale moves to ``refunding``. Calling this again on an
    approved after-sale (the provider was down) retries with the same refund.
    """
    order = aftersale.order
    require_seller(actor, order.store)
    text = clean_reason(note, required=False, field="note")
    if aftersale.status == AfterSaleStatus.REQUESTED:
        with transaction.atomic():
            lock_order(order)
            transition(
                aftersale,
                machine=AFTERSALE_STATES,
                to=AfterSaleStatus.APPROVED,
                actor=actor,
                reason=text,
                updates={
                    "decided_at": ktime.now(),
                    "decided_by_id": getattr(actor, "pk", None),
                    "decision_note": text,
                },
            )
            audit.record(actor=actor, action="aftersale_approve", target=aftersale, reason=text)
    elif aftersale.status != AfterSaleStatus.APPROVED:
        raise errors.TRANSITION_NOT_ALLOWED(field="status")
    if aftersale.amount_fen == 0:  # a fully discounted line: nothing to pay back
        aftersale_refund_succeeded(actor=actor, aftersale_id=aftersale.pk, refund_id=None)
        aftersale.refresh_from_db()
        return aftersale
    if order.payment_id is None:
        raise errors.AFTERSALE_NOT_ALLOWED(field="payment")
    refund = payments.refund_start(
        actor=actor,
        payment=Payment.objects.get(pk=order.payment_id),
        amount_fen=aftersale.amount_fen,
        reason=f"after-sale {aftersale.pk}: {aftersale.reason}"[:80],
        source_type=SOURCE_TYPE,
        source_id=aftersale.pk,
        key=refund_key(aftersale),
    )
    with transaction.atomic():
        current = AfterSale.objects.select_for_update().get(pk=aftersale.pk)
        if current.status == AfterSaleStatus.APPROVED:
            transition(
                current,
                machine=AFTERSALE_STATES,
                to=AfterSaleStatus.REFUNDING,
                actor=actor,
                reason=f"refund {refund.pk}",
                updates={"refund_id": refund.pk},
            )
        elif current.refund_id is None:
            AfterSale.objects.filter(pk=current.pk).update(refund_id=refund.pk)
    aftersale.refresh_from_db()
    return aftersale


def aftersale_refund_succeeded(
    *, actor: Any, aftersale_id: int, refund_id: int | None
) -> AfterSale | None:
    """Payments paid the after-sale back: move its units from pending to refunded, put them back
    on sale at once when the goods never left the store, publish ``OrderRefunded``; once every
    unit of the order is refunded, the order ends ``refunded``. A repeated event changes
    nothing."""
    with transaction.atomic():
        found = AfterSale.objects.select_related("order").filter(pk=aftersale_id).first()
        if found is None:
            log.error("refund %s succeeded for unknown after-sale %s", refund_id, aftersale_id)
            return None
        order = lock_order(found.order)
        aftersale = AfterSale.objects.get(pk=aftersale_id)
        if aftersale.status == AfterSaleStatus.REFUNDED:
            return aftersale
        now = ktime.now()
        transition(
            aftersale,
            machine=AFTERSALE_STATES,
            to=AfterSaleStatus.REFUNDED,
            actor=actor,
            reason=f"refund {refund_id}" if refund_id else "nothing to pay back",
            updates={"refunded_at": now, "refund_id": refund_id or aftersale.refund_id},
        )
        parts = list(aftersale.lines.select_related("order_line").order_by("pk"))
        for part in parts:
            OrderLine.objects.filter(pk=part.order_line_id).update(
                pending_quantity=F("pending_quantity") - part.quantity,
                pending_fen=F("pending_fen") - part.amount_fen,
                refunded_quantity=F("refunded_quantity") + part.quantity,
                refunded_fen=F("refunded_fen") + part.amount_fen,
            )
        Order.objects.filter(pk=order.pk).update(
            refunded_fen=F("refunded_fen") + aftersale.amount_fen
        )
        lines = list(
            OrderLine.objects.filter(order=order).values_list(
                "variant_id", "quantity", "refunded_quantity"
            )
        )
        fully = all(refunded == quantity for _, quantity, refunded in lines)
        handed_over = order.status not in AWAITING_HANDOVER
        returned = [(part.order_line.variant_id, part.quantity) for part in parts if part.quantity]
        if returned and not handed_over:
            # The goods never left the store: the refunded units go back on sale now, released
            # from the order's reservation under this after-sale's own key (one release each).
            inventory.release(
                actor=actor,
                location=inventory_selectors.location_for_store(order.store),
                lines=returned,
                reference=reference(order),
                key=aftersale_stock_key(order, aftersale),
            )
        if fully:
            transition(
                order,
                machine=ORDER_STATES,
                to=OrderStatus.REFUNDED,
                actor=actor,
                reason=f"after-sale {aftersale.pk}: everything refunded",
            )
        outbox.publish(
            OrderRefunded(
                order_id=order.pk,
                aftersale_id=aftersale.pk,
                refund_id=refund_id,
                buyer_id=order.buyer_id,
                store_id=order.store_id,
                amount_fen=aftersale.amount_fen,
                shipping_fen=aftersale.shipping_fen,
                lines=tuple(
                    {
                        "line_id": part.order_line_id,
                        "variant_id": part.order_line.variant_id,
                        "quantity": part.quantity,
                        "amount_fen": part.amount_fen,
                    }
                    for part in parts
                ),
                handed_over=handed_over,
                fully_refunded=fully,
            )
        )
        audit.record(
            actor=actor,
            action="aftersale_refunded",
            target=aftersale,
            data={"refund_id": refund_id, "amount_fen": aftersale.amount_fen},
        )
    return aftersale


def aftersale_refund_failed(
    *, actor: Any, aftersale_id: int, refund_id: int | None, reason: str = ""
) -> AfterSale | None:
    """The provider refused the refund: the after-sale fails and its units may be requested
    again. A repeated event changes nothing."""
    with transaction.atomic():
        found = AfterSale.objects.select_related("order").filter(pk=aftersale_id).first()
        if found is None:
            return None
        lock_order(found.order)
        aftersale = AfterSale.objects.get(pk=aftersale_id)
        if aftersale.status not in (AfterSaleStatus.APPROVED, AfterSaleStatus.REFUNDING):
            return aftersale
        transition(
            aftersale,
            machine=AFTERSALE_STATES,
            to=AfterSaleStatus.FAILED,
            actor=actor,
            reason=(reason or "refund failed")[:255],
            updates={"refund_id": refund_id or aftersale.refund_id},
        )
        _give_back(aftersale)
        audit.record(
            actor=actor, action="aftersale_refund_failed", target=aftersale, reason=reason[:255]
        )
    return aftersale
