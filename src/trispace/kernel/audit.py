"""The audit trail: every use case that changes something writes one row."""

from __future__ import annotations

from typing import Any

from django.db import models

from trispace.kernel import time as ktime
from trispace.kernel.models import AuditLog


def actor_pk(actor: Any) -> int | None:
    """The id of whoever acts (a user), or None for the system (jobs, seeds)."""
    if actor is None:
        return None
    pk = getattr(actor, "pk", None)
    return int(pk) if pk is not None else None


def target_label(target: models.Model | str) -> str:
    if isinstance(target, str):
        return target
    return str(target._meta.label_lower)


def record(
    *,
    actor: Any,
    action: str,
    target: models.Model,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> AuditLog:
    return AuditLog.objects.create(
        at=ktime.now(),
        actor_id=actor_pk(actor),
        action=action,
        target_type=target_label(target),
        target_id=str(target.pk),
        reason=reason[:255],
        data=data or {},
    )


def trail(target: models.Model) -> models.QuerySet[AuditLog]:
    return AuditLog.objects.filter(
        target_type=target_label(target), target_id=str(target.pk)
    ).order_by("at", "pk")
