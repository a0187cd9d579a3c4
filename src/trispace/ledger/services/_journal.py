"""Writing one journal transaction: its row, its entries and the cached balances.

Callers (``post``, ``reverse``) run this inside their own ``transaction.atomic()`` after the
input checks, so a refused posting writes nothing.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import IntegrityError, transaction
from django.db.models import F

from trispace.ledger.models import Account, Entry, JournalTransaction
from trispace.ledger.services._checks import Fingerprint
from trispace.ledger.types import AccountRef, Posting


def account_id(ref: AccountRef) -> int:
    """The account's id, created on first use (race-safe: unique constraint + retry)."""
    account, _ = Account.objects.get_or_create(
        owner_type=ref.owner_type, owner_id=ref.owner_id, purpose=ref.purpose
    )
    return account.pk


def stored_fingerprint(tx: JournalTransaction) -> Fingerprint:
    rows = tx.entries.values_list(
        "account__owner_type", "account__owner_id", "account__purpose", "debit_fen", "credit_fen"
    )
    return sorted(rows)


def stored_postings(tx: JournalTransaction) -> list[Posting]:
    return [
        Posting(AccountRef(owner_type, owner_id, purpose), debit_fen, credit_fen)
        for owner_type, owner_id, purpose, debit_fen, credit_fen in stored_fingerprint(tx)
    ]


def create(
    *,
    key: str,
    source_type: str,
    source_id: str,
    memo: str,
    legs: list[Posting],
    reverses: JournalTransaction | None = None,
) -> JournalTransaction | None:
    """Write the transaction; None when its key (or reversal) was taken concurrently."""
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction survives a clash
            tx = JournalTransaction.objects.create(
                key=key,
                source_type=source_type,
                source_id=source_id,
                memo=memo[:255],
                reverses=reverses,
            )
    except IntegrityError:
        return None
    # Accounts in one order everywhere, so concurrent postings do not deadlock on creation.
    refs = sorted(
        {leg.account for leg in legs}, key=lambda r: (r.owner_type, r.owner_id, r.purpose)
    )
    ids = {ref: account_id(ref) for ref in refs}
    Entry.objects.bulk_create(
        Entry(
            transaction=tx,
            account_id=ids[leg.account],
            debit_fen=leg.debit_fen,
            credit_fen=leg.credit_fen,
        )
        for leg in legs
    )
    deltas: dict[int, int] = defaultdict(int)
    for leg in legs:
        deltas[ids[leg.account]] += leg.debit_fen - leg.credit_fen
    for pk in sorted(deltas):  # row locks in id order: no deadlock between postings
        if deltas[pk]:
            Account.objects.filter(pk=pk).update(balance_fen=F("balance_fen") + deltas[pk])
    return tx
