"""``trispace bench flash-sale``: a crowd of buyers races for one item until it is sold out.

Setup, in the throwaway database: a one-store network (the seed), ``buyers`` consumers of that
store, and per run a fresh variant with ``stock`` units on the store's shelf.

* **ours** — the stock is split into ``shards`` rows (ADR 0008, ``inventory.services.split``)
  and every buyer calls the real checkout service, ``orders.services.order_place`` (one unit,
  pickup), again and again until it answers ``out_of_stock``.
* **baseline** — the same crowd, the stock on one row, and the naive checkout written the way a
  first attempt is: ``select_for_update()`` on the stock row, check, ``save()``, create the
  order and its line, all in one ``atomic()``.

Runs alternate (ours, baseline, ours, …) so a machine that slows down mid-benchmark slows both.
After every run the database is counted: what the orders hold against what the stock rows say
(``oversold`` is units in orders beyond the stock, plus any row reserving more than it has).

Jobs run in immediate mode for the duration (``OrderPlaced``'s outbox dispatch runs in the
buyer's process after commit and is part of our latency), so no task is left in a real queue.
On PostgreSQL the planner's statistics are kept current meanwhile (``fresh.autoanalyze``).
"""

from __future__ import annotations

import cProfile
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.db.models import Sum

from trispace.accounts.models import User
from trispace.catalog import pricing
from trispace.catalog.models import Channel, Variant
from trispace.config.bench import crowd, fresh
from trispace.config.seeding.seed import SeedOptions, seed
from trispace.inventory import selectors as inventory_selectors
from trispace.inventory import services as inventory
from trispace.inventory.models import Location, Stock, StockMove
from trispace.kernel import ids
from trispace.kernel import time as ktime
from trispace.kernel.errors import DomainError
from trispace.network.models import Membership, Organization, OrgKind, Role
from trispace.orders import services as orders
from trispace.orders.models import Fulfilment, Order, OrderChannel, OrderLine

OUT_OF_STOCK = "out_of_stock"
MAX_ERRORS_PER_BUYER = 50  # other refusals (deadlocks, conflicts) before a buyer gives up
RUN_TIMEOUT_S = 900.0
CONNECTION_MARGIN = 5  # for the benchmark itself and whoever else is connected


@dataclass(frozen=True)
class Arena:
    """What the crowd buys from: one store, its shelf, its buyers, and one variant per run."""

    store_id: int
    location_id: int
    buyer_ids: list[int]
    variant_ids: list[int]
    price_fen: int


def setup(*, buyers: int, variants: int) -> Arena:
    """A network of one store with ``buyers`` consumers and at least ``variants`` variants."""
    seed(
        SeedOptions(
            dealers=1,
            stores_per_dealer=1,
            members_per_store=buyers,
            products=variants,  # 1 to 3 variants each: enough
            images=False,
            stock=0,
        )
    )
    store = Organization.objects.get(kind=OrgKind.STORE)
    location = inventory_selectors.location_for_store(store)
    buyer_ids = list(
        Membership.objects.filter(organization=store, role=Role.CONSUMER)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )
    variant_ids = list(Variant.objects.order_by("pk").values_list("pk", flat=True))[:variants]
    quote = pricing.prices_for(
        variant_ids=variant_ids[:1],
        channel=Channel.MEMBER,
        organization=store,
        buyer_is_member=True,
    )[variant_ids[0]]
    return Arena(
        store_id=store.pk,
        location_id=location.pk,
        buyer_ids=buyer_ids,
        variant_ids=variant_ids,
        price_fen=quote.price_fen,
    )


def stock_up(arena: Arena, variant_id: int, *, stock: int, shards: int) -> None:
    """``stock`` units of the variant on the shelf, in ``shards`` rows (1: one hot row)."""
    location = Location.objects.select_related("organization").get(pk=arena.location_id)
    variant = Variant.objects.select_related("product").get(pk=variant_id)
    inventory.receive(actor=None, location=location, variant=variant, quantity=stock)
    if shards > 1:
        inventory.split(actor=None, location=location, variant=variant, shards=shards)


# --- the two ways to buy --------------------------------------------------------------------
class SoldOut(Exception):
    pass


def ours(arena: Arena, variant_id: int) -> Callable[[int], Callable[[], None]]:
    """A buyer of ours: ``orders.services.order_place`` for one unit, pickup at the store."""

    def prepare(buyer_id: int) -> Callable[[], None]:
        buyer = User.objects.get(pk=buyer_id)
        store = Organization.objects.get(pk=arena.store_id)

        def buy() -> None:
            try:
                orders.order_place(
                    actor=buyer,
                    store=store,
                    lines=[(variant_id, 1)],
                    fulfilment=Fulfilment.PICKUP,
                )
            except DomainError as exc:
                if exc.code == OUT_OF_STOCK:
                    raise SoldOut from None
                raise

        return buy

    return prepare


def naive(arena: Arena, variant_id: int) -> Callable[[int], Callable[[], None]]:
    """A buyer of the baseline: lock the stock row, check, save, create the order and line."""

    def prepare(buyer_id: int) -> Callable[[], None]:
        variant = Variant.objects.select_related("product").get(pk=variant_id)
        price = arena.price_fen

        def buy() -> None:
            with transaction.atomic():
                stock = Stock.objects.select_for_update().get(
                    location_id=arena.location_id, variant_id=variant_id, shard=0
                )
                if stock.on_hand - stock.reserved < 1:
                    raise SoldOut
                stock.reserved += 1
                stock.save()
                now = ktime.now()
                order = Order.objects.create(
                    number=ids.order_number(),
                    buyer_id=buyer_id,
                    store_id=arena.store_id,
                    channel=OrderChannel.MEMBER,
                    fulfilment=Fulfilment.PICKUP,
                    subtotal_fen=price,
                    total_fen=price,
                    created_at=now,
                )
                OrderLine.objects.create(
                    order=order,
                    variant=variant,
                    product_id=variant.product_id,
                    product_name=variant.product.name[:100],
                    variant_name=variant.name[:50],
                    sku=variant.sku,
                    unit=variant.unit[:10],
                    price_channel=OrderChannel.MEMBER,
                    unit_price_fen=price,
                    quantity=1,
                    subtotal_fen=price,
                    paid_fen=price,
                )

        return buy

    return prepare


def buyer_client(
    arena: Arena,
    prepare: Callable[[int], Callable[[], None]],
    *,
    stock: int,
    profile: Path | None = None,
) -> crowd.Client:
    """Client ``index`` is buyer ``index``: buys until sold out (bounded in count and time).

    With ``profile``, buyer 0 runs under cProfile (CPU time) and writes its stats there.
    """

    def client(index: int) -> Callable[[], crowd.ClientResult]:
        buy = prepare(arena.buyer_ids[index % len(arena.buyer_ids)])
        connection.ensure_connection()
        server = crowd.backend_pid()
        if profile is not None and index == 0:
            return _profiled(loop_for(buy, server), profile)
        return loop_for(buy, server)

    def loop_for(buy: Callable[[], None], server: int | None) -> Callable[[], crowd.ClientResult]:
        def loop() -> crowd.ClientResult:
            result = crowd.ClientResult()
            cpu, db_cpu = time.thread_time(), crowd.cpu_seconds(server)
            try:
                return _buy_until_sold_out(buy, result)
            finally:
                result.cpu_s = time.thread_time() - cpu
                result.db_cpu_s = crowd.cpu_seconds(server) - db_cpu

        return loop

    def _buy_until_sold_out(
        buy: Callable[[], None], result: crowd.ClientResult
    ) -> crowd.ClientResult:
        deadline = time.monotonic() + RUN_TIMEOUT_S
        errors = 0
        for _ in range(stock + MAX_ERRORS_PER_BUYER):
            began = time.monotonic()
            try:
                buy()
            except SoldOut:
                result.count("sold_out")
                break
            except (DomainError, DatabaseError) as exc:
                result.count(getattr(exc, "code", type(exc).__name__))
                errors += 1
                if errors >= MAX_ERRORS_PER_BUYER:
                    break
                continue
            ended = time.monotonic()
            result.latencies.append(ended - began)
            result.last_end = ended
            if ended > deadline:
                result.count("timed_out")
                break
        return result

    return client


def _profiled(
    loop: Callable[[], crowd.ClientResult], path: Path
) -> Callable[[], crowd.ClientResult]:
    def run() -> crowd.ClientResult:
        profiler = cProfile.Profile(time.process_time)
        try:
            return profiler.runcall(loop)
        finally:
            profiler.dump_stats(str(path))

    return run


# --- counting -------------------------------------------------------------------------------
def tally(arena: Arena, variant_id: int, *, stock: int, moves: bool) -> dict[str, int]:
    """What the database holds after a run; ``oversold`` > 0 means more was sold than stocked."""
    rows = Stock.objects.filter(location_id=arena.location_id, variant_id=variant_id)
    level = rows.aggregate(on_hand=Sum("on_hand"), reserved=Sum("reserved"))
    on_hand, reserved = int(level["on_hand"] or 0), int(level["reserved"] or 0)
    in_orders = int(
        OrderLine.objects.filter(variant_id=variant_id).aggregate(n=Sum("quantity"))["n"] or 0
    )
    over_rows = sum(max(r - h, 0) for h, r in rows.values_list("on_hand", "reserved"))
    figures = {
        "in_orders": in_orders,
        "reserved": reserved,
        "left": on_hand - reserved,
        "oversold": max(in_orders - stock, 0) + max(reserved - stock, 0) + over_rows,
        # Reservations without an order, or orders without a reservation: both should be 0.
        "unmatched": abs(in_orders - reserved) + abs(on_hand - stock),
    }
    if moves:
        moved = StockMove.objects.filter(
            location_id=arena.location_id, variant_id=variant_id
        ).aggregate(on_hand=Sum("delta_on_hand"), reserved=Sum("delta_reserved"))
        figures["unmatched"] += abs(int(moved["on_hand"] or 0) - on_hand)
        figures["unmatched"] += abs(int(moved["reserved"] or 0) - reserved)
    return figures


def check_connections(buyers: int) -> None:
    """Every buyer holds a connection: refuse early when the server cannot take that many."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('max_connections')::int, (SELECT count(*) FROM pg_stat_activity)"
        )
        limit, used = cursor.fetchone()
    free = limit - used - CONNECTION_MARGIN
    if buyers > free:
        raise ValueError(
            f"{buyers} buyers need {buyers} connections; the server has {free} to spare"
            f" (max_connections={limit}, {used} in use): use fewer buyers or a server with a"
            " higher max_connections (docs/benchmarks.md)"
        )


def one_run(
    arena: Arena,
    variant_id: int,
    *,
    mode: str,
    stock: int,
    buyers: int,
    shards: int,
    processes: int,
    profile: Path | None = None,
) -> dict[str, Any]:
    ours_mode = mode == "ours"
    stock_up(arena, variant_id, stock=stock, shards=shards if ours_mode else 1)
    prepare = ours(arena, variant_id) if ours_mode else naive(arena, variant_id)
    fresh.analyze_changed()  # each run starts from current statistics
    result = crowd.run(
        buyer_client(arena, prepare, stock=stock, profile=profile),
        clients=buyers,
        processes=processes,
        timeout_s=RUN_TIMEOUT_S + 60,
        alongside=fresh.autoanalyze,
    )
    counted = tally(arena, variant_id, stock=stock, moves=ours_mode)
    return {
        "mode": mode,
        "sold": result.successes,
        "oversold": counted["oversold"],
        "unmatched": counted["unmatched"],
        "left": counted["left"],
        "orders_per_s": round(result.per_second, 1),
        "p50_ms": round(crowd.percentile(result.latencies, 50) * 1000, 2),
        "p99_ms": round(crowd.percentile(result.latencies, 99) * 1000, 2),
        "seconds": round(result.seconds, 3),
        # CPU per order sold: the buyers' Python, and their PostgreSQL server processes.
        "client_cpu_ms": round(result.cpu_s / max(result.successes, 1) * 1000, 2),
        "db_cpu_ms": round(result.db_cpu_s / max(result.successes, 1) * 1000, 2),
        "refusals": {k: v for k, v in sorted(result.counts.items()) if k != "sold_out"},
        "processes": result.processes,
    }


def run(
    *,
    stock: int = 5_000,
    buyers: int = 64,
    shards: int = 32,
    runs: int = 3,
    processes: int = 64,
    profile: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Set up, then ``runs`` pairs of runs (ours, baseline); medians of each figure.

    With ``profile`` (a directory), buyer 0 of every run is profiled into
    ``<profile>/flash-sale-<mode>-<run>.prof`` (``python -m pstats`` reads them).
    """
    if stock < 1 or buyers < 1 or runs < 1 or processes < 1 or not 1 <= shards <= 64:
        raise ValueError("stock, buyers, runs and processes ≥ 1; shards 1 … 64")
    say = progress or (lambda message: None)
    check_connections(buyers)
    if profile is not None:
        profile.mkdir(parents=True, exist_ok=True)
    with fresh.immediate_jobs():
        arena = setup(buyers=buyers, variants=2 * runs)
        if len(arena.variant_ids) < 2 * runs or len(arena.buyer_ids) < buyers:
            raise RuntimeError("the setup made fewer variants or buyers than asked")
        say(f"store {arena.store_id}, {len(arena.buyer_ids)} buyers, {runs} run(s) each way")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        detail: list[dict[str, Any]] = []
        for n in range(runs):
            for k, mode in enumerate(("ours", "baseline")):
                figures = one_run(
                    arena,
                    arena.variant_ids[2 * n + k],
                    mode=mode,
                    stock=stock,
                    buyers=buyers,
                    shards=shards,
                    processes=processes,
                    profile=profile / f"flash-sale-{mode}-{n + 1}.prof" if profile else None,
                )
                say(f"run {n + 1} {mode}: {figures}")
                detail.append(figures)
    mine = [d for d in detail if d["mode"] == "ours"]
    base = [d for d in detail if d["mode"] == "baseline"]

    def med(rows: list[dict[str, Any]], key: str) -> float:
        return round(crowd.median([float(r[key]) for r in rows]), 2)

    orders_per_s = med(mine, "orders_per_s")
    baseline_per_s = med(base, "orders_per_s")
    p99, baseline_p99 = med(mine, "p99_ms"), med(base, "p99_ms")
    return {
        "benchmark": "flash-sale",
        "database": connection.vendor,
        "cpus": os.cpu_count(),
        "stock": stock,
        "buyers": buyers,
        "shards": shards,
        "runs": runs,
        "processes": mine[0]["processes"],
        "sold": int(med(mine, "sold")),
        "oversold": max(int(d["oversold"]) for d in mine),
        "unmatched": max(int(d["unmatched"]) for d in mine),
        "orders_per_s": orders_per_s,
        "p50_ms": med(mine, "p50_ms"),
        "p99_ms": p99,
        "baseline_sold": int(med(base, "sold")),
        "baseline_oversold": max(int(d["oversold"]) for d in base),
        "baseline_orders_per_s": baseline_per_s,
        "baseline_p50_ms": med(base, "p50_ms"),
        "baseline_p99_ms": baseline_p99,
        "ratio": round(orders_per_s / baseline_per_s, 2) if baseline_per_s else None,
        "p99_ratio": round(p99 / baseline_p99, 2) if baseline_p99 else None,
        "client_cpu_ms": med(mine, "client_cpu_ms"),
        "db_cpu_ms": med(mine, "db_cpu_ms"),
        "baseline_client_cpu_ms": med(base, "client_cpu_ms"),
        "baseline_db_cpu_ms": med(base, "db_cpu_ms"),
        "per_run": detail,
    }
