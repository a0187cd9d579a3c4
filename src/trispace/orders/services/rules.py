"""The brand's rules for orders: per-person purchase limits and the versioned order policy."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from trispace.catalog.models import Variant
from trispace.kernel import audit
from trispace.kernel import time as ktime
from trispace.kernel.audit import actor_pk
from trispace.network.scoping import actor_scope
from trispace.orders import errors
from trispace.orders.models import OrderPolicy, PurchaseLimit

MAX_LIMIT = 9_999


def purchase_limit_set(
    *, actor: Any, variant: Variant, max_quantity: int | None
) -> PurchaseLimit | None:
    """Limit how many of ``variant`` one buyer may buy (None lifts the limit). Brand staff."""
    scope = actor_scope(actor)
    if not scope.is_brand:
        raise errors.PERMISSION_DENIED()
    if max_quantity is not None and (
        isinstance(max_quantity, bool)
        or not isinstance(max_quantity, int)
        or not 1 <= max_quantity <= MAX_LIMIT
    ):
        raise errors.QUANTITY_INVALID(field="max_quantity", max=MAX_LIMIT)
    with transaction.atomic():
        old = (
            PurchaseLimit.objects.filter(variant=variant)
            .values_list("max_quantity", flat=True)
            .first()
        )
        if old == max_quantity:
            return PurchaseLimit.objects.filter(variant=variant).first()
        limit: PurchaseLimit | None = None
        if max_quantity is None:
            PurchaseLimit.objects.filter(variant=variant).delete()
        else:
            limit, _ = PurchaseLimit.objects.update_or_create(
                variant=variant,
                defaults={"max_quantity": max_quantity, "updated_at": ktime.now()},
            )
        audit.record(
            actor=actor,
            action="purchase_limit_set",
            target=variant,
            data={"old": old, "new": max_quantity},
        )
    return limit


_RANGES = {
    "unpaid_timeout_minutes": (1, 1440),
    "auto_confirm_days": (1, 60),
    "aftersale_window_days": (0, 90),
    "delivery_fee_fen": (0, 100_000),
}


def order_policy_set(
    *,
    actor: Any,
    unpaid_timeout_minutes: int,
    auto_confirm_days: int,
    aftersale_window_days: int,
    delivery_fee_fen: int = 0,
    free_delivery_from_fen: int | None = None,
    effective_from: dt.datetime | None = None,
) -> OrderPolicy:
    """A new version of the order policy, in effect from ``effective_from`` (default now).
    Brand admins only; earlier versions stay as they were."""
    if not actor_scope(actor).is_brand_admin:
        raise errors.PERMISSION_DENIED()
    values = {
        "unpaid_timeout_minutes": unpaid_timeout_minutes,
        "auto_confirm_days": auto_confirm_days,
        "aftersale_window_days": aftersale_window_days,
        "delivery_fee_fen": delivery_fee_fen,
    }
    for name, value in values.items():
        low, high = _RANGES[name]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise errors.POLICY_INVALID(field=name)
    if free_delivery_from_fen is not None and (
        isinstance(free_delivery_from_fen, bool)
        or not isinstance(free_delivery_from_fen, int)
        or not 0 <= free_delivery_from_fen <= 10**9
    ):
        raise errors.POLICY_INVALID(field="free_delivery_from_fen")
    now = ktime.now()
    if effective_from is not None and effective_from.tzinfo is None:
        raise errors.POLICY_INVALID(field="effective_from")
    with transaction.atomic():
        policy = OrderPolicy.objects.create(
            **values,
            free_delivery_from_fen=free_delivery_from_fen,
            effective_from=effective_from or now,
            created_at=now,
            created_by_id=actor_pk(actor),
        )
        audit.record(
            actor=actor,
            action="order_policy_set",
            target=policy,
            data={**values, "free_delivery_from_fen": free_delivery_from_fen},
        )
    return policy
