"""``aurora-load``: a load generator for the Aurora writer, proving no acknowledged insert is lost.

N workers (threads by default: measured faster than processes on a 2-core host, where worker
processes take CPU from the server) run for a duration or a number of operations, each
operation an insert or a count-where read (the seed's pair) chosen by the insert ratio, through
server-side prepared statements, optionally paced to a target rate. The acknowledged inserts of
a worker are exactly ``0..acked-1`` (see ``workloads.aurora_load.worker``), so the final check is
one count per worker. The result has throughput, p50/p95/p99/max latency, errors by kind, the
reconnects and credential renewals (a run survives a password rotation: see
``workloads.aurora_load.worker``) and a per-second series.

Aurora MySQL and Aurora PostgreSQL alike (``family``: ``mysql`` or ``postgres``, from
``workloads.sql.engines``): the table, the statements and the reading of errors are each family's
(``mysql_load``, ``pg_load``), the rest is shared.
"""

# ruff: noqa: E402 - the MySQL driver preload comes before any import that can load OpenSSL
from workloads import mysql_driver

mysql_driver.preload()

import secrets
import time
from collections import Counter
from collections.abc import Mapping
from typing import Any

from workloads.aurora_load.results import (
    Latency,
    LoadResult,
    LoadSettings,
    LostInserts,
    Second,
    Summary,
    Verification,
)
from workloads.aurora_load.worker import FAMILIES, WorkerConfig, WorkerResult, run_workers
from workloads.common import Endpoint, WorkloadError, log, percentile, retrying
from workloads.common.credentials import describe
from workloads.sql.engines import MYSQL

__all__ = [
    "COLUMNS",
    "Latency",
    "LoadResult",
    "LoadSettings",
    "LostInserts",
    "Second",
    "Summary",
    "Verification",
    "cleanup",
    "prepare_table",
    "run_load",
    "summarize",
    "verify",
]

COLUMNS = {"run_id", "worker", "seq", "data", "random_number", "created_at"}
DELETE_CHUNK = 10_000


def prepare_table(endpoint: Endpoint, table: str, family: str = MYSQL) -> None:
    """Create the load table if needed and make sure an existing one has our columns."""
    load = FAMILIES[family]
    conn = load.open(endpoint)
    try:
        have = load.create_table(conn, table)
    finally:
        load.close(conn)
    if not have >= COLUMNS:
        missing = ", ".join(sorted(COLUMNS - have))
        raise WorkloadError(
            f"table {table} already exists without the columns {missing}; pick another --table"
        )


def verify(
    endpoint: Endpoint,
    table: str,
    run_id: int,
    acked: Mapping[int, int],
    timeout: float,
    *,
    family: str = MYSQL,
) -> Verification:
    """Count each worker's rows with seq < acked (worker index -> acknowledged inserts)."""
    load = FAMILIES[family]
    conn = retrying(
        load.is_transient,
        attempts=1000,
        max_seconds=timeout,
        max_wait=2.0,
        describe="reconnect for the final check",
    )(lambda: load.open(endpoint, retries=False))
    counts, seqs = load.verify_sql(table)
    lost: dict[int, LostInserts] = {}
    committed_unacked = 0
    try:
        cur = conn.cursor()
        for index, count in acked.items():
            cur.execute(counts, (count, run_id, index))
            row: Any = cur.fetchone()
            present, total = int(row[0]), int(row[1])
            committed_unacked += total - present
            if present != count:
                cur.execute(seqs, (run_id, index, count))
                rows: Any = cur.fetchall()
                have = {int(r[0]) for r in rows}
                missing = [s for s in range(count) if s not in have]
                lost[index] = LostInserts(len(missing), missing[:10])
        cur.close()
    finally:
        load.close(conn)
    return Verification(dict(acked), lost, committed_unacked)


def cleanup(endpoint: Endpoint, table: str, run_id: int, family: str = MYSQL) -> int:
    """Delete this run's rows in bounded chunks (no long lock on a big table)."""
    load = FAMILIES[family]
    conn = load.open(endpoint)
    statement = load.delete_sql(table)
    deleted = 0
    try:
        cur = conn.cursor()
        while True:
            cur.execute(statement, {"run_id": run_id, "chunk": DELETE_CHUNK})
            deleted += cur.rowcount
            if cur.rowcount < DELETE_CHUNK:
                break
        cur.close()
    finally:
        load.close(conn)
    return deleted


def summarize(results: list[WorkerResult], wall_seconds: float) -> Summary:
    """Merge worker results into totals, latency percentiles, errors and a series."""
    latencies = sorted(v for r in results for v in r.latencies)
    errors: Counter[str] = Counter()
    series: dict[int, list[int]] = {}
    for r in results:
        errors.update(r.errors)
        for second, (ins, rd, err) in r.buckets.items():
            slot = series.setdefault(int(second), [0, 0, 0])
            slot[0] += ins
            slot[1] += rd
            slot[2] += err
    last = max(series) if series else -1
    per_second = [Second(s, *series.get(s, [0, 0, 0])) for s in range(last + 1)]
    ms = 1000.0
    return Summary(
        seconds=wall_seconds,
        inserts=sum(r.inserts for r in results),
        reads=sum(r.reads for r in results),
        latency_ms=Latency(
            p50=round(percentile(latencies, 50) * ms, 3),
            p95=round(percentile(latencies, 95) * ms, 3),
            p99=round(percentile(latencies, 99) * ms, 3),
            max=round((latencies[-1] if latencies else 0.0) * ms, 3),
        ),
        errors=dict(errors),
        reconnects=sum(r.reconnects for r in results),
        credential_renewals=sum(r.credential_renewals for r in results),
        confirmed_by_duplicate=sum(r.confirmed_by_duplicate for r in results),
        per_second=per_second,
    )


def run_load(
    endpoint: Endpoint,
    settings: LoadSettings,
    *,
    engine: str,
    family: str = MYSQL,
    verify_timeout: float = 120.0,
    cleanup_after: bool = False,
    show_progress: bool = False,
    read_only: bool = False,
) -> LoadResult:
    """Prepare the table, run the workers, verify every acknowledged insert, optionally clean up.
    `read_only` (a global database's secondary, which refuses writes): no table is created (the
    primary's is replicated there; reading a missing one counts as errors) and only reads run."""
    if read_only and (settings.mix or cleanup_after):
        raise WorkloadError("a read-only run makes no inserts and deletes nothing")
    if not read_only:
        prepare_table(endpoint, settings.table, family)
    run_id = secrets.randbits(62)
    n = settings.workers
    duration = settings.duration if settings.ops is None else None
    if duration is None and settings.ops is None:
        duration = 30.0
    start = time.time() + (0.8 if settings.mode == "processes" else 0.05)  # let processes spawn
    ops = settings.ops
    configs = [
        WorkerConfig(
            endpoint=endpoint,
            family=family,
            table=settings.table,
            run_id=run_id,
            index=i,
            start=start,
            end=start + duration if duration is not None else None,
            ops=(ops // n + (1 if i < ops % n else 0)) if ops is not None else None,
            insert_ratio=settings.mix / 100.0,
            interval=(n / settings.rate) if settings.rate else None,
        )
        for i in range(n)
    ]
    log.info("aurora-load run %d: %d %s, table %s", run_id, n, settings.mode, settings.table)
    log.info("%s", FAMILIES[family].describe())
    results = run_workers(configs, settings.mode, show_progress=show_progress)
    wall = max(time.time() - start, 1e-9) if duration is None else duration
    summary = summarize(results, wall)
    acked = {r.index: r.acked for r in results}
    check = verify(endpoint, settings.table, run_id, acked, verify_timeout, family=family)
    result = LoadResult(
        engine=engine,
        run_id=run_id,
        settings=settings,
        driver="+".join(sorted({r.driver for r in results})),
        summary=summary,
        verification=check,
        fatal_errors=[f"worker {r.index}: {r.fatal}" for r in results if r.fatal],
        credentials=describe(endpoint.credentials),
    )
    if cleanup_after:
        result.deleted_rows = cleanup(endpoint, settings.table, run_id, family)
    return result
