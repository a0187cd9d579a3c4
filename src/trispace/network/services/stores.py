"""Use cases of a store as a pickup point (自提点): its status and its pickup hours."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from trispace.contracts.network import StoreStatusChanged
from trispace.kernel import audit
from trispace.kernel import time as ktime
from trispace.kernel.transitions import transition
from trispace.network import errors, validators
from trispace.network.models import Organization, OrgKind
from trispace.network.scoping import actor_scope
from trispace.network.services._guards import require, require_visible
from trispace.network.states import ORG_STATES, OrgStatus


def _require_store(store: Organization) -> None:
    if store.kind != OrgKind.STORE:
        raise errors.ORG_KIND_INVALID(field="store", kind=str(OrgKind(store.kind).label))


def store_set_status(
    *, actor: Any, store: Organization, status: str, reason: str = ""
) -> Organization:
    """Open (active), pause or close a store.

    The store's owner may pause and reopen it; closing it, or reopening a closed one, is for
    whoever manages the store (its dealer's admins, the brand's admins).
    """
    scope = actor_scope(actor)
    require_visible(scope, store)
    _require_store(store)
    if status not in OrgStatus.values:
        raise errors.STATUS_INVALID(field="status")
    require(scope.can_run_store(store))
    if OrgStatus.CLOSED in (status, store.status):
        require(scope.can_manage(store))
    if status == store.status:
        return store  # already so: nothing changes, nothing is recorded
    old = store.status
    with transaction.atomic():
        transition(
            store,
            machine=ORG_STATES,
            to=status,
            actor=actor,
            reason=reason,
            updates={"updated_at": ktime.now()},
            event=StoreStatusChanged(organization_id=store.pk, old_status=old, new_status=status),
        )
        audit.record(
            actor=actor,
            action="store_set_status",
            target=store,
            reason=reason,
            data={"old": old, "new": status},
        )
    return store


def store_set_pickup_hours(*, actor: Any, store: Organization, hours: Any) -> Organization:
    """Replace a store's weekly pickup hours: ``[[weekday, "HH:MM", "HH:MM"], ...]``."""
    scope = actor_scope(actor)
    require_visible(scope, store)
    _require_store(store)
    require(scope.can_run_store(store))
    clean = validators.clean_pickup_hours(hours)
    with transaction.atomic():
        old = (
            Organization.objects.select_for_update()
            .filter(pk=store.pk)
            .values_list("pickup_hours", flat=True)
            .first()
        )
        if old == clean:
            store.pickup_hours = clean
            return store
        now = ktime.now()
        Organization.objects.filter(pk=store.pk).update(pickup_hours=clean, updated_at=now)
        audit.record(
            actor=actor,
            action="store_set_pickup_hours",
            target=store,
            data={"old": old, "new": clean},
        )
    store.pickup_hours = clean
    store.updated_at = now
    return store
