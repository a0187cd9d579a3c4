"""``trispace check-ledger``: reconcile the ledger; exit 1 when anything is wrong."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trispace.ledger.selectors import check


class Command(BaseCommand):
    help = (
        "Check that every journal transaction balances and every cached account balance equals"
        " its entries. Exits 1 when it finds a problem."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")
        parser.add_argument(
            "--chunk-size", type=int, default=10_000, help="Ids scanned per query (default 10000)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["chunk_size"] < 1:
            raise CommandError("--chunk-size must be at least 1")
        report = check(chunk_size=options["chunk_size"])
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            style = self.style.SUCCESS if report.ok else self.style.ERROR
            for line in report.lines():
                self.stdout.write(style(line) if not line.startswith("  ") else line)
        if not report.ok:
            raise CommandError("the ledger check found problems", returncode=1)
