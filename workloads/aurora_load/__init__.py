"""``aurora-load``: a load generator for the Aurora writer, proving no acknowledged insert is lost.

N workers (threads by default: measured faster than processes on a 2-core host, where worker
processes take CPU from the server) run for a duration or a number of operations, each
operation an insert or a count-where read (the seed's pair) chosen by the insert ratio, through
server-side prepared statements, optionally paced to a target rate. The acknowledged inserts of
a worker are exactly ``0..acked-1`` (see ``workloads.aurora_load.worker``), so the final check is
one count per worker. The result has throughput, p50/p95/p99/max latency, errors by kind, the
reconnects and credential renewals (a run survives a password rotation: see
``workloads.aurora_load.worker``) and a per-second series.
"""

# ruff: noqa: E402 - the MySQL driver preload comes before any import that can load OpenSSL
from workloads import mysql_driver

mysql_driver.preload()

import secrets
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from workloads.aurora_load.worker import WorkerConfig, WorkerResult, run_workers
from workloads.common import Endpoint, WorkloadError, check_exit_code, log, percentile, retrying
from workloads.common.credentials import describe
from workloads.sql.mysqldb import mysql_connect, mysql_ident, mysql_is_transient, mysql_open

COLUMNS = {"run_id", "worker", "seq", "data", "random_number", "created_at"}


@dataclass(frozen=True)
class LoadSettings:
    """How to load: workers and their kind, how long or how much, the mix and the pace."""

    table: str = "dbtier_load"
    workers: int = 5
    mode: str = "threads"  # or "processes"
    duration: float | None = None  # seconds; neither this nor ops: 30 seconds
    ops: int | None = None  # operations in total, split across the workers
    mix: int = 50  # percent of operations that are inserts
    rate: float | None = None  # target operations/s across the workers


@dataclass(frozen=True)
class Latency:
    """Operation latency in milliseconds."""

    p50: float
    p95: float
    p99: float
    max: float


@dataclass(frozen=True)
class Second:
    """What all workers did in one second of the run."""

    second: int
    inserts: int
    reads: int
    errors: int


@dataclass(frozen=True)
class Summary:
    """The workers' results merged: totals, throughput, latency, errors and a per-second series."""

    seconds: float
    inserts: int
    reads: int
    latency_ms: Latency
    errors: dict[str, int]
    reconnects: int
    credential_renewals: int
    confirmed_by_duplicate: int
    per_second: list[Second]

    @property
    def operations(self) -> int:
        return self.inserts + self.reads

    def per_second_rate(self, count: int) -> float:
        return round(count / self.seconds, 1) if self.seconds else 0.0


@dataclass(frozen=True)
class LostInserts:
    """Acknowledged inserts of one worker that are not in the table."""

    missing: int
    first_missing_seq: list[int]


@dataclass(frozen=True)
class Verification:
    """The final check: every acknowledged insert must be in the table."""

    acked_by_worker: dict[int, int]
    lost_by_worker: dict[int, LostInserts]
    committed_without_ack: int

    @property
    def acknowledged(self) -> int:
        return sum(self.acked_by_worker.values())

    @property
    def lost(self) -> int:
        return sum(v.missing for v in self.lost_by_worker.values())


@dataclass
class LoadResult:
    """The outcome of one aurora-load run."""

    engine: str
    run_id: int
    settings: LoadSettings
    driver: str
    summary: Summary
    verification: Verification
    fatal_errors: list[str]
    deleted_rows: int | None = None
    credentials: str = "outputs"  # where the credentials in use at the end came from

    @property
    def ok(self) -> bool:
        return self.verification.lost == 0 and not self.fatal_errors

    @property
    def exit_code(self) -> int:
        return check_exit_code(self.ok)

    def to_json(self) -> dict[str, Any]:
        s, v = self.summary, self.verification
        out: dict[str, Any] = {
            "workload": "aurora-load",
            "engine": self.engine,
            "runId": self.run_id,
            "table": self.settings.table,
            "workers": self.settings.workers,
            "mode": self.settings.mode,
            "driver": self.driver,
            "mixInsertPercent": self.settings.mix,
            "targetRate": self.settings.rate,
            "seconds": round(s.seconds, 3),
            "operations": s.operations,
            "inserts": s.inserts,
            "reads": s.reads,
            "throughput": {
                "opsPerSecond": s.per_second_rate(s.operations),
                "insertsPerSecond": s.per_second_rate(s.inserts),
                "readsPerSecond": s.per_second_rate(s.reads),
            },
            "latencyMs": vars(s.latency_ms),
            "errors": s.errors,
            "reconnects": s.reconnects,
            "credentials": {"source": self.credentials, "renewals": s.credential_renewals},
            "confirmedByDuplicate": s.confirmed_by_duplicate,
            "perSecond": [vars(p) for p in s.per_second],
            "verification": {
                "acknowledged": v.acknowledged,
                "ackedByWorker": {str(k): n for k, n in v.acked_by_worker.items()},
                "lost": v.lost,
                "lostByWorker": {
                    str(k): {"missing": x.missing, "firstMissingSeq": x.first_missing_seq}
                    for k, x in v.lost_by_worker.items()
                },
                "committedWithoutAck": v.committed_without_ack,
            },
            "fatalErrors": self.fatal_errors,
        }
        if self.deleted_rows is not None:
            out["deletedRows"] = self.deleted_rows
        out["ok"] = self.ok
        return out


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


def verify(
    endpoint: Endpoint, table: str, run_id: int, acked: Mapping[int, int], timeout: float
) -> Verification:
    """Count each worker's rows with seq < acked (worker index -> acknowledged inserts)."""
    conn = retrying(
        mysql_is_transient,
        attempts=1000,
        max_seconds=timeout,
        max_wait=2.0,
        describe="reconnect for the final check",
    )(lambda: mysql_open(endpoint))
    quoted = mysql_ident(table)
    lost: dict[int, LostInserts] = {}
    committed_unacked = 0
    try:
        cur = conn.cursor()
        for index, count in acked.items():
            cur.execute(
                f"SELECT COALESCE(SUM(seq < %s), 0), COUNT(*) FROM {quoted} "
                "WHERE run_id = %s AND worker = %s",
                (count, run_id, index),
            )
            row: Any = cur.fetchone()
            present, total = int(row[0]), int(row[1])
            committed_unacked += total - present
            if present != count:
                cur.execute(
                    f"SELECT seq FROM {quoted} WHERE run_id = %s AND worker = %s AND seq < %s "
                    "ORDER BY seq",
                    (run_id, index, count),
                )
                rows: Any = cur.fetchall()
                have = {int(r[0]) for r in rows}
                missing = [s for s in range(count) if s not in have]
                lost[index] = LostInserts(len(missing), missing[:10])
        cur.close()
    finally:
        conn.close()
    return Verification(dict(acked), lost, committed_unacked)


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
    verify_timeout: float = 120.0,
    cleanup_after: bool = False,
    show_progress: bool = False,
) -> LoadResult:
    """Prepare the table, run the workers, verify every acknowledged insert, optionally clean up."""
    prepare_table(endpoint, settings.table)
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
    log.info("%s", mysql_driver.describe())
    results = run_workers(configs, settings.mode, show_progress=show_progress)
    wall = max(time.time() - start, 1e-9) if duration is None else duration
    summary = summarize(results, wall)
    check = verify(
        endpoint, settings.table, run_id, {r.index: r.acked for r in results}, verify_timeout
    )
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
        result.deleted_rows = cleanup(endpoint, settings.table, run_id)
    return result
