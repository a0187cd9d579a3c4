"""A crowd of concurrent clients in worker processes, released at once, timed from the release.

Python threads share one interpreter lock, so a crowd of threads in one process would measure
the lock, not the database. The crowd is therefore spread over processes (one per client up to
``processes``, then a few threads in each), forked from the benchmark process once its setup is
done: the children inherit the settings (and the throwaway database's name) and open their own
database connections — the parent closes its connections before forking, so no connection is
ever shared across processes.

Each client is ``client(index)``: it prepares (fetches what it needs, opens its connection),
says it is ready, waits for the start, then runs its loop and returns a ``ClientResult``. The
parent starts the clock when every client is ready, so process start-up is not timed.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import queue
import threading
import time
import traceback
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any

import psutil
from django.db import connection, connections

START_TIMEOUT_S = 120.0


@dataclass
class ClientResult:
    """What one client did: a latency (seconds) per success, and counts of other outcomes.

    ``cpu_s`` is the CPU time the client's own thread used in its loop, ``db_cpu_s`` the CPU
    time of its database server process meanwhile (when it can tell: PostgreSQL on this host).
    """

    latencies: list[float] = field(default_factory=list)
    last_end: float = 0.0  # time.monotonic() of its last success (the same clock in every process)
    counts: dict[str, int] = field(default_factory=dict)
    cpu_s: float = 0.0
    db_cpu_s: float = 0.0

    def count(self, outcome: str, n: int = 1) -> None:
        self.counts[outcome] = self.counts.get(outcome, 0) + n


@dataclass
class CrowdResult:
    started: float
    finished: float  # the last success (or the start, when nothing succeeded)
    latencies: list[float]
    counts: dict[str, int]
    clients: int
    processes: int
    cpu_s: float = 0.0
    db_cpu_s: float = 0.0

    @property
    def seconds(self) -> float:
        return max(self.finished - self.started, 1e-9)

    @property
    def successes(self) -> int:
        return len(self.latencies)

    @property
    def per_second(self) -> float:
        return self.successes / self.seconds if self.latencies else 0.0


# A client: prepared before the start (returns its loop), then looped after it.
Client = Callable[[int], Callable[[], ClientResult]]


def spread(clients: int, processes: int) -> list[list[int]]:
    """Client indexes per process: ``min(clients, processes)`` processes, as even as can be."""
    count = max(1, min(clients, processes))
    groups: list[list[int]] = [[] for _ in range(count)]
    for index in range(clients):
        groups[index % count].append(index)
    return groups


def _close_connections() -> None:
    for conn in connections.all(initialized_only=True):
        conn.close()


def _child(
    indexes: list[int],
    client: Client,
    ready: Any,
    start: Any,
    results: Any,
) -> None:
    """One worker process: a thread per client index."""
    out: list[ClientResult | str] = []
    lock = threading.Lock()

    def run(index: int) -> None:
        try:
            try:
                loop = client(index)
            finally:
                ready.put(index)
            if not start.wait(START_TIMEOUT_S):
                raise TimeoutError("the crowd was never started")
            result: ClientResult | str = loop()
        except BaseException:
            result = f"client {index}: {traceback.format_exc()}"
        finally:
            _close_connections()
        with lock:
            out.append(result)

    threads = [threading.Thread(target=run, args=(index,), daemon=True) for index in indexes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put(out)


def run(
    client: Client,
    *,
    clients: int,
    processes: int,
    timeout_s: float = 600.0,
    alongside: Callable[[], AbstractContextManager[Any]] | None = None,
) -> CrowdResult:
    """Run ``clients`` clients over up to ``processes`` forked processes; gather what they did.

    ``alongside`` is entered in this process once the children are forked, and left when they
    are done (e.g. ``fresh.autoanalyze``). A client that raised makes the whole crowd fail
    (RuntimeError with its traceback).
    """
    context = multiprocessing.get_context("fork")
    ready = context.Queue()
    results = context.Queue()
    start = context.Event()
    groups = spread(clients, processes)
    _close_connections()  # nothing open may cross the fork
    children = [
        context.Process(target=_child, args=(group, client, ready, start, results), daemon=True)
        for group in groups
    ]
    for child in children:
        child.start()
    try:
        with alongside() if alongside is not None else nullcontext():
            return _gather(children, ready, start, results, clients, timeout_s)
    finally:
        start.set()
        for child in children:
            child.join(timeout=10)
            if child.is_alive() and child.pid is not None:
                os.kill(child.pid, 9)


def _gather(
    children: list[Any], ready: Any, start: Any, results: Any, clients: int, timeout_s: float
) -> CrowdResult:
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        for _ in range(clients):
            ready.get(timeout=max(deadline - time.monotonic(), 0.1))
        started = time.monotonic()
        start.set()
        gathered: list[ClientResult | str] = []
        deadline = started + timeout_s
        for _ in children:
            gathered.extend(results.get(timeout=max(deadline - time.monotonic(), 0.1)))
    except queue.Empty:
        raise RuntimeError("the crowd did not finish in time") from None
    failures = [item for item in gathered if isinstance(item, str)]
    if failures:
        raise RuntimeError(f"{len(failures)} client(s) failed; the first:\n{failures[0]}")
    done = [item for item in gathered if isinstance(item, ClientResult)]
    latencies = [lat for item in done for lat in item.latencies]
    counts: dict[str, int] = {}
    for item in done:
        for key, value in item.counts.items():
            counts[key] = counts.get(key, 0) + value
    finished = max((item.last_end for item in done if item.latencies), default=started)
    return CrowdResult(
        started=started,
        finished=finished,
        latencies=latencies,
        counts=counts,
        clients=clients,
        processes=len(children),
        cpu_s=sum(item.cpu_s for item in done),
        db_cpu_s=sum(item.db_cpu_s for item in done),
    )


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU time of process ``pid`` so far (0 when it is gone or unknown)."""
    if not pid:
        return 0.0
    try:
        times = psutil.Process(pid).cpu_times()
    except (psutil.Error, OSError):
        return 0.0
    return float(times.user + times.system)


def backend_pid() -> int | None:
    """The PostgreSQL server process of this thread's connection, when it runs on this host."""
    if connection.vendor != "postgresql" or connection.settings_dict.get("HOST") not in {
        "127.0.0.1",
        "localhost",
        "",
        None,
    }:
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def percentile(values: list[float], pct: float) -> float:
    """The nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = min(len(ordered), max(1, math.ceil(pct / 100 * len(ordered))))
    return ordered[rank - 1]


def median(values: list[float]) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2
