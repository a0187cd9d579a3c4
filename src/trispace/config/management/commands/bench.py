"""``trispace bench <benchmark>``: run a benchmark in a fresh database and print JSON figures.

Benchmarks, each a subcommand with its own options:

* ``seed`` — bulk seed vs one-by-one ORM inserts:
  ``trispace bench seed --dealers 20 --stores-per-dealer 50 --members-per-store 200``;
* ``flash-sale`` — a crowd of buyers through the real checkout service vs a naive
  ``select_for_update()`` checkout: ``trispace bench flash-sale --stock 5000 --buyers 64``;
* ``checkout`` — orders placed and paid through the HTTP API by several server processes vs
  plain raw-SQL views: ``trispace bench checkout --orders 10000 --workers 4``.

See docs/benchmarks.md for what each measures and the figures on the reference machine.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trispace.config.bench import checkout as checkout_bench
from trispace.config.bench import flash_sale as flash_sale_bench
from trispace.config.bench import fresh
from trispace.config.bench import seed as seed_bench
from trispace.config.management.commands.seed import add_size_arguments, options_from
from trispace.config.seeding.seed import SeedOptions

BENCH_SEED_SIZE = SeedOptions(dealers=20, stores_per_dealer=50, members_per_store=200)


def _keep_db(parser: CommandParser) -> None:
    parser.add_argument(
        "--keep-db", action="store_true", help="keep the benchmark database afterwards"
    )


class Command(BaseCommand):
    help = "Run a benchmark (seed, flash-sale, checkout) against a fresh database; prints JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        benchmarks = parser.add_subparsers(dest="benchmark", required=True, metavar="BENCHMARK")
        seed = benchmarks.add_parser("seed", help="bulk seed vs one-by-one ORM inserts")
        add_size_arguments(seed, BENCH_SEED_SIZE)
        seed.add_argument(
            "--sample", type=int, default=2_000, help="consumers created the naive way"
        )
        _keep_db(seed)

        flash = benchmarks.add_parser(
            "flash-sale", help="buyers racing for one item: sharded stock vs one locked row"
        )
        flash.add_argument("--stock", type=int, default=5_000, help="units for sale per run")
        flash.add_argument("--buyers", type=int, default=64, help="concurrent buyers")
        flash.add_argument("--shards", type=int, default=32, help="stock rows for ours (1-64)")
        flash.add_argument("--runs", type=int, default=3, help="runs each way, interleaved")
        flash.add_argument(
            "--processes",
            type=int,
            default=64,
            help="worker processes the buyers are spread over (threads beyond)",
        )
        flash.add_argument(
            "--profile",
            type=Path,
            default=None,
            metavar="DIR",
            help="profile buyer 0 of every run (cProfile, CPU time) into DIR",
        )
        _keep_db(flash)

        checkout = benchmarks.add_parser(
            "checkout", help="orders placed and paid over HTTP vs raw-SQL views"
        )
        checkout.add_argument("--orders", type=int, default=10_000, help="orders per run")
        checkout.add_argument("--workers", type=int, default=4, help="server worker processes")
        checkout.add_argument(
            "--clients", type=int, default=0, help="concurrent clients (default 2 per worker)"
        )
        checkout.add_argument("--runs", type=int, default=3, help="runs each way, interleaved")
        checkout.add_argument("--loaders", type=int, default=2, help="load generator processes")
        _keep_db(checkout)

    def handle(self, *args: Any, **options: Any) -> None:
        verbose = options["verbosity"] >= 2

        def progress(message: str) -> None:
            if verbose:
                print(message, file=sys.stderr, flush=True)

        benchmark = options["benchmark"]
        try:
            with fresh.fresh_database(keep=options["keep_db"]) as name:
                progress(f"fresh database: {name}")
                if benchmark == "seed":
                    figures = seed_bench.run(
                        options_from(options), sample=options["sample"], progress=progress
                    )
                elif benchmark == "flash-sale":
                    figures = flash_sale_bench.run(
                        stock=options["stock"],
                        buyers=options["buyers"],
                        shards=options["shards"],
                        runs=options["runs"],
                        processes=options["processes"],
                        profile=options["profile"],
                        progress=progress,
                    )
                else:
                    figures = checkout_bench.run(
                        orders=options["orders"],
                        workers=options["workers"],
                        clients=options["clients"],
                        runs=options["runs"],
                        loaders=options["loaders"],
                        database=name,
                        progress=progress,
                    )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(figures, ensure_ascii=False))
