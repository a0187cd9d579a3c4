from __future__ import annotations

import pytest
from django.db import IntegrityError

from trispace.ledger.models import Account, Entry, JournalTransaction

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("debit", "credit"), [(0, 0), (5, 5), (-5, 0), (0, -5), (5, -5)])
def test_an_entry_is_one_sided_and_positive(debit: int, credit: int) -> None:
    tx = JournalTransaction.objects.create(key="k", source_type="t", source_id="1")
    account = Account.objects.create(owner_type="user", owner_id=1, purpose="wallet")
    with pytest.raises(IntegrityError):
        Entry.objects.create(transaction=tx, account=account, debit_fen=debit, credit_fen=credit)


def test_an_account_is_unique_per_owner_and_purpose() -> None:
    Account.objects.create(owner_type="user", owner_id=1, purpose="wallet")
    with pytest.raises(IntegrityError):
        Account.objects.create(owner_type="user", owner_id=1, purpose="wallet")


def test_keys_are_unique() -> None:
    JournalTransaction.objects.create(key="k", source_type="t", source_id="1")
    with pytest.raises(IntegrityError):
        JournalTransaction.objects.create(key="k", source_type="t", source_id="2")


def test_a_transaction_is_reversed_at_most_once() -> None:
    original = JournalTransaction.objects.create(key="k", source_type="t", source_id="1")
    JournalTransaction.objects.create(key="r1", source_type="t", source_id="1", reverses=original)
    with pytest.raises(IntegrityError):
        JournalTransaction.objects.create(
            key="r2", source_type="t", source_id="1", reverses=original
        )
