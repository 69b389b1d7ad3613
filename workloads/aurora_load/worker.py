"""One aurora-load worker (a thread or a process) and the code that starts them and collects
their results.

Every insert carries (run id, worker, sequence); after a transient error the worker reconnects and
retries the same sequence number, and a duplicate-key answer to that retry proves the first
attempt had committed before its acknowledgement was lost. So the acknowledged inserts of a
worker are exactly ``0..acked-1``.

After a credential rotation the old password (or, with alternating users, the old user) stops
working for new connections: a reconnect refused for its credentials renews them from the secret
(``workloads.common.credentials``, bounded, with backoff) and connects with the new ones; every
later connection of the process uses them. Renewals are counted like reconnects.

The loop is the same for every engine; what differs (connecting, the two statements, reading an
error) is the engine family's ``Family``: ``mysql_load`` (mysql-connector) or ``pg_load``
(psycopg2), chosen by name so that a worker process finds its own.
"""

from __future__ import annotations

import multiprocessing
import queue
import random
import signal
import threading
import time
from array import array
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol

from workloads.aurora_load.mysql_load import MySqlLoad
from workloads.aurora_load.pg_load import PgLoad
from workloads.common import (
    Endpoint,
    WorkloadError,
    login,
    one_line,
    progress,
    quiet_child,
    redact,
    renew_waiting,
)
from workloads.sql.engines import MYSQL, POSTGRES

RANDOM_MAX = 1_000_000
READ_WINDOW = 1_000


class Statement(Protocol):
    def execute(self, params: tuple[Any, ...]) -> list[Any]: ...


class Family(Protocol):
    """One engine family's driver: what the worker loop needs, then what the parent needs for
    the table, the final check and the cleanup (statements with ``%s`` parameters)."""

    error: type[Exception]  # the driver's base error

    def driver(self) -> str: ...
    def describe(self) -> str: ...
    def connect(self, endpoint: Endpoint) -> Any: ...
    def statements(self, conn: Any, table: str) -> tuple[Statement, Statement]: ...
    def close(self, conn: Any) -> None: ...
    def is_transient(self, exc: BaseException) -> bool: ...
    def is_auth_error(self, exc: BaseException) -> bool: ...
    def is_duplicate(self, exc: BaseException) -> bool: ...
    def error_kind(self, exc: BaseException) -> str: ...
    def open(self, endpoint: Endpoint, *, retries: bool = True) -> Any: ...
    def create_table(self, conn: Any, table: str) -> set[str]: ...
    def verify_sql(self, table: str) -> tuple[Any, Any]: ...
    def delete_sql(self, table: str) -> Any: ...


FAMILIES: dict[str, Family] = {MYSQL: MySqlLoad(), POSTGRES: PgLoad()}


@dataclass(frozen=True)
class WorkerConfig:
    """What one worker needs; picklable so it can cross into a process."""

    endpoint: Endpoint
    family: str  # a key of FAMILIES
    table: str
    run_id: int
    index: int
    start: float  # wall-clock start shared by all workers: per-second buckets line up
    end: float | None  # wall-clock end for --duration
    ops: int | None  # operations for this worker for --ops
    insert_ratio: float
    interval: float | None  # seconds between operations for --rate


@dataclass
class WorkerResult:
    """What one worker did: counts, latencies (seconds) and per-second [inserts, reads, errors]."""

    index: int
    driver: str  # per process: a spawned worker loads its own
    acked: int = 0
    inserts: int = 0
    reads: int = 0
    confirmed_by_duplicate: int = 0
    reconnects: int = 0
    credential_renewals: int = 0  # credentials refused, then renewed from the secret
    errors: Counter[str] = field(default_factory=Counter)
    fatal: str | None = None
    # Each interruption: (first transient error, first success after it), wall clock; what the
    # failover drill measures its recovery time from.
    outages: list[tuple[float, float]] = field(default_factory=list)
    latencies: array = field(default_factory=lambda: array("d"))
    buckets: dict[int, list[int]] = field(default_factory=dict)


@dataclass(frozen=True)
class WorkerCrash:
    """A worker that died of an unexpected error (reported by the parent as a WorkloadError)."""

    index: int
    message: str


def _open(
    config: WorkerConfig, family: Family, stop: Any, result: WorkerResult
) -> tuple[Any, tuple[Statement, Statement] | None]:
    """Connect and prepare both statements, retrying transient errors until the run is over."""
    while True:
        conn = _connect_until(config, family, stop, config.end, result)
        if conn is None:
            return None, None
        try:
            return conn, family.statements(conn, config.table)
        except family.error as exc:
            family.close(conn)
            if not family.is_transient(exc):
                raise


def _connect_until(
    config: WorkerConfig, family: Family, stop: Any, deadline: float | None, result: WorkerResult
) -> Any:
    """Connect, retrying transient failures with backoff+jitter until the run is over, and
    renewing credentials the server refuses (a rotation) from the secret."""
    delay = 0.05
    endpoint = config.endpoint
    while True:
        used = login(endpoint)
        try:
            return family.connect(endpoint)
        except family.error as exc:
            if family.is_auth_error(exc) and endpoint.credentials is not None:
                if renew_waiting(endpoint.credentials, used, stop=lambda: bool(stop.value)):
                    result.credential_renewals += 1
                    continue
                raise
            if not family.is_transient(exc):
                raise
            now = time.time()
            if stop.value or (deadline is not None and now >= deadline):
                return None
            time.sleep(min(random.uniform(0, delay), max(0.0, (deadline or now + 1) - now)))
            delay = min(delay * 2, 1.0)


def worker_main(config: WorkerConfig, counters: Any, stop: Any) -> WorkerResult:
    """Run one worker until its duration, its operations or ``stop``; what it did."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    rng = random.Random(config.run_id * 1000 + config.index)
    family = FAMILIES[config.family]
    error = family.error
    result = WorkerResult(index=config.index, driver=family.driver())
    latencies = result.latencies
    buckets = result.buckets
    errors = result.errors
    acked = inserts = reads = confirmed_by_duplicate = reconnects = 0
    done = 0
    next_at = config.start
    pending_insert: tuple[Any, ...] | None = None
    # Per-second buckets from perf_counter (already read for the latency): one clock call less
    # per operation, and the bucket looked up only when the second changes.
    perf_origin = time.perf_counter() - (time.time() - config.start)
    bucket_second = -1
    bucket = [0, 0, 0]
    outage_since: float | None = None

    conn, statements = _open(config, family, stop, result)
    while statements is not None:
        if stop.value or (config.ops is not None and done >= config.ops):
            break
        now = time.time()
        if config.end is not None and now >= config.end:
            break
        if config.interval is not None:
            next_at += config.interval
            if next_at > now:
                time.sleep(next_at - now)
        if pending_insert is not None:
            is_insert, params = True, pending_insert
        elif rng.random() < config.insert_ratio:
            is_insert = True
            params = (
                config.run_id,
                config.index,
                acked,
                # random() arithmetic: the same uniform ranges as randint, fewer Python calls
                f"Load test data from worker {config.index} - {1000 + int(rng.random() * 9000)}",
                1 + int(rng.random() * RANDOM_MAX),
            )
        else:
            is_insert = False
            low = 1 + int(rng.random() * (RANDOM_MAX - READ_WINDOW))
            params = (low, low + READ_WINDOW)
        began = time.perf_counter()
        try:
            statements[0 if is_insert else 1].execute(params)
        except error as exc:
            if is_insert and pending_insert is not None and family.is_duplicate(exc):
                confirmed_by_duplicate += 1  # the retry proves the first attempt committed
            elif family.is_transient(exc):
                errors[family.error_kind(exc)] += 1
                if outage_since is None:
                    outage_since = time.time()
                buckets.setdefault(int(time.perf_counter() - perf_origin), [0, 0, 0])[2] += 1
                pending_insert = params if is_insert else None
                family.close(conn)
                reconnects += 1
                conn, statements = _open(config, family, stop, result)
                continue
            else:
                errors[family.error_kind(exc)] += 1
                result.fatal = redact(one_line(exc))
                break
        ended = time.perf_counter()
        latencies.append(ended - began)
        if outage_since is not None:
            result.outages.append((outage_since, time.time()))
            outage_since = None
        second = int(ended - perf_origin)
        if second != bucket_second:
            bucket_second = second
            bucket = buckets.setdefault(second, [0, 0, 0])
        if is_insert:
            acked += 1
            inserts += 1
            bucket[0] += 1
            pending_insert = None
        else:
            reads += 1
            bucket[1] += 1
        done += 1
        if not done & 63:
            counters[config.index] = done
    counters[config.index] = done
    if conn is not None:
        family.close(conn)
    result.acked, result.inserts, result.reads = acked, inserts, reads
    result.confirmed_by_duplicate, result.reconnects = confirmed_by_duplicate, reconnects
    return result


def _child_entry(config: WorkerConfig, counters: Any, stop: Any, results: Any) -> None:
    """A worker process: ignores Ctrl-C (the parent sets ``stop``) and dies with the parent."""
    quiet_child()
    _process_entry(config, counters, stop, results)


def _process_entry(config: WorkerConfig, counters: Any, stop: Any, results: Any) -> None:
    try:
        results.put(worker_main(config, counters, stop))
    except Exception as exc:  # noqa: BLE001 - reported by the parent as this worker's failure
        results.put(WorkerCrash(config.index, redact(f"{type(exc).__name__}: {exc}")))


STOP_GRACE = 5.0  # seconds workers get to finish their statement after a stop


class StopFlag:
    """A stop flag with the ``.value`` interface of multiprocessing.Value, for threads."""

    value = 0


def run_workers(
    configs: list[WorkerConfig], mode: str, show_progress: bool, stop_flag: Any = None
) -> list[WorkerResult]:
    """Start the workers, show progress, collect results; Ctrl-C stops them and re-raises.
    Threads may be given ``stop_flag`` (``.value`` set to 1 stops them: a run with no end)."""
    n = len(configs)
    if mode == "processes":
        ctx = multiprocessing.get_context("spawn")
        counters: Any = ctx.Array("q", n, lock=False)
        stop: Any = ctx.Value("b", 0, lock=False)
        results: Any = ctx.Queue()
        workers: list[Any] = [
            ctx.Process(target=_child_entry, args=(c, counters, stop, results), daemon=True)
            for c in configs
        ]
    else:
        counters = [0] * n
        stop = stop_flag or StopFlag()
        results = queue.Queue()
        workers = [
            threading.Thread(target=_process_entry, args=(c, counters, stop, results), daemon=True)
            for c in configs
        ]
    first = configs[0]
    total = sum(c.ops or 0 for c in configs) if first.ops is not None else None
    bar = progress(total, "aurora-load", disable=not show_progress, unit="op")
    collected: list[WorkerResult | WorkerCrash] = []
    interrupted: KeyboardInterrupt | None = None
    for worker in workers:
        worker.start()
    try:
        while len(collected) < n:
            try:
                collected.append(results.get(timeout=0.5))
            except queue.Empty:
                if mode == "processes" and not any(w.is_alive() for w in workers):
                    # A worker died without reporting (killed): do not wait forever.
                    try:
                        collected.append(results.get(timeout=2))
                    except queue.Empty:
                        break
            bar.n = sum(counters)
            if total is None and first.end is not None:
                bar.set_postfix_str(f"{max(0.0, first.end - time.time()):.0f}s left")
            bar.refresh()
    except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM (Terminated): stop, then re-raise it
        interrupted = exc
        stop.value = 1
        deadline = time.monotonic() + STOP_GRACE
        while len(collected) < n and time.monotonic() < deadline:
            try:  # drained, so that a worker is not stuck flushing its result into the queue
                collected.append(results.get(timeout=0.5))
            except queue.Empty:
                continue
    finally:
        bar.close()
        deadline = time.monotonic() + STOP_GRACE
        for worker in workers:
            worker.join(timeout=max(0.0, deadline - time.monotonic()))
        for worker in workers:
            if isinstance(worker, multiprocessing.process.BaseProcess) and worker.is_alive():
                worker.kill()  # stuck in a statement past the grace: bounded cleanup
    if interrupted is not None:
        raise interrupted
    finished: list[WorkerResult] = []
    for item in collected:
        if isinstance(item, WorkerCrash):
            raise WorkloadError(f"worker {item.index} crashed: {item.message}")
        finished.append(item)
    if len(finished) < n:
        raise WorkloadError(f"{n - len(finished)} worker(s) exited without a result")
    return sorted(finished, key=lambda r: r.index)
