from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F

from trispace import cli
from trispace.ledger.models import Account
from trispace.ledger.tests.factories import capture

pytestmark = pytest.mark.django_db


def test_passes_on_a_sound_ledger(capsys: pytest.CaptureFixture[str]) -> None:
    capture("a", 100)
    assert cli.main(["check-ledger"]) == 0  # the `trispace check-ledger` spelling
    assert "Ledger OK: 1 transactions, 2 accounts checked." in capsys.readouterr().out


def test_json_report(capsys: pytest.CaptureFixture[str]) -> None:
    capture("a", 100)
    call_command("check_ledger", "--json")
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True
    assert report["transactions_checked"] == 1
    assert report["unbalanced"] == report["mismatched"] == []


def test_a_tampered_cached_balance_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    capture("a", 100)
    Account.objects.filter(purpose="psp_clearing").update(balance_fen=F("balance_fen") - 7)

    with pytest.raises(SystemExit) as exc:
        cli.main(["check-ledger"])
    assert exc.value.code == 1
    out = capsys.readouterr().out
    assert "Ledger NOT OK" in out
    assert "cached balance 93 ≠ entries 100 fen" in out


def test_a_tampered_cached_balance_in_json(capsys: pytest.CaptureFixture[str]) -> None:
    capture("a", 100)
    Account.objects.filter(purpose="psp_clearing").update(balance_fen=0)

    with pytest.raises(CommandError) as exc:
        call_command("check_ledger", "--json")
    assert exc.value.returncode == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    assert report["mismatched_count"] == 1
    assert report["mismatched"][0]["cached_fen"] == 0


def test_chunk_size_must_be_positive() -> None:
    with pytest.raises(CommandError):
        call_command("check_ledger", "--chunk-size", "0")
