"""JSON API of orders, mounted at /api/orders/.

Buyers: the cart, placing an order, paying, their orders (with the pickup code and QR token),
cancelling, confirming receipt, asking for a refund. Staff (``/staff/…``): orders of their part
of the network with filters, the timeline, marking ready, verifying pickups (code, QR, or a
phone-tail candidate), shipping, and deciding refunds.

Operations resolve objects within the caller's reach (anything else is 404), call one service
and shape the answer. Money is int fen in ``*_fen`` fields. Placing an order, paying and asking
for a refund honour ``Idempotency-Key`` (the kernel middleware: a replay returns the first
response, the same key with another body is 409). Refusals are 4xx ``{code, message, field}``.
"""

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate
from pydantic import StrictInt

from trispace.accounts import phones
from trispace.catalog.models import Variant
from trispace.kernel import errors as kernel_errors
from trispace.kernel.money import format_fen
from trispace.network.scoping import Scope, scope_for
from trispace.orders import errors, selectors, services, tokens
from trispace.orders.models import AfterSale, Order, OrderLine
from trispace.orders.services.fulfilment import mask_name
from trispace.orders.states import OPEN_STATUSES

router = Router(tags=["orders"])


def _staff(request: HttpRequest) -> Scope:
    """Coarse check at the edge: the staff operations are for staff roles."""
    scope = scope_for(request.user)
    if not scope.is_staff:
        raise kernel_errors.PERMISSION_DENIED()
    return scope


# --- schemas --------------------------------------------------------------------------------
class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None


class LineOut(Schema):
    id: int
    variant_id: int
    product_id: int
    product_name: str
    variant_name: str
    sku: str
    unit: str
    unit_price_fen: int
    quantity: int
    subtotal_fen: int
    discount_fen: int
    paid_fen: int
    refunded_quantity: int
    refunded_fen: int
    pending_quantity: int


class AfterSaleLineOut(Schema):
    line_id: int = Field(alias="order_line_id")
    quantity: int
    amount_fen: int


class AfterSaleOut(Schema):
    id: int
    order_id: int
    order_number: str
    status: str
    reason: str
    amount_fen: int
    amount: str
    shipping_fen: int
    decision_note: str
    created_at: dt.datetime
    decided_at: dt.datetime | None
    refunded_at: dt.datetime | None
    lines: list[AfterSaleLineOut]

    @staticmethod
    def resolve_order_number(obj: AfterSale) -> str:
        return obj.order.number

    @staticmethod
    def resolve_amount(obj: AfterSale) -> str:
        return format_fen(obj.amount_fen)

    @staticmethod
    def resolve_lines(obj: AfterSale) -> list[Any]:
        return list(obj.lines.all())


class OrderOut(Schema):
    id: int
    number: str
    status: str
    store_id: int
    store_name: str
    channel: str
    fulfilment: str
    subtotal_fen: int
    discount_fen: int
    shipping_fen: int
    total_fen: int
    total: str
    refunded_fen: int
    created_at: dt.datetime
    expires_at: dt.datetime | None
    paid_at: dt.datetime | None
    completed_at: dt.datetime | None
    lines: list[LineOut]

    @staticmethod
    def resolve_store_name(obj: Order) -> str:
        return obj.store.name

    @staticmethod
    def resolve_total(obj: Order) -> str:
        return format_fen(obj.total_fen)

    @staticmethod
    def resolve_lines(obj: Order) -> list[OrderLine]:
        return list(obj.lines.all())


class DeliveryOut(Schema):
    recipient_name: str
    recipient_phone: str  # masked
    region_code: str
    address: str
    tracking_no: str

    @staticmethod
    def resolve_recipient_phone(obj: Order) -> str:
        return phones.mask(obj.recipient_phone)


def _delivery(obj: Order) -> Order | None:
    return obj if obj.fulfilment == "delivery" else None


def _can_pick_up(obj: Order) -> bool:
    return obj.is_pickup and obj.status in OPEN_STATUSES


class OrderDetailOut(OrderOut):
    """What the buyer sees of their order: with the pickup code and the QR token while it can
    still be picked up."""

    pickup_code: str
    qr_token: str
    delivery: DeliveryOut | None
    cancel_reason: str
    shipped_at: dt.datetime | None
    closes_at: dt.datetime | None
    aftersales: list[AfterSaleOut]

    @staticmethod
    def resolve_pickup_code(obj: Order) -> str:
        return obj.pickup_code if _can_pick_up(obj) else ""

    @staticmethod
    def resolve_qr_token(obj: Order) -> str:
        return tokens.pickup_token(obj.pk) if _can_pick_up(obj) else ""

    @staticmethod
    def resolve_delivery(obj: Order) -> Order | None:
        return _delivery(obj)

    @staticmethod
    def resolve_aftersales(obj: Order) -> list[AfterSale]:
        return getattr(obj, "aftersale_list", [])


class StaffOrderOut(OrderOut):
    buyer_name: str  # masked
    buyer_phone: str  # masked

    @staticmethod
    def resolve_buyer_name(obj: Order) -> str:
        return mask_name(getattr(obj.buyer, "name", "") or "")

    @staticmethod
    def resolve_buyer_phone(obj: Order) -> str:
        return phones.mask(getattr(obj.buyer, "phone", "") or "")


class TimelineOut(Schema):
    at: dt.datetime
    kind: str
    actor_id: int | None
    title: str
    reason: str


class AttributionOut(Schema):
    group_id: int | None
    leader_id: int | None
    promoter_id: int | None
    salesperson_id: int | None
    live_session_id: int | None
    campaign_id: int | None
    share_token: str


class StaffOrderDetailOut(StaffOrderOut):
    """An order as staff see it; never with the pickup code (the buyer shows it)."""

    delivery: DeliveryOut | None
    cancel_reason: str
    shipped_at: dt.datetime | None
    closes_at: dt.datetime | None
    attribution: AttributionOut
    aftersales: list[AfterSaleOut]
    timeline: list[TimelineOut]

    @staticmethod
    def resolve_delivery(obj: Order) -> Order | None:
        return _delivery(obj)

    @staticmethod
    def resolve_attribution(obj: Order) -> Order:
        return obj

    @staticmethod
    def resolve_aftersales(obj: Order) -> list[AfterSale]:
        return getattr(obj, "aftersale_list", [])

    @staticmethod
    def resolve_timeline(obj: Order) -> list[Any]:
        return getattr(obj, "timeline_list", [])


class CartItemOut(Schema):
    line_id: int
    variant_id: int
    product_id: int
    product_name: str
    variant_name: str
    sku: str
    unit: str
    quantity: int
    available: bool
    unit_price_fen: int | None
    subtotal_fen: int


class CartOut(Schema):
    store_id: int
    channel: str
    items: list[CartItemOut]
    count: int
    subtotal_fen: int
    subtotal: str


def _cart(view: selectors.CartView) -> dict[str, Any]:
    return {
        "store_id": view.store_id,
        "channel": view.channel,
        "items": [
            {
                "line_id": i.line_id,
                "variant_id": i.variant_id,
                "product_id": i.product_id,
                "product_name": i.product_name,
                "variant_name": i.variant_name,
                "sku": i.sku,
                "unit": i.unit,
                "quantity": i.quantity,
                "available": i.available,
                "unit_price_fen": i.unit_price_fen,
                "subtotal_fen": i.subtotal_fen,
            }
            for i in view.items
        ],
        "count": view.count,
        "subtotal_fen": view.subtotal_fen,
        "subtotal": format_fen(view.subtotal_fen),
    }


class CartQuery(Schema):
    store_id: int


class CartAddIn(Schema):
    store_id: StrictInt
    variant_id: StrictInt
    quantity: StrictInt = 1


class CartUpdateIn(Schema):
    quantity: StrictInt


class LineIn(Schema):
    variant_id: StrictInt
    quantity: StrictInt


class AddressIn(Schema):
    name: str = Field(max_length=50)
    phone: str = Field(max_length=32)
    region_code: str = Field(max_length=6)
    detail: str = Field(max_length=200)


class ShareIn(Schema):
    group_id: int | str | None = None
    leader_id: int | str | None = None
    promoter_id: int | str | None = None
    salesperson_id: int | str | None = None
    live_session_id: int | str | None = None
    campaign_id: int | str | None = None
    share_token: str | None = Field(None, max_length=64)


class PlaceIn(Schema):
    store_id: StrictInt
    lines: list[LineIn] | None = Field(None, max_length=100)  # None: the cart at the store
    fulfilment: Literal["pickup", "delivery"] = "pickup"
    address: AddressIn | None = None
    share: ShareIn | None = None


class PayIn(Schema):
    provider: str = Field(max_length=20)
    payer_openid: str = Field("", max_length=64)


class PayOut(Schema):
    order_id: int
    status: str  # the order's
    payment_id: int | None
    out_trade_no: str
    amount_fen: int
    action: str  # "redirect", "jsapi", "instructions" or "paid" (nothing to pay)
    redirect_url: str
    params: dict[str, str]
    instructions: str


class ReasonIn(Schema):
    reason: str = Field("", max_length=255)


class NoteIn(Schema):
    note: str = Field("", max_length=255)


class RefundLineIn(Schema):
    line_id: StrictInt
    quantity: StrictInt


class AfterSaleIn(Schema):
    lines: list[RefundLineIn] | None = Field(None, max_length=100)  # None: everything
    reason: str = Field(max_length=255)


class MyOrderFilters(Schema):
    status: str | None = Field(None, max_length=20)


class StaffOrderFilters(Schema):
    status: str | None = Field(None, max_length=20)
    store_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    channel: str | None = Field(None, max_length=16)
    fulfilment: str | None = Field(None, max_length=10)
    q: str | None = Field(None, max_length=32)


class AfterSaleFilters(Schema):
    status: str | None = Field(None, max_length=20)
    store_id: int | None = None


class ShipIn(Schema):
    tracking_no: str = Field(max_length=40)


class VerifyIn(Schema):
    code: str | None = Field(None, max_length=6)
    qr_token: str | None = Field(None, max_length=200)
    order_id: StrictInt | None = None


class TailQuery(Schema):
    phone_tail: str = Field(max_length=4)


class CandidateOut(Schema):
    order_id: int
    number: str
    status: str
    buyer: str
    phone: str
    summary: str
    total_fen: int
    created_at: dt.datetime


# --- cart -----------------------------------------------------------------------------------
@router.get("/cart", response=CartOut)
def cart(request: HttpRequest, query: Query[CartQuery]) -> Any:
    store = selectors.selling_store(query.store_id)
    return _cart(selectors.cart_view(user=request.user, store=store))


@router.post("/cart/lines", response={201: CartOut})
def cart_add(request: HttpRequest, payload: CartAddIn) -> Any:
    store = selectors.selling_store(payload.store_id)
    variant = Variant.objects.select_related("product").filter(pk=payload.variant_id).first()
    if variant is None:
        raise errors.NOT_FOUND(field="variant_id")
    services.cart_add(actor=request.user, store=store, variant=variant, quantity=payload.quantity)
    return Status(201, _cart(selectors.cart_view(user=request.user, store=store)))


@router.patch("/cart/lines/{int:line_id}", response={204: None})
def cart_update(request: HttpRequest, line_id: int, payload: CartUpdateIn) -> Any:
    services.cart_update(actor=request.user, line_id=line_id, quantity=payload.quantity)
    return Status(204, None)


@router.delete("/cart/lines/{int:line_id}", response={204: None})
def cart_remove(request: HttpRequest, line_id: int) -> Any:
    services.cart_remove(actor=request.user, line_id=line_id)
    return Status(204, None)


# --- the buyer's orders ---------------------------------------------------------------------
def _my_detail(request: HttpRequest, order_id: int) -> Order:
    order = selectors.buyer_order_get(user=request.user, pk=order_id)
    order.aftersale_list = list(  # type: ignore[attr-defined]
        selectors.buyer_aftersales(user=request.user, order=order)
    )
    return order


@router.post("/orders", response={201: OrderDetailOut})
def place_order(request: HttpRequest, payload: PlaceIn) -> Any:
    store = selectors.selling_store(payload.store_id)
    order = services.order_place(
        actor=request.user,
        store=store,
        lines=None
        if payload.lines is None
        else [(line.variant_id, line.quantity) for line in payload.lines],
        fulfilment=payload.fulfilment,
        address=payload.address.model_dump() if payload.address else None,
        share_context=payload.share.model_dump() if payload.share else None,
    )
    return Status(201, _my_detail(request, order.pk))


@router.get("/orders", response=list[OrderOut])
@paginate(PageNumberPagination, page_size=20)
def my_orders(request: HttpRequest, filters: Query[MyOrderFilters]) -> Any:
    return selectors.buyer_orders(user=request.user, status=filters.status)


@router.get("/orders/{int:order_id}", response=OrderDetailOut)
def my_order(request: HttpRequest, order_id: int) -> Any:
    return _my_detail(request, order_id)


@router.post("/orders/{int:order_id}/pay", response=PayOut)
def pay_order(request: HttpRequest, order_id: int, payload: PayIn) -> Any:
    order = selectors.buyer_order_get(user=request.user, pk=order_id)
    started = services.order_pay(
        actor=request.user,
        order=order,
        provider=payload.provider,
        payer_openid=payload.payer_openid,
    )
    order.refresh_from_db()
    if started is None:
        return {
            "order_id": order.pk,
            "status": order.status,
            "payment_id": None,
            "out_trade_no": "",
            "amount_fen": 0,
            "action": "paid",
            "redirect_url": "",
            "params": {},
            "instructions": "",
        }
    return {
        "order_id": order.pk,
        "status": order.status,
        "payment_id": started.payment.pk,
        "out_trade_no": started.payment.out_trade_no,
        "amount_fen": started.payment.amount_fen,
        "action": started.next.action,
        "redirect_url": started.next.redirect_url,
        "params": dict(started.next.params),
        "instructions": str(started.next.instructions),
    }


@router.post("/orders/{int:order_id}/cancel", response=OrderDetailOut)
def cancel_order(request: HttpRequest, order_id: int, payload: ReasonIn) -> Any:
    order = selectors.buyer_order_get(user=request.user, pk=order_id)
    services.order_cancel(actor=request.user, order=order, reason=payload.reason)
    return _my_detail(request, order_id)


@router.post("/orders/{int:order_id}/confirm-receipt", response=OrderDetailOut)
def confirm_receipt(request: HttpRequest, order_id: int) -> Any:
    order = selectors.buyer_order_get(user=request.user, pk=order_id)
    services.order_confirm_receipt(actor=request.user, order=order)
    return _my_detail(request, order_id)


@router.post("/orders/{int:order_id}/aftersales", response={201: AfterSaleOut})
def request_refund(request: HttpRequest, order_id: int, payload: AfterSaleIn) -> Any:
    order = selectors.buyer_order_get(user=request.user, pk=order_id)
    aftersale = services.aftersale_request(
        actor=request.user,
        order=order,
        lines=None
        if payload.lines is None
        else [(line.line_id, line.quantity) for line in payload.lines],
        reason=payload.reason,
    )
    return Status(201, selectors.buyer_aftersales(user=request.user).get(pk=aftersale.pk))


# --- staff ----------------------------------------------------------------------------------
def _staff_detail(scope: Scope, order_id: int) -> Order:
    order = selectors.staff_order_get(scope=scope, pk=order_id)
    order.aftersale_list = list(  # type: ignore[attr-defined]
        selectors.staff_aftersales(scope=scope).filter(order=order)
    )
    order.timeline_list = selectors.timeline(order)  # type: ignore[attr-defined]
    return order


@router.get("/staff/orders", response=list[StaffOrderOut])
@paginate(PageNumberPagination, page_size=20)
def staff_orders(request: HttpRequest, filters: Query[StaffOrderFilters]) -> Any:
    scope = _staff(request)
    store = (
        selectors.staff_store(scope=scope, store_id=filters.store_id)
        if filters.store_id is not None
        else None
    )
    qs = selectors.staff_orders(
        scope=scope,
        status=filters.status,
        store=store,
        date_from=filters.date_from,
        date_to=filters.date_to,
        channel=filters.channel,
        fulfilment=filters.fulfilment,
        q=filters.q,
    )
    return qs


@router.get("/staff/orders/{int:order_id}", response=StaffOrderDetailOut)
def staff_order(request: HttpRequest, order_id: int) -> Any:
    return _staff_detail(_staff(request), order_id)


@router.post("/staff/orders/{int:order_id}/ready", response=StaffOrderDetailOut)
def mark_ready(request: HttpRequest, order_id: int) -> Any:
    scope = _staff(request)
    order = selectors.staff_order_get(scope=scope, pk=order_id)
    services.order_mark_ready(actor=request.user, order=order)
    return _staff_detail(scope, order_id)


@router.post("/staff/orders/{int:order_id}/ship", response=StaffOrderDetailOut)
def ship(request: HttpRequest, order_id: int, payload: ShipIn) -> Any:
    scope = _staff(request)
    order = selectors.staff_order_get(scope=scope, pk=order_id)
    services.order_ship(actor=request.user, order=order, tracking_no=payload.tracking_no)
    return _staff_detail(scope, order_id)


@router.post("/staff/stores/{int:store_id}/pickups/verify", response=StaffOrderDetailOut)
def verify_pickup(request: HttpRequest, store_id: int, payload: VerifyIn) -> Any:
    scope = _staff(request)
    store = selectors.staff_store(scope=scope, store_id=store_id)
    order = services.pickup_verify(
        actor=request.user,
        store=store,
        code=payload.code,
        qr_token=payload.qr_token,
        order_id=payload.order_id,
    )
    return _staff_detail(scope, order.pk)


@router.get("/staff/stores/{int:store_id}/pickups/candidates", response=list[CandidateOut])
def pickup_candidates(request: HttpRequest, store_id: int, query: Query[TailQuery]) -> Any:
    scope = _staff(request)
    store = selectors.staff_store(scope=scope, store_id=store_id)
    return services.pickup_candidates(actor=request.user, store=store, phone_tail=query.phone_tail)


@router.get("/staff/stores/{int:store_id}/pickups/today", response=list[StaffOrderOut])
def todays_pickups(request: HttpRequest, store_id: int) -> Any:
    scope = _staff(request)
    store = selectors.staff_store(scope=scope, store_id=store_id)
    return selectors.todays_pickups(scope=scope, store=store)


@router.get("/staff/aftersales", response=list[AfterSaleOut])
@paginate(PageNumberPagination, page_size=20)
def staff_aftersales(request: HttpRequest, filters: Query[AfterSaleFilters]) -> Any:
    scope = _staff(request)
    store = (
        selectors.staff_store(scope=scope, store_id=filters.store_id)
        if filters.store_id is not None
        else None
    )
    return selectors.staff_aftersales(scope=scope, status=filters.status, store=store)


@router.post("/staff/aftersales/{int:aftersale_id}/approve", response=AfterSaleOut)
def approve_refund(request: HttpRequest, aftersale_id: int, payload: NoteIn) -> Any:
    scope = _staff(request)
    aftersale = selectors.staff_aftersale_get(scope=scope, pk=aftersale_id)
    services.aftersale_approve(actor=request.user, aftersale=aftersale, note=payload.note)
    return selectors.staff_aftersale_get(scope=scope, pk=aftersale_id)


@router.post("/staff/aftersales/{int:aftersale_id}/reject", response=AfterSaleOut)
def reject_refund(request: HttpRequest, aftersale_id: int, payload: ReasonIn) -> Any:
    scope = _staff(request)
    aftersale = selectors.staff_aftersale_get(scope=scope, pk=aftersale_id)
    services.aftersale_reject(actor=request.user, aftersale=aftersale, reason=payload.reason)
    return selectors.staff_aftersale_get(scope=scope, pk=aftersale_id)
