"""Tables of the ledger (总账): accounts, journal transactions and their entries.

Append-only double entry. An ``Entry`` carries a positive debit *or* a positive credit (never a
signed amount); the entries of one ``JournalTransaction`` always balance (the services check it,
and on PostgreSQL a deferred constraint trigger checks it again at commit, migration 0002). An
``Account``'s ``balance_fen`` is a cache of debits minus credits, updated with ``F()`` in the
transaction that writes the entries; ``selectors.check`` reconciles it.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from trispace.kernel import time as ktime


class Account(models.Model):
    """An account of an opaque owner (``"platform", 0``; ``"organization", 12``; ``"user", 7``)."""

    owner_type = models.CharField(max_length=32)
    owner_id = models.BigIntegerField()
    purpose = models.CharField(max_length=64)
    balance_fen = models.BigIntegerField(default=0)  # cached: sum(debit_fen) - sum(credit_fen)
    created_at = models.DateTimeField(default=ktime.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner_type", "owner_id", "purpose"], name="ledger_account_owner_purpose"
            )
        ]

    def __str__(self) -> str:
        return f"{self.owner_type}:{self.owner_id}:{self.purpose}"


class JournalTransaction(models.Model):
    """One balanced posting, keyed by its cause (e.g. ``"payment:42:capture"``)."""

    key = models.CharField(max_length=200, unique=True)
    source_type = models.CharField(max_length=64)
    source_id = models.CharField(max_length=64)  # opaque: an upward reference, never a FK
    memo = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=ktime.now)
    reverses = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )

    class Meta:
        indexes = [models.Index(fields=["source_type", "source_id"], name="ledger_tx_source")]

    def __str__(self) -> str:
        return self.key


class Entry(models.Model):
    """One leg of a journal transaction: a positive debit or a positive credit on one account."""

    transaction = models.ForeignKey(
        JournalTransaction, on_delete=models.PROTECT, related_name="entries"
    )
    # Indexed by ``ledger_entry_account_tx`` below (balances and statements of one account).
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="entries", db_index=False
    )
    debit_fen = models.BigIntegerField(default=0)
    credit_fen = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(debit_fen__gt=0) & Q(credit_fen=0))
                | (Q(credit_fen__gt=0) & Q(debit_fen=0)),
                name="ledger_entry_one_side_positive",
            )
        ]
        indexes = [models.Index(fields=["account", "transaction"], name="ledger_entry_account_tx")]

    def __str__(self) -> str:
        side = f"Dr {self.debit_fen}" if self.debit_fen else f"Cr {self.credit_fen}"
        return f"{self.account_id} {side}"
