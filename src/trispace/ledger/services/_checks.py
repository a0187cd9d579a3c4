"""Input checks shared by ``post`` and ``reverse``: they run before anything is written."""

from __future__ import annotations

from collections.abc import Iterable

from trispace.ledger import errors
from trispace.ledger.types import AccountRef, Posting

MAX_KEY_LENGTH = 200
MAX_SOURCE_LENGTH = 64
MAX_AMOUNT_FEN = 10**15  # ten trillion yuan: far above any real leg, far below BIGINT

Fingerprint = list[tuple[str, int, str, int, int]]


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_text(value: object, max_length: int) -> bool:
    return isinstance(value, str) and bool(value.strip()) and len(value) <= max_length


def clean_key(value: object, *, field: str = "key") -> str:
    if not _is_text(value, MAX_KEY_LENGTH):
        raise errors.INVALID(field=field)
    assert isinstance(value, str)
    return value


def clean_source(source_type: object, source_id: object) -> tuple[str, str]:
    if not _is_text(source_type, MAX_SOURCE_LENGTH):
        raise errors.INVALID(field="source_type")
    if _is_int(source_id):
        source_id = str(source_id)
    if not _is_text(source_id, MAX_SOURCE_LENGTH):
        raise errors.INVALID(field="source_id")
    return str(source_type), str(source_id)


def _valid_ref(ref: object) -> bool:
    return (
        isinstance(ref, AccountRef)
        and _is_text(ref.owner_type, 32)
        and _is_int(ref.owner_id)
        and _is_text(ref.purpose, 64)
    )


def _check_leg(leg: object) -> None:
    if not isinstance(leg, Posting) or not _valid_ref(leg.account):
        raise errors.LEDGER_POSTING_INVALID(field="postings")
    debit, credit = leg.debit_fen, leg.credit_fen
    if not (_is_int(debit) and _is_int(credit)):
        raise errors.LEDGER_POSTING_INVALID(field="postings")
    if debit == 0 and credit == 0:
        raise errors.LEDGER_EMPTY(field="postings")
    if min(debit, credit) != 0 or max(debit, credit) > MAX_AMOUNT_FEN:
        # negative, or both sides at once, or absurdly large
        raise errors.LEDGER_POSTING_INVALID(field="postings")


def clean_postings(postings: Iterable[Posting] | None) -> list[Posting]:
    """Every leg one-sided and positive, at least one leg, debits equal to credits."""
    legs = list(postings or ())
    if not legs:
        raise errors.LEDGER_EMPTY(field="postings")
    for leg in legs:
        _check_leg(leg)
    debit_fen = sum(leg.debit_fen for leg in legs)
    credit_fen = sum(leg.credit_fen for leg in legs)
    if debit_fen != credit_fen:
        raise errors.LEDGER_UNBALANCED(field="postings", debit_fen=debit_fen, credit_fen=credit_fen)
    return legs


def fingerprint(legs: Iterable[Posting]) -> Fingerprint:
    """The legs as a sorted list, so the same postings in any order compare equal."""
    return sorted(
        (
            leg.account.owner_type,
            leg.account.owner_id,
            leg.account.purpose,
            leg.debit_fen,
            leg.credit_fen,
        )
        for leg in legs
    )
