"""Placing an order (下单): prices, limits, stock, the order and its lines, in one transaction.

The number of queries does not depend on the number of lines: the variants, their prices, the
limits and what the buyer bought before are each one query; stock is reserved by inventory for
all lines at once; the lines are one bulk insert (pinned by tests for 1 and 20 lines).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F, Sum

from trispace.catalog import pricing
from trispace.catalog import selectors as catalog_selectors
from trispace.catalog.models import Variant
from trispace.contracts.orders import OrderPlaced
from trispace.inventory import selectors as inventory_selectors
from trispace.inventory import services as inventory
from trispace.kernel import audit, ids, outbox
from trispace.kernel import time as ktime
from trispace.network.models import Organization, Region
from trispace.orders import calculations, errors, selectors
from trispace.orders.models import (
    CartLine,
    Fulfilment,
    Order,
    OrderChannel,
    OrderLine,
    PurchaseLimit,
)
from trispace.orders.services._common import (
    attribution,
    clean_quantity,
    paid_lines,
    reference,
    require_login,
    require_open_store,
)
from trispace.orders.states import NOT_PURCHASED
from trispace.orders.types import Address, ShareContext

MAX_ORDER_LINES = 50
PICKUP_CODE_ATTEMPTS = 8


def _clean_lines(lines: Any) -> dict[int, int]:
    """``[(variant_id, quantity), ...]`` (or a mapping) merged per variant, in the given order."""
    items: Iterable[Any] = lines.items() if isinstance(lines, Mapping) else lines
    merged: dict[int, int] = {}
    try:
        pairs = list(items)
    except TypeError as exc:
        raise errors.INVALID(field="lines") from exc
    for pair in pairs:
        try:
            variant_id, quantity = pair
        except (TypeError, ValueError) as exc:
            raise errors.INVALID(field="lines") from exc
        if isinstance(variant_id, bool) or not isinstance(variant_id, int) or variant_id <= 0:
            raise errors.INVALID(field="lines")
        clean_quantity(quantity, field="lines")
        merged[variant_id] = merged.get(variant_id, 0) + quantity
        clean_quantity(merged[variant_id], field="lines")
    return merged


def _cart_lines(actor: Any, store: Organization) -> dict[int, int]:
    rows = CartLine.objects.filter(cart__user_id=actor.pk, cart__store=store).order_by(
        "added_at", "pk"
    )
    return dict(rows.values_list("variant_id", "quantity"))


def order_place(
    *,
    actor: Any,
    store: Organization,
    lines: Any = None,
    fulfilment: str = Fulfilment.PICKUP,
    address: Any = None,
    share_context: Any = None,
    discount_fen: int = 0,
) -> Order:
    """Place an order of ``lines`` (``[(variant_id, quantity)]``), or of the buyer's cart at
    ``store`` when ``lines`` is None (the cart's lines are then removed).

    The price is the store's retail price, or the member price for a consumer of the store
    (``catalog.pricing``). ``discount_fen`` is an order-level discount granted by the calling
    use case (promotions, later); it is apportioned to the lines by the largest remainder.
    Stock is reserved at the store's shelf until the order is paid, cancelled or timed out.
    """
    require_login(actor)
    require_open_store(store)
    if fulfilment not in Fulfilment.values:
        raise errors.FULFILMENT_INVALID(field="fulfilment")
    if isinstance(discount_fen, bool) or not isinstance(discount_fen, int) or discount_fen < 0:
        raise errors.INVALID(field="discount_fen")
    from_cart = lines is None
    wanted = _cart_lines(actor, store) if from_cart else _clean_lines(lines)
    if not wanted:
        raise errors.CART_EMPTY(field="lines")
    if len(wanted) > MAX_ORDER_LINES:
        raise errors.TOO_MANY_LINES(field="lines", max=MAX_ORDER_LINES)
    delivery = fulfilment == Fulfilment.DELIVERY
    addr = Address.clean(address) if delivery else None
    if addr is not None and not Region.objects.filter(pk=addr.region_code, level=3).exists():
        raise errors.ADDRESS_INVALID(field="address.region_code")
    share = ShareContext.clean(share_context)

    member = catalog_selectors.buyer_is_member(user=actor, store=store)
    channel = OrderChannel.MEMBER if member else OrderChannel.RETAIL
    variants = Variant.objects.select_related("product").in_bulk(list(wanted))
    quotes = pricing.prices_for(
        variant_ids=list(wanted), channel=channel, organization=store, buyer_is_member=member
    )
    for variant_id in wanted:
        variant = variants.get(variant_id)
        if (
            variant is None
            or variant_id not in quotes
            or not selectors.sellable_variant(variant, store)
        ):
            raise errors.VARIANT_UNAVAILABLE(field="lines", variant_id=variant_id)
    policy = selectors.current_policy()
    amounts = calculations.order_amounts(
        [calculations.LineIn(v, quotes[v].price_fen, q) for v, q in wanted.items()],
        discount_fen=discount_fen,
    )
    if delivery:
        amounts = calculations.with_shipping(
            amounts,
            calculations.delivery_fee(
                amounts.goods_fen,
                fee_fen=policy.delivery_fee_fen,
                free_from_fen=policy.free_delivery_from_fen,
            ),
        )
    now = ktime.now()

    with transaction.atomic():
        _check_limits(actor, wanted)
        location = inventory_selectors.location_for_store(store)
        order = Order(
            buyer_id=actor.pk,
            store=store,
            channel=channel,
            fulfilment=fulfilment,
            subtotal_fen=amounts.subtotal_fen,
            discount_fen=amounts.discount_fen,
            shipping_fen=amounts.shipping_fen,
            total_fen=amounts.total_fen,
            created_at=now,
            expires_at=now + policy.unpaid_timeout,
            **share.as_fields(),
        )
        if addr is not None:
            order.recipient_name = addr.name
            order.recipient_phone = addr.phone
            order.region_code = addr.region_code
            order.address = addr.detail
        _insert_with_codes(order)
        inventory.reserve(
            actor=actor,
            location=location,
            lines=list(wanted.items()),
            reference=reference(order),
        )
        order_lines = OrderLine.objects.bulk_create(
            [
                OrderLine(
                    order=order,
                    variant_id=line.key,
                    product_id=variants[line.key].product_id,
                    product_name=variants[line.key].product.name[:100],
                    variant_name=variants[line.key].name[:50],
                    sku=variants[line.key].sku,
                    unit=variants[line.key].unit[:10],
                    price_channel=quotes[line.key].channel_used,
                    price_list_id=quotes[line.key].price_list_id,
                    unit_price_fen=line.unit_price_fen,
                    quantity=line.quantity,
                    subtotal_fen=line.subtotal_fen,
                    discount_fen=line.discount_fen,
                    paid_fen=line.paid_fen,
                )
                for line in amounts.lines
            ]
        )
        if from_cart:
            CartLine.objects.filter(
                cart__user_id=actor.pk, cart__store=store, variant_id__in=list(wanted)
            ).delete()
        audit.record(
            actor=actor,
            action="order_place",
            target=order,
            data={
                "number": order.number,
                "total_fen": order.total_fen,
                "lines": len(order_lines),
                "policy": policy.version_id,
            },
        )
        outbox.publish(
            OrderPlaced(
                order_id=order.pk,
                number=order.number,
                buyer_id=actor.pk,
                store_id=store.pk,
                channel=channel,
                fulfilment=fulfilment,
                subtotal_fen=order.subtotal_fen,
                discount_fen=order.discount_fen,
                shipping_fen=order.shipping_fen,
                total_fen=order.total_fen,
                lines=paid_lines(order_lines),
                **attribution(order),
            )
        )
    return order


def _insert_with_codes(order: Order) -> None:
    """Insert ``order`` with a fresh number and, for pickup, a 6-digit pickup code that no other
    open order of the store holds (the partial unique constraint decides; retried on a clash)."""
    for attempt in range(PICKUP_CODE_ATTEMPTS):
        order.number = ids.order_number()
        order.pickup_code = ids.numeric_code(6) if order.is_pickup else ""
        try:
            with transaction.atomic():
                order.save(force_insert=True)
            return
        except IntegrityError:
            order.pk = None
            if attempt == PICKUP_CODE_ATTEMPTS - 1:
                raise errors.CONFLICT() from None


def _check_limits(actor: Any, wanted: dict[int, int]) -> None:
    """Per-person purchase limits, counted over the buyer's orders that were not cancelled
    (units refunded do not count). The buyer's row is locked first, so two orders of the same
    buyer placed at once are counted one after the other; other buyers do not wait."""
    limits = dict(
        PurchaseLimit.objects.filter(variant_id__in=list(wanted)).values_list(
            "variant_id", "max_quantity"
        )
    )
    if not limits:
        return
    list(get_user_model().objects.select_for_update().filter(pk=actor.pk).values_list("pk"))
    bought = dict(
        OrderLine.objects.filter(order__buyer_id=actor.pk, variant_id__in=list(limits))
        .exclude(order__status__in=NOT_PURCHASED)
        .values("variant_id")
        .annotate(units=Sum(F("quantity") - F("refunded_quantity")))
        .values_list("variant_id", "units")
        .order_by()
    )
    breach = calculations.first_limit_breach(
        {v: q for v, q in wanted.items() if v in limits}, limits, bought
    )
    if breach is not None:
        raise errors.LIMIT_EXCEEDED(
            field="lines",
            variant_id=breach.variant_id,
            max=breach.max_quantity,
            left=breach.left,
        )
