"""``trispace bench checkout``: the baseline's views in-process, the whole at a tiny size.

The whole benchmark runs in a subprocess (its own SQLite installation), which starts a real
gunicorn server on a free port of 127.0.0.1 and a load generator process.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.test.utils import override_settings

from trispace.config.bench import checkout
from trispace.config.bench.baseline import _accounts
from trispace.config.tests.test_bench_flash_sale import bench_env, run_bench
from trispace.inventory.models import Stock, StockMove
from trispace.kernel.models import OutboxEvent
from trispace.ledger import selectors as ledger_selectors
from trispace.orders.models import Order
from trispace.orders.states import OrderStatus
from trispace.payments.adapters.simulated import SimulatedAdapter
from trispace.payments.models import Notification, Payment

CHECKOUT_KEYS = {
    "orders",
    "orders_per_s",
    "p99_ms",
    "failed",
    "queries_per_order",
    "baseline_orders_per_s",
    "ratio",
}


def test_checkout_places_and_pays_every_order_both_ways(tmp_path: Path) -> None:
    args = ["checkout", "--orders", "20", "--workers", "1", "--clients", "2", "--loaders", "1"]
    figures = run_bench([*args, "--runs", "1"], bench_env(tmp_path), timeout=600)
    assert set(figures) >= CHECKOUT_KEYS
    assert figures["orders"] == 20
    assert figures["failed"] == 0
    assert figures["baseline_failed"] == 0
    assert [(run["mode"], run["paid"]) for run in figures["per_run"]] == [
        ("ours", 20),
        ("baseline", 20),
    ]
    assert figures["orders_per_s"] > 0
    assert figures["baseline_orders_per_s"] > 0
    assert figures["queries_per_order"] > figures["baseline_queries_per_order"] > 0


# --- the pieces ---------------------------------------------------------------------------------
@pytest.fixture
def shop() -> checkout.Shop:
    _accounts.clear()  # account ids cached per process: this test database has its own
    return checkout.setup(clients=2, orders=5, runs=1)


def post(client: Client, path: str, body: Any) -> Any:
    return client.post(
        path, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex
    )


def notify(client: Client, path: str, out_trade_no: str, amount_fen: int) -> Any:
    headers, raw = SimulatedAdapter().payment_notification(
        Payment(out_trade_no=out_trade_no, amount_fen=amount_fen)
    )
    meta = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
    return client.generic("POST", path, raw, content_type="application/json", **meta), (
        meta,
        raw,
    )


@pytest.mark.django_db(transaction=True)
@override_settings(ROOT_URLCONF=checkout.BENCH_URLCONF)
def test_the_baseline_writes_an_order_pays_it_and_balances_the_ledger(
    shop: checkout.Shop,
) -> None:
    buyer = shop.buyers[0]
    variant_id = shop.variant_ids[0]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {buyer.token}")
    placed = post(
        client, "/bench/baseline/orders", {"store_id": buyer.store_id, "variant_id": variant_id}
    )
    assert placed.status_code == 201, placed.content
    order = Order.objects.get(pk=placed.json()["id"])
    assert (order.status, order.total_fen, order.lines.count()) == (
        OrderStatus.PENDING_PAYMENT,
        placed.json()["total_fen"],
        1,
    )
    assert len(order.pickup_code) == 6
    stock = Stock.objects.get(location__organization_id=buyer.store_id, variant_id=variant_id)
    assert stock.reserved == 1
    assert StockMove.objects.filter(reference=f"order:{order.pk}", delta_reserved=1).exists()

    paid = post(client, f"/bench/baseline/orders/{order.pk}/pay", {})
    assert paid.status_code == 200, paid.content
    started = paid.json()
    assert started["amount_fen"] == order.total_fen
    answer, (meta, raw) = notify(
        client, "/bench/baseline/notify", started["out_trade_no"], started["amount_fen"]
    )
    assert answer.status_code == 200, answer.content
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    payment = Payment.objects.get(out_trade_no=started["out_trade_no"])
    assert (payment.status, order.payment_id) == ("succeeded", payment.pk)
    report = ledger_selectors.check()
    assert report.ok, report
    assert not OutboxEvent.objects.filter(dispatched_at__isnull=True).exists()

    # The same notification again changes nothing; a forged one is refused.
    again = client.generic("POST", "/bench/baseline/notify", raw, **meta)
    assert again.status_code == 200
    assert Notification.objects.filter(payment=payment).count() == 1
    forged = client.generic(
        "POST", "/bench/baseline/notify", raw.replace(b"resource", b"Resource"), **meta
    )
    assert forged.status_code == 400


@pytest.mark.django_db(transaction=True)
@override_settings(ROOT_URLCONF=checkout.BENCH_URLCONF)
def test_the_baseline_refuses_strangers_and_empty_shelves(shop: checkout.Shop) -> None:
    buyer, other = shop.buyers[:2]
    variant_id = shop.variant_ids[0]
    body = {"store_id": buyer.store_id, "variant_id": variant_id}
    assert post(Client(), "/bench/baseline/orders", body).status_code == 401
    client = Client(HTTP_AUTHORIZATION=f"Bearer {buyer.token}")
    order_id = post(client, "/bench/baseline/orders", body).json()["id"]
    stranger = Client(HTTP_AUTHORIZATION=f"Bearer {other.token}")
    assert post(stranger, f"/bench/baseline/orders/{order_id}/pay", {}).status_code == 404
    Stock.objects.filter(variant_id=variant_id).update(on_hand=1)
    assert post(client, "/bench/baseline/orders", body).status_code == 409


@pytest.mark.django_db(transaction=True)
def test_queries_per_order_are_counted_for_both(shop: checkout.Shop) -> None:
    counted = checkout.count_queries(shop)
    assert set(counted) == {"ours", "baseline"}
    assert counted["ours"] > counted["baseline"] > 10
    assert Order.objects.filter(status=OrderStatus.PAID).count() == 4  # 2 each, both paid


def test_orders_are_shared_out_to_the_last_one() -> None:
    assert [checkout.quota(10, 4, i) for i in range(4)] == [3, 3, 2, 2]
    assert sum(checkout.quota(10_000, 7, i) for i in range(7)) == 10_000
