"""The transactional outbox: events are rows written with the change that caused them.

``publish(event)`` inserts an ``OutboxEvent`` inside the caller's transaction and, once that
commits, enqueues ``dispatch_event``. Dispatch delivers at least once: each handler runs inside
its own transaction together with a ``ProcessedEvent`` row (unique per handler and event), so a
redelivered event is skipped by the handlers that already processed it. A periodic sweep
re-dispatches events whose delivery failed or was lost (a crash between commit and enqueue).

The table of which handler hears which event is ``trispace.config.event_wiring``; handlers are
registered there with ``subscribe`` when the app registry is ready.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F

from trispace.kernel import jobs
from trispace.kernel import time as ktime
from trispace.kernel.events import Event, event_class
from trispace.kernel.models import OutboxEvent, ProcessedEvent

log = logging.getLogger(__name__)

Handler = Callable[[Any], None]
_handlers: dict[str, list[Handler]] = defaultdict(list)


def handler_name(fn: Handler) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


def subscribe(event_type: type[Event], fn: Handler) -> None:
    if fn not in _handlers[event_type.name]:
        _handlers[event_type.name].append(fn)


def clear_subscriptions() -> None:
    _handlers.clear()


def handlers_for(name: str) -> list[Handler]:
    return list(_handlers.get(name, []))


def publish(event: Event) -> uuid.UUID:
    """Store ``event`` in the outbox as part of the current transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("publish() must run inside the transaction that made the change")
    row = OutboxEvent.objects.create(
        name=event.name, payload=event.to_payload(), created_at=ktime.now()
    )
    jobs.enqueue_on_commit(dispatch_event, str(row.id))
    return row.id


def deliver(row: OutboxEvent) -> bool:
    """Run every handler of ``row`` that has not processed it yet; True when all succeeded.

    A failing handler does not stop the others; the delivery then counts one more attempt and
    the event stays pending, so ``dispatch_pending`` retries it (only the handlers that failed
    run again: the others find their ``ProcessedEvent`` row).
    """
    event = event_class(row.name).from_payload(row.payload, event_id=row.id)
    failures: list[str] = []
    for fn in handlers_for(row.name):
        name = handler_name(fn)
        try:
            with transaction.atomic():
                ProcessedEvent.objects.create(
                    handler=name, event_id=row.id, processed_at=ktime.now()
                )
                fn(event)
        except IntegrityError:
            # Already processed (by an earlier delivery or a concurrent one). If the handler
            # itself raised IntegrityError, the ProcessedEvent row was rolled back with it and
            # a later sweep retries: we cannot tell the two apart here, so check.
            if not ProcessedEvent.objects.filter(handler=name, event_id=row.id).exists():
                log.exception("handler %s failed on %s", name, row.id)
                failures.append(f"{name}: IntegrityError")
        except Exception as exc:
            log.exception("handler %s failed on %s", name, row.id)
            failures.append(f"{name}: {type(exc).__name__}: {exc}")
    if failures:
        OutboxEvent.objects.filter(pk=row.pk).update(
            attempts=F("attempts") + 1, last_error="\n".join(failures)[:2000]
        )
        return False
    OutboxEvent.objects.filter(pk=row.pk, dispatched_at__isnull=True).update(
        dispatched_at=ktime.now()
    )
    return True


@jobs.task(retries=3, retry_delay=5)
def dispatch_event(event_id: str) -> None:
    row = OutboxEvent.objects.filter(pk=event_id, dispatched_at__isnull=True).first()
    if row is not None:
        deliver(row)


def dispatch_pending(
    *, older_than: dt.timedelta = dt.timedelta(seconds=30), limit: int = 500
) -> int:
    """Deliver undispatched events created before ``now - older_than``; returns how many were tried."""
    cutoff = ktime.now() - older_than
    rows = list(
        OutboxEvent.objects.filter(
            dispatched_at__isnull=True, created_at__lt=cutoff, attempts__lt=20
        ).order_by("created_at")[:limit]
    )
    for row in rows:
        deliver(row)
    return len(rows)


@jobs.periodic(jobs.crontab(minute="*"))
def sweep_outbox() -> None:
    dispatch_pending()
