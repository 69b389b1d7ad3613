"""migration-check over 1,000,000 rows against MariaDB's CHECKSUM TABLE on both sides.
Goal: within 2x of CHECKSUM TABLE, while also locating differing ranges.

    .venv/bin/python -m bench.bench_migration_check [--rows 1000000]

CHECKSUM TABLE runs on the source then the target, one client, as a user would type it; the
migration-check figure is the whole command (process start included). Measured on identical
tables, then again after changing one row in the target (where migration-check also names it).
"""

from __future__ import annotations

import argparse
import statistics
import time

from bench._common import bench_outputs, run_workload
from standins.local_outputs import mysql_admin


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    path, outputs = bench_outputs()
    source = outputs["relational"]["databaseName"]
    target = outputs["aurora"]["databaseName"]
    admin = mysql_admin()
    cur = admin.cursor()
    for db in (source, target):
        cur.execute(f"DROP TABLE IF EXISTS `{db}`.bench_rows")
        cur.execute(
            f"CREATE TABLE `{db}`.bench_rows (id INT PRIMARY KEY, a INT NOT NULL, "
            "b VARCHAR(64), c DECIMAL(12,2), d DATETIME)"
        )
    cur.execute(f"USE `{source}`")
    cur.execute(
        f"INSERT INTO `{source}`.bench_rows SELECT seq, seq * 7 % 1000, MD5(seq), seq / 3, "
        f"'2024-01-01' + INTERVAL (seq % 100000) MINUTE FROM seq_1_to_{args.rows}"
    )
    cur.execute(f"INSERT INTO `{target}`.bench_rows SELECT * FROM `{source}`.bench_rows")

    def checksum_both() -> float:
        began = time.perf_counter()
        for db in (source, target):
            cur.execute(f"CHECKSUM TABLE `{db}`.bench_rows")
            cur.fetchall()
        return time.perf_counter() - began

    def tool() -> tuple[float, dict]:
        result, wall = run_workload(
            "migration-check", "--outputs", str(path), "--include", "bench_rows"
        )
        return wall, result

    for label in ("identical tables", "one row changed in the target"):
        if label.startswith("one"):
            cur.execute(f"UPDATE `{target}`.bench_rows SET b = 'changed' WHERE id = 654321")
        native, ours = [], []
        for _ in range(args.rounds):
            native.append(checksum_both())
            wall, result = tool()
            ours.append(wall)
        table = result["tables"][0]
        n, o = statistics.median(native), statistics.median(ours)
        print(
            f"{label}: CHECKSUM TABLE x2 {n:.2f}s, migration-check {o:.2f}s = {o / n:.2f}x "
            f"(goal <= 2x); status {table['status']}, ranges {table['ranges']}"
        )
    for db in (source, target):
        cur.execute(f"DROP TABLE `{db}`.bench_rows")
    admin.close()


if __name__ == "__main__":
    main()
