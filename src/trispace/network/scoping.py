"""Who may see and change which part of the network.

``Scope`` is built once per request from a user's active memberships. Selectors filter with it
and services check it; the API and the pages only pass it along. Rules:

* brand admin — everything; brand operator — sees everything, manages catalog and prices;
* dealer admin — its dealer's subtree (sub-dealers and stores), never its own node's place;
* salesperson — sees the subtree of the organization they work for;
* store owner — their store (edit hours and status); store clerk — sees their store;
* consumer — nothing of the network beyond public store pages; their own data only;
* the system (seeds, jobs: ``actor=None`` in a service) and Django superusers — everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from trispace.network.models import Membership, Organization, OrgKind, Role

BRAND_ROLES = frozenset({Role.BRAND_ADMIN, Role.BRAND_OPERATOR})
STAFF_ROLES = frozenset(set(Role) - {Role.CONSUMER})


@dataclass(frozen=True)
class Grant:
    organization_id: int
    path: str
    kind: str
    role: str


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    grants: tuple[Grant, ...] = ()
    system: bool = False  # seeds, jobs and superusers: the whole network

    # --- who ---------------------------------------------------------------------------------
    @property
    def roles(self) -> frozenset[str]:
        return frozenset(g.role for g in self.grants)

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def is_staff(self) -> bool:
        return self.system or bool(self.roles & STAFF_ROLES)

    @property
    def is_brand(self) -> bool:
        return self.system or bool(self.roles & BRAND_ROLES)

    @property
    def is_brand_admin(self) -> bool:
        return self.system or Role.BRAND_ADMIN in self.roles

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))

    def grants_for(self, *roles: str) -> list[Grant]:
        return [g for g in self.grants if g.role in roles]

    @property
    def home_organization_id(self) -> int | None:
        """The organization the staff user mainly works for (the highest one)."""
        staff = [g for g in self.grants if g.role in STAFF_ROLES]
        if not staff:
            return None
        return min(staff, key=lambda g: len(g.path)).organization_id

    @property
    def consumer_store_id(self) -> int | None:
        consumer = self.grants_for(Role.CONSUMER)
        return consumer[0].organization_id if consumer else None

    # --- reading -----------------------------------------------------------------------------
    def _view_paths(self) -> list[str]:
        roles = (Role.DEALER_ADMIN, Role.SALESPERSON, Role.STORE_OWNER, Role.STORE_CLERK)
        return [g.path for g in self.grants_for(*roles)]

    def visible_q(self, prefix: str = "") -> Q:
        """A Q on an organization (``prefix`` = "organization__" for a related model)."""
        if self.is_brand:
            return Q()
        paths = self._view_paths()
        if not paths:
            return Q(pk__in=[])
        q = Q()
        for path in paths:
            q |= Q(**{f"{prefix}path__startswith": path})
        return q

    def visible_organizations(
        self, queryset: QuerySet[Organization] | None = None
    ) -> QuerySet[Organization]:
        qs = Organization.objects.all() if queryset is None else queryset
        return qs.filter(self.visible_q())

    def can_view(self, org: Organization) -> bool:
        return self.is_brand or any(org.path.startswith(p) for p in self._view_paths())

    def manage_q(self, prefix: str = "") -> Q:
        """A Q on the organizations this scope may manage (see ``can_manage``)."""
        if self.is_brand_admin:
            return Q()
        paths = [g.path for g in self.grants_for(Role.DEALER_ADMIN)]
        if not paths:
            return Q(pk__in=[])
        q = Q()
        for path in paths:
            q |= Q(**{f"{prefix}path__startswith": path})
        return q

    @property
    def can_manage_any(self) -> bool:
        """Manages some part of the network (creates organizations, assigns people)."""
        return self.is_brand_admin or bool(self.grants_for(Role.DEALER_ADMIN))

    # --- changing ----------------------------------------------------------------------------
    def can_manage(self, org: Organization) -> bool:
        """May create children under ``org``, edit it and assign its people."""
        if self.is_brand_admin:
            return True
        return any(org.path.startswith(g.path) for g in self.grants_for(Role.DEALER_ADMIN))

    def can_move(self, org: Organization) -> bool:
        """May change ``org``'s place in the tree: its own node is never movable by itself."""
        if self.is_brand_admin:
            return True
        return any(
            org.path.startswith(g.path) and org.path != g.path
            for g in self.grants_for(Role.DEALER_ADMIN)
        )

    def can_run_store(self, org: Organization) -> bool:
        """May change a store's pickup hours and status."""
        if org.kind != OrgKind.STORE:
            return False
        if self.can_manage(org):
            return True
        return any(g.organization_id == org.pk for g in self.grants_for(Role.STORE_OWNER))

    def can_manage_catalog(self) -> bool:
        return self.is_brand

    def can_price(self, org: Organization, channel: str) -> bool:
        """May set ``channel`` prices on the list held at ``org``."""
        if self.is_brand:
            return True
        if channel == "dealer":  # what the brand charges dealers is the brand's to set
            return False
        return any(org.path.startswith(g.path) for g in self.grants_for(Role.DEALER_ADMIN))


ANONYMOUS = Scope(user_id=None)
SYSTEM = Scope(user_id=None, system=True)


def actor_scope(actor: Any) -> Scope:
    """The scope a service acts with: ``None`` is the system (seeds, jobs), else ``scope_for``."""
    if actor is None:
        return SYSTEM
    return scope_for(actor)


def forget_scope(user: Any) -> None:
    """Drop the scope cached on ``user`` (after their memberships changed)."""
    if user is not None and hasattr(user, "_trispace_scope"):
        del user._trispace_scope


def scope_for(user: Any) -> Scope:
    """The scope of ``user`` (anonymous → nothing). Cached on the user object per request."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    cached = getattr(user, "_trispace_scope", None)
    if isinstance(cached, Scope):
        return cached
    rows = (
        Membership.objects.filter(user_id=user.pk, is_active=True)
        .exclude(organization__status="closed")
        .values_list("organization_id", "organization__path", "organization__kind", "role")
    )
    scope = Scope(
        user_id=user.pk,
        grants=tuple(Grant(*row) for row in rows),
        system=bool(getattr(user, "is_superuser", False)),
    )
    user._trispace_scope = scope
    return scope
