"""Events published by ``network`` (品牌商 → 经销商 → 门店)."""

from __future__ import annotations

import dataclasses

from trispace.kernel.events import Event


@dataclasses.dataclass(frozen=True, kw_only=True)
class OrganizationCreated(Event):
    organization_id: int
    kind: str
    parent_id: int | None


@dataclasses.dataclass(frozen=True, kw_only=True)
class OrganizationMoved(Event):
    organization_id: int
    old_parent_id: int | None
    new_parent_id: int | None


@dataclasses.dataclass(frozen=True, kw_only=True)
class StoreStatusChanged(Event):
    organization_id: int
    old_status: str
    new_status: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class MembershipGranted(Event):
    membership_id: int
    user_id: int
    organization_id: int
    role: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class MembershipRevoked(Event):
    membership_id: int
    user_id: int
    organization_id: int
    role: str
