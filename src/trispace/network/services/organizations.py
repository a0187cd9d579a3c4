"""Use cases of the organization tree: create, update and move brand, dealers and stores."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import CharField, F, Max, Value
from django.db.models.functions import Concat, Substr

from trispace.contracts.network import OrganizationCreated, OrganizationMoved
from trispace.kernel import audit, ids, outbox
from trispace.kernel import time as ktime
from trispace.network import errors, validators
from trispace.network.models import (
    ALLOWED_PARENT_KINDS,
    MAX_DEPTH,
    Organization,
    OrgKind,
    Region,
    RegionLevel,
    path_segment,
)
from trispace.network.scoping import actor_scope
from trispace.network.services._guards import (
    UNSET,
    is_superuser,
    lock_chains,
    lock_organizations,
    require,
    require_visible,
)
from trispace.network.states import OrgStatus

CODE_PREFIX: dict[str, str] = {OrgKind.BRAND: "B", OrgKind.DEALER: "D", OrgKind.STORE: "S"}


def _region(code: Any) -> Region | None:
    """A city or district by its 6-digit code; None clears it."""
    if code is None or code == "":
        return None
    text = str(code).strip()
    region = Region.objects.filter(pk=text).first() if len(text) == 6 and text.isdigit() else None
    if region is None or region.level == RegionLevel.PROVINCE:
        raise errors.REGION_UNKNOWN(field="region_code")
    return region


def _contact_phone(raw: Any) -> str:
    if raw is None or str(raw).strip() == "":
        return ""
    return validators.normalize_phone(raw, field="contact_phone")


def _free_code(code: str, *, exclude_pk: int | None = None) -> str:
    taken = Organization.objects.filter(code__iexact=code)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise errors.CODE_TAKEN(field="code")
    return code


def _generate_code(kind: str) -> str:
    for _ in range(20):
        code = CODE_PREFIX.get(kind, "O") + ids.short_code(7)
        if not Organization.objects.filter(code=code).exists():
            return code
    raise errors.CONFLICT()  # pragma: no cover - 32**7 codes


def _check_placement(kind: str, parent: Organization | None) -> None:
    if kind == OrgKind.BRAND:
        if parent is not None:
            raise errors.ORG_KIND_INVALID(field="parent", kind=str(OrgKind(kind).label))
        return
    if parent is None or parent.kind not in ALLOWED_PARENT_KINDS[kind]:
        raise errors.ORG_KIND_INVALID(field="parent", kind=str(OrgKind(kind).label))


def organization_create(
    *,
    actor: Any,
    kind: str,
    parent: Organization | None,
    name: str,
    code: str | None = None,
    region_code: str | None = None,
    address: str = "",
    lng: float | None = None,
    lat: float | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    pickup_hours: list[Any] | None = None,
) -> Organization:
    """Add a brand (root; superusers and seeds only), a dealer or a store to the tree."""
    scope = actor_scope(actor)
    if kind not in OrgKind.values:
        raise errors.ORG_KIND_INVALID(field="kind", kind=str(kind)[:20])
    if kind == OrgKind.BRAND:
        require(is_superuser(actor))
    elif parent is not None:
        require_visible(scope, parent, field="parent")
        require(scope.can_manage(parent))
    _check_placement(kind, parent)

    name = validators.clean_name(name)
    clean_code = validators.clean_code(code) if code not in (None, "") else None
    region = _region(region_code)
    lng, lat = validators.clean_coordinates(lng, lat)
    phone = _contact_phone(contact_phone)
    if kind == OrgKind.STORE:
        hours = validators.clean_pickup_hours(pickup_hours)
    elif pickup_hours:
        raise errors.HOURS_INVALID(field="pickup_hours")
    else:
        hours = []

    with transaction.atomic():
        parent_path, depth = "", 0
        if parent is not None:
            parent = lock_chains(parent)[parent.pk]  # its current path and status
            if parent.status != OrgStatus.ACTIVE:
                raise errors.ORG_NOT_ACTIVE(field="parent")
            if parent.depth + 1 > MAX_DEPTH:
                raise errors.ORG_TOO_DEEP(field="parent", max=MAX_DEPTH)
            parent_path, depth = parent.path, parent.depth + 1
        final_code = _free_code(clean_code) if clean_code else _generate_code(kind)
        now = ktime.now()
        org = Organization(
            kind=kind,
            parent=parent,
            name=name,
            code=final_code,
            region=region,
            address=str(address or "").strip()[:200],
            lng=lng,
            lat=lat,
            contact_name=validators.clean_name(contact_name, field="contact_name", max_length=50)
            if contact_name
            else "",
            contact_phone=phone,
            pickup_hours=hours,
            created_at=now,
            updated_at=now,
        )
        try:
            with transaction.atomic():
                org.save()
        except IntegrityError as exc:  # a concurrent insert took the code
            raise errors.CODE_TAKEN(field="code") from exc
        org.path = parent_path + path_segment(org.pk)
        org.depth = depth
        Organization.objects.filter(pk=org.pk).update(path=org.path, depth=org.depth)
        audit.record(
            actor=actor,
            action="organization_create",
            target=org,
            data={"kind": kind, "parent_id": org.parent_id, "code": org.code, "name": name},
        )
        outbox.publish(
            OrganizationCreated(organization_id=org.pk, kind=kind, parent_id=org.parent_id)
        )
    return org


def organization_update(
    *,
    actor: Any,
    organization: Organization,
    name: Any = UNSET,
    code: Any = UNSET,
    region_code: Any = UNSET,
    address: Any = UNSET,
    lng: Any = UNSET,
    lat: Any = UNSET,
    contact_name: Any = UNSET,
    contact_phone: Any = UNSET,
) -> Organization:
    """Change an organization's details; arguments left out stay as they are."""
    scope = actor_scope(actor)
    require_visible(scope, organization)
    require(scope.can_manage(organization))

    changes: dict[str, Any] = {}
    if name is not UNSET:
        changes["name"] = validators.clean_name(name)
    if code is not UNSET:
        changes["code"] = validators.clean_code(code)
    if region_code is not UNSET:
        changes["region"] = _region(region_code)
    if address is not UNSET:
        changes["address"] = str(address or "").strip()[:200]
    if lng is not UNSET or lat is not UNSET:
        new_lng = organization.lng if lng is UNSET else lng
        new_lat = organization.lat if lat is UNSET else lat
        changes["lng"], changes["lat"] = validators.clean_coordinates(new_lng, new_lat)
    if contact_name is not UNSET:
        changes["contact_name"] = (
            validators.clean_name(contact_name, field="contact_name", max_length=50)
            if contact_name
            else ""
        )
    if contact_phone is not UNSET:
        changes["contact_phone"] = _contact_phone(contact_phone)

    with transaction.atomic():
        org = lock_organizations(organization.pk)[organization.pk]
        if "code" in changes and changes["code"] != org.code:
            _free_code(changes["code"], exclude_pk=org.pk)
        diff: dict[str, list[Any]] = {}
        for field, value in changes.items():
            old = getattr(org, field)
            if old != value:
                key = "region_code" if field == "region" else field
                diff[key] = [
                    getattr(old, "pk", old),
                    getattr(value, "pk", value),
                ]
                setattr(org, field, value)
        if diff:
            org.updated_at = ktime.now()
            try:
                with transaction.atomic():
                    org.save(update_fields=[*changes.keys(), "updated_at"])
            except IntegrityError as exc:
                raise errors.CODE_TAKEN(field="code") from exc
            audit.record(actor=actor, action="organization_update", target=org, data=diff)
    _copy(org, organization)
    return organization


def organization_move(
    *, actor: Any, organization: Organization, new_parent: Organization, reason: str = ""
) -> Organization:
    """Put ``organization`` (and its whole subtree) under ``new_parent``.

    Refuses cycles (under itself or one of its descendants) and kind violations (a dealer
    under a store); the paths of the whole subtree are rewritten in one UPDATE.
    """
    scope = actor_scope(actor)
    require_visible(scope, organization)
    require_visible(scope, new_parent, field="parent")
    require(scope.can_move(organization) and scope.can_manage(new_parent))

    with transaction.atomic():
        locked = lock_chains(organization, new_parent)
        org, parent = locked[organization.pk], locked[new_parent.pk]
        if org.kind == OrgKind.BRAND:
            raise errors.ORG_KIND_INVALID(field="organization", kind=str(OrgKind(org.kind).label))
        if parent.path.startswith(org.path):
            raise errors.ORG_CYCLE(field="parent")
        _check_placement(org.kind, parent)
        if parent.status == OrgStatus.CLOSED:
            raise errors.ORG_NOT_ACTIVE(field="parent")
        if org.parent_id == parent.pk:
            _copy(org, organization)
            return organization  # already there: nothing to do

        old_path = org.path
        new_path = parent.path + path_segment(org.pk)
        delta = parent.depth + 1 - org.depth
        subtree = Organization.objects.filter(path__startswith=old_path)
        deepest = subtree.aggregate(deepest=Max("depth"))["deepest"] or org.depth
        if deepest + delta > MAX_DEPTH:
            raise errors.ORG_TOO_DEEP(field="parent", max=MAX_DEPTH)
        old_parent_id = org.parent_id
        Organization.objects.filter(pk=org.pk).update(parent=parent, updated_at=ktime.now())
        moved = subtree.update(
            path=Concat(
                Value(new_path), Substr("path", len(old_path) + 1), output_field=CharField()
            ),
            depth=F("depth") + delta,
        )
        audit.record(
            actor=actor,
            action="organization_move",
            target=org,
            reason=reason,
            data={
                "old_parent_id": old_parent_id,
                "new_parent_id": parent.pk,
                "old_path": old_path,
                "new_path": new_path,
                "subtree_size": moved,
            },
        )
        outbox.publish(
            OrganizationMoved(
                organization_id=org.pk, old_parent_id=old_parent_id, new_parent_id=parent.pk
            )
        )
        org.refresh_from_db()
    _copy(org, organization)
    return organization


def _copy(source: Organization, target: Organization) -> None:
    """Bring the caller's instance up to date with what was written."""
    if source is target:
        return
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    for name in ("parent", "region"):
        target._state.fields_cache.pop(name, None)
