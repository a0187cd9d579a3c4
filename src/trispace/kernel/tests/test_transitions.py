"""State transitions: the table, compare-and-set, the audit row and the outbox event."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading

import pytest
from django.db import connection

from trispace.kernel import errors
from trispace.kernel import time as ktime
from trispace.kernel.errors import DomainError
from trispace.kernel.events import Event
from trispace.kernel.models import OutboxEvent, StateChange
from trispace.kernel.transitions import StateMachine, history, transition
from trispace.network.models import Organization
from trispace.network.states import ORG_STATES, OrgStatus
from trispace.network.tests.factories import StoreFactory, UserFactory


@dataclasses.dataclass(frozen=True, kw_only=True)
class StoreStatusMovedForTest(Event):
    store_id: int
    to_status: str


def test_state_machine_table() -> None:
    machine = StateMachine({"a": ["b", "c"], "b": {"a"}})
    assert machine.can("a", "b")
    assert not machine.can("b", "c")
    assert not machine.can("c", "a")  # a status with no row goes nowhere
    assert machine.targets("a") == frozenset({"b", "c"})
    assert machine.targets("zzz") == frozenset()
    assert ORG_STATES.can(OrgStatus.ACTIVE, OrgStatus.PAUSED)
    assert not ORG_STATES.can(OrgStatus.CLOSED, OrgStatus.PAUSED)


@pytest.mark.django_db
def test_an_allowed_move_updates_audits_and_publishes(
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    store = StoreFactory()
    actor = UserFactory()
    at = dt.datetime(2026, 4, 1, 2, 0, tzinfo=dt.UTC)
    with ktime.freeze(at), django_capture_on_commit_callbacks() as callbacks:
        transition(
            store,
            machine=ORG_STATES,
            to=OrgStatus.PAUSED,
            actor=actor,
            reason="装修",
            updates={"updated_at": at},
            event=StoreStatusMovedForTest(store_id=store.pk, to_status=OrgStatus.PAUSED),
        )
    assert store.status == OrgStatus.PAUSED  # refreshed in memory
    fresh = Organization.objects.get(pk=store.pk)
    assert fresh.status == OrgStatus.PAUSED
    assert fresh.updated_at == at
    change = history(store).get()
    assert (change.from_status, change.to_status) == ("active", "paused")
    assert change.actor_id == actor.pk
    assert change.reason == "装修"
    assert change.at == at
    assert change.target_type == "network.organization"
    assert change.target_id == str(store.pk)
    event = OutboxEvent.objects.get()
    assert event.name == "StoreStatusMovedForTest"
    assert event.payload == {"store_id": store.pk, "to_status": "paused"}
    assert len(callbacks) == 1  # dispatch is enqueued for after the commit


@pytest.mark.django_db
def test_the_system_may_act_and_an_event_is_optional() -> None:
    store = StoreFactory()
    transition(store, machine=ORG_STATES, to=OrgStatus.CLOSED, actor=None)
    assert history(store).get().actor_id is None
    assert not OutboxEvent.objects.exists()


@pytest.mark.django_db
def test_a_refused_move_changes_nothing() -> None:
    store = StoreFactory(status=OrgStatus.CLOSED)
    with pytest.raises(DomainError) as caught:
        transition(
            store,
            machine=ORG_STATES,
            to=OrgStatus.PAUSED,
            actor=None,
            updates={"name": "changed"},
            event=StoreStatusMovedForTest(store_id=store.pk, to_status="paused"),
        )
    assert caught.value.error is errors.TRANSITION_NOT_ALLOWED
    assert caught.value.field == "status"
    assert caught.value.status == 409
    fresh = Organization.objects.get(pk=store.pk)
    assert (fresh.status, fresh.name) == (OrgStatus.CLOSED, store.name)
    assert store.status == OrgStatus.CLOSED
    assert not StateChange.objects.exists()
    assert not OutboxEvent.objects.exists()


@pytest.mark.django_db
def test_a_stale_object_raises_conflict_and_changes_nothing() -> None:
    store = StoreFactory()
    stale = Organization.objects.get(pk=store.pk)
    transition(store, machine=ORG_STATES, to=OrgStatus.PAUSED, actor=None)
    # `stale` still believes the store is active: active → closed is allowed by the table,
    # but the row is no longer active.
    with pytest.raises(DomainError) as caught:
        transition(
            stale,
            machine=ORG_STATES,
            to=OrgStatus.CLOSED,
            actor=None,
            event=StoreStatusMovedForTest(store_id=store.pk, to_status="closed"),
        )
    assert caught.value.error is errors.CONFLICT
    assert Organization.objects.get(pk=store.pk).status == OrgStatus.PAUSED
    assert stale.status == OrgStatus.ACTIVE
    assert history(store).count() == 1
    assert not OutboxEvent.objects.exists()


@pytest.mark.django_db
def test_history_is_in_order() -> None:
    store = StoreFactory()
    base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    for hours, to in enumerate([OrgStatus.PAUSED, OrgStatus.ACTIVE, OrgStatus.CLOSED]):
        with ktime.freeze(base + dt.timedelta(hours=hours)):
            transition(store, machine=ORG_STATES, to=to, actor=None)
    assert [c.to_status for c in history(store)] == ["paused", "active", "closed"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_transitions_of_one_row_exactly_one_wins() -> None:
    store = StoreFactory()
    rounds = 5
    for _ in range(rounds):
        Organization.objects.filter(pk=store.pk).update(status=OrgStatus.ACTIVE)
        outcomes = race(store.pk, (OrgStatus.PAUSED, OrgStatus.CLOSED))
        assert sorted(o.split(":")[0] for o in outcomes) == ["conflict", "won"]
        winner = next(o for o in outcomes if o.startswith("won")).split(":")[1]
        assert Organization.objects.get(pk=store.pk).status == winner
    assert StateChange.objects.filter(target_id=str(store.pk)).count() == rounds
    assert OutboxEvent.objects.count() == rounds  # the loser published nothing


def race(pk: int, targets: tuple[str, str]) -> list[str]:
    """Two threads read the same row, wait for each other, then both try to move it."""
    barrier = threading.Barrier(len(targets))
    outcomes: list[str] = []
    lock = threading.Lock()

    def move(to: str) -> None:
        try:
            mine = Organization.objects.get(pk=pk)  # both read "active"
            barrier.wait(timeout=10)
            try:
                transition(
                    mine,
                    machine=ORG_STATES,
                    to=to,
                    actor=None,
                    event=StoreStatusMovedForTest(store_id=pk, to_status=to),
                )
                result = f"won:{to}"
            except DomainError as exc:
                result = exc.code
            with lock:
                outcomes.append(result)
        finally:
            connection.close()

    threads = [threading.Thread(target=move, args=(to,)) for to in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes
