"""Reads of network, with the caller's scope applied here (never in the views).

Querysets come back ordered and unevaluated so the API and the pages can paginate them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from trispace.kernel import time as ktime
from trispace.network import errors, geo, validators
from trispace.network.models import (
    ALLOWED_PARENT_KINDS,
    Membership,
    Organization,
    OrgKind,
    Region,
    RegionLevel,
    Role,
)
from trispace.network.scoping import Scope
from trispace.network.states import OrgStatus

MAX_NEAREST = 50
MAX_NEAREST_KM = 200.0


# --- organizations --------------------------------------------------------------------------
def region_prefix(code: str) -> str:
    """The code prefix shared by a region and everything under it (330000 → "33")."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def organization_list(
    *,
    scope: Scope,
    kind: str | None = None,
    status: str | None = None,
    region_code: str | None = None,
    q: str | None = None,
    within: Organization | None = None,
) -> QuerySet[Organization]:
    """Organizations the scope may see, filtered; ordered by tree position."""
    qs = Organization.objects.filter(scope.visible_q()).select_related("region", "parent")
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if region_code:
        code = str(region_code).strip()
        qs = (
            qs.filter(region__code__startswith=region_prefix(code)) if code.isdigit() else qs.none()
        )
    if q:
        text = q.strip()[:50]
        qs = qs.filter(Q(name__icontains=text) | Q(code__iexact=text) | Q(address__icontains=text))
    if within is not None:
        qs = qs.filter(path__startswith=within.path)
    return qs.order_by("path")


def organization_get(*, scope: Scope, pk: Any) -> Organization:
    """One organization the scope may see; NOT_FOUND otherwise (whether it exists or not)."""
    try:
        key = int(pk)
    except (TypeError, ValueError) as exc:
        raise errors.NOT_FOUND() from exc
    org = Organization.objects.select_related("region", "parent").filter(pk=key).first()
    if org is None or not scope.can_view(org):
        raise errors.NOT_FOUND()
    return org


def subtree(
    *, scope: Scope, organization: Organization, include_self: bool = True
) -> QuerySet[Organization]:
    qs = organization_list(scope=scope, within=organization)
    if not include_self:
        qs = qs.exclude(pk=organization.pk)
    return qs


def dealer_stores(
    *, scope: Scope, dealer: Organization, direct_only: bool = False
) -> QuerySet[Organization]:
    """The stores under a dealer (its whole subtree, or only those directly under it)."""
    qs = organization_list(scope=scope, kind=OrgKind.STORE, within=dealer)
    if direct_only:
        qs = qs.filter(parent=dealer)
    return qs


def parent_choices(*, scope: Scope, kind: str) -> QuerySet[Organization]:
    """Where the scope may put an organization of ``kind`` (for forms)."""
    return (
        Organization.objects.filter(scope.manage_q())
        .filter(kind__in=ALLOWED_PARENT_KINDS.get(kind, ()), status=OrgStatus.ACTIVE)
        .order_by("path")
    )


@dataclass
class TreeNode:
    id: int
    name: str
    code: str
    kind: str
    status: str
    depth: int
    parent_id: int | None
    children: list[TreeNode] = field(default_factory=list)
    store_count: int = 0  # stores in the whole subtree

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "code": self.code,
            "kind": self.kind,
            "status": self.status,
            "store_count": self.store_count,
            "children": [child.as_dict() for child in self.children],
        }


def organization_tree(
    *, scope: Scope, root: Organization | None = None, include_stores: bool = True
) -> list[TreeNode]:
    """The visible tree (or ``root``'s subtree) in one query, assembled in Python.

    Roots are the topmost visible nodes. Without stores, each node still counts the stores of
    its subtree.
    """
    qs = Organization.objects.filter(scope.visible_q())
    if root is not None:
        qs = qs.filter(path__startswith=root.path)
    rows = list(
        qs.order_by("path").values_list(
            "id", "name", "code", "kind", "status", "depth", "parent_id", "path"
        )
    )
    nodes: dict[int, TreeNode] = {}
    paths: dict[int, str] = {}
    roots: list[TreeNode] = []
    for pk, name, code, kind, status, depth, parent_id, path in rows:
        paths[pk] = path
        if kind == OrgKind.STORE:
            for ancestor in path.split(".")[:-2]:
                node = nodes.get(int(ancestor)) if ancestor else None
                if node is not None:
                    node.store_count += 1
            if not include_stores:
                continue
        node = TreeNode(pk, name, code, kind, status, depth, parent_id)
        nodes[pk] = node
        parent = nodes.get(parent_id) if parent_id is not None else None
        if parent is not None:
            parent.children.append(node)
        else:
            roots.append(node)
    return roots


# --- people ---------------------------------------------------------------------------------
def membership_list(
    *,
    scope: Scope,
    role: str | None = None,
    organization: Organization | None = None,
    q: str | None = None,
    include_inactive: bool = False,
) -> QuerySet[Membership]:
    """Memberships in organizations the scope may see. Consumers only when asked by role."""
    qs = Membership.objects.filter(scope.visible_q("organization__")).select_related(
        "user", "organization", "manager__user"
    )
    if not include_inactive:
        qs = qs.filter(is_active=True)
    qs = qs.filter(role=role) if role else qs.exclude(role=Role.CONSUMER)
    if organization is not None:
        qs = qs.filter(organization__path__startswith=organization.path)
    if q:
        text = q.strip()[:50]
        match = Q(user__name__icontains=text)
        digits = "".join(ch for ch in text if ch.isdigit())
        if len(digits) >= 4:
            phone_field = get_user_model().USERNAME_FIELD
            match |= Q(**{f"user__{phone_field}__endswith": digits[-11:]})
        qs = qs.filter(match)
    return qs.order_by("organization__path", "role", "pk")


def membership_get(*, scope: Scope, pk: Any) -> Membership:
    try:
        key = int(pk)
    except (TypeError, ValueError) as exc:
        raise errors.NOT_FOUND() from exc
    membership = (
        Membership.objects.select_related("user", "organization", "manager__user")
        .filter(pk=key)
        .first()
    )
    if membership is None or not scope.can_view(membership.organization):
        raise errors.NOT_FOUND()
    return membership


def manager_chain(*, membership: Membership, limit: int = 20) -> list[Membership]:
    """A salesperson's managers, nearest first (supervisor, then manager); active only."""
    chain: list[Membership] = []
    seen = {membership.pk}
    current = membership.manager_id
    while current is not None and current not in seen and len(chain) < limit:
        seen.add(current)
        manager = (
            Membership.objects.select_related("user", "organization")
            .filter(pk=current, is_active=True)
            .first()
        )
        if manager is None:
            break
        chain.append(manager)
        current = manager.manager_id
    return chain


def reports(*, membership: Membership, recursive: bool = False) -> list[Membership]:
    """Who reports to a salesperson (directly, or everyone below them)."""
    found: list[Membership] = []
    frontier = [membership.pk]
    seen = {membership.pk}
    while frontier:
        level = list(
            Membership.objects.select_related("user", "organization")
            .filter(manager_id__in=frontier, is_active=True)
            .order_by("pk")
        )
        level = [m for m in level if m.pk not in seen]
        found.extend(level)
        if not recursive:
            break
        seen.update(m.pk for m in level)
        frontier = [m.pk for m in level]
    return found


def person_label(user: Any) -> str:
    """How staff pages show a person: their name, or their masked phone."""
    phone = validators.mask_phone(getattr(user, "phone", "") or "")
    name = getattr(user, "name", "") or ""
    return f"{name} ({phone})" if name else phone


# --- regions --------------------------------------------------------------------------------
def region_children(*, parent_code: str | None = None) -> QuerySet[Region]:
    """Provinces (no parent), or the regions directly under ``parent_code``."""
    if not parent_code:
        return Region.objects.filter(level=RegionLevel.PROVINCE).order_by("code")
    return Region.objects.filter(parent_id=str(parent_code)).order_by("code")


def region_path(region: Region | None) -> list[Region]:
    """Province → city → district of a region (at most three small reads)."""
    chain: list[Region] = []
    while region is not None and len(chain) < 3:
        chain.insert(0, region)
        region = region.parent
    return chain


# --- stores as pickup points ----------------------------------------------------------------
def is_open_now(store: Organization, at: dt.datetime | None = None) -> bool:
    """Whether ``store`` takes pickups at ``at`` (default now), in business time."""
    if store.kind != OrgKind.STORE or store.status != OrgStatus.ACTIVE:
        return False
    return validators.open_at(store.pickup_hours, ktime.local(at))


@dataclass(frozen=True)
class NearbyStore:
    store: Organization
    distance_m: int
    open_now: bool


def nearest_open_stores(
    *,
    lng: float,
    lat: float,
    limit: int = 5,
    max_km: float = 50,
    at: dt.datetime | None = None,
) -> list[NearbyStore]:
    """Active stores with coordinates nearest to (lng, lat), within ``max_km``, nearest first.

    A bounding box on (lat, lng) narrows the rows in SQL; haversine sorts them in Python.
    """
    lng_c, lat_c = validators.clean_coordinates(lng, lat)
    if lng_c is None or lat_c is None:
        raise errors.COORDINATES_INVALID(field="lng" if lng_c is None else "lat")
    limit = max(1, min(int(limit), MAX_NEAREST))
    max_km = max(0.1, min(float(max_km), MAX_NEAREST_KM))
    box = geo.bounding_box(lng_c, lat_c, max_km)
    candidates = Organization.objects.filter(
        kind=OrgKind.STORE,
        status=OrgStatus.ACTIVE,
        lat__gte=box.min_lat,
        lat__lte=box.max_lat,
        lng__gte=box.min_lng,
        lng__lte=box.max_lng,
    ).select_related("region")
    limit_m = max_km * 1000
    found = []
    for store in candidates:
        distance = geo.haversine_m(lng_c, lat_c, store.lng, store.lat)  # type: ignore[arg-type]
        if distance <= limit_m:
            found.append((distance, store.pk, store))
    found.sort(key=lambda item: (item[0], item[1]))
    moment = ktime.local(at)
    return [
        NearbyStore(
            store=store,
            distance_m=round(distance),
            open_now=validators.open_at(store.pickup_hours, moment),
        )
        for distance, _, store in found[:limit]
    ]


@dataclass(frozen=True)
class NetworkSummary:
    dealers: int
    stores: int
    stores_active: int
    stores_paused: int
    consumers: int
    salespeople: int


def network_summary(*, scope: Scope) -> NetworkSummary:
    """Counts for the dashboard, within the scope: two aggregate queries."""
    from django.db.models import Count

    orgs = Organization.objects.filter(scope.visible_q()).aggregate(
        dealers=Count("pk", filter=Q(kind=OrgKind.DEALER)),
        stores=Count("pk", filter=Q(kind=OrgKind.STORE)),
        stores_active=Count("pk", filter=Q(kind=OrgKind.STORE, status=OrgStatus.ACTIVE)),
        stores_paused=Count("pk", filter=Q(kind=OrgKind.STORE, status=OrgStatus.PAUSED)),
    )
    people = Membership.objects.filter(scope.visible_q("organization__"), is_active=True).aggregate(
        consumers=Count("pk", filter=Q(role=Role.CONSUMER)),
        salespeople=Count("pk", filter=Q(role=Role.SALESPERSON)),
    )
    return NetworkSummary(**orgs, **people)
