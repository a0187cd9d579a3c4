"""``reverse``: cancel a journal transaction with its mirror image (debits and credits swapped)."""

from __future__ import annotations

from django.db import transaction

from trispace.ledger import errors
from trispace.ledger.models import JournalTransaction
from trispace.ledger.services import _checks, _journal
from trispace.ledger.types import Posting


def reverse(*, key: str, original_key: str, memo: str = "") -> JournalTransaction:
    """Post the reversal of ``original_key`` under ``key``; it links back through ``reverses``.

    Idempotent on ``key`` (the same reversal again returns it); ``key`` already used for
    anything else → ``LEDGER_KEY_CONFLICT``; a second reversal of one transaction →
    ``LEDGER_ALREADY_REVERSED``; an unknown original → ``NOT_FOUND``.
    """
    key = _checks.clean_key(key)
    original_key = _checks.clean_key(original_key, field="original_key")
    with transaction.atomic():
        original = JournalTransaction.objects.filter(key=original_key).first()
        if original is None:
            raise errors.NOT_FOUND(field="original_key")
        existing = JournalTransaction.objects.filter(key=key).first()
        if existing is None:
            if JournalTransaction.objects.filter(reverses=original).exists():
                raise errors.LEDGER_ALREADY_REVERSED(field="original_key")
            legs = [
                Posting(leg.account, debit_fen=leg.credit_fen, credit_fen=leg.debit_fen)
                for leg in _journal.stored_postings(original)
            ]
            if not legs:
                raise errors.LEDGER_EMPTY(field="original_key")
            created = _journal.create(
                key=key,
                source_type=original.source_type,
                source_id=original.source_id,
                memo=memo,
                legs=legs,
                reverses=original,
            )
            if created is not None:
                return created
            existing = JournalTransaction.objects.filter(key=key).first()
            if existing is None:  # a concurrent reversal under another key won
                raise errors.LEDGER_ALREADY_REVERSED(field="original_key")
        if existing.reverses_id != original.pk:
            raise errors.LEDGER_KEY_CONFLICT(field="key")
        return existing
