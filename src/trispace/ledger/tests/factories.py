"""Accounts and postings for the ledger tests."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import factory
from django.db import connection
from factory.django import DjangoModelFactory

from trispace.ledger import chart
from trispace.ledger.models import Account, JournalTransaction
from trispace.ledger.services import AccountRef, Posting, post

CLEARING = chart.PSP_CLEARING
PAYMENTS = chart.CUSTOMER_PAYMENTS
STORE = AccountRef("organization", 12, "receivable")


class AccountFactory(DjangoModelFactory[Account]):
    class Meta:
        model = Account
        django_get_or_create = ("owner_type", "owner_id", "purpose")

    owner_type = "user"
    owner_id = factory.Sequence(lambda n: n + 1)
    purpose = "wallet"


def transfer(debit: AccountRef, credit: AccountRef, amount_fen: int) -> list[Posting]:
    """Debit one account and credit another by the same amount."""
    return [Posting(debit, debit_fen=amount_fen), Posting(credit, credit_fen=amount_fen)]


def capture(key: str, amount_fen: int, source_id: int = 1) -> JournalTransaction:
    """A payment capture as payments posts it: clearing debited, customer payments credited."""
    return post(
        key=key,
        source_type="payment",
        source_id=source_id,
        memo="capture",
        postings=transfer(CLEARING, PAYMENTS, amount_fen),
    )


@contextlib.contextmanager
def trigger_disabled() -> Iterator[None]:
    """Tamper below the balance trigger (PostgreSQL), as a superuser's console session could."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        # Pending deferred checks (foreign keys, earlier postings) must run before the table
        # can be altered; the tampering itself is not checked while the trigger is off.
        flush = "SET CONSTRAINTS ALL IMMEDIATE; SET CONSTRAINTS ALL DEFERRED"
        cursor.execute(flush)
        cursor.execute("ALTER TABLE ledger_entry DISABLE TRIGGER ledger_entry_balanced")
        try:
            yield
        finally:
            cursor.execute(flush)
            cursor.execute("ALTER TABLE ledger_entry ENABLE TRIGGER ledger_entry_balanced")
