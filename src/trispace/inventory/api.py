"""JSON API of inventory, mounted at /api/inventory/.

For the staff who keep stock (brand admins and operators, dealer admins, store owners and
clerks): stock levels and moves of their part of the network, receiving, stocktake and shard
splits. Operations resolve objects within the caller's stock scope (anything outside is 404),
call one service and shape the answer; refusals are 4xx ``{code, message, field}``.

A location is named by ``location_id``, or by ``organization_id`` for that organization's
default location (a store's shelf, a dealer's warehouse; created on first use).
"""

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from trispace.catalog.models import Variant
from trispace.inventory import errors, selectors, services
from trispace.inventory.models import MAX_QUANTITY, MAX_SHARDS, Location, MoveReason
from trispace.inventory.permissions import has_stock_role, require_manage_stock
from trispace.kernel import errors as kernel_errors
from trispace.network.models import Organization
from trispace.network.scoping import Scope, scope_for

router = Router(tags=["inventory"])


def _stock_staff(request: HttpRequest) -> Scope:
    """Coarse check at the edge: stock is for the staff who keep it."""
    scope = scope_for(request.user)
    if not has_stock_role(scope):
        raise kernel_errors.PERMISSION_DENIED()
    return scope


# --- schemas --------------------------------------------------------------------------------
class LocationOut(Schema):
    id: int
    organization_id: int
    organization_name: str
    kind: str
    name: str
    is_default: bool
    is_active: bool

    @staticmethod
    def resolve_organization_name(obj: Location) -> str:
        return obj.organization.name


class LevelOut(Schema):
    location_id: int
    location_name: str
    organization_name: str
    variant_id: int
    sku: str
    variant_name: str
    product_name: str
    on_hand: int
    reserved: int
    available: int
    shards: int


class LevelFilters(Schema):
    location_id: int | None = None
    q: str | None = Field(None, max_length=50)
    low: bool = False
    threshold: int = Field(selectors.LOW_STOCK_THRESHOLD, ge=0, le=selectors.MAX_THRESHOLD)


class MoveOut(Schema):
    id: int
    at: dt.datetime
    location_id: int
    variant_id: int
    sku: str
    shard: int
    delta_on_hand: int
    delta_reserved: int
    reason: str
    reference: str
    note: str
    actor_id: int | None

    @staticmethod
    def resolve_sku(obj: Any) -> str:
        return str(obj.variant.sku)


class MoveFilters(Schema):
    location_id: int | None = None
    variant_id: int | None = None
    reason: MoveReason | None = None
    reference: str | None = Field(None, max_length=100)


class TotalsOut(Schema):
    location_id: int
    variant_id: int
    on_hand: int
    reserved: int
    available: int
    shards: int


class PlaceIn(Schema):
    location_id: int | None = None
    organization_id: int | None = None


class ReceiveIn(PlaceIn):
    variant_id: int
    quantity: int = Field(..., ge=1, le=MAX_QUANTITY)
    reason: str = MoveReason.RECEIVE.value
    reference: str = Field("", max_length=100)


class AdjustIn(PlaceIn):
    variant_id: int
    counted: int = Field(..., ge=0, le=MAX_QUANTITY)
    reason: str = Field("", max_length=255)


class SplitIn(PlaceIn):
    variant_id: int
    shards: int = Field(..., ge=1, le=MAX_SHARDS)


# --- helpers --------------------------------------------------------------------------------
def _place(scope: Scope, payload: PlaceIn) -> Location:
    """The location named by the payload, checked against the scope before anything is made."""
    if payload.location_id is not None:
        return selectors.location_get(scope=scope, pk=payload.location_id)
    if payload.organization_id is None:
        raise errors.INVALID(field="location_id")
    org = Organization.objects.filter(pk=payload.organization_id).first()
    if org is None:
        raise errors.NOT_FOUND(field="organization_id")
    require_manage_stock(scope, org, "organization_id")
    return selectors.location_for_organization(org)


def _variant(variant_id: int) -> Variant:
    found = Variant.objects.select_related("product").filter(pk=variant_id).first()
    if found is None:
        raise errors.VARIANT_NOT_FOUND(field="variant_id")
    return found


def _totals(level: selectors.StockLevel) -> dict[str, int]:
    return {
        "location_id": level.location_id,
        "variant_id": level.variant_id,
        "on_hand": level.on_hand,
        "reserved": level.reserved,
        "available": level.available,
        "shards": level.shards,
    }


# --- reads ----------------------------------------------------------------------------------
@router.get("/locations", response=list[LocationOut])
@paginate(PageNumberPagination, page_size=50)
def list_locations(request: HttpRequest) -> Any:
    return selectors.locations(scope=_stock_staff(request))


@router.get("/stock", response=list[LevelOut])
@paginate(PageNumberPagination, page_size=20)
def list_stock(request: HttpRequest, filters: Query[LevelFilters]) -> Any:
    scope = _stock_staff(request)
    location = (
        selectors.location_get(scope=scope, pk=filters.location_id)
        if filters.location_id is not None
        else None
    )
    return selectors.stock_levels(
        scope=scope,
        location=location,
        q=filters.q,
        low_only=filters.low,
        threshold=filters.threshold,
    )


@router.get("/moves", response=list[MoveOut])
@paginate(PageNumberPagination, page_size=50)
def list_moves(request: HttpRequest, filters: Query[MoveFilters]) -> Any:
    scope = _stock_staff(request)
    location = (
        selectors.location_get(scope=scope, pk=filters.location_id)
        if filters.location_id is not None
        else None
    )
    return selectors.moves(
        scope=scope,
        location=location,
        variant_id=filters.variant_id,
        reason=filters.reason,
        reference=filters.reference,
    )


# --- writes ---------------------------------------------------------------------------------
@router.post("/receive", response=TotalsOut)
def receive(request: HttpRequest, payload: ReceiveIn) -> Any:
    scope = _stock_staff(request)
    variant = _variant(payload.variant_id)
    with transaction.atomic():  # a refusal also undoes a default location made for it
        level = services.receive(
            actor=request.user,
            location=_place(scope, payload),
            variant=variant,
            quantity=payload.quantity,
            reason=payload.reason,
            reference=payload.reference,
        )
    return _totals(level)


@router.post("/adjust", response=TotalsOut)
def adjust(request: HttpRequest, payload: AdjustIn) -> Any:
    scope = _stock_staff(request)
    variant = _variant(payload.variant_id)
    with transaction.atomic():
        level = services.adjust(
            actor=request.user,
            location=_place(scope, payload),
            variant=variant,
            counted=payload.counted,
            reason=payload.reason,
        )
    return _totals(level)


@router.post("/split", response=TotalsOut)
def split(request: HttpRequest, payload: SplitIn) -> Any:
    scope = _stock_staff(request)
    variant = _variant(payload.variant_id)
    with transaction.atomic():
        level = services.split(
            actor=request.user,
            location=_place(scope, payload),
            variant=variant,
            shards=payload.shards,
        )
    return _totals(level)
