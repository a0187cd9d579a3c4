"""``trispace bench <benchmark>``: run a benchmark in a fresh database and print JSON figures.

Benchmarks: ``seed`` (later: flash-sale, checkout, settlement, …). Each is a subcommand with its
own options: ``trispace bench seed --dealers 20 --stores-per-dealer 50 --members-per-store 200``.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from trispace.config.bench import fresh
from trispace.config.bench import seed as seed_bench
from trispace.config.management.commands.seed import add_size_arguments, options_from
from trispace.config.seeding.seed import SeedOptions

BENCH_SEED_SIZE = SeedOptions(dealers=20, stores_per_dealer=50, members_per_store=200)


class Command(BaseCommand):
    help = "Run a benchmark (seed, …) against a fresh database; prints one JSON object."

    def add_arguments(self, parser: CommandParser) -> None:
        benchmarks = parser.add_subparsers(dest="benchmark", required=True, metavar="BENCHMARK")
        seed = benchmarks.add_parser("seed", help="bulk seed vs one-by-one ORM inserts")
        add_size_arguments(seed, BENCH_SEED_SIZE)
        seed.add_argument(
            "--sample", type=int, default=2_000, help="consumers created the naive way"
        )
        seed.add_argument(
            "--keep-db", action="store_true", help="keep the benchmark database afterwards"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        verbose = options["verbosity"] >= 2

        def progress(message: str) -> None:
            if verbose:
                print(message, file=sys.stderr, flush=True)

        if options["benchmark"] == "seed":
            with fresh.fresh_database(keep=options["keep_db"]) as name:
                progress(f"fresh database: {name}")
                figures = seed_bench.run(
                    options_from(options), sample=options["sample"], progress=progress
                )
        self.stdout.write(json.dumps(figures, ensure_ascii=False))
