"""The cart (购物车): one per buyer and store, or per anonymous H5 session until login.

A cart is scratch data the buyer edits freely: its changes are not audited and publish no
events (the order placed from it is both). Prices are never stored in the cart; they are
quoted when the cart is shown and fixed when the order is placed.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet

from trispace.catalog import pricing
from trispace.catalog import selectors as catalog_selectors
from trispace.catalog.models import Variant
from trispace.kernel import time as ktime
from trispace.network.models import Organization
from trispace.orders import errors, selectors
from trispace.orders.models import Cart, CartLine, OrderChannel
from trispace.orders.services._common import (
    MAX_LINE_QUANTITY,
    clean_quantity,
    require_open_store,
)

MAX_CART_LINES = 50


def _is_user(actor: Any) -> bool:
    return actor is not None and bool(getattr(actor, "is_authenticated", False))


def _owner(actor: Any, session_key: str) -> dict[str, Any]:
    if _is_user(actor):
        return {"user_id": actor.pk, "session_key": ""}
    key = (session_key or "").strip()
    if not key or len(key) > 40:
        raise errors.NOT_AUTHENTICATED()
    return {"user_id": None, "session_key": key}


def _owned_lines(actor: Any, session_key: str) -> QuerySet[CartLine]:
    owner = _owner(actor, session_key)
    if owner["user_id"] is not None:
        return CartLine.objects.filter(cart__user_id=owner["user_id"])
    return CartLine.objects.filter(cart__session_key=owner["session_key"])


def _require_sold_here(actor: Any, store: Organization, variant: Variant) -> None:
    if not selectors.sellable_variant(variant, store):
        raise errors.VARIANT_UNAVAILABLE(field="variant_id")
    member = _is_user(actor) and catalog_selectors.buyer_is_member(user=actor, store=store)
    quote = pricing.price_for(
        variant_id=variant.pk,
        channel=OrderChannel.MEMBER if member else OrderChannel.RETAIL,
        organization=store,
        buyer_is_member=member,
    )
    if quote is None:
        raise errors.VARIANT_UNAVAILABLE(field="variant_id")


def _cart(owner: dict[str, Any], store: Organization) -> Cart:
    lookup = {**owner, "store": store}
    cart = Cart.objects.filter(**lookup).first()
    if cart is not None:
        return cart
    try:
        with transaction.atomic():
            return Cart.objects.create(**lookup, updated_at=ktime.now())
    except IntegrityError:  # created by a concurrent request of the same buyer
        return Cart.objects.get(**lookup)


def cart_add(
    *,
    actor: Any,
    store: Organization,
    variant: Variant,
    quantity: int = 1,
    session_key: str = "",
) -> CartLine:
    """Put ``quantity`` more of ``variant`` in the buyer's cart at ``store``."""
    owner = _owner(actor, session_key)
    clean_quantity(quantity)
    require_open_store(store)
    _require_sold_here(actor, store, variant)
    with transaction.atomic():
        cart = _cart(owner, store)
        line = CartLine.objects.select_for_update().filter(cart=cart, variant=variant).first()
        if line is None:
            if cart.lines.count() >= MAX_CART_LINES:
                raise errors.TOO_MANY_LINES(field="variant_id", max=MAX_CART_LINES)
            try:
                with transaction.atomic():
                    line = CartLine.objects.create(
                        cart=cart, variant=variant, quantity=quantity, added_at=ktime.now()
                    )
            except IntegrityError:  # the same variant added at the same moment
                line = CartLine.objects.select_for_update().get(cart=cart, variant=variant)
            else:
                Cart.objects.filter(pk=cart.pk).update(updated_at=ktime.now())
                return line
        if line.quantity + quantity > MAX_LINE_QUANTITY:
            raise errors.QUANTITY_INVALID(field="quantity", max=MAX_LINE_QUANTITY)
        CartLine.objects.filter(pk=line.pk).update(quantity=F("quantity") + quantity)
        Cart.objects.filter(pk=cart.pk).update(updated_at=ktime.now())
    line.refresh_from_db()
    return line


def cart_update(
    *, actor: Any, line_id: Any, quantity: int, session_key: str = ""
) -> CartLine | None:
    """Set a cart line's quantity; 0 removes the line (and returns None)."""
    clean_quantity(quantity, minimum=0)
    line = _owned_lines(actor, session_key).filter(pk=_int(line_id)).first()
    if line is None:
        raise errors.NOT_FOUND(field="line_id")
    if quantity == 0:
        line.delete()
        return None
    CartLine.objects.filter(pk=line.pk).update(quantity=quantity)
    line.quantity = quantity
    return line


def cart_remove(*, actor: Any, line_id: Any, session_key: str = "") -> None:
    deleted, _ = _owned_lines(actor, session_key).filter(pk=_int(line_id)).delete()
    if not deleted:
        raise errors.NOT_FOUND(field="line_id")


def cart_merge(*, actor: Any, session_key: str) -> int:
    """After login: move the session's carts into the user's (quantities add up, capped).

    Returns how many lines were moved or merged."""
    if not _is_user(actor):
        raise errors.NOT_AUTHENTICATED()
    key = (session_key or "").strip()
    if not key:
        return 0
    moved = 0
    with transaction.atomic():
        for guest in Cart.objects.filter(session_key=key).prefetch_related("lines"):
            cart = _cart({"user_id": actor.pk, "session_key": ""}, guest.store)
            mine = {line.variant_id: line for line in cart.lines.all()}
            for line in guest.lines.all():
                existing = mine.get(line.variant_id)
                if existing is not None:
                    total = min(existing.quantity + line.quantity, MAX_LINE_QUANTITY)
                    CartLine.objects.filter(pk=existing.pk).update(quantity=total)
                elif len(mine) < MAX_CART_LINES:
                    mine[line.variant_id] = CartLine.objects.create(
                        cart=cart, variant_id=line.variant_id, quantity=line.quantity
                    )
                else:
                    continue
                moved += 1
            guest.delete()
    return moved


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise errors.NOT_FOUND(field="line_id") from exc
