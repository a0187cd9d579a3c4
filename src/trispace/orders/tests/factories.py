"""Building blocks of the orders tests: priced and stocked products, placed and paid orders.

Payments go through the real payments services (offline provider, confirmed by the store's
owner), so ``PaymentSucceeded`` reaches ``orders.handlers`` through the outbox as in production;
``settle()`` runs the on-commit dispatch that a test transaction would otherwise never reach.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Sum
from django.test import TestCase

from trispace.catalog.models import Channel, Variant
from trispace.catalog.tests.factories import on_sale_product, set_price
from trispace.inventory import selectors as inventory_selectors
from trispace.inventory import services as inventory
from trispace.inventory.models import Stock, StockMove
from trispace.network.models import Organization
from trispace.orders import services
from trispace.orders.models import AfterSale, Order
from trispace.payments import services as payments
from trispace.payments.models import Payment


@contextlib.contextmanager
def settle() -> Iterator[None]:
    """Run the on-commit callbacks (outbox dispatch, handlers) registered inside the block, and
    those they register in turn, as a real commit would."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        yield


def stocked(
    net: Any,
    *,
    price_fen: int = 1000,
    stock: int = 100,
    store: Organization | None = None,
    member_fen: int | None = None,
) -> Variant:
    """An on-sale variant of the brand, retail-priced at the brand, stocked at the store."""
    _, variant = on_sale_product(net.brand, retail_fen=price_fen)
    if member_fen is not None:
        set_price(variant, net.brand, member_fen, Channel.MEMBER)
    if stock:
        inventory.receive(
            actor=None,
            location=inventory_selectors.location_for_store(store or net.store_a),
            variant=variant,
            quantity=stock,
        )
    return variant


def available(store: Organization, variant: Variant) -> int:
    location = inventory_selectors.location_for_store(store)
    return inventory_selectors.available(location, [variant.pk])[variant.pk]


def assert_stock_reconciles(store: Organization) -> None:
    """Every shard at the store's shelf is what its moves add up to."""
    location = inventory_selectors.location_for_store(store)
    moves = {
        (row["variant_id"], row["shard"]): (row["on_hand"], row["reserved"])
        for row in StockMove.objects.filter(location=location)
        .values("variant_id", "shard")
        .annotate(on_hand=Sum("delta_on_hand"), reserved=Sum("delta_reserved"))
        .order_by()
    }
    stock = {
        (row.variant_id, row.shard): (row.on_hand, row.reserved)
        for row in Stock.objects.filter(location=location)
    }
    assert moves == stock


@dataclass
class Shop:
    net: Any
    tea: Variant  # ¥10.00, 100 in stock at store a
    cake: Variant  # ¥33.33, 100 in stock at store a

    @property
    def buyer(self) -> Any:
        return self.net.user("consumer")

    @property
    def owner(self) -> Any:
        return self.net.user("store_owner")

    @property
    def store(self) -> Organization:
        return self.net.store_a


def build_shop(net: Any) -> Shop:
    return Shop(net=net, tea=stocked(net, price_fen=1000), cake=stocked(net, price_fen=3333))


def place(
    shop: Shop,
    lines: Sequence[tuple[Variant, int]] | None = None,
    *,
    buyer: Any = None,
    **kwargs: Any,
) -> Order:
    wanted = lines if lines is not None else [(shop.tea, 2)]
    return services.order_place(
        actor=buyer or shop.buyer,
        store=kwargs.pop("store", shop.store),
        lines=[(variant.pk, qty) for variant, qty in wanted],
        **kwargs,
    )


def pay(shop: Shop, order: Order, *, buyer: Any = None) -> Order:
    """Pay ``order`` offline: the buyer starts, the brand's admin confirms the cash (an order
    of 0 fen is paid by ``order_pay`` itself)."""
    with settle():
        started = services.order_pay(actor=buyer or shop.buyer, order=order, provider="offline")
        if started is not None:
            payments.payment_confirm_offline(
                actor=shop.net.user("brand_admin"), payment=started.payment, reference="cash"
            )
    order.refresh_from_db()
    return order


def paid_order(shop: Shop, lines: Sequence[tuple[Variant, int]] | None = None, **kw: Any) -> Order:
    return pay(shop, place(shop, lines, **kw), buyer=kw.get("buyer"))


def payment_of(order: Order) -> Payment:
    return Payment.objects.get(pk=order.payment_id)


def refund(shop: Shop, order: Order, lines: Any = None, reason: str = "broken") -> AfterSale:
    """Request and approve a refund; returns the after-sale as it ends."""
    aftersale = services.aftersale_request(
        actor=order.buyer, order=order, lines=lines, reason=reason
    )
    with settle():
        services.aftersale_approve(actor=shop.owner, aftersale=aftersale)
    aftersale.refresh_from_db()
    order.refresh_from_db()
    return aftersale
