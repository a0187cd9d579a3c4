"""``trispace seed``: build a demo network by bulk inserts and print one JSON line of figures."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trispace.config.seeding.seed import NetworkNotEmpty, SeedOptions, seed


def add_size_arguments(parser: CommandParser, defaults: SeedOptions) -> None:
    parser.add_argument("--dealers", type=int, default=defaults.dealers)
    parser.add_argument("--stores-per-dealer", type=int, default=defaults.stores_per_dealer)
    parser.add_argument("--members-per-store", type=int, default=defaults.members_per_store)
    parser.add_argument("--products", type=int, default=defaults.products)
    parser.add_argument(
        "--stock", type=int, default=defaults.stock, help="units per variant on each store's shelf"
    )
    parser.add_argument(
        "--random-seed", type=int, default=defaults.random_seed, help="same seed, same network"
    )
    parser.add_argument("--no-images", action="store_true", help="skip the product pictures")


def options_from(options: dict[str, Any], **extra: Any) -> SeedOptions:
    return SeedOptions(
        dealers=options["dealers"],
        stores_per_dealer=options["stores_per_dealer"],
        members_per_store=options["members_per_store"],
        products=options["products"],
        stock=options["stock"],
        random_seed=options["random_seed"],
        images=not options["no_images"],
        **extra,
    )


class Command(BaseCommand):
    help = (
        "Seed a demo network (brand, dealers, stores, staff, consumers, catalog, price lists) by "
        "bulk inserts; prints one JSON object. Refuses a non-empty network unless --reset."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_size_arguments(parser, SeedOptions())
        parser.add_argument(
            "--reset", action="store_true", help="delete the seeded network first, then seed"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        verbose = options["verbosity"] >= 2

        def progress(message: str) -> None:
            if verbose:
                print(message, file=sys.stderr, flush=True)

        try:
            result = seed(options_from(options, reset=options["reset"]), progress=progress)
        except NetworkNotEmpty as exc:
            raise CommandError(str(exc)) from exc
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
