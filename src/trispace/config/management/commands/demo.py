"""``trispace demo``: everything a newcomer needs in one command.

Migrate, load the regions, seed a small network (unless one is there), create the well-known
demo logins, collect the static files, print the logins and the addresses, then serve (as
``trispace serve``). Safe to run again: nothing is created twice.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from trispace.config.management.commands import serve
from trispace.config.seeding import demo
from trispace.config.seeding.seed import SeedOptions, is_seeded, seed
from trispace.network.models import Organization, Region
from trispace.network.regions import load_regions

DEMO_SIZE = SeedOptions(dealers=3, stores_per_dealer=4, members_per_store=20, products=24)


class Command(BaseCommand):
    help = "Migrate, seed a demo network with well-known logins, and serve it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-serve", action="store_true", help="prepare only (tests, CI)")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def say(self, message: str) -> None:
        self.stdout.write(message)
        sys.stdout.flush()

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        if not Region.objects.exists():
            with transaction.atomic():
                loaded = load_regions()
            self.say(f"regions: {loaded.total} loaded")
        if is_seeded():
            self.say("demo network: already seeded")
        elif Organization.objects.exists():
            self.say("demo network: skipped (this database already has another network)")
        else:
            result = seed(DEMO_SIZE)
            self.say(
                f"demo network: {result.dealers} dealers, {result.stores} stores, "
                f"{result.consumers} consumers, {result.products} products"
                f" ({result.seconds:.1f} s)"
            )
        accounts = demo.ensure_demo_logins()
        call_command("collectstatic", interactive=False, verbosity=0)
        base = f"http://{options['host']}:{options['port']}"
        self.print_logins(accounts, base)
        if not options["no_serve"]:
            serve.run(
                host=options["host"],
                port=options["port"],
                threads=options["threads"],
                write=self.say,
            )

    def print_logins(self, accounts: list[demo.DemoAccount], base: str) -> None:
        self.say("")
        self.say(f"  back office   {base}/console/")
        self.say(f"  shop (H5)     {base}/")
        self.say(f"  API docs      {base}/api/docs")
        if not accounts:
            self.say("\n  (no demo logins: the database holds a network the demo did not seed)")
            return
        self.say("")
        rows = [("role", "phone", "password", "name", "organization")]
        rows += [(a.login.label, a.phone, a.password, a.name, a.organization) for a in accounts]
        widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
        for n, row in enumerate(rows):
            self.say(("  " + "  ".join(_pad(c, widths[i]) for i, c in enumerate(row))).rstrip())
            if n == 0:
                self.say("  " + "  ".join("-" * w for w in widths))
        self.say(
            "\n  Consumers log in with an SMS code: the fake SMS backend prints it in this"
            " terminal.\n"
        )


def _width(text: str) -> int:
    """Columns on a terminal: CJK characters take two."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
