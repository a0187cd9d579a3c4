"""JSON API of network, mounted at /api/network/.

Operations only resolve objects within the caller's scope, call one service and shape the
answer. Anything outside the caller's scope is 404; refusals are 4xx ``{code, message, field}``.
Regions, the nearest stores and a store's public card need no login.
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from ninja.responses import Status

from trispace.kernel import errors as kernel_errors
from trispace.network import errors, selectors, services, validators
from trispace.network.models import Membership, Organization, OrgKind, Region
from trispace.network.scoping import Scope, scope_for
from trispace.network.states import OrgStatus

router = Router(tags=["network"])


def _scope(request: HttpRequest) -> Scope:
    return scope_for(request.user)


def _staff(request: HttpRequest) -> Scope:
    """Coarse check at the edge: the network's back-office API is for staff roles."""
    scope = _scope(request)
    if not scope.is_staff:
        raise kernel_errors.PERMISSION_DENIED()
    return scope


# --- schemas --------------------------------------------------------------------------------
class RegionOut(Schema):
    code: str
    name: str
    level: int
    parent_code: str | None = Field(None, alias="parent_id")
    lng: float | None
    lat: float | None


class OrganizationOut(Schema):
    id: int
    kind: str
    name: str
    code: str
    parent_id: int | None
    depth: int
    status: str
    region_code: str | None = Field(None, alias="region_id")
    region_name: str | None = None
    address: str
    lng: float | None
    lat: float | None
    contact_name: str
    contact_phone: str
    pickup_hours: list[Any]
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_region_name(obj: Organization) -> str | None:
        return obj.region.name if obj.region is not None else None


class OrganizationIn(Schema):
    kind: str
    parent_id: int | None = None
    name: str
    code: str | None = None
    region_code: str | None = None
    address: str = ""
    lng: float | None = None
    lat: float | None = None
    contact_name: str = ""
    contact_phone: str = ""
    pickup_hours: list[Any] | None = None


class OrganizationPatch(Schema):
    name: str | None = None
    code: str | None = None
    region_code: str | None = None
    address: str | None = None
    lng: float | None = None
    lat: float | None = None
    contact_name: str | None = None
    contact_phone: str | None = None


class MoveIn(Schema):
    parent_id: int
    reason: str = Field("", max_length=255)


class StatusIn(Schema):
    status: str
    reason: str = Field("", max_length=255)


class HoursIn(Schema):
    hours: list[Any]


class OrganizationFilters(Schema):
    kind: str | None = None
    status: str | None = None
    region: str | None = Field(None, max_length=6)
    q: str | None = Field(None, max_length=50)
    within: int | None = None


class TreeOut(Schema):
    roots: list[dict[str, Any]]


class PublicStoreOut(Schema):
    """What anyone may know of a store: no owner, no phone number."""

    id: int
    name: str
    code: str
    status: str
    region_code: str | None = Field(None, alias="region_id")
    address: str
    lng: float | None
    lat: float | None
    pickup_hours: list[Any]
    open_now: bool = False
    distance_m: int | None = None


class MembershipOut(Schema):
    id: int
    user_id: int
    user_name: str
    phone: str  # masked: phones shown to other people are always masked
    organization_id: int
    organization_name: str
    role: str
    sales_rank: str
    manager_id: int | None
    is_active: bool
    created_at: dt.datetime

    @staticmethod
    def resolve_user_name(obj: Membership) -> str:
        return getattr(obj.user, "name", "") or ""

    @staticmethod
    def resolve_phone(obj: Membership) -> str:
        return validators.mask_phone(getattr(obj.user, "phone", "") or "")

    @staticmethod
    def resolve_organization_name(obj: Membership) -> str:
        return obj.organization.name


class NearestFilters(Schema):
    lng: float
    lat: float
    limit: int = Field(5, ge=1, le=selectors.MAX_NEAREST)
    max_km: float = Field(50, gt=0, le=selectors.MAX_NEAREST_KM)


class RegionFilters(Schema):
    parent: str | None = Field(None, max_length=6)


class MembershipFilters(Schema):
    role: str | None = None
    organization_id: int | None = None
    q: str | None = Field(None, max_length=50)
    include_inactive: bool = False


class GrantIn(Schema):
    phone: str = Field(..., max_length=32)
    name: str = Field("", max_length=50)
    organization_id: int
    role: str
    sales_rank: str = ""
    manager_id: int | None = None


class RevokeIn(Schema):
    reason: str = Field("", max_length=255)


class ChainOut(Schema):
    membership: MembershipOut
    managers: list[MembershipOut]
    reports: list[MembershipOut]


class MyStoreIn(Schema):
    store_id: int


# --- organizations --------------------------------------------------------------------------
@router.get("/organizations", response=list[OrganizationOut])
@paginate(PageNumberPagination, page_size=20)
def list_organizations(request: HttpRequest, filters: Query[OrganizationFilters]) -> Any:
    scope = _staff(request)
    within = selectors.organization_get(scope=scope, pk=filters.within) if filters.within else None
    return selectors.organization_list(
        scope=scope,
        kind=filters.kind,
        status=filters.status,
        region_code=filters.region,
        q=filters.q,
        within=within,
    )


@router.post("/organizations", response={201: OrganizationOut})
def create_organization(request: HttpRequest, payload: OrganizationIn) -> Any:
    scope = _staff(request)
    parent = None
    if payload.parent_id is not None:
        try:
            parent = selectors.organization_get(scope=scope, pk=payload.parent_id)
        except kernel_errors.DomainError as exc:
            raise errors.NOT_FOUND(field="parent_id") from exc
    org = services.organization_create(
        actor=request.user,
        kind=payload.kind,
        parent=parent,
        name=payload.name,
        code=payload.code,
        region_code=payload.region_code,
        address=payload.address,
        lng=payload.lng,
        lat=payload.lat,
        contact_name=payload.contact_name,
        contact_phone=payload.contact_phone,
        pickup_hours=payload.pickup_hours,
    )
    return Status(201, selectors.organization_get(scope=scope_for(request.user), pk=org.pk))


@router.get("/organizations/{int:org_id}", response=OrganizationOut)
def get_organization(request: HttpRequest, org_id: int) -> Any:
    return selectors.organization_get(scope=_staff(request), pk=org_id)


@router.patch("/organizations/{int:org_id}", response=OrganizationOut)
def update_organization(request: HttpRequest, org_id: int, payload: OrganizationPatch) -> Any:
    scope = _staff(request)
    org = selectors.organization_get(scope=scope, pk=org_id)
    services.organization_update(
        actor=request.user, organization=org, **payload.model_dump(exclude_unset=True)
    )
    return selectors.organization_get(scope=scope, pk=org_id)


@router.post("/organizations/{int:org_id}/move", response=OrganizationOut)
def move_organization(request: HttpRequest, org_id: int, payload: MoveIn) -> Any:
    scope = _staff(request)
    org = selectors.organization_get(scope=scope, pk=org_id)
    try:
        parent = selectors.organization_get(scope=scope, pk=payload.parent_id)
    except kernel_errors.DomainError as exc:
        raise errors.NOT_FOUND(field="parent_id") from exc
    services.organization_move(
        actor=request.user, organization=org, new_parent=parent, reason=payload.reason
    )
    return selectors.organization_get(scope=scope, pk=org_id)


@router.get("/tree", response=TreeOut)
def tree(request: HttpRequest, root: int | None = None, stores: bool = True) -> Any:
    scope = _staff(request)
    root_org = selectors.organization_get(scope=scope, pk=root) if root else None
    nodes = selectors.organization_tree(scope=scope, root=root_org, include_stores=stores)
    return {"roots": [node.as_dict() for node in nodes]}


# --- stores ---------------------------------------------------------------------------------
def _store(scope: Scope, store_id: int) -> Organization:
    org = selectors.organization_get(scope=scope, pk=store_id)
    if org.kind != OrgKind.STORE:
        raise errors.NOT_FOUND()
    return org


@router.post("/stores/{int:store_id}/status", response=OrganizationOut)
def set_store_status(request: HttpRequest, store_id: int, payload: StatusIn) -> Any:
    scope = _staff(request)
    store = _store(scope, store_id)
    services.store_set_status(
        actor=request.user, store=store, status=payload.status, reason=payload.reason
    )
    return selectors.organization_get(scope=scope, pk=store_id)


@router.put("/stores/{int:store_id}/pickup-hours", response=OrganizationOut)
def set_pickup_hours(request: HttpRequest, store_id: int, payload: HoursIn) -> Any:
    scope = _staff(request)
    store = _store(scope, store_id)
    services.store_set_pickup_hours(actor=request.user, store=store, hours=payload.hours)
    return selectors.organization_get(scope=scope, pk=store_id)


@router.get("/stores/nearest", response=list[PublicStoreOut], auth=None)
def nearest_stores(request: HttpRequest, filters: Query[NearestFilters]) -> Any:
    found = selectors.nearest_open_stores(
        lng=filters.lng, lat=filters.lat, limit=filters.limit, max_km=filters.max_km
    )
    return [
        {**_public_store(item.store), "open_now": item.open_now, "distance_m": item.distance_m}
        for item in found
    ]


@router.get("/stores/{int:store_id}", response=PublicStoreOut, auth=None)
def public_store(request: HttpRequest, store_id: int) -> Any:
    store = Organization.objects.filter(
        pk=store_id, kind=OrgKind.STORE, status__in=[OrgStatus.ACTIVE, OrgStatus.PAUSED]
    ).first()
    if store is None:
        raise errors.NOT_FOUND()
    return {**_public_store(store), "open_now": selectors.is_open_now(store)}


def _public_store(store: Organization) -> dict[str, Any]:
    return {
        "id": store.pk,
        "name": store.name,
        "code": store.code,
        "status": store.status,
        "region_id": store.region_id,
        "address": store.address,
        "lng": store.lng,
        "lat": store.lat,
        "pickup_hours": store.pickup_hours,
    }


# --- regions --------------------------------------------------------------------------------
@router.get("/regions", response=list[RegionOut], auth=None)
def regions(request: HttpRequest, filters: Query[RegionFilters]) -> Any:
    return list(selectors.region_children(parent_code=filters.parent))


@router.get("/regions/{code}", response=RegionOut, auth=None)
def region(request: HttpRequest, code: str) -> Any:
    found = Region.objects.filter(pk=code[:6]).first()
    if found is None:
        raise errors.NOT_FOUND()
    return found


# --- people ---------------------------------------------------------------------------------
@router.get("/memberships", response=list[MembershipOut])
@paginate(PageNumberPagination, page_size=20)
def list_memberships(request: HttpRequest, filters: Query[MembershipFilters]) -> Any:
    scope = _staff(request)
    org = (
        selectors.organization_get(scope=scope, pk=filters.organization_id)
        if filters.organization_id
        else None
    )
    return selectors.membership_list(
        scope=scope,
        role=filters.role,
        organization=org,
        q=filters.q,
        include_inactive=filters.include_inactive,
    )


@router.post("/memberships", response={201: MembershipOut})
def grant_membership(request: HttpRequest, payload: GrantIn) -> Any:
    scope = _staff(request)
    try:
        org = selectors.organization_get(scope=scope, pk=payload.organization_id)
    except kernel_errors.DomainError as exc:
        raise errors.NOT_FOUND(field="organization_id") from exc
    manager = None
    if payload.manager_id is not None:
        # Not scoped on purpose: a manager may sit above the caller's part of the tree; the
        # service refuses any membership that is not in the organization's own chain.
        manager = Membership.objects.filter(pk=payload.manager_id).first()
        if manager is None:
            raise errors.MANAGER_INVALID(field="manager_id")
    membership = services.membership_grant_by_phone(
        actor=request.user,
        phone=payload.phone,
        name=payload.name,
        organization=org,
        role=payload.role,
        sales_rank=payload.sales_rank,
        manager=manager,
    )
    return Status(201, selectors.membership_get(scope=scope, pk=membership.pk))


@router.post("/memberships/{int:membership_id}/revoke", response=MembershipOut)
def revoke_membership(request: HttpRequest, membership_id: int, payload: RevokeIn) -> Any:
    scope = _staff(request)
    membership = selectors.membership_get(scope=scope, pk=membership_id)
    services.membership_revoke(actor=request.user, membership=membership, reason=payload.reason)
    return selectors.membership_get(scope=scope, pk=membership_id)


@router.get("/memberships/{int:membership_id}/chain", response=ChainOut)
def membership_chain(request: HttpRequest, membership_id: int) -> Any:
    scope = _staff(request)
    membership = selectors.membership_get(scope=scope, pk=membership_id)
    return {
        "membership": membership,
        "managers": selectors.manager_chain(membership=membership),
        "reports": selectors.reports(membership=membership),
    }


@router.put("/me/store", response=MembershipOut)
def choose_my_store(request: HttpRequest, payload: MyStoreIn) -> Any:
    """A consumer chooses their store (their pickup point)."""
    store = Organization.objects.filter(pk=payload.store_id, kind=OrgKind.STORE).first()
    if store is None:
        raise errors.NOT_FOUND(field="store_id")
    membership = services.consumer_set_store(actor=request.user, user=request.user, store=store)
    return Membership.objects.select_related("user", "organization").get(pk=membership.pk)
