"""Hypothesis: any sequence of balanced postings, replays and reversals keeps the ledger sound."""

from __future__ import annotations

from collections import defaultdict

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trispace.kernel.errors import DomainError
from trispace.ledger.models import Account
from trispace.ledger.selectors import balance, check
from trispace.ledger.services import AccountRef, Posting, post, reverse
from trispace.ledger.tests.factories import transfer

pytestmark = pytest.mark.django_db

ACCOUNTS = [
    AccountRef("platform", 0, "psp_clearing"),
    AccountRef("platform", 0, "customer_payments"),
    AccountRef("organization", 3, "receivable"),
    AccountRef("user", 7, "commission"),
]
_index = st.integers(0, len(ACCOUNTS) - 1)
_pair = st.tuples(_index, _index, st.integers(1, 10**12))
OPS = st.lists(
    st.one_of(
        st.tuples(st.just("post"), st.lists(_pair, min_size=1, max_size=4)),
        st.tuples(st.just("reverse"), st.integers(0, 40)),
        st.tuples(st.just("replay"), st.integers(0, 40)),
    ),
    max_size=25,
)


class Model:
    """What the ledger should say, kept in plain Python."""

    def __init__(self) -> None:
        self.expected: dict[AccountRef, int] = defaultdict(int)
        self.posted: list[tuple[str, list[Posting], str | None]] = []  # key, legs, reverses
        self.reversed: set[str] = set()

    def apply(self, key: str, legs: list[Posting], reverses: str | None = None) -> None:
        for leg in legs:
            self.expected[leg.account] += leg.debit_fen - leg.credit_fen
        self.posted.append((key, legs, reverses))


def _run(ops: list[tuple[str, object]], model: Model) -> None:
    for n, (kind, arg) in enumerate(ops):
        if kind == "post":
            assert isinstance(arg, list)
            legs = [
                leg for d, c, amount in arg for leg in transfer(ACCOUNTS[d], ACCOUNTS[c], amount)
            ]
            post(key=f"t{n}", source_type="test", source_id=n, memo="", postings=legs)
            model.apply(f"t{n}", legs)
            continue
        if not model.posted:
            continue
        assert isinstance(arg, int)
        key, legs, reverses = model.posted[arg % len(model.posted)]
        if kind == "replay":
            if reverses is None:
                again = post(key=key, source_type="test", source_id=key[1:], memo="", postings=legs)
            else:
                again = reverse(key=key, original_key=reverses, memo="")
            assert again.key == key
        elif key in model.reversed:
            with pytest.raises(DomainError, match="ledger_already_reversed"):
                reverse(key=f"{key}:r{n}", original_key=key, memo="")
        else:
            reverse(key=f"{key}:r", original_key=key, memo="")
            model.reversed.add(key)
            swapped = [Posting(leg.account, leg.credit_fen, leg.debit_fen) for leg in legs]
            model.apply(f"{key}:r", swapped, reverses=key)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=OPS)
def test_any_sequence_keeps_the_ledger_sound(ops: list[tuple[str, object]]) -> None:
    with transaction.atomic():  # each example starts from an empty ledger
        model = Model()
        _run(ops, model)

        report = check(chunk_size=7)
        assert report.ok, report.lines()
        total = Account.objects.aggregate(total=Sum("balance_fen"))["total"]
        assert (total or 0) == 0
        for ref in ACCOUNTS:
            assert balance(ref) == model.expected[ref]
        transaction.set_rollback(True)
