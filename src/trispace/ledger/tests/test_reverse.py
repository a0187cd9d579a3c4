from __future__ import annotations

import pytest

from trispace.kernel.errors import DomainError
from trispace.ledger.models import Entry, JournalTransaction
from trispace.ledger.selectors import balance, check
from trispace.ledger.services import reverse
from trispace.ledger.tests.factories import CLEARING, PAYMENTS, capture

pytestmark = pytest.mark.django_db


def test_reversal_swaps_sides_and_links_the_original() -> None:
    original = capture("payment:1:capture", 1250)
    reversal = reverse(key="payment:1:capture:reverse", original_key=original.key, memo="oops")

    assert reversal.reverses_id == original.pk
    assert original.reversed_by == reversal
    assert (reversal.source_type, reversal.source_id, reversal.memo) == ("payment", "1", "oops")
    entries = sorted(reversal.entries.values_list("account__purpose", "debit_fen", "credit_fen"))
    assert entries == [("customer_payments", 1250, 0), ("psp_clearing", 0, 1250)]
    assert balance(CLEARING) == 0
    assert balance(PAYMENTS) == 0
    assert check().ok


def test_reversal_is_idempotent_on_its_key() -> None:
    capture("c", 500)
    first = reverse(key="c:rev", original_key="c", memo="")
    again = reverse(key="c:rev", original_key="c", memo="")

    assert again.pk == first.pk
    assert JournalTransaction.objects.count() == 2
    assert Entry.objects.count() == 4
    assert balance(CLEARING) == 0


def test_reversing_twice_is_refused() -> None:
    capture("c", 500)
    reverse(key="c:rev", original_key="c", memo="")
    with pytest.raises(DomainError) as exc:
        reverse(key="c:rev2", original_key="c", memo="")

    assert (exc.value.code, exc.value.status) == ("ledger_already_reversed", 409)
    assert JournalTransaction.objects.count() == 2
    assert balance(CLEARING) == 0


def test_reversal_key_used_for_something_else_is_a_conflict() -> None:
    capture("a", 100)
    capture("b", 200)
    with pytest.raises(DomainError) as exc:
        reverse(key="b", original_key="a", memo="")
    assert exc.value.code == "ledger_key_conflict"
    reverse(key="a:rev", original_key="a", memo="")
    with pytest.raises(DomainError) as exc:
        reverse(key="a:rev", original_key="b", memo="")
    assert exc.value.code == "ledger_key_conflict"
    assert balance(CLEARING) == 200


def test_unknown_original_is_not_found() -> None:
    with pytest.raises(DomainError) as exc:
        reverse(key="x:rev", original_key="x", memo="")
    assert (exc.value.code, exc.value.field) == ("not_found", "original_key")
    assert not JournalTransaction.objects.exists()


def test_a_reversal_can_itself_be_reversed() -> None:
    capture("c", 300)
    reverse(key="c:rev", original_key="c", memo="")
    again = reverse(key="c:rev:rev", original_key="c:rev", memo="reinstated")

    assert again.reverses is not None
    assert again.reverses.key == "c:rev"
    assert balance(CLEARING) == 300
    assert check().ok
