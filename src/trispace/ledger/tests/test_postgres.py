"""PostgreSQL only: the deferred balance trigger and postings under real concurrency."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from trispace.kernel.errors import DomainError
from trispace.ledger.models import Account, Entry, JournalTransaction
from trispace.ledger.selectors import balance, check, derived_balance
from trispace.ledger.services import post, reverse
from trispace.ledger.tests.factories import CLEARING, PAYMENTS, capture, transfer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

trigger_migration = importlib.import_module(
    "trispace.ledger.migrations.0002_entry_balanced_trigger"
)


def _accounts() -> tuple[Account, Account]:
    return (
        Account.objects.create(owner_type="user", owner_id=1, purpose="a"),
        Account.objects.create(owner_type="user", owner_id=2, purpose="b"),
    )


def _raw_unbalanced(a: Account, b: Account, steps: list[str]) -> None:
    """Bypass the services: a transaction row and entries written by ``bulk_create``."""
    with transaction.atomic():
        tx = JournalTransaction.objects.create(key="raw", source_type="t", source_id="1")
        Entry.objects.bulk_create(
            [
                Entry(transaction=tx, account=a, debit_fen=100),
                Entry(transaction=tx, account=b, credit_fen=90),
            ]
        )
        steps.append("written")  # deferred: nothing is checked before the commit


def test_the_trigger_refuses_an_unbalanced_transaction_at_commit() -> None:
    a, b = _accounts()
    steps: list[str] = []
    with pytest.raises(IntegrityError, match="unbalanced"):
        _raw_unbalanced(a, b, steps)
    assert steps == ["written"]
    assert not JournalTransaction.objects.exists()
    assert not Entry.objects.exists()


def test_the_trigger_waits_for_the_whole_transaction() -> None:
    a, b = _accounts()
    with transaction.atomic():  # one leg at a time: unbalanced in between, balanced at commit
        tx = JournalTransaction.objects.create(key="raw", source_type="t", source_id="1")
        Entry.objects.bulk_create([Entry(transaction=tx, account=a, debit_fen=100)])
        Entry.objects.bulk_create([Entry(transaction=tx, account=b, credit_fen=100)])
    assert Entry.objects.count() == 2


def test_the_trigger_refuses_tampering_with_a_committed_entry() -> None:
    capture("a", 100)
    with pytest.raises(IntegrityError, match="unbalanced"), transaction.atomic():
        Entry.objects.filter(debit_fen=100).update(debit_fen=90)
    with pytest.raises(IntegrityError, match="unbalanced"), transaction.atomic():
        Entry.objects.filter(debit_fen=100).delete()
    assert check().ok


def test_the_migration_drops_and_recreates_the_trigger() -> None:
    a, b = _accounts()
    with connection.schema_editor() as editor:
        trigger_migration.drop_trigger(None, editor)
    try:
        with transaction.atomic():
            tx = JournalTransaction.objects.create(key="raw", source_type="t", source_id="1")
            Entry.objects.bulk_create([Entry(transaction=tx, account=a, debit_fen=5)])
        assert check().unbalanced_count == 1  # without the trigger only check() sees it
        Entry.objects.all().delete()
    finally:
        with connection.schema_editor() as editor:
            trigger_migration.create_trigger(None, editor)
    with pytest.raises(IntegrityError, match="unbalanced"), transaction.atomic():
        Entry.objects.bulk_create([Entry(transaction=tx, account=b, credit_fen=5)])


def _in_threads(count: int, work: Callable[[int], Any]) -> tuple[list[Any], list[BaseException]]:
    barrier = threading.Barrier(count)
    results: list[Any] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def run(n: int) -> None:
        try:
            barrier.wait()
            result = work(n)
            with lock:
                results.append(result)
        except BaseException as exc:
            with lock:
                failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, failures


def test_twenty_threads_posting_to_the_same_accounts() -> None:
    per_thread = 5

    def work(n: int) -> None:
        for i in range(per_thread):
            # Half the threads post the other way round: row locks are taken in id order,
            # so opposite postings do not deadlock.
            legs = (
                transfer(CLEARING, PAYMENTS, 100 + n) if n % 2 else transfer(PAYMENTS, CLEARING, 7)
            )
            post(key=f"t{n}:{i}", source_type="test", source_id=n, memo="", postings=legs)

    _, failures = _in_threads(20, work)

    assert failures == []
    expected = sum(per_thread * (100 + n) if n % 2 else -per_thread * 7 for n in range(20))
    assert Account.objects.count() == 2  # created once despite the race
    assert balance(CLEARING) == derived_balance(CLEARING) == expected
    assert balance(PAYMENTS) == derived_balance(PAYMENTS) == -expected
    assert JournalTransaction.objects.count() == 20 * per_thread
    assert check().ok


def test_the_same_key_posted_concurrently_is_written_once() -> None:
    results, failures = _in_threads(10, lambda n: capture("payment:1:capture", 500).pk)

    assert failures == []
    assert len(set(results)) == 1
    assert JournalTransaction.objects.count() == 1
    assert balance(CLEARING) == 500


def test_one_transaction_reversed_concurrently_is_reversed_once() -> None:
    capture("c", 500)
    results, failures = _in_threads(
        10, lambda n: reverse(key=f"c:rev{n}", original_key="c", memo="").pk
    )

    assert len(results) == 1
    assert len(failures) == 9
    assert all(isinstance(f, DomainError) and f.code == "ledger_already_reversed" for f in failures)
    assert balance(CLEARING) == 0
    assert check().ok
