"""The values callers hand to the ledger: which account, and how much on which side."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AccountRef:
    """An account by its natural key; the account is created on first use."""

    owner_type: str
    owner_id: int
    purpose: str


@dataclass(frozen=True)
class Posting:
    """One leg: a positive ``debit_fen`` or a positive ``credit_fen`` (the other stays 0)."""

    account: AccountRef
    debit_fen: int = 0
    credit_fen: int = 0
