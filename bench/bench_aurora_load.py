"""aurora-load against each engine's native insert benchmark on the same server, the same number
of clients, the same duration, back to back. Goal: aurora-load >= 90% of the native tool's
inserts per second.

    .venv/bin/python -m bench.bench_aurora_load [--engine both|mysql|postgres] [--duration 10]
        [--rounds 2] [--workers 5] [--modes threads,processes]

- MySQL (the local MariaDB standing in for Aurora MySQL): sysbench ``oltp_insert``. Needs
  sysbench (``apt-get update && apt-get install -y sysbench``); without it that part is skipped.
- PostgreSQL (the local PostgreSQL standing in for Aurora PostgreSQL): ``pgbench`` running an
  insert-only custom script (``-n -M prepared``, one thread per client) into a table made by
  aurora-load itself, so both insert the same row shape into the same indexes: aurora-load's
  table, its (run id, worker, sequence) key filled from a sequence by pgbench, a 35-character
  text and a random number. Every measurement, of either tool, starts from empty tables and a
  fresh checkpoint (TRUNCATE, CHECKPOINT): no autovacuum of the previous run's deleted rows and
  no checkpoint left over for the next tool to pay. Without pgbench that part is skipped.

aurora-load runs insert-only (--mix 100) in each worker mode asked for (threads and processes:
how its default mode was chosen); the order alternates between rounds. Each round prints its
ratios, and the summary gives both the ratio of the medians and the median of the rounds' ratios
(the steadier figure when the machine's load drifts). Not a test: timings on a shared 2-core
machine are noisy, so read the ratio of runs made side by side, not the absolute numbers.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import psycopg2

from bench._common import bench_outputs, run_workload

PGBENCH_TABLE = "dbtier_pgbench"
PGBENCH_SCRIPT = f"""\\set r random(1, 1000000)
INSERT INTO {PGBENCH_TABLE} (run_id, worker, seq, data, random_number) VALUES (1, :client_id, \
nextval('{PGBENCH_TABLE}_seq'), 'Load test data from worker 0 - 1234', :r);
"""


def sysbench(database: str, duration: int, workers: int) -> float:
    base = [
        "sysbench",
        "oltp_insert",
        "--db-driver=mysql",
        "--mysql-host=127.0.0.1",
        "--mysql-user=root",
        f"--mysql-db={database}",
        "--tables=1",
        "--table-size=10000",
        f"--threads={workers}",
    ]
    subprocess.run([*base, "cleanup"], capture_output=True, check=False)
    subprocess.run([*base, "prepare"], capture_output=True, check=True)
    done = subprocess.run(
        [*base, f"--time={duration}", "run"], capture_output=True, text=True, check=True
    )
    subprocess.run([*base, "cleanup"], capture_output=True, check=False)
    match = re.search(r"write:\s+(\d+)", done.stdout)
    if match is None:
        raise SystemExit("could not read sysbench's write count")
    return int(match.group(1)) / duration


def _pg_admin(database: str) -> psycopg2.extensions.connection:
    conn = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname=database)
    conn.autocommit = True
    return conn


def prepare_pgbench(path: str, database: str) -> Path:
    """aurora-load makes its table under pgbench's name; a sequence for pgbench's keys; the
    script in a temporary file."""
    run_workload("aurora-load", "--outputs", path, "--table", PGBENCH_TABLE, "--ops", "1")
    conn = _pg_admin(database)
    with conn.cursor() as cur:
        cur.execute(f"CREATE SEQUENCE IF NOT EXISTS {PGBENCH_TABLE}_seq")
        cur.execute(f"GRANT ALL ON {PGBENCH_TABLE}, {PGBENCH_TABLE}_seq TO PUBLIC")
    conn.close()
    script = Path(tempfile.mkdtemp(prefix="dbtier-pgbench-")) / "insert.sql"
    script.write_text(PGBENCH_SCRIPT)
    return script


def pg_fresh_start(database: str) -> None:
    """Empty both load tables and checkpoint: each measurement starts from the same state."""
    conn = _pg_admin(database)
    with conn.cursor() as cur:
        cur.execute(f"TRUNCATE {PGBENCH_TABLE}, dbtier_load")
        cur.execute("CHECKPOINT")
    conn.close()


def pgbench(database: str, duration: int, workers: int, script: Path) -> float:
    done = subprocess.run(
        [
            "pgbench",
            "-n",  # no vacuum of pgbench's own tables: there are none
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-M",
            "prepared",
            f"--client={workers}",
            f"--jobs={workers}",
            f"--time={duration}",
            f"--file={script}",
            database,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    match = re.search(r"number of transactions actually processed: (\d+)", done.stdout)
    if match is None:
        raise SystemExit(f"could not read pgbench's transaction count: {done.stdout}")
    return int(match.group(1)) / duration


def aurora_load(
    path: str, duration: int, workers: int, mode: str, *, cleanup: bool = True
) -> tuple[float, str]:
    result, _ = run_workload(
        "aurora-load",
        "--outputs",
        path,
        "--workers",
        str(workers),
        "--duration",
        str(duration),
        "--mix",
        "100",
        "--mode",
        mode,
        *(["--cleanup"] if cleanup else []),
    )
    assert result["verification"]["lost"] == 0
    return result["throughput"]["insertsPerSecond"], result["driver"]


def compare(
    native_name: str,
    native: Callable[[], float],
    path: str,
    args: argparse.Namespace,
    before: Callable[[], None] | None = None,
) -> None:
    """Rounds of the native tool and aurora-load in each mode, side by side; the summary.
    ``before`` runs before every measurement; with it aurora-load leaves its rows to it."""
    fresh = before or (lambda: None)
    modes = args.modes
    figures: dict[str, list[float]] = {native_name: [], **{mode: [] for mode in modes}}
    ratios: dict[str, list[float]] = {mode: [] for mode in modes}
    drivers: set[str] = set()
    for round_ in range(1, args.rounds + 1):
        # Alternate the order (native first, then last) so that a drift in the machine's load
        # during a round does not always favour the same side.
        native_first = round_ % 2 == 1
        if native_first:
            fresh()
            figures[native_name].append(native())
        for mode in modes if native_first else modes[::-1]:
            fresh()
            value, driver = aurora_load(
                path, args.duration, args.workers, mode, cleanup=before is None
            )
            figures[mode].append(value)
            drivers.add(driver)
        if not native_first:
            fresh()
            figures[native_name].append(native())
        base = figures[native_name][-1]
        for mode in modes:
            ratios[mode].append(figures[mode][-1] / base)
        columns = ", ".join(
            f"{mode} {figures[mode][-1]:,.0f}/s ({ratios[mode][-1]:.0%})" for mode in modes
        )
        print(f"round {round_}: {native_name} {base:,.0f}/s, aurora-load {columns}", flush=True)
    print(f"aurora-load driver: {', '.join(sorted(drivers))}")
    base = statistics.median(figures[native_name])
    for mode in modes:
        value = statistics.median(figures[mode])
        print(
            f"median inserts/s, {args.workers} workers, {args.duration}s: aurora-load {mode} "
            f"{value:,.0f} vs {native_name} {base:,.0f} = {value / base:.0%}; median of the "
            f"rounds' ratios {statistics.median(ratios[mode]):.0%} (goal >= 90%)",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", choices=["both", "mysql", "postgres"], default="both")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument(
        "--modes",
        type=lambda text: text.split(","),
        default=["threads", "processes"],
        help="aurora-load worker modes, comma-separated (default threads,processes)",
    )
    args = parser.parse_args()
    if args.engine in ("both", "mysql"):
        print("== Aurora MySQL (local MariaDB): aurora-load vs sysbench oltp_insert")
        if shutil.which("sysbench") is None:
            print(
                "sysbench is not installed: apt-get update && apt-get install -y sysbench; skipped"
            )
        else:
            path, outputs = bench_outputs()
            database = outputs["aurora"]["databaseName"]
            native = lambda: sysbench(database, args.duration, args.workers)  # noqa: E731
            compare("sysbench", native, str(path), args)
    if args.engine in ("both", "postgres"):
        print("== Aurora PostgreSQL (local PostgreSQL): aurora-load vs pgbench, insert-only script")
        if shutil.which("pgbench") is None:
            print(
                "pgbench is not installed (Debian: postgresql-contrib's or the server's); skipped"
            )
            return
        path, outputs = bench_outputs(
            relational_engine="postgres", aurora_engine="aurora-postgresql"
        )
        database = outputs["aurora"]["databaseName"]
        script = prepare_pgbench(str(path), database)
        native = lambda: pgbench(database, args.duration, args.workers, script)  # noqa: E731
        try:
            compare("pgbench", native, str(path), args, lambda: pg_fresh_start(database))
        finally:
            pg_fresh_start(database)


if __name__ == "__main__":
    main()
