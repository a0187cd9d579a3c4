"""State transitions: one table of allowed moves per stateful model, one function to move.

``transition()`` checks the table, updates with compare-and-set
(``filter(pk=…, status=current).update(status=new)``, which is atomic on SQLite and PostgreSQL
alike), records who, when and why in ``StateChange`` and publishes the event through the outbox.
A concurrent change makes the update match no row and raises ``CONFLICT``: nothing changed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction

from trispace.kernel import errors
from trispace.kernel import time as ktime
from trispace.kernel.audit import actor_pk, target_label
from trispace.kernel.events import Event
from trispace.kernel.models import StateChange


@dataclass(frozen=True)
class StateMachine:
    """``allowed`` maps a status to the statuses it may move to."""

    allowed: Mapping[str, Iterable[str]]
    field: str = "status"
    _moves: dict[str, frozenset[str]] = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_moves", {k: frozenset(v) for k, v in self.allowed.items()})

    def can(self, current: str, to: str) -> bool:
        return to in self._moves.get(current, frozenset())

    def targets(self, current: str) -> frozenset[str]:
        return self._moves.get(current, frozenset())


def transition(
    obj: models.Model,
    *,
    machine: StateMachine,
    to: str,
    actor: Any,
    reason: str = "",
    updates: Mapping[str, Any] | None = None,
    event: Event | None = None,
) -> None:
    """Move ``obj`` to status ``to``; raise TRANSITION_NOT_ALLOWED or CONFLICT otherwise.

    ``updates`` are further columns written in the same UPDATE (e.g. ``paid_at``). ``obj`` is
    refreshed in memory on success.
    """
    from trispace.kernel import outbox  # late: outbox imports jobs, which reads settings

    current = getattr(obj, machine.field)
    if not machine.can(current, to):
        raise errors.TRANSITION_NOT_ALLOWED(field=machine.field, current=current, to=to)
    values = {machine.field: to, **(updates or {})}
    model = type(obj)
    with transaction.atomic():
        changed = model._default_manager.filter(pk=obj.pk, **{machine.field: current}).update(
            **values
        )
        if changed != 1:
            raise errors.CONFLICT()
        StateChange.objects.create(
            at=ktime.now(),
            target_type=target_label(obj),
            target_id=str(obj.pk),
            from_status=current,
            to_status=to,
            actor_id=actor_pk(actor),
            reason=reason[:255],
        )
        if event is not None:
            outbox.publish(event)
    for name, value in values.items():
        setattr(obj, name, value)


def history(obj: models.Model) -> models.QuerySet[StateChange]:
    return StateChange.objects.filter(
        target_type=target_label(obj), target_id=str(obj.pk)
    ).order_by("at", "pk")
