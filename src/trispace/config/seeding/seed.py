"""``seed()``: build a whole demo network in one transaction, as fast as the database allows."""

from __future__ import annotations

import random
import resource
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from trispace.accounts.models import User
from trispace.config.seeding import catalog, reset, stock
from trispace.config.seeding.network import NetworkBuilder
from trispace.inventory.models import Stock, StockMove
from trispace.kernel import time as ktime
from trispace.network.models import Membership, Organization

BRAND_NAME = "禾邻优选"  # a made-up brand
BRAND_CODE = "HLYX"
SKU_PREFIX = "HL"
STAFF_PASSWORD = "demo1234"  # noqa: S105  (the documented demo password)


class NetworkNotEmpty(Exception):
    """The database already holds a network (seed refuses to mix; ``--reset`` starts over)."""


@dataclass(frozen=True)
class SeedOptions:
    dealers: int = 3
    stores_per_dealer: int = 4
    members_per_store: int = 20
    products: int = 24
    reset: bool = False
    random_seed: int = 20240601
    staff_password: str = STAFF_PASSWORD
    images: bool = True
    stock: int = 100  # units of every variant on every store's shelf


@dataclass(frozen=True)
class SeedResult:
    brand_id: int
    dealers: int
    stores: int
    consumers: int
    staff: int
    users: int
    memberships: int
    products: int
    variants: int
    images: int
    price_lists: int
    prices: int
    stock_rows: int
    stock_units: int
    seconds: float
    peak_rss_mb: float
    database: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def peak_rss_mb() -> float:
    """The process's peak resident memory so far (Linux reports kilobytes)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def is_seeded() -> bool:
    return bool(reset.seeded_brands(BRAND_CODE))


def seed(options: SeedOptions, *, progress: Callable[[str], None] | None = None) -> SeedResult:
    """Build the network of ``options``; NetworkNotEmpty if there is one and no ``reset``."""
    if options.dealers < 1 or options.products < 1:
        raise ValueError("at least one dealer and one product")
    if options.stores_per_dealer < 0 or options.members_per_store < 0 or options.stock < 0:
        raise ValueError("counts cannot be negative")
    say = progress or (lambda message: None)
    started = time.perf_counter()
    rng = random.Random(options.random_seed)
    # One real hash for every seeded staff member, computed once (PBKDF2 is slow on purpose).
    staff_hash = make_password(options.staff_password)
    with transaction.atomic():
        if options.reset:
            removed = reset.reset(BRAND_CODE)
            say(f"reset: {removed.organizations} organizations, {removed.users} users removed")
        if Organization.objects.exists():
            raise NetworkNotEmpty(
                "the network is not empty"
                + ("" if options.reset else " (use --reset to replace the seeded one)")
            )
        builder = NetworkBuilder(
            brand_name=BRAND_NAME,
            code=BRAND_CODE,
            rng=rng,
            now=ktime.now(),
            staff_password_hash=staff_hash,
            progress=say,
        )
        network = builder.build(
            dealers=options.dealers,
            stores_per_dealer=options.stores_per_dealer,
            members_per_store=options.members_per_store,
        )
        goods = catalog.build_catalog(
            brand_id=network.brand_id,
            brand_name=BRAND_NAME,
            dealer_ids=network.dealer_ids,
            store_ids=network.store_ids,
            count=options.products,
            rng=rng,
            code=SKU_PREFIX,
            with_images=options.images,
        )
        say(f"catalog: {goods.products} products, {goods.variants} variants")
        shelves = stock.stock_stores(
            store_ids=network.store_ids,
            variant_ids=goods.variant_ids,
            quantity=options.stock,
            now=ktime.now(),
        )
        say(f"stock: {shelves.rows} rows, {shelves.units} units on {shelves.locations} shelves")
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:  # fresh statistics for the planner
            tables = (User, Membership, Organization, Stock, StockMove)
            cursor.execute("ANALYZE " + ", ".join(t._meta.db_table for t in tables))
    return SeedResult(
        brand_id=network.brand_id,
        dealers=len(network.dealer_ids),
        stores=len(network.store_ids),
        consumers=network.consumers,
        staff=network.staff,
        users=network.consumers + network.staff,
        memberships=network.memberships,
        products=goods.products,
        variants=goods.variants,
        images=goods.images,
        price_lists=goods.price_lists,
        prices=goods.prices,
        stock_rows=shelves.rows,
        stock_units=shelves.units,
        seconds=round(time.perf_counter() - started, 2),
        peak_rss_mb=peak_rss_mb(),
        database=connection.vendor,
    )
