"""Who may see and change which catalog objects; services and selectors share these rules.

* Products belong to a brand. Staff of the brand's tree (brand, dealers, stores) see its
  products in the back office; only brand admins and operators manage them (``can_manage_catalog``).
* A price list belongs to an organization: whoever can view that organization sees it;
  ``Scope.can_price(org, channel)`` says who may change it.
* Anything outside the scope is "not found", never "forbidden", so ids do not leak.

``actor=None`` is the system (seed commands, jobs): it may do everything.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from trispace.kernel import errors
from trispace.network.models import Organization, OrgKind
from trispace.network.scoping import BRAND_ROLES, STAFF_ROLES, Scope, scope_for


def scope_of_actor(actor: Any) -> Scope | None:
    """The actor's scope, or None for the system (and superusers, who act as the system)."""
    if actor is None:
        return None
    scope = scope_for(actor)
    return None if is_system(scope) else scope


def is_system(scope: Scope | None) -> bool:
    return scope is None or scope.system


def _all_brand_ids() -> frozenset[int]:
    return frozenset(Organization.objects.filter(kind=OrgKind.BRAND).values_list("pk", flat=True))


def brand_id_of_path(path: str) -> int:
    return int(path.split(".", 1)[0])


def brand_ids(scope: Scope | None) -> frozenset[int]:
    """The brands whose tree the scope's staff roles are in (all of them for the system)."""
    if scope is None or scope.system:
        return _all_brand_ids()
    return frozenset(brand_id_of_path(g.path) for g in scope.grants if g.role in STAFF_ROLES)


def managed_brand_ids(scope: Scope | None) -> frozenset[int]:
    """The brands whose catalog the scope manages (brand admins and operators)."""
    if scope is None or scope.system:
        return _all_brand_ids()
    if not scope.can_manage_catalog():
        return frozenset()
    return frozenset(brand_id_of_path(g.path) for g in scope.grants if g.role in BRAND_ROLES)


def products_q(scope: Scope | None, prefix: str = "") -> Q:
    """A Q on Product (or ``prefix`` = "product__" on a related model) for what the scope sees."""
    if is_system(scope):
        return Q()
    return Q(**{f"{prefix}brand_id__in": sorted(brand_ids(scope))})


def require_view_brand(scope: Scope | None, brand_id: int) -> None:
    if scope is not None and brand_id not in brand_ids(scope):
        raise errors.NOT_FOUND()


def require_manage_brand(scope: Scope | None, brand_id: int) -> None:
    """Not found when the brand is outside the scope, forbidden when the scope only views it."""
    require_view_brand(scope, brand_id)
    if scope is not None and brand_id not in managed_brand_ids(scope):
        raise errors.PERMISSION_DENIED()


def require_manage_categories(scope: Scope | None) -> None:
    if scope is not None and not scope.can_manage_catalog():
        raise errors.PERMISSION_DENIED()


def can_view_org(scope: Scope | None, org: Organization) -> bool:
    if scope is None or scope.system:
        return True
    return brand_id_of_path(org.path) in brand_ids(scope) and scope.can_view(org)


def require_view_org(scope: Scope | None, org: Organization) -> None:
    if not can_view_org(scope, org):
        raise errors.NOT_FOUND()


def require_price(scope: Scope | None, org: Organization, channel: str) -> None:
    require_view_org(scope, org)
    if scope is not None and not scope.can_price(org, channel):
        raise errors.PERMISSION_DENIED()


def can_price(scope: Scope | None, org: Organization, channel: str) -> bool:
    return scope is None or (can_view_org(scope, org) and scope.can_price(org, channel))


def is_brand(org: Organization) -> bool:
    return org.kind == OrgKind.BRAND
