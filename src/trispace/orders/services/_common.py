"""What the order services share: who may act, locking an order, reasons, event lines."""

from __future__ import annotations

from typing import Any

from trispace.network.models import Organization, OrgKind
from trispace.network.scoping import Scope, actor_scope
from trispace.network.states import OrgStatus
from trispace.orders import errors, permissions
from trispace.orders.models import Order, OrderLine

MAX_REASON = 255
MAX_LINE_QUANTITY = 999


def clean_quantity(value: Any, *, field: str = "quantity", minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise errors.QUANTITY_INVALID(field=field, max=MAX_LINE_QUANTITY)
    if not minimum <= value <= MAX_LINE_QUANTITY:
        raise errors.QUANTITY_INVALID(field=field, max=MAX_LINE_QUANTITY)
    return value


def require_open_store(store: Organization) -> None:
    """A store that takes orders now (active)."""
    if store.kind != OrgKind.STORE:
        raise errors.NOT_FOUND(field="store_id")
    if store.status != OrgStatus.ACTIVE:
        raise errors.STORE_UNAVAILABLE(field="store_id")


def require_login(actor: Any) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise errors.NOT_AUTHENTICATED()


def require_buyer(actor: Any, order: Order) -> None:
    """The buyer acts on their own order; to anyone else it does not exist."""
    require_login(actor)
    if order.buyer_id != actor.pk:
        raise errors.NOT_FOUND()


def require_seller(actor: Any, store: Organization) -> Scope:
    """Seller staff of ``store`` (see ``permissions.can_handle``); the system always is.

    404 for whoever cannot even see the store, 403 for staff who see it but may not act.
    """
    scope = actor_scope(actor)
    if scope.system:
        return scope
    if not permissions.can_view_store(scope, store):
        raise errors.NOT_FOUND()
    if not permissions.can_handle(scope, store):
        raise errors.PERMISSION_DENIED()
    return scope


def lock_order(order: Order) -> Order:
    """Lock the order's row for the rest of the transaction and refresh ``order`` in place.

    Everything that changes an order's lines or refunds takes this lock first, so after-sale
    requests, refunds, closing and handover of one order queue instead of interleaving.
    """
    try:
        order.refresh_from_db(from_queryset=Order.objects.select_for_update())
    except Order.DoesNotExist as exc:
        raise errors.NOT_FOUND() from exc
    return order


def clean_reason(value: Any, *, required: bool = True, field: str = "reason") -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise errors.REASON_INVALID(field=field, max=MAX_REASON)
    text = value.strip()
    if (required and not text) or len(text) > MAX_REASON:
        raise errors.REASON_INVALID(field=field, max=MAX_REASON)
    return text


def paid_lines(lines: list[OrderLine]) -> tuple[dict[str, int], ...]:
    """Lines for OrderPlaced / OrderPaid: what the buyer paid per line."""
    return tuple(
        {
            "line_id": line.pk,
            "variant_id": line.variant_id,
            "quantity": line.quantity,
            "paid_fen": line.paid_fen,
        }
        for line in lines
    )


def attribution(order: Order) -> dict[str, Any]:
    return {
        "group_id": order.group_id,
        "leader_id": order.leader_id,
        "promoter_id": order.promoter_id,
        "salesperson_id": order.salesperson_id,
        "live_session_id": order.live_session_id,
        "campaign_id": order.campaign_id,
        "share_token": order.share_token,
    }


def reference(order: Order | int) -> str:
    """The inventory reference of an order's reservation."""
    pk = order if isinstance(order, int) else order.pk
    return f"order:{pk}"
