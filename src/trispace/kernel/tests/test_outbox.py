"""The outbox: events stored with the change, delivered after commit, each handler once."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from trispace.kernel import outbox
from trispace.kernel import time as ktime
from trispace.kernel.events import Event, event_class
from trispace.kernel.models import OutboxEvent, ProcessedEvent


@dataclasses.dataclass(frozen=True, kw_only=True)
class ParcelShippedForTest(Event):
    parcel_id: int
    shipped_at: dt.datetime
    lines: tuple[int, ...] = ()
    ref: uuid.UUID | None = None


seen: list[tuple[str, Any]] = []
broken = {"times": 0}


def count_parcels(event: ParcelShippedForTest) -> None:
    seen.append(("count", event.parcel_id))


def notify_buyer(event: ParcelShippedForTest) -> None:
    if broken["times"] > 0:
        broken["times"] -= 1
        raise RuntimeError("SMS gateway down")
    seen.append(("notify", event.parcel_id))


def clash(event: ParcelShippedForTest) -> None:
    raise IntegrityError("a unique constraint of the handler's own")


@pytest.fixture(autouse=True)
def handlers() -> Iterator[None]:
    """Only this module's handlers are subscribed during a test; the real wiring comes back."""
    saved = {name: outbox.handlers_for(name) for name in list(outbox._handlers)}
    outbox.clear_subscriptions()
    outbox.subscribe(ParcelShippedForTest, count_parcels)
    outbox.subscribe(ParcelShippedForTest, notify_buyer)
    seen.clear()
    broken["times"] = 0
    yield
    outbox.clear_subscriptions()
    for name, fns in saved.items():
        for fn in fns:
            outbox._handlers[name].append(fn)


def shipped(parcel_id: int = 7) -> ParcelShippedForTest:
    return ParcelShippedForTest(
        parcel_id=parcel_id,
        shipped_at=dt.datetime(2026, 5, 1, 8, 0, tzinfo=dt.UTC),
        lines=(1, 2),
        ref=uuid.UUID(int=5),
    )


def test_events_round_trip_through_json() -> None:
    event = shipped()
    payload = event.to_payload()
    assert payload == {
        "parcel_id": 7,
        "shipped_at": "2026-05-01T08:00:00+00:00",
        "lines": [1, 2],
        "ref": "00000000-0000-0000-0000-000000000005",
    }
    again = event_class("ParcelShippedForTest").from_payload(
        {**payload, "removed_field": 1}, event_id=uuid.UUID(int=1)
    )
    assert again == event
    assert again.event_id == uuid.UUID(int=1)


def test_subscribe_is_idempotent() -> None:
    outbox.subscribe(ParcelShippedForTest, count_parcels)
    assert outbox.handlers_for("ParcelShippedForTest") == [count_parcels, notify_buyer]


@pytest.mark.django_db(transaction=True)
def test_publish_outside_a_transaction_is_refused() -> None:
    with pytest.raises(RuntimeError):
        outbox.publish(shipped())
    assert not OutboxEvent.objects.exists()


@pytest.mark.django_db
def test_handlers_run_after_commit_and_only_then(
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        event_id = outbox.publish(shipped())
        assert seen == []  # nothing runs before the commit
    assert len(callbacks) == 1
    assert seen == [("count", 7), ("notify", 7)]
    row = OutboxEvent.objects.get(pk=event_id)
    assert row.dispatched_at is not None
    assert row.attempts == 0
    assert ProcessedEvent.objects.filter(event_id=event_id).count() == 2


@pytest.mark.django_db
def test_a_rolled_back_change_publishes_nothing(
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    def publish_then_fail() -> None:
        with transaction.atomic():
            outbox.publish(shipped())
            raise ZeroDivisionError

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ZeroDivisionError),
    ):
        publish_then_fail()
    assert callbacks == []
    assert seen == []
    assert not OutboxEvent.objects.exists()


@pytest.mark.django_db
def test_a_redelivered_event_is_not_processed_twice(
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        event_id = outbox.publish(shipped())
    row = OutboxEvent.objects.get(pk=event_id)
    # A broker redelivers: the task runs again, and a sweep finds the row as if lost.
    outbox.dispatch_event.call_local(str(event_id))
    OutboxEvent.objects.filter(pk=event_id).update(dispatched_at=None)
    assert outbox.deliver(row) is True
    assert seen == [("count", 7), ("notify", 7)]
    assert ProcessedEvent.objects.filter(event_id=event_id).count() == 2


@pytest.mark.django_db
def test_a_failing_handler_does_not_block_the_others_and_is_retried(
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    broken["times"] = 1
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        event_id = outbox.publish(shipped())
    assert seen == [("count", 7)]
    row = OutboxEvent.objects.get(pk=event_id)
    assert row.dispatched_at is None
    assert row.attempts == 1
    assert "notify_buyer: RuntimeError: SMS gateway down" in row.last_error
    assert ProcessedEvent.objects.filter(event_id=event_id).count() == 1  # notify rolled back

    # Too recent for the sweep; later it is picked up and only the failed handler runs again.
    assert outbox.dispatch_pending() == 0
    with ktime.travel(dt.timedelta(minutes=1)):
        assert outbox.dispatch_pending() == 1
    assert seen == [("count", 7), ("notify", 7)]
    row.refresh_from_db()
    assert row.dispatched_at is not None
    assert ProcessedEvent.objects.filter(event_id=event_id).count() == 2
    with ktime.travel(dt.timedelta(minutes=2)):
        assert outbox.dispatch_pending() == 0  # nothing left


@pytest.mark.django_db
def test_failures_count_attempts_and_the_sweep_gives_up_eventually(
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    outbox.subscribe(ParcelShippedForTest, clash)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        event_id = outbox.publish(shipped())
    row = OutboxEvent.objects.get(pk=event_id)
    assert row.attempts == 1
    assert "clash: IntegrityError" in row.last_error
    assert not ProcessedEvent.objects.filter(event_id=event_id, handler__endswith="clash").exists()
    with ktime.travel(dt.timedelta(minutes=1)):
        outbox.dispatch_pending()
    row.refresh_from_db()
    assert row.attempts == 2
    OutboxEvent.objects.filter(pk=event_id).update(attempts=20)
    with ktime.travel(dt.timedelta(minutes=2)):
        assert outbox.dispatch_pending() == 0
    assert seen == [("count", 7), ("notify", 7)]  # the healthy handlers ran exactly once


@pytest.mark.django_db
def test_an_event_nobody_hears_is_marked_dispatched(
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    outbox.clear_subscriptions()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        event_id = outbox.publish(shipped())
    assert OutboxEvent.objects.get(pk=event_id).dispatched_at is not None
