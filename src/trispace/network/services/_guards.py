"""Checks every network service starts with: who acts, can they see it, may they change it."""

from __future__ import annotations

from typing import Any, Final

from trispace.network import errors
from trispace.network.models import Organization
from trispace.network.scoping import Scope


class _Unset:
    """Marks an argument that was not given (``None`` may be a real value, e.g. "no region")."""

    _instance: _Unset | None = None

    def __new__(cls) -> _Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Final = _Unset()


def is_superuser(actor: Any) -> bool:
    return actor is None or bool(getattr(actor, "is_superuser", False))


def require_visible(scope: Scope, org: Organization, field: str | None = None) -> None:
    """404 for what the caller cannot see: never reveal that it exists."""
    if not scope.can_view(org):
        raise errors.NOT_FOUND(field=field)


def require(allowed: bool) -> None:
    if not allowed:
        raise errors.PERMISSION_DENIED()


def lock_chains(*orgs: Organization) -> dict[int, Organization]:
    """Lock ``orgs`` with all their ancestors and return them as they are now.

    Any two writers whose subtrees overlap share an ancestor, so they queue on its row instead
    of rewriting paths under each other (PostgreSQL; SQLite serializes writers anyway). If a
    concurrent move changed an ancestry since ``orgs`` were read, CONFLICT: retry.
    """
    wanted = {pk for org in orgs for pk in org.ancestor_ids()} | {org.pk for org in orgs}
    locked = lock_organizations(*wanted)
    for org in orgs:
        if not set(locked[org.pk].ancestor_ids()) <= set(locked):
            raise errors.CONFLICT()
    return locked


def lock_organizations(*pks: int) -> dict[int, Organization]:
    """Lock and re-read organizations (in id order, so two movers never deadlock)."""
    rows = Organization.objects.select_for_update().filter(pk__in=sorted(set(pks))).order_by("pk")
    found = {org.pk: org for org in rows}
    missing = [pk for pk in pks if pk not in found]
    if missing:
        raise errors.NOT_FOUND()
    return found
