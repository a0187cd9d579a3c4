"""``post``: record one balanced journal transaction, idempotently on its key."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from trispace.ledger import errors
from trispace.ledger.models import JournalTransaction
from trispace.ledger.services import _checks, _journal
from trispace.ledger.types import Posting


def post(
    *,
    key: str,
    source_type: str,
    source_id: int | str,
    memo: str = "",
    postings: Sequence[Posting],
) -> JournalTransaction:
    """Post ``postings`` as one journal transaction keyed ``key`` (derived from its cause).

    The same key again returns the first transaction when source and postings (in any order)
    are the same; the memo is not compared. Otherwise ``LEDGER_KEY_CONFLICT``. Refused with
    ``LEDGER_EMPTY``, ``LEDGER_POSTING_INVALID`` or ``LEDGER_UNBALANCED`` before anything is
    written. No actor: a posting is a consequence of a use case that audits itself.
    """
    key = _checks.clean_key(key)
    source_type, source_id = _checks.clean_source(source_type, source_id)
    legs = _checks.clean_postings(postings)
    with transaction.atomic():
        existing = JournalTransaction.objects.filter(key=key).first()
        if existing is None:
            created = _journal.create(
                key=key, source_type=source_type, source_id=source_id, memo=memo, legs=legs
            )
            if created is not None:
                return created
            existing = JournalTransaction.objects.get(key=key)  # a concurrent twin won
        same = (
            existing.source_type == source_type
            and existing.source_id == source_id
            and _journal.stored_fingerprint(existing) == _checks.fingerprint(legs)
        )
        if not same:
            raise errors.LEDGER_KEY_CONFLICT(field="key")
        return existing
