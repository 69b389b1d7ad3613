"""warehouse load of 1,000,000 sales rows against `psql \\copy` of the same CSV, plus the seed's
executemany. Goal: warehouse >= 80% of psql's rows per second.

    .venv/bin/python -m bench.bench_warehouse [--rows 1000000] [--executemany-rows 20000]

The warehouse figure is the tool's own timing of its sales COPY (generation included: the CSV
is produced by a generator process while the server copies). psql loads the identical CSV,
generated beforehand to a file, into an empty table of the same definition. executemany (the
seed's way) is measured on fewer rows and reported as rows/s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from datetime import date

import psycopg2

from bench._common import bench_outputs, run_workload
from workloads.warehouse.data import COLUMNS, sales_csv_chunks


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--executemany-rows", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    path, outputs = bench_outputs()
    wh = outputs["warehouse"]
    env = {**os.environ, "PGPASSWORD": wh["password"]}
    conn = psycopg2.connect(
        host=wh["endpoint"],
        port=wh["port"],
        dbname=wh["databaseName"],
        user=wh["username"],
        password=wh["password"],
    )
    conn.autocommit = True
    tool, psql = [], []
    columns = ", ".join(COLUMNS["sales"])
    for round_ in range(1, args.rounds + 1):
        result, _ = run_workload(
            "warehouse",
            "--outputs",
            str(path),
            "--sales",
            str(args.rows),
            "--reload",
            "--skip-queries",
        )
        tool.append(result["load"]["tables"]["sales"]["rowsPerSecond"])
        with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as handle:
            for chunk in sales_csv_chunks(args.rows, 5, 100, 17, date.today()):
                handle.write(chunk)
        with conn.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS bench_psql")
            cur.execute("CREATE TABLE bench_psql (LIKE sales INCLUDING ALL)")
        began = time.perf_counter()
        subprocess.run(
            [
                "psql",
                "-h",
                wh["endpoint"],
                "-p",
                str(wh["port"]),
                "-U",
                wh["username"],
                "-d",
                wh["databaseName"],
                "-v",
                "ON_ERROR_STOP=1",
                "-q",
                "-c",
                f"\\copy bench_psql ({columns}) FROM '{handle.name}' WITH (FORMAT csv)",
            ],
            env=env,
            check=True,
        )
        psql.append(args.rows / (time.perf_counter() - began))
        os.unlink(handle.name)
        print(
            f"round {round_}: warehouse COPY {tool[-1]:,.0f} rows/s, psql \\copy {psql[-1]:,.0f} rows/s"
        )

    rows = []
    for chunk in sales_csv_chunks(args.executemany_rows, 5, 100, 17, date.today()):
        rows.extend(line.split(",")[1:] for line in chunk.splitlines())
    with conn.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_executemany")
        cur.execute("CREATE TABLE bench_executemany (LIKE sales INCLUDING ALL)")
    conn.autocommit = False
    began = time.perf_counter()
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO bench_executemany (customer_id, sale_date, product_id, quantity, "
            "unit_price, total_amount, region, sales_rep) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            rows,
        )
    conn.commit()
    executemany = len(rows) / (time.perf_counter() - began)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("DROP TABLE bench_psql, bench_executemany")
    conn.close()
    t, p = statistics.median(tool), statistics.median(psql)
    print(
        f"median rows/s loading {args.rows:,} sales rows: warehouse {t:,.0f} vs psql \\copy "
        f"{p:,.0f} = {t / p:.0%} (goal >= 80%); seed executemany {executemany:,.0f} rows/s "
        f"({executemany / p:.1%} of psql, measured on {len(rows):,} rows)"
    )


if __name__ == "__main__":
    main()
