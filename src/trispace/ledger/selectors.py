"""Reads of the ledger: balances, an account's entries, and the reconciliation ``check``.

``check`` scans in id ranges with one aggregate (GROUP BY) statement per range, so it runs in
bounded memory over millions of entries; each statement sees one snapshot, so a posting that
commits while it runs never shows up as a false mismatch.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from trispace.ledger.models import Account, Entry, JournalTransaction
from trispace.ledger.reports import BalanceMismatch, CheckReport, UnbalancedTransaction
from trispace.ledger.types import AccountRef

__all__ = ["CheckReport", "account_entries", "balance", "check", "derived_balance"]

CHUNK = 10_000


def _account_filter(ref: AccountRef, prefix: str = "") -> Q:
    return Q(
        **{
            f"{prefix}owner_type": ref.owner_type,
            f"{prefix}owner_id": ref.owner_id,
            f"{prefix}purpose": ref.purpose,
        }
    )


def balance(ref: AccountRef) -> int:
    """The cached balance (debits minus credits) in fen; 0 for an account never posted to."""
    value = Account.objects.filter(_account_filter(ref)).values_list("balance_fen", flat=True)
    return value.first() or 0


def derived_balance(ref: AccountRef) -> int:
    """The balance summed from the account's entries (what the cache must equal)."""
    totals = Entry.objects.filter(_account_filter(ref, "account__")).aggregate(
        debit=Coalesce(Sum("debit_fen"), 0), credit=Coalesce(Sum("credit_fen"), 0)
    )
    return int(totals["debit"]) - int(totals["credit"])


def account_entries(ref: AccountRef) -> QuerySet[Entry]:
    """The account's entries, oldest first, with their journal transaction."""
    return (
        Entry.objects.filter(_account_filter(ref, "account__"))
        .select_related("transaction")
        .order_by("transaction_id", "pk")
    )


def _ranges(
    model: type[Account] | type[JournalTransaction], size: int
) -> Iterator[tuple[int, int]]:
    bounds = model.objects.aggregate(lo=Min("pk"), hi=Max("pk"))
    if bounds["lo"] is None:
        return
    for lo in range(bounds["lo"], bounds["hi"] + 1, size):
        yield lo, lo + size - 1


def _check_transactions(report: CheckReport, lo: int, hi: int) -> None:
    sums = (
        Entry.objects.filter(transaction_id__gte=lo, transaction_id__lte=hi)
        .values("transaction_id", "transaction__key")
        .annotate(debit=Sum("debit_fen"), credit=Sum("credit_fen"), n=Count("pk"))
        .exclude(debit=F("credit"))
        .order_by("transaction_id")
    )
    for row in sums.iterator():
        report.add_unbalanced(
            UnbalancedTransaction(
                row["transaction_id"],
                row["transaction__key"],
                row["debit"],
                row["credit"],
                row["n"],
            )
        )
    empty = (
        JournalTransaction.objects.filter(pk__range=(lo, hi))
        .exclude(Exists(Entry.objects.filter(transaction=OuterRef("pk"))))
        .order_by("pk")
        .values_list("pk", "key")
    )
    for pk, key in empty.iterator():
        report.add_unbalanced(UnbalancedTransaction(pk, key, 0, 0, 0))


def _check_accounts(report: CheckReport, lo: int, hi: int) -> None:
    derived = (
        Entry.objects.filter(account=OuterRef("pk"))
        .order_by()
        .values("account")
        .annotate(total=Sum("debit_fen") - Sum("credit_fen"))
        .values("total")
    )
    rows = (
        Account.objects.filter(pk__range=(lo, hi))
        .annotate(derived=Coalesce(Subquery(derived), 0))
        .exclude(balance_fen=F("derived"))
        .order_by("pk")
        .values_list("pk", "owner_type", "owner_id", "purpose", "balance_fen", "derived")
    )
    for row in rows.iterator():
        report.add_mismatch(BalanceMismatch(*row))


def check(*, chunk_size: int = CHUNK) -> CheckReport:
    """Every transaction balances and has entries; every cached balance equals its entries."""
    report = CheckReport(
        transactions_checked=JournalTransaction.objects.count(),
        accounts_checked=Account.objects.count(),
    )
    for lo, hi in _ranges(JournalTransaction, chunk_size):
        _check_transactions(report, lo, hi)
    for lo, hi in _ranges(Account, chunk_size):
        _check_accounts(report, lo, hi)
    return report
