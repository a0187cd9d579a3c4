"""Real concurrency on PostgreSQL: threads, each with its own connection, reserve at once.

Nothing may be oversold, nobody may be refused while stock is left for them, and no transaction
may die of a deadlock (the services take row locks in one order: variant id, then shard).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import connection

from trispace.catalog.models import Variant
from trispace.catalog.tests.factories import on_sale_product
from trispace.inventory import selectors
from trispace.inventory.models import Location
from trispace.inventory.services import commit, release, reserve
from trispace.inventory.tests.conftest import assert_books_balance, stock_up, totals
from trispace.kernel.errors import DomainError
from trispace.network.tests.factories import StoreFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(count: int, work: Callable[[int], None]) -> Counter[str]:
    """Run ``work(i)`` in ``count`` threads released together; count the outcomes."""
    barrier = threading.Barrier(count)
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def run(i: int) -> None:
        try:
            barrier.wait()
            work(i)
            outcome = "ok"
        except DomainError as error:
            outcome = error.code
        except Exception as error:  # a deadlock or anything else: the test must see it
            outcome = f"{type(error).__name__}: {error}"
        finally:
            connection.close()
        with lock:
            outcomes[outcome] += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def place() -> tuple[Location, Variant]:
    store = StoreFactory()
    brand = store.parent.parent
    _, variant = on_sale_product(brand)
    return selectors.location_for_store(store), variant


def buy_one(shelf: Location, variant: Variant) -> Callable[[int], None]:
    def work(i: int) -> None:
        reserve(actor=None, location=shelf, lines=[(variant.pk, 1)], reference=f"order:{i}")

    return work


def test_fifty_buyers_race_for_the_last_ten_units():
    shelf, variant = place()
    stock_up(shelf, variant, 10)
    outcomes = race(50, buy_one(shelf, variant))
    assert outcomes == {"ok": 10, "out_of_stock": 40}
    assert totals(shelf, variant) == (10, 10)
    assert_books_balance()


def test_fifty_buyers_race_for_the_last_ten_units_over_eight_shards():
    shelf, variant = place()
    stock_up(shelf, variant, 10, shards=8)  # 2, 2, 1, 1, 1, 1, 1, 1
    outcomes = race(50, buy_one(shelf, variant))
    assert outcomes == {"ok": 10, "out_of_stock": 40}
    assert totals(shelf, variant) == (10, 10)
    assert_books_balance()


def test_lines_larger_than_any_shard_are_gathered_without_deadlocks():
    shelf, variant = place()
    stock_up(shelf, variant, 24, shards=8)  # 3 per shard; every buyer wants 5
    outcomes = race(
        20,
        lambda i: reserve(
            actor=None, location=shelf, lines=[(variant.pk, 5)], reference=f"order:{i}"
        ),
    )
    assert set(outcomes) <= {"ok", "out_of_stock"}, outcomes
    on_hand, reserved = totals(shelf, variant)
    assert on_hand == 24
    assert reserved == 5 * outcomes["ok"]
    assert outcomes["ok"] == 4  # 24 // 5: nobody is refused while 5 are left
    assert_books_balance()


def test_multi_line_orders_in_any_order_do_not_deadlock():
    shelf, a = place()
    b = Variant.objects.create(product=a.product, sku=f"{a.sku}-B")
    stock_up(shelf, a, 100, shards=4)
    stock_up(shelf, b, 100, shards=4)

    def work(i: int) -> None:
        lines = [(a.pk, 2), (b.pk, 3)] if i % 2 else [(b.pk, 3), (a.pk, 2)]
        reserve(actor=None, location=shelf, lines=lines, reference=f"order:{i}")

    outcomes = race(30, work)
    assert outcomes == {"ok": 30}
    assert totals(shelf, a) == (100, 60)
    assert totals(shelf, b) == (100, 90)
    assert_books_balance()


def test_a_reference_retried_at_once_reserves_and_releases_once():
    shelf, variant = place()
    stock_up(shelf, variant, 100, shards=4)
    outcomes = race(
        10,
        lambda i: reserve(actor=None, location=shelf, lines=[(variant.pk, 7)], reference="order:1"),
    )
    assert outcomes == {"ok": 10}
    assert totals(shelf, variant) == (100, 7)
    outcomes = race(
        10,
        lambda i: release(actor=None, location=shelf, lines=[(variant.pk, 7)], reference="order:1"),
    )
    assert outcomes == {"ok": 10}
    assert totals(shelf, variant) == (100, 0)
    assert_books_balance()


@pytest.mark.parametrize("shards", [1, 4, 8])
def test_multi_line_orders_racing_for_the_last_units_do_not_deadlock(shards):
    """Four variants nearly sold out, orders of all four in any order, and releases and commits
    at the same time: chosen shards keep failing their recheck, and nobody may deadlock."""
    shelf, a = place()
    variants = [a] + [
        Variant.objects.create(product=a.product, sku=f"{a.sku}-{n}") for n in range(3)
    ]
    for variant in variants:
        stock_up(shelf, variant, 16, shards=shards)

    def work(i: int) -> None:
        lines = [(v.pk, 1 + i % 3) for v in variants]
        lines = lines[i % 4 :] + lines[: i % 4]
        reserve(actor=None, location=shelf, lines=lines, reference=f"order:{i}")
        if i % 3 == 0:
            release(actor=None, location=shelf, lines=lines, reference=f"order:{i}")
        elif i % 3 == 1:
            commit(actor=None, location=shelf, lines=lines, reference=f"order:{i}")

    outcomes = race(20, work)
    assert set(outcomes) <= {"ok", "out_of_stock"}, outcomes
    assert outcomes["ok"] >= 5  # 16 units of each: at least 5 orders of 3 fit
    assert_books_balance()


def test_parts_of_one_reservation_released_at_once_never_release_more_than_it_holds():
    shelf, variant = place()
    stock_up(shelf, variant, 40, shards=4)
    reserve(actor=None, location=shelf, lines=[(variant.pk, 10)], reference="order:1")
    reserve(actor=None, location=shelf, lines=[(variant.pk, 20)], reference="order:2")
    outcomes = race(
        10,
        lambda i: release(
            actor=None,
            location=shelf,
            lines=[(variant.pk, 3)],
            reference="order:1",
            key=f"order:1:aftersale:{i}",
        ),
    )
    assert outcomes == {"ok": 10}
    assert totals(shelf, variant) == (40, 20)  # order 1's 10 are back; order 2 keeps its 20
    assert_books_balance()
