"""``aurora-load``: a load generator for the Aurora writer, proving no acknowledged insert is lost.

N workers (threads by default: measured faster than processes on a 2-core host, where worker
processes take CPU from the server; see docs/workloads.md) run for a duration or a number of operations, each
operation an insert or a count-where read (the seed's pair) chosen by ``--mix``, through
server-side prepared statements, optionally paced to a target rate. Every insert carries
(run id, worker, sequence); a worker retries the same sequence number after a transient error
(a duplicate-key answer means the lost acknowledgement had in fact committed), so the
acknowledged inserts of a worker are exactly ``0..acked-1`` and the final check is one count per
worker. The report has throughput, p50/p95/p99/max latency, errors by kind and a per-second
series (JSON, and a small chart in the terminal).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import math
import multiprocessing
import queue
import random
import secrets
import signal
import threading
import time
from array import array
from collections import Counter
from dataclasses import dataclass
from typing import Any

import mysql.connector
from mysql.connector.connection import MySQLConnection
from mysql.connector.errors import get_mysql_exception

from workloads import mysql_driver
from workloads.common import (
    EXIT_CHECK_FAILED,
    EXIT_OK,
    Outputs,
    WorkloadError,
    emit,
    log,
    one_line,
    progress,
    redact,
    retrying,
)
from workloads.sql import (
    Endpoint,
    add_connection_arguments,
    endpoint_from_outputs,
    is_plain_identifier,
    mysql_config,
    mysql_connect,
    mysql_error_kind,
    mysql_ident,
    mysql_is_transient,
)

HELP = "Aurora: load generator (workers, insert/read mix, rate) with latency and no-loss proof"

DUPLICATE_KEY = 1062
RANDOM_MAX = 1_000_000
READ_WINDOW = 1_000
COLUMNS = {"run_id", "worker", "seq", "data", "random_number", "created_at"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_connection_arguments(parser)
    parser.add_argument("--workers", type=int, default=5, metavar="N", help="default 5")
    limit = parser.add_mutually_exclusive_group()
    limit.add_argument(
        "--duration", type=float, default=None, metavar="S", help="seconds to run (default 30)"
    )
    limit.add_argument("--ops", type=int, default=None, metavar="N", help="operations in total")
    parser.add_argument(
        "--mix",
        type=int,
        default=50,
        metavar="PCT",
        help="percent of operations that are inserts, the rest reads (default 50)",
    )
    parser.add_argument(
        "--rate", type=float, default=None, metavar="OPS", help="target operations/s (all workers)"
    )
    parser.add_argument(
        "--mode",
        choices=["processes", "threads"],
        default="threads",
        help="worker kind (default threads: measured faster here, see docs/workloads.md)",
    )
    parser.add_argument("--table", default="dbtier_load", help="table name (default dbtier_load)")
    parser.add_argument(
        "--cleanup", action="store_true", help="delete this run's rows after the final check"
    )
    parser.add_argument(
        "--verify-timeout",
        type=float,
        default=120.0,
        metavar="S",
        help="how long the final check waits for the writer to come back (default 120)",
    )


@dataclass(frozen=True)
class WorkerConfig:
    """What one worker needs; picklable so it can cross into a process."""

    endpoint: Endpoint
    table: str
    run_id: int
    index: int
    start: float  # wall-clock start shared by all workers: per-second buckets line up
    end: float | None  # wall-clock end for --duration
    ops: int | None  # operations for this worker for --ops
    insert_ratio: float
    interval: float | None  # seconds between operations for --rate


def _sql(table: str) -> tuple[str, str]:
    quoted = mysql_ident(table)
    insert = (
        f"INSERT INTO {quoted} (run_id, worker, seq, data, random_number) VALUES (?, ?, ?, ?, ?)"
    )
    read = f"SELECT COUNT(*) FROM {quoted} WHERE random_number BETWEEN ? AND ?"
    return insert, read


class Prepared:
    """A server-side prepared statement run in one round trip per execution.

    mysql-connector's prepared cursors reset the statement before every execution (the
    pure-Python one sends COM_STMT_RESET: a second round trip per insert that matters over a
    network). These statements never send long data, so they need no reset. Works with both
    connection classes: the pure-Python ``MySQLConnection`` and the C extension's
    ``CMySQLConnection``, whose statement-level API differs.

    With the C extension, the statement is executed on the extension's own statement object,
    skipping the connector's Python layers around it (a tracing decorator, an attribute proxy, a
    status dict nobody reads; result sets are still read through the connector): about 5-10 us
    less CPU per insert, which on a 2-core host is taken from the server. Errors are converted
    exactly as the connector does, so errno-based classification is unchanged.
    """

    def __init__(self, conn: Any, statement: str) -> None:
        self.conn = conn
        self.pure = isinstance(conn, MySQLConnection)
        prepared = conn.cmd_stmt_prepare(statement.encode())
        if self.pure:
            self.statement = prepared["statement_id"]
            self.parameters = prepared["parameters"]
            return
        # A CMySQLPrepStmt; libmysqlclient re-executes it without a reset round trip.
        self.statement = prepared
        self.raw: Any = getattr(prepared, "_wrapped", None)
        if self.raw is None or not hasattr(self.raw, "stmt_execute"):
            self.raw = None  # another connector version: its own path, slower but the same
        self.interface_error = importlib.import_module("_mysql_connector").MySQLInterfaceError

    def execute(self, params: tuple[Any, ...]) -> list[Any]:
        """Execute with ``params``; the rows of a result set, or [] for an OK."""
        if self.pure:
            result = self.conn.cmd_stmt_execute(
                self.statement, data=params, parameters=self.parameters
            )
            if isinstance(result, tuple):
                self.conn.unread_result = True
                rows, _ = self.conn.get_rows(binary=True, columns=result[1])
                return list(rows)
            return []
        raw = self.raw
        if raw is None:
            self.conn.cmd_stmt_execute(self.statement, *params)
        else:
            try:
                raw.stmt_execute(*params, query_attrs=[])
            except self.interface_error as err:  # as CMySQLConnection.cmd_stmt_execute does
                if hasattr(err, "errno"):
                    raise get_mysql_exception(
                        err.errno, msg=err.msg, sqlstate=err.sqlstate
                    ) from err
                raise mysql.connector.InterfaceError(str(err)) from err
            if not raw.have_result_set:
                return []
            self.conn.fetch_eof_columns(self.statement)  # what cmd_stmt_execute does next
        if self.statement.have_result_set:
            rows, _ = self.conn.get_rows(prep_stmt=self.statement)
            return list(rows)
        return []


def _open(config: WorkerConfig, stop: Any) -> tuple[Any, tuple[Prepared, Prepared] | None]:
    """Connect and prepare both statements, retrying transient errors until the run is over."""
    insert_sql, read_sql = _sql(config.table)
    while True:
        conn = _connect_until(config, stop, config.end)
        if conn is None:
            return None, None
        try:
            return conn, (Prepared(conn, insert_sql), Prepared(conn, read_sql))
        except mysql.connector.Error as exc:
            _close_quietly(conn)
            if not mysql_is_transient(exc):
                raise


def _connect_until(config: WorkerConfig, stop: Any, deadline: float | None) -> Any:
    """Connect, retrying transient failures with backoff+jitter until the run is over."""
    delay = 0.05
    while True:
        try:
            return mysql.connector.connect(**mysql_config(config.endpoint))
        except mysql.connector.Error as exc:
            if not mysql_is_transient(exc):
                raise
            now = time.time()
            if stop.value or (deadline is not None and now >= deadline):
                return None
            time.sleep(min(random.uniform(0, delay), max(0.0, (deadline or now + 1) - now)))
            delay = min(delay * 2, 1.0)


def worker_main(config: WorkerConfig, counters: Any, stop: Any) -> dict[str, Any]:
    """Run one worker; return its counts, latencies (seconds) and per-second buckets."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    rng = random.Random(config.run_id * 1000 + config.index)
    latencies = array("d")
    buckets: dict[int, list[int]] = {}
    errors: Counter[str] = Counter()
    acked = inserts = reads = confirmed_by_duplicate = reconnects = 0
    fatal: str | None = None
    done = 0
    next_at = config.start
    pending_insert: tuple[Any, ...] | None = None
    # Per-second buckets from perf_counter (already read for the latency): one clock call less
    # per operation, and the bucket looked up only when the second changes.
    perf_origin = time.perf_counter() - (time.time() - config.start)
    bucket_second = -1
    bucket = [0, 0, 0]

    conn, statements = _open(config, stop)
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
        except mysql.connector.Error as exc:
            if is_insert and exc.errno == DUPLICATE_KEY and pending_insert is not None:
                confirmed_by_duplicate += 1  # the retry proves the first attempt committed
            elif mysql_is_transient(exc):
                kind = mysql_error_kind(exc)
                errors[kind] += 1
                buckets.setdefault(int(time.perf_counter() - perf_origin), [0, 0, 0])[2] += 1
                pending_insert = params if is_insert else None
                _close_quietly(conn)
                reconnects += 1
                conn, statements = _open(config, stop)
                continue
            else:
                errors[mysql_error_kind(exc)] += 1
                fatal = redact(one_line(exc))
                break
        ended = time.perf_counter()
        latencies.append(ended - began)
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
        _close_quietly(conn)
    return {
        "index": config.index,
        "driver": mysql_driver.driver(),  # per process: a spawned worker loads its own
        "acked": acked,
        "inserts": inserts,
        "reads": reads,
        "confirmedByDuplicate": confirmed_by_duplicate,
        "reconnects": reconnects,
        "errors": dict(errors),
        "fatal": fatal,
        "latencies": latencies,
        "buckets": buckets,
    }


def _close_quietly(conn: Any) -> None:
    with contextlib.suppress(mysql.connector.Error, OSError):
        conn.close()


def _process_entry(config: WorkerConfig, counters: Any, stop: Any, results: Any) -> None:
    try:
        results.put(worker_main(config, counters, stop))
    except Exception as exc:  # noqa: BLE001 - reported by the parent as this worker's failure
        results.put({"index": config.index, "crash": redact(f"{type(exc).__name__}: {exc}")})


class _Flag:
    """A stop flag with the ``.value`` interface of multiprocessing.Value, for threads."""

    value = 0


def prepare_table(endpoint: Endpoint, table: str) -> None:
    """Create the load table if needed and make sure an existing one has our columns."""
    conn = mysql_connect(endpoint)
    try:
        cur = conn.cursor()
        cur.execute(
            f"""
            CREATE TABLE IF NOT EXISTS {mysql_ident(table)} (
                run_id BIGINT NOT NULL,
                worker SMALLINT NOT NULL,
                seq INT NOT NULL,
                data VARCHAR(1000) NOT NULL,
                random_number INT NOT NULL,
                created_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
                PRIMARY KEY (run_id, worker, seq),
                KEY idx_random_number (random_number)
            )
            """
        )
        cur.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = DATABASE() AND table_name = %s",
            (table,),
        )
        have = {str(row[0]).lower() for row in cur.fetchall()}
        cur.close()
    finally:
        conn.close()
    if not have >= COLUMNS:
        missing = ", ".join(sorted(COLUMNS - have))
        raise WorkloadError(
            f"table {table} already exists without the columns {missing}; pick another --table"
        )


def run_workers(
    configs: list[WorkerConfig], mode: str, show_progress: bool
) -> list[dict[str, Any]]:
    """Start the workers, show progress, collect results; Ctrl-C stops them and re-raises."""
    n = len(configs)
    if mode == "processes":
        ctx = multiprocessing.get_context("spawn")
        counters: Any = ctx.Array("q", n, lock=False)
        stop: Any = ctx.Value("b", 0, lock=False)
        results: Any = ctx.Queue()
        workers: list[Any] = [
            ctx.Process(target=_process_entry, args=(c, counters, stop, results), daemon=True)
            for c in configs
        ]
    else:
        counters = [0] * n
        stop = _Flag()
        results = queue.Queue()
        workers = [
            threading.Thread(target=_process_entry, args=(c, counters, stop, results), daemon=True)
            for c in configs
        ]
    first = configs[0]
    total = sum(c.ops or 0 for c in configs) if first.ops is not None else None
    bar = progress(total, "aurora-load", disable=not show_progress, unit="op")
    collected: list[dict[str, Any]] = []
    interrupted = False
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
    except KeyboardInterrupt:
        interrupted = True
        stop.value = 1
        deadline = time.time() + 10
        while len(collected) < n and time.time() < deadline:
            try:
                collected.append(results.get(timeout=0.5))
            except queue.Empty:
                continue
    finally:
        bar.close()
        for worker in workers:
            worker.join(timeout=5)
    if interrupted:
        raise KeyboardInterrupt
    for result in collected:
        if "crash" in result:
            raise WorkloadError(f"worker {result['index']} crashed: {result['crash']}")
    if len(collected) < n:
        raise WorkloadError(f"{n - len(collected)} worker(s) exited without a result")
    return sorted(collected, key=lambda r: r["index"])


def verify(
    endpoint: Endpoint, table: str, run_id: int, results: list[dict[str, Any]], timeout: float
) -> dict[str, Any]:
    """Count each worker's rows with seq < acked: every acknowledged insert must be there."""
    conn = retrying(
        mysql_is_transient,
        attempts=1000,
        max_seconds=timeout,
        max_wait=2.0,
        describe="reconnect for the final check",
    )(lambda: mysql.connector.connect(**mysql_config(endpoint)))
    quoted = mysql_ident(table)
    lost: dict[str, Any] = {}
    committed_unacked = 0
    try:
        cur = conn.cursor()
        for result in results:
            acked = result["acked"]
            cur.execute(
                f"SELECT COALESCE(SUM(seq < %s), 0), COUNT(*) FROM {quoted} "
                "WHERE run_id = %s AND worker = %s",
                (acked, run_id, result["index"]),
            )
            row: Any = cur.fetchone()
            present, total = int(row[0]), int(row[1])
            committed_unacked += total - present
            if present != acked:
                cur.execute(
                    f"SELECT seq FROM {quoted} WHERE run_id = %s AND worker = %s AND seq < %s "
                    "ORDER BY seq",
                    (run_id, result["index"], acked),
                )
                rows: Any = cur.fetchall()
                have = {int(r[0]) for r in rows}
                missing = [s for s in range(acked) if s not in have]
                lost[str(result["index"])] = {
                    "missing": len(missing),
                    "firstMissingSeq": missing[:10],
                }
        cur.close()
    finally:
        conn.close()
    return {
        "acknowledged": sum(r["acked"] for r in results),
        "ackedByWorker": {str(r["index"]): r["acked"] for r in results},
        "lost": sum(v["missing"] for v in lost.values()),
        "lostByWorker": lost,
        "committedWithoutAck": committed_unacked,
    }


def cleanup(endpoint: Endpoint, table: str, run_id: int) -> int:
    """Delete this run's rows in bounded chunks (no long lock on a big table)."""
    conn = mysql_connect(endpoint)
    deleted = 0
    try:
        cur = conn.cursor()
        while True:
            cur.execute(
                f"DELETE FROM {mysql_ident(table)} WHERE run_id = %s LIMIT 10000", (run_id,)
            )
            deleted += cur.rowcount
            if cur.rowcount < 10000:
                break
        cur.close()
    finally:
        conn.close()
    return deleted


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def summarize(results: list[dict[str, Any]], wall_seconds: float) -> dict[str, Any]:
    """Merge worker results into throughput, latency percentiles, errors and a series."""
    latencies = sorted(v for r in results for v in r["latencies"])
    errors: Counter[str] = Counter()
    series: dict[int, list[int]] = {}
    for r in results:
        errors.update(r["errors"])
        for second, (ins, rd, err) in r["buckets"].items():
            slot = series.setdefault(int(second), [0, 0, 0])
            slot[0] += ins
            slot[1] += rd
            slot[2] += err
    last = max(series) if series else -1
    per_second = [
        {"second": s, "inserts": v[0], "reads": v[1], "errors": v[2]}
        for s in range(last + 1)
        for v in [series.get(s, [0, 0, 0])]
    ]
    inserts = sum(r["inserts"] for r in results)
    reads = sum(r["reads"] for r in results)
    ms = 1000.0
    return {
        "seconds": round(wall_seconds, 3),
        "operations": inserts + reads,
        "inserts": inserts,
        "reads": reads,
        "throughput": {
            "opsPerSecond": round((inserts + reads) / wall_seconds, 1) if wall_seconds else 0.0,
            "insertsPerSecond": round(inserts / wall_seconds, 1) if wall_seconds else 0.0,
            "readsPerSecond": round(reads / wall_seconds, 1) if wall_seconds else 0.0,
        },
        "latencyMs": {
            "p50": round(percentile(latencies, 0.50) * ms, 3),
            "p95": round(percentile(latencies, 0.95) * ms, 3),
            "p99": round(percentile(latencies, 0.99) * ms, 3),
            "max": round((latencies[-1] if latencies else 0.0) * ms, 3),
        },
        "errors": dict(errors),
        "reconnects": sum(r["reconnects"] for r in results),
        "confirmedByDuplicate": sum(r["confirmedByDuplicate"] for r in results),
        "perSecond": per_second,
    }


def run(args: argparse.Namespace, outputs: Outputs) -> int:
    if args.workers < 1 or args.workers > 512:
        raise WorkloadError("--workers must be between 1 and 512")
    if not 0 <= args.mix <= 100:
        raise WorkloadError("--mix must be a percentage between 0 and 100")
    if args.ops is not None and args.ops < 1:
        raise WorkloadError("--ops must be at least 1")
    if args.duration is not None and args.duration <= 0:
        raise WorkloadError("--duration must be positive")
    if args.rate is not None and args.rate <= 0:
        raise WorkloadError("--rate must be positive")
    if not is_plain_identifier(args.table):
        raise WorkloadError(f"--table {args.table!r}: letters, digits, _ and $ only")
    endpoint = endpoint_from_outputs(outputs, "aurora", "writerEndpoint", args)
    engine = outputs.field("aurora", "engine", str, default="aurora-mysql")
    if "postgres" in engine:
        raise WorkloadError(f"aurora-load drives MySQL-compatible Aurora; this stack runs {engine}")
    prepare_table(endpoint, args.table)

    run_id = secrets.randbits(62)
    n = args.workers
    duration = args.duration if args.ops is None else None
    if duration is None and args.ops is None:
        duration = 30.0
    start = time.time() + (0.8 if args.mode == "processes" else 0.05)  # let processes spawn
    configs = [
        WorkerConfig(
            endpoint=endpoint,
            table=args.table,
            run_id=run_id,
            index=i,
            start=start,
            end=start + duration if duration is not None else None,
            ops=(args.ops // n + (1 if i < args.ops % n else 0)) if args.ops is not None else None,
            insert_ratio=args.mix / 100.0,
            interval=(n / args.rate) if args.rate else None,
        )
        for i in range(n)
    ]
    log.info("aurora-load run %d: %d %s, table %s", run_id, n, args.mode, args.table)
    log.info("%s", mysql_driver.describe())
    results = run_workers(configs, args.mode, show_progress=not args.json)
    wall = max(time.time() - start, 1e-9) if duration is None else duration
    summary = summarize(results, wall)
    check = verify(endpoint, args.table, run_id, results, args.verify_timeout)
    fatal = [f"worker {r['index']}: {r['fatal']}" for r in results if r["fatal"]]
    result: dict[str, Any] = {
        "workload": "aurora-load",
        "engine": engine,
        "runId": run_id,
        "table": args.table,
        "workers": n,
        "mode": args.mode,
        "driver": "+".join(sorted({r["driver"] for r in results})),
        "mixInsertPercent": args.mix,
        "targetRate": args.rate,
        **summary,
        "verification": check,
        "fatalErrors": fatal,
    }
    if args.cleanup:
        result["deletedRows"] = cleanup(endpoint, args.table, run_id)
    result["ok"] = check["lost"] == 0 and not fatal
    emit(result, args.json, render)
    return EXIT_OK if result["ok"] else EXIT_CHECK_FAILED


_BLOCKS = " ▁▂▃▄▅▆▇█"


def chart(per_second: list[dict[str, Any]], width: int = 60, height: int = 5) -> list[str]:
    """A small bar chart of operations per second (columns), errors marked with x below."""
    if not per_second:
        return []
    group = max(1, math.ceil(len(per_second) / width))
    cols = [per_second[i : i + group] for i in range(0, len(per_second), group)]
    values = [sum(p["inserts"] + p["reads"] for p in c) / len(c) for c in cols]
    errs = [sum(p["errors"] for p in c) for c in cols]
    top = max(values) or 1.0
    lines = []
    for level in range(height, 0, -1):
        row = ""
        for v in values:
            fill = v / top * height - (level - 1)
            row += _BLOCKS[max(0, min(8, round(fill * 8)))] if fill > 0 else " "
        label = f"{top * level / height:>9,.0f} |" if level in (height, 1) else "          |"
        lines.append(label + row)
    lines.append("   errors |" + "".join("x" if e else " " for e in errs))
    span = f"{group}s per column" if group > 1 else "1s per column"
    lines.append(f"          +{'-' * len(values)} ops/s, {span}")
    return lines


def render(result: dict[str, Any]) -> str:
    lat = result["latencyMs"]
    thr = result["throughput"]
    check = result["verification"]
    lines = [
        f"aurora-load: {result['workers']} {result['mode']}, {result['seconds']:g}s, "
        f"mix {result['mixInsertPercent']}% inserts"
        + (f", target {result['targetRate']:g} ops/s" if result["targetRate"] else ""),
        f"operations  {result['operations']:,} ({result['inserts']:,} inserts, "
        f"{result['reads']:,} reads)",
        f"throughput  {thr['opsPerSecond']:,.1f} ops/s ({thr['insertsPerSecond']:,.1f} inserts/s, "
        f"{thr['readsPerSecond']:,.1f} reads/s)",
        f"latency ms  p50 {lat['p50']:.2f}  p95 {lat['p95']:.2f}  p99 {lat['p99']:.2f}  "
        f"max {lat['max']:.2f}",
    ]
    if result["errors"]:
        kinds = ", ".join(f"{k}: {v}" for k, v in sorted(result["errors"].items()))
        lines.append(f"errors      {kinds} ({result['reconnects']} reconnects)")
    else:
        lines.append("errors      none")
    lines += ["", *chart(result["perSecond"]), ""]
    if check["lost"]:
        lines.append(
            f"FAILED: {check['lost']} of {check['acknowledged']:,} acknowledged inserts missing "
            f"(by worker: {check['lostByWorker']})"
        )
    else:
        lines.append(
            f"verified: all {check['acknowledged']:,} acknowledged inserts are in {result['table']}"
            + (
                f" ({check['committedWithoutAck']} more committed without an acknowledgement)"
                if check["committedWithoutAck"]
                else ""
            )
        )
    lines.extend(f"FAILED: {f}" for f in result["fatalErrors"])
    if "deletedRows" in result:
        lines.append(f"cleanup: deleted {result['deletedRows']:,} rows of run {result['runId']}")
    return "\n".join(lines)
