"""Who may see and handle which orders (data scoping on top of ``network.scoping.Scope``).

* a buyer sees their own orders and nobody else's;
* staff see the orders of the stores in their part of the network (``Scope.visible_q``: store
  owner and clerk their store, a dealer's admins and salespeople its subtree, the brand all);
* the seller handles an order — marks it ready, verifies the pickup, ships it, approves or
  rejects a refund — when they are the store's owner or clerk, an admin of a dealer above the
  store, or the brand's admin or operator. Salespeople only look.
"""

from __future__ import annotations

from django.db.models import Q

from trispace.network.models import Organization, Role
from trispace.network.scoping import Scope


def staff_orders_q(scope: Scope, prefix: str = "") -> Q:
    """A Q on ``Order`` (``prefix`` = "order__" for a related model) for the orders the scope's
    staff roles may see."""
    if not scope.is_staff:
        return Q(pk__in=[])
    return scope.visible_q(f"{prefix}store__")


def can_view_store(scope: Scope, store: Organization) -> bool:
    return scope.is_staff and scope.can_view(store)


def can_handle(scope: Scope, store: Organization) -> bool:
    """May act as the seller on orders of ``store`` (see the module docstring)."""
    if scope.is_brand:
        return True
    for grant in scope.grants:
        if grant.role in (Role.STORE_OWNER, Role.STORE_CLERK) and grant.organization_id == store.pk:
            return True
        if grant.role == Role.DEALER_ADMIN and store.path.startswith(grant.path):
            return True
    return False
