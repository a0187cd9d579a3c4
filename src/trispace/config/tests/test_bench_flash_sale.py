"""``trispace bench flash-sale``: the pieces in-process, the whole at a tiny size in a subprocess.

The figures themselves are measured by hand on PostgreSQL (docs/benchmarks.md); here the
benchmark must run, sell exactly the stock both ways, and report the keys.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from trispace.config.bench import crowd, flash_sale
from trispace.inventory.models import Stock
from trispace.orders.models import Order

ENTRY = "import sys; from trispace.cli import main; sys.exit(main(sys.argv[1:]))"
SRC = str(Path(__file__).resolve().parents[3])
FLASH_KEYS = {
    "sold",
    "oversold",
    "orders_per_s",
    "p99_ms",
    "baseline_sold",
    "baseline_oversold",
    "baseline_orders_per_s",
    "baseline_p99_ms",
    "buyers",
    "shards",
    "runs",
    "ratio",
}


def bench_env(tmp_path: Path) -> dict[str, str]:
    """A separate installation: its own SQLite file and var directory, jobs in-process."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "DJANGO_SETTINGS_MODULE", "TRISPACE_JOBS"}
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        TRISPACE_VAR_DIR=str(tmp_path / "var"),
        TRISPACE_TESTING="1",
        PYTHONPATH=SRC + os.pathsep + env.get("PYTHONPATH", ""),
    )
    return env


def run_bench(args: list[str], env: dict[str, str], timeout: float = 300) -> dict[str, Any]:
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", ENTRY, "bench", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, done.stdout  # one JSON object, nothing else
    return dict(json.loads(lines[0]))


def test_flash_sale_sells_exactly_the_stock_both_ways(tmp_path: Path) -> None:
    args = ["flash-sale", "--stock", "20", "--buyers", "4", "--shards", "4", "--runs", "1"]
    figures = run_bench([*args, "--processes", "2"], bench_env(tmp_path))
    assert set(figures) >= FLASH_KEYS
    assert figures["database"] == "sqlite"
    assert (figures["sold"], figures["oversold"], figures["unmatched"]) == (20, 0, 0)
    assert (figures["baseline_sold"], figures["baseline_oversold"]) == (20, 0)
    assert (figures["buyers"], figures["shards"], figures["runs"], figures["processes"]) == (
        4,
        4,
        1,
        2,
    )
    assert figures["orders_per_s"] > 0
    assert figures["baseline_orders_per_s"] > 0
    assert figures["ratio"] > 0
    assert [run["mode"] for run in figures["per_run"]] == ["ours", "baseline"]
    assert all(run["left"] == 0 for run in figures["per_run"])
    # The throwaway database is gone afterwards.
    assert not (tmp_path / "var" / "bench.sqlite3").exists()


# --- the pieces ---------------------------------------------------------------------------------
def test_the_crowd_is_spread_over_processes_then_threads() -> None:
    assert crowd.spread(4, 64) == [[0], [1], [2], [3]]
    assert crowd.spread(5, 2) == [[0, 2, 4], [1, 3]]
    assert sorted(i for group in crowd.spread(256, 64) for i in group) == list(range(256))
    assert {len(group) for group in crowd.spread(256, 64)} == {4}


def test_percentiles_and_medians() -> None:
    values = [float(n) for n in range(1, 101)]
    assert crowd.percentile(values, 99) == 99.0
    assert crowd.percentile(values, 50) == 50.0
    assert crowd.percentile(values, 100) == 100.0
    assert crowd.percentile([], 99) == 0.0
    assert crowd.percentile([3.0], 99) == 3.0
    assert crowd.median([3.0, 1.0, 2.0]) == 2.0
    assert crowd.median([4.0, 1.0, 2.0, 3.0]) == 2.5
    assert crowd.median([]) == 0.0


@pytest.mark.django_db
def test_a_buyer_of_each_kind_buys_until_sold_out() -> None:
    arena = flash_sale.setup(buyers=2, variants=2)
    ours_variant, naive_variant = arena.variant_ids[:2]
    flash_sale.stock_up(arena, ours_variant, stock=3, shards=2)
    flash_sale.stock_up(arena, naive_variant, stock=3, shards=1)
    assert Stock.objects.filter(variant_id=ours_variant).count() == 2
    for prepare, variant_id in (
        (flash_sale.ours(arena, ours_variant), ours_variant),
        (flash_sale.naive(arena, naive_variant), naive_variant),
    ):
        client = flash_sale.buyer_client(arena, prepare, stock=3)(0)
        result = client()
        assert len(result.latencies) == 3
        assert result.counts == {"sold_out": 1}
        assert Order.objects.filter(lines__variant_id=variant_id).count() == 3
        counted = flash_sale.tally(arena, variant_id, stock=3, moves=variant_id == ours_variant)
        assert counted == {"in_orders": 3, "reserved": 3, "left": 0, "oversold": 0, "unmatched": 0}


@pytest.mark.django_db
def test_the_tally_sees_an_oversell() -> None:
    arena = flash_sale.setup(buyers=1, variants=1)
    variant_id = arena.variant_ids[0]
    flash_sale.stock_up(arena, variant_id, stock=2, shards=1)
    buy = flash_sale.naive(arena, variant_id)(arena.buyer_ids[0])
    buy()
    buy()
    # A unit that was never stocked is sold (what a read-then-write bug amounts to).
    Stock.objects.filter(variant_id=variant_id).update(on_hand=3)
    buy()
    counted = flash_sale.tally(arena, variant_id, stock=2, moves=False)
    assert counted["in_orders"] == 3
    assert counted["oversold"] == 2  # one unit in orders, one reserved beyond the stock
    assert counted["unmatched"] == 1


@pytest.mark.postgres
@pytest.mark.django_db
def test_too_many_buyers_for_the_server_are_refused() -> None:
    with pytest.raises(ValueError, match="max_connections"):
        flash_sale.check_connections(100_000)
