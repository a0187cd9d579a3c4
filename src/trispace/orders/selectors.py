"""Reads of orders, with the caller's scope applied here (never in the views).

Querysets come back ordered and unevaluated so the API and the pages can paginate them; an
order outside the caller's reach is NOT_FOUND, whether it exists or not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from trispace.catalog import pricing
from trispace.catalog import selectors as catalog_selectors
from trispace.catalog.permissions import brand_id_of_path
from trispace.catalog.states import ProductStatus
from trispace.kernel import time as ktime
from trispace.kernel.audit import target_label
from trispace.kernel.models import AuditLog, StateChange
from trispace.network.models import Organization, OrgKind
from trispace.network.scoping import Scope
from trispace.network.states import OrgStatus
from trispace.orders import calculations, errors, permissions
from trispace.orders.models import (
    AfterSale,
    AfterSaleLine,
    Cart,
    CartLine,
    Order,
    OrderChannel,
    OrderLine,
    OrderPolicy,
)
from trispace.orders.states import AWAITING_PICKUP, OrderStatus
from trispace.payments.models import Payment, Refund


# --- the policy -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Policy:
    unpaid_timeout: dt.timedelta = dt.timedelta(minutes=15)
    auto_confirm: dt.timedelta = dt.timedelta(days=7)
    aftersale_window: dt.timedelta = dt.timedelta(days=7)
    delivery_fee_fen: int = 0
    free_delivery_from_fen: int | None = None
    version_id: int | None = None


DEFAULT_POLICY = Policy()


def current_policy(at: dt.datetime | None = None) -> Policy:
    """The order policy in effect at ``at`` (default now): the latest version, else defaults."""
    moment = at or ktime.now()
    row = (
        OrderPolicy.objects.filter(effective_from__lte=moment)
        .order_by("-effective_from", "-pk")
        .first()
    )
    if row is None:
        return DEFAULT_POLICY
    return Policy(
        unpaid_timeout=dt.timedelta(minutes=row.unpaid_timeout_minutes),
        auto_confirm=dt.timedelta(days=row.auto_confirm_days),
        aftersale_window=dt.timedelta(days=row.aftersale_window_days),
        delivery_fee_fen=row.delivery_fee_fen,
        free_delivery_from_fen=row.free_delivery_from_fen,
        version_id=row.pk,
    )


# --- stores ---------------------------------------------------------------------------------
def selling_store(store_id: Any) -> Organization:
    """An active store that takes orders, or STORE_UNAVAILABLE / NOT_FOUND."""
    try:
        key = int(store_id)
    except (TypeError, ValueError) as exc:
        raise errors.NOT_FOUND(field="store_id") from exc
    store = Organization.objects.filter(pk=key, kind=OrgKind.STORE).first()
    if store is None:
        raise errors.NOT_FOUND(field="store_id")
    if store.status != OrgStatus.ACTIVE:
        raise errors.STORE_UNAVAILABLE(field="store_id")
    return store


def staff_store(*, scope: Scope, store_id: Any) -> Organization:
    """A store the staff scope may see (404 otherwise)."""
    try:
        key = int(store_id)
    except (TypeError, ValueError) as exc:
        raise errors.NOT_FOUND(field="store_id") from exc
    store = Organization.objects.filter(pk=key, kind=OrgKind.STORE).first()
    if store is None or not permissions.can_view_store(scope, store):
        raise errors.NOT_FOUND(field="store_id")
    return store


# --- orders ---------------------------------------------------------------------------------
def _with_lines(qs: QuerySet[Order]) -> QuerySet[Order]:
    return qs.select_related("store", "buyer").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("pk"))
    )


def _key(pk: Any) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError) as exc:
        raise errors.NOT_FOUND() from exc


def buyer_orders(*, user: Any, status: str | None = None) -> QuerySet[Order]:
    """The buyer's own orders, newest first, with their lines."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Order.objects.none()
    qs = Order.objects.filter(buyer_id=user.pk)
    if status:
        qs = qs.filter(status=status)
    return _with_lines(qs).order_by("-created_at", "-pk")


def buyer_order_get(*, user: Any, pk: Any) -> Order:
    order = buyer_orders(user=user).filter(pk=_key(pk)).first()
    if order is None:
        raise errors.NOT_FOUND()
    return order


def staff_orders(
    *,
    scope: Scope,
    status: str | None = None,
    store: Organization | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    channel: str | None = None,
    fulfilment: str | None = None,
    q: str | None = None,
) -> QuerySet[Order]:
    """Orders of the stores the scope may see; dates are business days (Asia/Shanghai),
    inclusive, on when the order was placed."""
    qs = Order.objects.filter(permissions.staff_orders_q(scope))
    if status:
        qs = qs.filter(status=status)
    if store is not None:
        qs = qs.filter(store=store)
    if date_from is not None:
        qs = qs.filter(created_at__gte=ktime.day_bounds(date_from)[0])
    if date_to is not None:
        qs = qs.filter(created_at__lt=ktime.day_bounds(date_to)[1])
    if channel:
        qs = qs.filter(channel=channel)
    if fulfilment:
        qs = qs.filter(fulfilment=fulfilment)
    if q:
        text = q.strip()[:32]
        digits = "".join(ch for ch in text if ch.isdigit())
        match = Q(number__iexact=text)
        if 4 <= len(digits) == len(text) and len(digits) <= 11:
            match |= Q(buyer__phone__endswith=digits)
        qs = qs.filter(match)
    return _with_lines(qs).order_by("-created_at", "-pk")


def staff_order_get(*, scope: Scope, pk: Any) -> Order:
    order = staff_orders(scope=scope).filter(pk=_key(pk)).first()
    if order is None:
        raise errors.NOT_FOUND()
    return order


def todays_pickups(*, scope: Scope, store: Organization, day: dt.date | None = None) -> list[Order]:
    """Pickup orders of ``store`` still waiting (paid or ready), then those collected today."""
    if not permissions.can_view_store(scope, store):
        raise errors.NOT_FOUND()
    start, end = ktime.day_bounds(day or ktime.business_date())
    qs = Order.objects.filter(store=store, fulfilment="pickup").filter(
        Q(status__in=AWAITING_PICKUP)
        | Q(status=OrderStatus.COMPLETED, completed_at__gte=start, completed_at__lt=end)
    )
    rows = list(_with_lines(qs).order_by("created_at", "pk"))
    waiting = [o for o in rows if o.status in AWAITING_PICKUP]
    done = [o for o in rows if o.status not in AWAITING_PICKUP]
    return waiting + done


# --- payments of an order ------------------------------------------------------------------
# How an order is named at payments (``services.payment.SOURCE_TYPE``; not imported from there,
# since the services import this module).
PAYMENT_SOURCE = "order"


def order_payments(order: Order) -> QuerySet[Payment]:
    """The payments started for ``order`` (every status), oldest first, with their refunds
    (after-sale refunds and automatic returns) prefetched: two queries.

    ``order`` comes from a scoped selector (``staff_order_get``, ``buyer_order_get``); whoever
    may see the order may see how it was paid."""
    return (
        Payment.objects.filter(source_type=PAYMENT_SOURCE, source_id=order.pk)
        .prefetch_related(Prefetch("refunds", queryset=Refund.objects.order_by("created_at", "pk")))
        .order_by("created_at", "pk")
    )


# --- the timeline ---------------------------------------------------------------------------
@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    kind: str  # "status" or "action"
    actor_id: int | None
    title: str  # "paid → ready_for_pickup" or the audit action
    reason: str = ""
    data: dict[str, Any] = field(default_factory=dict)


def timeline(order: Order) -> list[TimelineEntry]:
    """Status changes and audited actions of an order and its after-sales, oldest first.

    Three queries, whatever the length of the history."""
    label = target_label(order)
    aftersale_ids = [
        str(pk) for pk in AfterSale.objects.filter(order=order).values_list("pk", flat=True)
    ]
    aftersale_label = target_label(AfterSale())
    target_q = Q(target_type=label, target_id=str(order.pk))
    if aftersale_ids:
        target_q |= Q(target_type=aftersale_label, target_id__in=aftersale_ids)
    entries = [
        TimelineEntry(
            at=row.at,
            kind="status",
            actor_id=row.actor_id,
            title=f"{row.from_status} → {row.to_status}"
            if row.target_type == label
            else f"after-sale {row.target_id}: {row.from_status} → {row.to_status}",
            reason=row.reason,
        )
        for row in StateChange.objects.filter(target_q)
    ]
    entries += [
        TimelineEntry(
            at=row.at,
            kind="action",
            actor_id=row.actor_id,
            title=row.action,
            reason=row.reason,
            data=row.data,
        )
        for row in AuditLog.objects.filter(target_q)
    ]
    return sorted(entries, key=lambda e: (e.at, e.kind != "action"))


# --- after-sales ----------------------------------------------------------------------------
def _aftersales(qs: QuerySet[AfterSale]) -> QuerySet[AfterSale]:
    return qs.select_related("order", "order__store", "requested_by").prefetch_related(
        Prefetch(
            "lines",
            queryset=AfterSaleLine.objects.select_related("order_line").order_by("pk"),
        )
    )


def buyer_aftersales(*, user: Any, order: Order | None = None) -> QuerySet[AfterSale]:
    if user is None or not getattr(user, "is_authenticated", False):
        return AfterSale.objects.none()
    qs = AfterSale.objects.filter(order__buyer_id=user.pk)
    if order is not None:
        qs = qs.filter(order=order)
    return _aftersales(qs).order_by("-created_at", "-pk")


def staff_aftersales(
    *, scope: Scope, status: str | None = None, store: Organization | None = None
) -> QuerySet[AfterSale]:
    qs = AfterSale.objects.filter(permissions.staff_orders_q(scope, "order__"))
    if status:
        qs = qs.filter(status=status)
    if store is not None:
        qs = qs.filter(order__store=store)
    return _aftersales(qs).order_by("-created_at", "-pk")


def staff_aftersale_get(*, scope: Scope, pk: Any) -> AfterSale:
    found = staff_aftersales(scope=scope).filter(pk=_key(pk)).first()
    if found is None:
        raise errors.NOT_FOUND()
    return found


# --- cart -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class CartItem:
    line_id: int
    variant_id: int
    product_id: int
    product_name: str
    variant_name: str
    sku: str
    unit: str
    quantity: int
    unit_price_fen: int | None  # None: not sold at this store now
    subtotal_fen: int

    @property
    def available(self) -> bool:
        return self.unit_price_fen is not None


@dataclass(frozen=True)
class CartView:
    store_id: int
    cart_id: int | None
    items: list[CartItem]
    channel: str
    subtotal_fen: int

    @property
    def count(self) -> int:
        return sum(item.quantity for item in self.items)


def cart_for(*, user: Any = None, session_key: str = "", store: Organization) -> Cart | None:
    if user is not None and getattr(user, "is_authenticated", False):
        return Cart.objects.filter(user_id=user.pk, store=store).first()
    if session_key:
        return Cart.objects.filter(session_key=session_key, store=store).first()
    return None


def cart_view(*, user: Any = None, session_key: str = "", store: Organization) -> CartView:
    """The cart at ``store`` with today's prices for this buyer (three queries)."""
    member = user is not None and catalog_selectors.buyer_is_member(user=user, store=store)
    channel = OrderChannel.MEMBER if member else OrderChannel.RETAIL
    cart = cart_for(user=user, session_key=session_key, store=store)
    if cart is None:
        return CartView(store.pk, None, [], channel, 0)
    lines: Sequence[CartLine] = list(
        cart.lines.select_related("variant__product").order_by("added_at", "pk")
    )
    quotes = pricing.prices_for(
        variant_ids=[line.variant_id for line in lines],
        channel=channel,
        organization=store,
        buyer_is_member=member,
    )
    items = []
    for line in lines:
        quote = quotes.get(line.variant_id)
        sellable = quote is not None and sellable_variant(line.variant, store)
        price = quote.price_fen if quote is not None and sellable else None
        items.append(
            CartItem(
                line_id=line.pk,
                variant_id=line.variant_id,
                product_id=line.variant.product_id,
                product_name=line.variant.product.name,
                variant_name=line.variant.name,
                sku=line.variant.sku,
                unit=line.variant.unit,
                quantity=line.quantity,
                unit_price_fen=price,
                subtotal_fen=(price or 0) * line.quantity,
            )
        )
    amounts = calculations.order_amounts(
        [
            calculations.LineIn(i.line_id, i.unit_price_fen, i.quantity)
            for i in items
            if i.unit_price_fen is not None
        ]
    )
    return CartView(store.pk, cart.pk, items, channel, amounts.subtotal_fen)


def sellable_variant(variant: Any, store: Organization) -> bool:
    """Whether ``variant`` (with its product loaded) may be sold at ``store`` at all:
    active, its product on sale, and of the store's brand."""
    product = variant.product
    return bool(
        variant.is_active
        and product.status == ProductStatus.ON_SALE
        and product.brand_id == brand_id_of_path(store.path)
    )
