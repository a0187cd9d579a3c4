from __future__ import annotations

import pytest
from django.db import transaction

from trispace.kernel.errors import DomainError
from trispace.ledger import errors
from trispace.ledger.models import Account, Entry, JournalTransaction
from trispace.ledger.selectors import balance
from trispace.ledger.services import AccountRef, Posting, post
from trispace.ledger.tests.factories import CLEARING, PAYMENTS, STORE, capture, transfer

pytestmark = pytest.mark.django_db


def _nothing_written() -> None:
    assert not JournalTransaction.objects.exists()
    assert not Entry.objects.exists()
    assert not Account.objects.exists()


def test_balanced_posting_writes_entries_and_balances() -> None:
    tx = capture("payment:1:capture", 1250)

    assert tx.key == "payment:1:capture"
    assert (tx.source_type, tx.source_id, tx.memo) == ("payment", "1", "capture")
    assert tx.reverses is None
    assert sorted(tx.entries.values_list("debit_fen", "credit_fen")) == [(0, 1250), (1250, 0)]
    assert balance(CLEARING) == 1250
    assert balance(PAYMENTS) == -1250


def test_several_legs_and_one_account_twice() -> None:
    post(
        key="split",
        source_type="order",
        source_id="A-7",
        memo="",
        postings=[
            Posting(CLEARING, debit_fen=1000),
            Posting(PAYMENTS, credit_fen=600),
            Posting(STORE, credit_fen=300),
            Posting(STORE, credit_fen=100),
        ],
    )
    assert Entry.objects.count() == 4
    assert Account.objects.count() == 3
    assert balance(STORE) == -400


def test_idempotent_replay_returns_the_first_transaction() -> None:
    first = capture("payment:1:capture", 1250)
    postings = list(reversed(transfer(CLEARING, PAYMENTS, 1250)))  # order does not matter
    again = post(
        key="payment:1:capture",
        source_type="payment",
        source_id="1",  # the same id as a string
        memo="another memo is not compared",
        postings=postings,
    )

    assert again.pk == first.pk
    assert JournalTransaction.objects.count() == 1
    assert Entry.objects.count() == 2
    assert balance(CLEARING) == 1250


@pytest.mark.parametrize(
    ("amount", "source_id"),
    [(999, 1), (1250, 2)],
    ids=["other-amount", "other-source"],
)
def test_same_key_with_other_posting_is_a_conflict(amount: int, source_id: int) -> None:
    capture("payment:1:capture", 1250)
    with pytest.raises(DomainError) as exc:
        capture("payment:1:capture", amount, source_id=source_id)

    assert exc.value.code == "ledger_key_conflict"
    assert exc.value.status == 409
    assert Entry.objects.count() == 2
    assert balance(CLEARING) == 1250


def test_same_key_with_other_accounts_is_a_conflict() -> None:
    capture("k", 100)
    with pytest.raises(DomainError) as exc:
        post(
            key="k",
            source_type="payment",
            source_id=1,
            memo="",
            postings=transfer(CLEARING, STORE, 100),
        )
    assert exc.value.error is errors.LEDGER_KEY_CONFLICT


def test_unbalanced_is_refused_and_nothing_is_written() -> None:
    with pytest.raises(DomainError) as exc:
        post(
            key="bad",
            source_type="payment",
            source_id=1,
            memo="",
            postings=[Posting(CLEARING, debit_fen=100), Posting(PAYMENTS, credit_fen=99)],
        )
    assert exc.value.code == "ledger_unbalanced"
    assert exc.value.params == {"debit_fen": 100, "credit_fen": 99}
    _nothing_written()


@pytest.mark.parametrize("postings", [[], None, [Posting(CLEARING), Posting(PAYMENTS)]])
def test_empty_or_zero_postings_are_refused(postings: list[Posting] | None) -> None:
    with pytest.raises(DomainError) as exc:
        post(key="k", source_type="t", source_id=1, memo="", postings=postings)  # type: ignore[arg-type]
    assert exc.value.error is errors.LEDGER_EMPTY
    _nothing_written()


@pytest.mark.parametrize(
    "legs",
    [
        [Posting(CLEARING, debit_fen=-5), Posting(PAYMENTS, debit_fen=5)],
        [Posting(CLEARING, debit_fen=5, credit_fen=5)],
        [Posting(CLEARING, debit_fen=True), Posting(PAYMENTS, credit_fen=True)],
        [Posting(CLEARING, debit_fen=1.0), Posting(PAYMENTS, credit_fen=1.0)],  # type: ignore[arg-type]
        [Posting(CLEARING, debit_fen=10**16), Posting(PAYMENTS, credit_fen=10**16)],
        [Posting(AccountRef("", 0, "x"), debit_fen=1), Posting(PAYMENTS, credit_fen=1)],
        [Posting(AccountRef("user", "7", "x"), debit_fen=1), Posting(PAYMENTS, credit_fen=1)],  # type: ignore[arg-type]
        [(CLEARING, 1, 0), (PAYMENTS, 0, 1)],
    ],
    ids=["negative", "two-sided", "bool", "float", "huge", "no-owner", "str-owner-id", "tuple"],
)
def test_invalid_legs_are_refused(legs: list[Posting]) -> None:
    with pytest.raises(DomainError) as exc:
        post(key="k", source_type="t", source_id=1, memo="", postings=legs)
    assert exc.value.error is errors.LEDGER_POSTING_INVALID
    _nothing_written()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"key": ""}, "key"),
        ({"key": "x" * 201}, "key"),
        ({"source_type": " "}, "source_type"),
        ({"source_id": None}, "source_id"),
        ({"source_id": True}, "source_id"),
    ],
)
def test_invalid_key_or_source_is_refused(kwargs: dict[str, object], field: str) -> None:
    args: dict[str, object] = {
        "key": "k",
        "source_type": "t",
        "source_id": 1,
        "memo": "",
        "postings": transfer(CLEARING, PAYMENTS, 1),
    }
    with pytest.raises(DomainError) as exc:
        post(**{**args, **kwargs})  # type: ignore[arg-type]
    assert (exc.value.code, exc.value.field) == ("invalid", field)
    _nothing_written()


def _use_case_that_fails_after_posting() -> None:
    with transaction.atomic():
        capture("k", 100)
        raise RuntimeError("the calling use case failed")


def test_a_posting_rolls_back_with_the_callers_transaction() -> None:
    with pytest.raises(RuntimeError):
        _use_case_that_fails_after_posting()
    _nothing_written()


def test_accounts_are_created_once() -> None:
    capture("a", 100)
    capture("b", 200)
    assert Account.objects.count() == 2
    assert balance(CLEARING) == 300
