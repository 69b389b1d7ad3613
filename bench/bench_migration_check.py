"""migration-check over 1,000,000 rows a side against the plain whole-table checksum of each
engine, side by side in one run. Goal on PostgreSQL: within 2x of ``md5(string_agg(...))`` over
each whole table on both sides, while also naming the differing keys.

    .venv/bin/python -m bench.bench_migration_check [--engine postgres|mysql] [--rows 1000000]

``--engine postgres`` (the default): relational ``postgres`` and aurora ``aurora-postgresql``
on the local PostgreSQL, the baseline ``SELECT md5(string_agg(t::text, '' ORDER BY id))`` on the
source then the target (one client, as a user would type it; ordered by the key, without which
two copies need not agree), and the same on both at once (two connections, as migration-check
runs its two sides). ``--engine mysql``: both on the local MariaDB against
``CHECKSUM TABLE`` on each side. The migration-check figure is the whole command (process start
included), measured on identical tables, then after changing one row in the target, where it
also names the row's key. Each side's own databases and users are made for the run and dropped.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path
from typing import Any

import psycopg2

from bench._common import run_workload
from standins.local_outputs import drop_all, mysql_admin, new_password, provision_all

PREFIX = "dbtier_bench_mc"
CHANGED = 654321
PG_TABLE = (
    "CREATE TABLE bench_rows (id integer PRIMARY KEY, a integer NOT NULL, b varchar(64), "
    "c numeric(12,2), d timestamp)"
)
PG_ROWS = (
    "INSERT INTO bench_rows SELECT g, g * 7 % 1000, md5(g::text), g / 3.0, "
    "timestamp '2024-01-01' + (g % 100000) * interval '1 minute' FROM generate_series(1, {rows}) g"
)
MY_TABLE = (
    "CREATE TABLE bench_rows (id INT PRIMARY KEY, a INT NOT NULL, b VARCHAR(64), "
    "c DECIMAL(12,2), d DATETIME)"
)
MY_ROWS = (
    "INSERT INTO bench_rows SELECT seq, seq * 7 % 1000, MD5(seq), seq / 3, "
    "'2024-01-01' + INTERVAL (seq % 100000) MINUTE FROM seq_1_to_{rows}"
)


def _pg(section: dict[str, Any]) -> Any:
    conn = psycopg2.connect(
        host=section.get("endpoint") or section["writerEndpoint"],
        port=section["port"],
        user=section["username"],
        password=section["password"],
        dbname=section["databaseName"],
    )
    conn.autocommit = True
    return conn


# The baselines (name -> seconds for one run of it) and a statement runner on the target.
Sides = tuple[dict[str, Callable[[], float]], Callable[[str], None]]
WHOLE_TABLE = "SELECT md5(string_agg(t::text, '' ORDER BY id)) FROM bench_rows t"


def _checksum(conn: Any) -> None:
    with conn.cursor() as cur:
        cur.execute(WHOLE_TABLE)
        cur.fetchall()


def postgres_sides(outputs: dict[str, Any], rows: int) -> Sides:
    """Load both sides on PostgreSQL. Baselines: the whole-table md5 on the source then the
    target (one client), and on both at once (two connections, as migration-check works)."""
    conns = [_pg(outputs[key]) for key in ("relational", "aurora")]
    for conn in conns:
        with conn.cursor() as cur:
            cur.execute(PG_TABLE)
            cur.execute(PG_ROWS.format(rows=int(rows)))
            cur.execute("VACUUM ANALYZE bench_rows")

    def one_after_the_other() -> float:
        began = time.perf_counter()
        for conn in conns:
            _checksum(conn)
        return time.perf_counter() - began

    def both_at_once() -> float:
        began = time.perf_counter()
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(_checksum, conns))
        return time.perf_counter() - began

    def on_target(statement: str) -> None:
        with conns[1].cursor() as cur:
            cur.execute(statement)

    baselines = {
        "md5(string_agg) source then target": one_after_the_other,
        "md5(string_agg) both at once": both_at_once,
    }
    return baselines, on_target


def mysql_sides(outputs: dict[str, Any], rows: int) -> Sides:
    """Load both sides on MariaDB; the baseline (CHECKSUM TABLE on each) and a statement runner
    on the target."""
    source, target_db = (outputs[key]["databaseName"] for key in ("relational", "aurora"))
    admin = mysql_admin()
    cur = admin.cursor()
    for db in (source, target_db):
        cur.execute(f"USE `{db}`")
        cur.execute(MY_TABLE)
    cur.execute(f"USE `{source}`")
    cur.execute(MY_ROWS.format(rows=int(rows)))
    cur.execute(f"INSERT INTO `{target_db}`.bench_rows SELECT * FROM `{source}`.bench_rows")

    def checksum_table() -> float:
        began = time.perf_counter()
        for db in (source, target_db):
            cur.execute(f"CHECKSUM TABLE `{db}`.bench_rows")
            cur.fetchall()
        return time.perf_counter() - began

    def on_target(statement: str) -> None:
        # A new cursor each time: it holds its connection only weakly, this closure holds it.
        with closing(admin.cursor()) as target:
            target.execute(f"USE `{target_db}`")
            target.execute(statement)

    return {"CHECKSUM TABLE source then target": checksum_table}, on_target


def _rounded(times: list[float]) -> list[float]:
    return [round(t, 2) for t in times]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", choices=["postgres", "mysql"], default="postgres")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    engines = (
        {"relational_engine": "postgres", "aurora_engine": "aurora-postgresql"}
        if args.engine == "postgres"
        else {}
    )
    passwords = {k: new_password() for k in ("relational", "aurora", "warehouse")}
    outputs = provision_all(PREFIX, passwords, **engines)
    path = Path(tempfile.mkdtemp(prefix="dbtier-bench-")) / "outputs.json"
    path.write_text(json.dumps(outputs))
    path.chmod(0o600)
    try:
        sides = postgres_sides if args.engine == "postgres" else mysql_sides
        baselines, on_target = sides(outputs, args.rows)
        for label in ("identical tables", "one row changed in the target"):
            if label.startswith("one"):
                on_target(f"UPDATE bench_rows SET b = 'changed' WHERE id = {CHANGED}")
            theirs: dict[str, list[float]] = {name: [] for name in baselines}
            ours: list[float] = []
            for _ in range(args.rounds):
                for name, baseline in baselines.items():
                    theirs[name].append(baseline())
                result, wall = run_workload(
                    "migration-check", "--outputs", str(path), "--include", "bench_rows"
                )
                ours.append(wall)
            table = result["tables"][0]
            o = statistics.median(ours)
            print(
                f"{args.engine}, {label}: migration-check {o:.2f}s (rounds {_rounded(ours)}); "
                f"status {table['status']}, ranges {table['ranges']}"
            )
            for name, times in theirs.items():
                n = statistics.median(times)
                print(f"  vs {name} {n:.2f}s (rounds {_rounded(times)}): {o / n:.2f}x (goal <= 2x)")
    finally:
        drop_all(PREFIX)


if __name__ == "__main__":
    main()
