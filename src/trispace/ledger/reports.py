"""What ``selectors.check`` finds: plain dataclasses, printable and JSON-ready."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

MAX_ITEMS = 100  # problems listed in full; the counts cover all of them


@dataclass(frozen=True)
class UnbalancedTransaction:
    transaction_id: int
    key: str
    debit_fen: int
    credit_fen: int
    entries: int  # 0: a transaction without entries

    def describe(self) -> str:
        if not self.entries:
            return f"transaction #{self.transaction_id} ({self.key}) has no entries"
        return (
            f"transaction #{self.transaction_id} ({self.key}): debits {self.debit_fen}"
            f" ≠ credits {self.credit_fen} fen"
        )


@dataclass(frozen=True)
class BalanceMismatch:
    account_id: int
    owner_type: str
    owner_id: int
    purpose: str
    cached_fen: int
    derived_fen: int

    def describe(self) -> str:
        return (
            f"account #{self.account_id} ({self.owner_type}:{self.owner_id}:{self.purpose}):"
            f" cached balance {self.cached_fen} ≠ entries {self.derived_fen} fen"
        )


@dataclass
class CheckReport:
    transactions_checked: int = 0
    accounts_checked: int = 0
    unbalanced_count: int = 0
    mismatched_count: int = 0
    unbalanced: list[UnbalancedTransaction] = field(default_factory=list)
    mismatched: list[BalanceMismatch] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.unbalanced_count or self.mismatched_count)

    def add_unbalanced(self, item: UnbalancedTransaction) -> None:
        self.unbalanced_count += 1
        if len(self.unbalanced) < MAX_ITEMS:
            self.unbalanced.append(item)

    def add_mismatch(self, item: BalanceMismatch) -> None:
        self.mismatched_count += 1
        if len(self.mismatched) < MAX_ITEMS:
            self.mismatched.append(item)

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, **asdict(self)}

    def lines(self) -> list[str]:
        """A human report, one finding a line."""
        head = f"{self.transactions_checked} transactions, {self.accounts_checked} accounts checked"
        if self.ok:
            return [f"Ledger OK: {head}."]
        out = [
            f"Ledger NOT OK: {head}; {self.unbalanced_count} unbalanced transactions,"
            f" {self.mismatched_count} accounts whose cached balance differs from their entries."
        ]
        out += [f"  {item.describe()}" for item in self.unbalanced]
        out += [f"  {item.describe()}" for item in self.mismatched]
        shown = len(self.unbalanced) + len(self.mismatched)
        if shown < self.unbalanced_count + self.mismatched_count:
            out.append(f"  … and {self.unbalanced_count + self.mismatched_count - shown} more")
        return out
