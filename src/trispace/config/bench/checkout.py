"""``trispace bench checkout``: orders placed and paid through the HTTP API, sustained.

Setup, in the throwaway database: a small network (the seed: a few stores, every variant
stocked), a consumer per client with a pre-issued API token, the platform ledger accounts.

Then a gunicorn server (``trispace.config.wsgi``, ``workers`` processes, on a free port of
127.0.0.1, with ``trispace.config.bench.settings``: the same settings plus the baseline's views,
jobs in the request) and a load generator in separate processes: ``clients`` concurrent buyers,
each placing an order at its store for one unit of a random variant, paying it with the
simulated provider and posting the provider's signed notification — built by the simulated
adapter, as its cashier page does — then the next order, until ``orders`` orders are done.

* **ours** — ``POST /api/orders/orders`` (bearer token, ``Idempotency-Key``), ``POST
  /api/orders/orders/{id}/pay`` (``simulated``), ``POST /api/payments/notify/simulated``.
* **baseline** — the same three requests to the plain raw-SQL views of ``bench.baseline``,
  writing the same rows.

Runs alternate (ours, baseline, …) on the same server. After each run the database says how
many of the run's orders are paid: ``failed`` is every order asked for and not paid (whatever
the reason: an error answer, a lost request, a handler that did not run). Latency is the
client's time for the three requests (the provider's signing excluded). ``queries_per_order``
is counted in-process on one order (place + pay + notify, transaction statements included).
On PostgreSQL the planner's statistics are kept current meanwhile (``fresh.autoanalyze``).
"""

from __future__ import annotations

import http.client
import json
import math
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from trispace.accounts.models import User
from trispace.accounts.tokens import token_issue
from trispace.catalog.models import Variant
from trispace.config.bench import crowd, fresh
from trispace.config.seeding.seed import SeedOptions, seed
from trispace.ledger.chart import CUSTOMER_PAYMENTS, PSP_CLEARING
from trispace.ledger.models import Account
from trispace.network.models import Membership, OrgKind, Role
from trispace.orders.models import Order
from trispace.orders.states import OrderStatus
from trispace.payments.adapters.simulated import SimulatedAdapter
from trispace.payments.models import Payment

BENCH_SETTINGS = "trispace.config.bench.settings"
BENCH_URLCONF = "trispace.config.bench.urls"
STORES = 4
PRODUCTS = 8
SERVER_START_S = 90.0
REQUEST_TIMEOUT_S = 60.0
RUN_TIMEOUT_S = 1_800.0

NOTIFY_PATH = "/api/payments/notify/simulated"


@dataclass(frozen=True)
class Buyer:
    token: str
    store_id: int


@dataclass(frozen=True)
class Shop:
    buyers: list[Buyer]
    variant_ids: list[int]


def setup(*, clients: int, orders: int, runs: int) -> Shop:
    """A few stores with every variant stocked for every order, one token per client."""
    per_store = math.ceil(clients / STORES)
    seed(
        SeedOptions(
            dealers=1,
            stores_per_dealer=STORES,
            members_per_store=per_store,
            products=PRODUCTS,
            images=False,
            # Every order of every run could pick the same row: never out of stock.
            stock=min(2 * orders * runs + 100, 1_000_000),
        )
    )
    members = list(
        Membership.objects.filter(role=Role.CONSUMER, organization__kind=OrgKind.STORE)
        .order_by("organization_id", "user_id")
        .values_list("user_id", "organization_id")
    )
    # Client n is the (n // STORES)-th consumer of store n % STORES: the crowd spreads evenly.
    by_store: dict[int, list[int]] = {}
    for user_id, store_id in members:
        by_store.setdefault(store_id, []).append(user_id)
    stores = sorted(by_store)
    users = User.objects.in_bulk([user_id for user_id, _ in members])
    buyers = []
    for n in range(clients):
        store_id = stores[n % len(stores)]
        user = users[by_store[store_id][n // len(stores)]]
        _, raw = token_issue(actor=None, user=user, name="bench")
        buyers.append(Buyer(token=raw, store_id=store_id))
    for ref in (PSP_CLEARING, CUSTOMER_PAYMENTS):
        Account.objects.get_or_create(
            owner_type=ref.owner_type, owner_id=ref.owner_id, purpose=ref.purpose
        )
    SimulatedAdapter().keys()  # made once here, read by the servers and the load generator
    variant_ids = list(Variant.objects.order_by("pk").values_list("pk", flat=True))
    return Shop(buyers=buyers, variant_ids=variant_ids)


# --- the server -----------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(port: int, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


@dataclass(frozen=True)
class Server:
    port: int
    pid: int  # gunicorn's master

    def worker_pids(self) -> list[int]:
        try:
            return [child.pid for child in psutil.Process(self.pid).children(recursive=True)]
        except psutil.Error:
            return []


@contextmanager
def server(*, workers: int, database: str, log: Path) -> Iterator[Server]:
    """gunicorn with ``workers`` processes on a free port, started and stopped around."""
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": BENCH_SETTINGS,
        "TRISPACE_BENCH_DATABASE": database,
        "TRISPACE_VAR_DIR": str(settings.VAR_DIR),
        "TRISPACE_JOBS": "immediate",
        # One connection per worker for the whole benchmark (its server process's CPU is counted).
        "DB_CONN_MAX_AGE": "86400",
        "SECRET_KEY": str(settings.SECRET_KEY),
    }
    env.pop("TRISPACE_TESTING", None)
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "trispace.config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--backlog",
        "2048",
        "--timeout",
        "120",
        "--graceful-timeout",
        "10",
        "--log-level",
        "warning",
        "--preload",
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603  (our own interpreter and arguments)
            command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + SERVER_START_S
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited:\n{_tail(log)}")
            try:
                if _get(port, "/healthz") == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start:\n{_tail(log)}")
            time.sleep(0.2)
        yield Server(port=port, pid=process.pid)
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)  # gunicorn stops its workers
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the group it was started in
            process.wait(timeout=10)


def _tail(log: Path, lines: int = 40) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


# --- the load generator ---------------------------------------------------------------------
class Http:
    """One client's HTTP/1.1 connection to the server (reopened when the server closes it)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn: http.client.HTTPConnection | None = None

    def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=REQUEST_TIMEOUT_S
                )
            try:
                self.conn.request("POST", path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException):
                self.close()
                if attempt:
                    raise
                continue
            if response.will_close:
                self.close()
            return response.status, data
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def _json_headers(token: str) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "Idempotency-Key": uuid.uuid4().hex,
    }


Flow = Callable[[Http, Buyer, int], tuple[str, float]]


def _notify(client: Http, path: str, out_trade_no: str, amount_fen: int) -> tuple[int, float]:
    """The provider's side: sign a success notification and post it (signing not timed)."""
    payment = Payment(out_trade_no=out_trade_no, amount_fen=amount_fen)
    headers, body = SimulatedAdapter().payment_notification(payment)
    began = time.monotonic()
    status, _ = client.post(path, body, dict(headers))
    return status, time.monotonic() - began


def ours_flow(client: Http, buyer: Buyer, variant_id: int) -> tuple[str, float]:
    """Place, pay, notify through the real API; ("ok", seconds) or (what failed, seconds)."""
    began = time.monotonic()
    body = json.dumps(
        {"store_id": buyer.store_id, "lines": [{"variant_id": variant_id, "quantity": 1}]}
    ).encode()
    status, data = client.post("/api/orders/orders", body, _json_headers(buyer.token))
    if status != 201:
        return f"place_{status}", 0.0
    order_id = json.loads(data)["id"]
    status, data = client.post(
        f"/api/orders/orders/{order_id}/pay",
        b'{"provider": "simulated"}',
        _json_headers(buyer.token),
    )
    if status != 200:
        return f"pay_{status}", 0.0
    started = json.loads(data)
    spent = time.monotonic() - began
    status, notify_s = _notify(client, NOTIFY_PATH, started["out_trade_no"], started["amount_fen"])
    if status != 200:
        return f"notify_{status}", 0.0
    return "ok", spent + notify_s


def baseline_flow(client: Http, buyer: Buyer, variant_id: int) -> tuple[str, float]:
    began = time.monotonic()
    body = json.dumps({"store_id": buyer.store_id, "variant_id": variant_id}).encode()
    status, data = client.post("/bench/baseline/orders", body, _json_headers(buyer.token))
    if status != 201:
        return f"place_{status}", 0.0
    order_id = json.loads(data)["id"]
    status, data = client.post(
        f"/bench/baseline/orders/{order_id}/pay", b"{}", _json_headers(buyer.token)
    )
    if status != 200:
        return f"pay_{status}", 0.0
    started = json.loads(data)
    spent = time.monotonic() - began
    status, notify_s = _notify(
        client, "/bench/baseline/notify", started["out_trade_no"], started["amount_fen"]
    )
    if status != 200:
        return f"notify_{status}", 0.0
    return "ok", spent + notify_s


def quota(total: int, clients: int, index: int) -> int:
    """Client ``index``'s share of ``total`` orders (the shares sum to ``total``)."""
    return total // clients + (1 if index < total % clients else 0)


def load_client(shop: Shop, flow: Flow, *, port: int, orders: int, clients: int) -> crowd.Client:
    def client(index: int) -> Callable[[], crowd.ClientResult]:
        buyer = shop.buyers[index]
        rng = random.Random(index)  # which variant to buy: not a secret
        http_client = Http(port)

        def loop() -> crowd.ClientResult:
            result = crowd.ClientResult()
            deadline = time.monotonic() + RUN_TIMEOUT_S
            cpu = time.thread_time()
            try:
                for _ in range(quota(orders, clients, index)):
                    try:
                        outcome, seconds = flow(http_client, buyer, rng.choice(shop.variant_ids))
                    except (OSError, http.client.HTTPException, ValueError, KeyError) as exc:
                        outcome, seconds = type(exc).__name__, 0.0
                    if outcome == "ok":
                        result.latencies.append(seconds)
                        result.last_end = time.monotonic()
                    else:
                        result.count(outcome)
                    if time.monotonic() > deadline:
                        result.count("timed_out")
                        break
            finally:
                http_client.close()
                result.cpu_s = time.thread_time() - cpu
            return result

        return loop

    return client


# --- queries per order ----------------------------------------------------------------------
def count_queries(shop: Shop) -> dict[str, int]:
    """Statements per order (place + pay + notify), ours and the baseline's, in-process."""
    buyer = shop.buyers[0]
    variant_id = shop.variant_ids[0]
    adapter = SimulatedAdapter()
    figures: dict[str, int] = {}
    with override_settings(ROOT_URLCONF=BENCH_URLCONF):
        for mode, place_path, pay_path, notify_path in (
            ("ours", "/api/orders/orders", "/api/orders/orders/{}/pay", NOTIFY_PATH),
            (
                "baseline",
                "/bench/baseline/orders",
                "/bench/baseline/orders/{}/pay",
                "/bench/baseline/notify",
            ),
        ):
            client = Client(HTTP_AUTHORIZATION=f"Bearer {buyer.token}")
            body: dict[str, Any] = (
                {"store_id": buyer.store_id, "lines": [{"variant_id": variant_id, "quantity": 1}]}
                if mode == "ours"
                else {"store_id": buyer.store_id, "variant_id": variant_id}
            )
            pay_body = {"provider": "simulated"} if mode == "ours" else {}
            for attempt in range(2):  # the first warms caches (sites, content types, keys)
                with CaptureQueriesContext(connection) as queries:
                    placed = client.post(
                        place_path,
                        body,
                        content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
                    )
                    if placed.status_code != 201:
                        raise RuntimeError(f"{mode}: placing answered {placed.status_code}")
                    paid = client.post(
                        pay_path.format(placed.json()["id"]),
                        pay_body,
                        content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
                    )
                    if paid.status_code != 200:
                        raise RuntimeError(f"{mode}: paying answered {paid.status_code}")
                    started = paid.json()
                    headers, raw = adapter.payment_notification(
                        Payment(
                            out_trade_no=started["out_trade_no"],
                            amount_fen=started["amount_fen"],
                        )
                    )
                    notified = client.generic(
                        "POST",
                        notify_path,
                        raw,
                        content_type="application/json",
                        headers={k: v for k, v in headers.items() if k != "Content-Type"},
                    )
                    if notified.status_code != 200:
                        raise RuntimeError(f"{mode}: the notification got {notified.status_code}")
                order = Order.objects.get(pk=placed.json()["id"])
                if order.status != OrderStatus.PAID:
                    raise RuntimeError(f"{mode}: the order is {order.status}, not paid")
                if attempt:
                    figures[mode] = len(queries.captured_queries)
    return figures


# --- the runs -------------------------------------------------------------------------------
def database_pids() -> list[int]:
    """The server processes of the other connections to this database (PostgreSQL, this host)."""
    if crowd.backend_pid() is None:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [int(row[0]) for row in cursor.fetchall()]


def cpu_of(pids: list[int]) -> dict[int, float]:
    return {pid: crowd.cpu_seconds(pid) for pid in pids}


def one_run(
    shop: Shop, *, mode: str, host: Server, orders: int, clients: int, loaders: int
) -> dict[str, Any]:
    last = Order.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    flow = ours_flow if mode == "ours" else baseline_flow
    fresh.analyze_changed()  # each run starts from current statistics
    web_before, db_before = cpu_of(host.worker_pids()), cpu_of(database_pids())
    result = crowd.run(
        load_client(shop, flow, port=host.port, orders=orders, clients=clients),
        clients=clients,
        processes=loaders,
        timeout_s=RUN_TIMEOUT_S + 60,
        alongside=fresh.autoanalyze,
    )
    web_after, db_after = cpu_of(host.worker_pids()), cpu_of(database_pids())
    web_s = sum(after - web_before.get(pid, 0.0) for pid, after in web_after.items())
    db_s = sum(after - db_before.get(pid, 0.0) for pid, after in db_after.items() if after)
    placed = Order.objects.filter(pk__gt=last)
    paid = placed.filter(status=OrderStatus.PAID).count()
    per_order = 1000 / max(paid, 1)
    return {
        "mode": mode,
        "orders": orders,
        "paid": paid,
        "failed": orders - paid,
        "orders_per_s": round(paid / result.seconds, 1) if paid else 0.0,
        "p50_ms": round(crowd.percentile(result.latencies, 50) * 1000, 2),
        "p99_ms": round(crowd.percentile(result.latencies, 99) * 1000, 2),
        "seconds": round(result.seconds, 3),
        # CPU per paid order: the server's workers, PostgreSQL, the load generator's clients.
        "server_cpu_ms": round(web_s * per_order, 2),
        "db_cpu_ms": round(db_s * per_order, 2) if db_after else None,
        "client_cpu_ms": round(result.cpu_s * per_order, 2),
        "errors": dict(sorted(result.counts.items())),
    }


def run(
    *,
    orders: int = 10_000,
    workers: int = 4,
    clients: int = 0,
    runs: int = 3,
    loaders: int = 2,
    database: str = "",
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    clients = clients or 2 * workers
    if orders < 1 or workers < 1 or clients < 1 or runs < 1 or loaders < 1:
        raise ValueError("orders, workers, clients, runs and loaders must be at least 1")
    say = progress or (lambda message: None)
    name = database or str(connection.settings_dict["NAME"])
    with fresh.immediate_jobs():
        shop = setup(clients=clients, orders=orders, runs=runs)
        queries = count_queries(shop)
        say(f"queries per order: {queries}")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        detail: list[dict[str, Any]] = []
        with (
            tempfile.TemporaryDirectory(prefix="trispace-bench-server-") as scratch,
            server(workers=workers, database=name, log=Path(scratch) / "gunicorn.log") as host,
        ):
            say(f"server: {workers} workers on 127.0.0.1:{host.port}; {clients} clients")
            for n in range(runs):
                for mode in ("ours", "baseline"):
                    figures = one_run(
                        shop,
                        mode=mode,
                        host=host,
                        orders=orders,
                        clients=clients,
                        loaders=loaders,
                    )
                    say(f"run {n + 1} {mode}: {figures}")
                    detail.append(figures)
    mine = [d for d in detail if d["mode"] == "ours"]
    base = [d for d in detail if d["mode"] == "baseline"]

    def med(rows: list[dict[str, Any]], key: str) -> float:
        return round(crowd.median([float(r[key]) for r in rows]), 2)

    def med_or_none(rows: list[dict[str, Any]], key: str) -> float | None:
        return None if any(r[key] is None for r in rows) else med(rows, key)

    orders_per_s = med(mine, "orders_per_s")
    baseline_per_s = med(base, "orders_per_s")
    return {
        "benchmark": "checkout",
        "database": connection.vendor,
        "cpus": os.cpu_count(),
        "orders": orders,
        "workers": workers,
        "clients": clients,
        "loaders": min(loaders, clients),
        "runs": runs,
        "orders_per_s": orders_per_s,
        "p50_ms": med(mine, "p50_ms"),
        "p99_ms": med(mine, "p99_ms"),
        "failed": sum(int(d["failed"]) for d in mine),
        "queries_per_order": queries["ours"],
        "baseline_orders_per_s": baseline_per_s,
        "baseline_p50_ms": med(base, "p50_ms"),
        "baseline_p99_ms": med(base, "p99_ms"),
        "baseline_failed": sum(int(d["failed"]) for d in base),
        "baseline_queries_per_order": queries["baseline"],
        "ratio": round(orders_per_s / baseline_per_s, 2) if baseline_per_s else None,
        "server_cpu_ms": med(mine, "server_cpu_ms"),
        "db_cpu_ms": med_or_none(mine, "db_cpu_ms"),
        "baseline_server_cpu_ms": med(base, "server_cpu_ms"),
        "baseline_db_cpu_ms": med_or_none(base, "db_cpu_ms"),
        "per_run": detail,
    }
