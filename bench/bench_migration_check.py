"""migration-check over 1,000,000 rows a side against the plain whole-table checksum of each
engine, side by side in one run. Goal on PostgreSQL: within 2x of ``md5(string_agg(...))`` over
each whole table on both sides, while also naming the differing keys.

    .venv/bin/python -m bench.bench_migration_check [--engine postgres|mysql] [--rows 1000000]

``--engine postgres`` (the default): relational ``postgres`` and aurora ``aurora-postgresql``
on the local PostgreSQL, the baseline ``SELECT md5(string_agg(t::text, '' ORDER BY id))`` on the
source then the target (one client, as a user would type it; ordered by the key, without which
two copies need not agree). ``--engine mysql``: both on the local MariaDB against
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


Sides = tuple[Callable[[], float], Callable[[str], None]]


def postgres_sides(outputs: dict[str, Any], rows: int) -> Sides:
    """Load both sides; the baseline (seconds for both checksums) and a statement runner on the
    target."""
    conns = [_pg(outputs[key]) for key in ("relational", "aurora")]
    for conn in conns:
        with conn.cursor() as cur:
            cur.execute(PG_TABLE)
            cur.execute(PG_ROWS.format(rows=int(rows)))
            cur.execute("VACUUM ANALYZE bench_rows")

    def baseline() -> float:
        began = time.perf_counter()
        for conn in conns:
            with conn.cursor() as cur:
                cur.execute("SELECT md5(string_agg(t::text, '' ORDER BY id)) FROM bench_rows t")
                cur.fetchall()
        return time.perf_counter() - began

    def on_target(statement: str) -> None:
        with conns[1].cursor() as cur:
            cur.execute(statement)

    return baseline, on_target


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

    def baseline() -> float:
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

    return baseline, on_target


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
    native = "md5(string_agg) x2" if args.engine == "postgres" else "CHECKSUM TABLE x2"
    try:
        sides = postgres_sides if args.engine == "postgres" else mysql_sides
        baseline, on_target = sides(outputs, args.rows)
        for label in ("identical tables", "one row changed in the target"):
            if label.startswith("one"):
                on_target(f"UPDATE bench_rows SET b = 'changed' WHERE id = {CHANGED}")
            theirs, ours = [], []
            for _ in range(args.rounds):
                theirs.append(baseline())
                result, wall = run_workload(
                    "migration-check", "--outputs", str(path), "--include", "bench_rows"
                )
                ours.append(wall)
            table = result["tables"][0]
            n, o = statistics.median(theirs), statistics.median(ours)
            print(
                f"{args.engine} {label}: {native} {n:.2f}s, migration-check {o:.2f}s = "
                f"{o / n:.2f}x (goal <= 2x); status {table['status']}, "
                f"ranges {table['ranges']}; rounds {[round(t, 2) for t in theirs]} / "
                f"{[round(t, 2) for t in ours]}"
            )
    finally:
        drop_all(PREFIX)


if __name__ == "__main__":
    main()
