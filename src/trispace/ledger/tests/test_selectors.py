from __future__ import annotations

from typing import Any

import pytest
from django.db.models import F

from trispace.ledger.models import Account, Entry, JournalTransaction
from trispace.ledger.selectors import account_entries, balance, check, derived_balance
from trispace.ledger.services import AccountRef, reverse
from trispace.ledger.tests.factories import (
    CLEARING,
    PAYMENTS,
    AccountFactory,
    capture,
    trigger_disabled,
)

pytestmark = pytest.mark.django_db


def test_balance_of_an_unknown_account_is_zero() -> None:
    assert balance(AccountRef("user", 404, "wallet")) == 0
    assert derived_balance(AccountRef("user", 404, "wallet")) == 0
    assert list(account_entries(AccountRef("user", 404, "wallet"))) == []


def test_balances_follow_postings_and_reversals() -> None:
    capture("a", 100)
    capture("b", 250)
    reverse(key="a:rev", original_key="a", memo="")

    assert balance(CLEARING) == derived_balance(CLEARING) == 250
    assert balance(PAYMENTS) == derived_balance(PAYMENTS) == -250


def test_account_entries_are_oldest_first_with_their_transaction(
    django_assert_num_queries: Any,
) -> None:
    capture("a", 100)
    capture("b", 250)
    with django_assert_num_queries(1):
        rows = [(e.transaction.key, e.debit_fen, e.credit_fen) for e in account_entries(CLEARING)]
    assert rows == [("a", 100, 0), ("b", 250, 0)]


def test_check_is_clean_on_a_sound_ledger() -> None:
    capture("a", 100)
    capture("b", 250)
    reverse(key="a:rev", original_key="a", memo="")

    report = check(chunk_size=1)  # one id per query: exercises the chunking
    assert report.ok
    assert (report.transactions_checked, report.accounts_checked) == (3, 2)
    assert report.lines() == ["Ledger OK: 3 transactions, 2 accounts checked."]


def test_check_on_an_empty_ledger() -> None:
    report = check()
    assert report.ok
    assert report.as_dict()["transactions_checked"] == 0


def test_check_finds_a_tampered_cached_balance() -> None:
    capture("a", 100)
    Account.objects.filter(purpose="psp_clearing").update(balance_fen=F("balance_fen") + 1)

    report = check()
    assert not report.ok
    assert report.unbalanced_count == 0
    assert report.mismatched_count == 1
    [item] = report.mismatched
    assert (item.purpose, item.cached_fen, item.derived_fen) == ("psp_clearing", 101, 100)


def test_check_finds_an_account_with_a_balance_but_no_entries() -> None:
    AccountFactory(balance_fen=5)
    report = check()
    assert report.mismatched_count == 1
    assert report.mismatched[0].derived_fen == 0


def test_check_finds_unbalanced_and_empty_transactions() -> None:
    tx = capture("a", 100)
    with trigger_disabled():
        Entry.objects.filter(transaction=tx, debit_fen__gt=0).update(debit_fen=90)
    JournalTransaction.objects.create(key="empty", source_type="t", source_id="1")

    report = check(chunk_size=1)
    assert report.unbalanced_count == 2
    by_key = {item.key: item for item in report.unbalanced}
    assert (by_key["a"].debit_fen, by_key["a"].credit_fen, by_key["a"].entries) == (90, 100, 2)
    assert by_key["empty"].entries == 0
    assert report.mismatched_count == 1  # the cached balance still says 100
    text = "\n".join(report.lines())
    assert "debits 90 ≠ credits 100" in text
    assert "has no entries" in text


def test_check_lists_at_most_a_hundred_items_but_counts_all() -> None:
    Account.objects.bulk_create(
        Account(owner_type="user", owner_id=i, purpose="wallet", balance_fen=1) for i in range(105)
    )
    report = check(chunk_size=50)
    assert report.mismatched_count == 105
    assert len(report.mismatched) == 100
    assert report.lines()[-1] == "  … and 5 more"
