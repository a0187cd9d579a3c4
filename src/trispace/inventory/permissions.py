"""Who may see and change which stock; services and selectors share these rules.

* brand admin and brand operator — the stock of every location in their brand's tree;
* dealer admin — the stock of its dealer's subtree (its warehouse, sub-dealers, stores);
* store owner and store clerk — the stock of their own store;
* salespeople and consumers — none (orders reserve for consumers through the services);
* the system (``actor=None``: jobs, seeds, orders' handlers) and superusers — everything.

Seeing and changing stock are the same right. A location outside the scope is "not found",
never "forbidden", so ids do not leak.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from trispace.inventory import errors
from trispace.network.models import Organization, Role
from trispace.network.scoping import Scope, actor_scope

TREE_ROLES = (Role.BRAND_ADMIN, Role.BRAND_OPERATOR, Role.DEALER_ADMIN)
STORE_ROLES = (Role.STORE_OWNER, Role.STORE_CLERK)
STOCK_ROLES = frozenset((*TREE_ROLES, *STORE_ROLES))


def has_stock_role(scope: Scope) -> bool:
    """The coarse check at the edge: may this caller use the stock pages and API at all."""
    return scope.system or bool(scope.roles & STOCK_ROLES)


def stock_q(scope: Scope, prefix: str = "") -> Q:
    """A Q on Organization (``prefix`` e.g. "location__organization__") for the stock in scope."""
    if scope.system:
        return Q()
    q = Q(pk__in=[])
    for grant in scope.grants_for(*TREE_ROLES):
        q |= Q(**{f"{prefix}path__startswith": grant.path})
    stores = sorted(g.organization_id for g in scope.grants_for(*STORE_ROLES))
    if stores:
        q |= Q(**{f"{prefix}pk__in": stores})
    return q


def can_manage_stock(scope: Scope, org: Organization) -> bool:
    if scope.system:
        return True
    if any(org.path.startswith(g.path) for g in scope.grants_for(*TREE_ROLES)):
        return True
    return any(g.organization_id == org.pk for g in scope.grants_for(*STORE_ROLES))


def require_manage_stock(scope: Scope, org: Organization, field: str | None = None) -> None:
    """Not found outside the scope's stock (seeing and changing stock are one right)."""
    if not can_manage_stock(scope, org):
        raise errors.NOT_FOUND(field=field)


def require_actor_manages(actor: Any, org: Organization, field: str | None = None) -> None:
    require_manage_stock(actor_scope(actor), org, field)
