"""Loading the sample data: PostgreSQL COPY FROM STDIN (from a generator process through a pipe
for big loads), Redshift COPY from S3, or batched INSERTs when Redshift has no S3 staging."""

from __future__ import annotations

import io
import multiprocessing
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from psycopg2 import sql
from psycopg2.extras import execute_values

from workloads.common import WorkloadError, one_line
from workloads.warehouse.data import (
    CHUNK_ROWS,
    COLUMNS,
    customer_rows,
    generate_into_pipe,
    product_rows,
    rows_csv,
    sales_csv_chunks,
)


@dataclass(frozen=True)
class S3Staging:
    """Redshift COPY from S3: where to stage the CSV and the role COPY assumes."""

    bucket: str
    prefix: str
    iam_role_arn: str


class _CountingReader:
    """A file-like reader for COPY that advances a progress bar by rows (newlines)."""

    def __init__(self, raw: Any, on_rows: Callable[[int], None]) -> None:
        self.raw = raw
        self.on_rows = on_rows

    def read(self, size: int = -1) -> bytes:
        data: bytes = self.raw.read(size)
        self.on_rows(data.count(b"\n"))
        return data

    def readline(self, size: int = -1) -> bytes:
        data: bytes = self.raw.readline(size)
        self.on_rows(data.count(b"\n"))
        return data


def _copy_stdin(cur: Any, table: str, source: Any) -> None:
    statement = sql.SQL("COPY {} ({}) FROM STDIN WITH (FORMAT csv)").format(
        sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c) for c in COLUMNS[table])
    )
    cur.copy_expert(statement, source, size=1 << 18)


def load_postgres(conn: Any, sizes: dict[str, int], seed: int, bar: Any) -> dict[str, float]:
    """TRUNCATE and COPY FROM STDIN, all in one transaction; seconds per table."""
    today = date.today()
    timings: dict[str, float] = {}
    with conn.cursor() as cur:
        cur.execute(
            sql.SQL("TRUNCATE {}").format(sql.SQL(", ").join(sql.Identifier(t) for t in COLUMNS))
        )
        small = {
            "products": product_rows(sizes["products"], seed),
            "customers": customer_rows(sizes["customers"], seed, today),
        }
        for table, rows in small.items():
            began = time.perf_counter()
            _copy_stdin(cur, table, io.StringIO(rows_csv(rows)))
            timings[table] = time.perf_counter() - began
            bar.update(len(rows))
        began = time.perf_counter()
        generator_args = (
            sizes["sales"],
            sizes["products"],
            sizes["customers"],
            seed,
            today.isoformat(),
        )
        if sizes["sales"] <= 4 * CHUNK_ROWS:
            text = "".join(sales_csv_chunks(*generator_args[:4], today))
            _copy_stdin(cur, "sales", io.StringIO(text))
            bar.update(sizes["sales"])
        else:
            _copy_from_generator_process(cur, generator_args, bar)
        timings["sales"] = time.perf_counter() - began
    conn.commit()
    return timings


def _copy_from_generator_process(cur: Any, generator_args: Any, bar: Any) -> None:
    # fork: the child inherits the pipe; it only writes CSV and never touches the connection.
    ctx = multiprocessing.get_context("fork")
    read_fd, write_fd = os.pipe()
    proc = ctx.Process(
        target=generate_into_pipe, args=(read_fd, write_fd, generator_args), daemon=True
    )
    proc.start()
    os.close(write_fd)
    try:
        with os.fdopen(read_fd, "rb", buffering=1 << 20) as pipe:
            _copy_stdin(cur, "sales", _CountingReader(pipe, bar.update))
    except BaseException:
        proc.kill()  # the COPY failed or was interrupted: its rows are no longer wanted
        raise
    finally:
        proc.join(timeout=10)
        if proc.is_alive():
            proc.kill()
            proc.join(timeout=1)
    if proc.exitcode not in (0, None):
        raise WorkloadError(f"the sales data generator failed (exit {proc.exitcode})")


def load_redshift(
    conn: Any, sizes: dict[str, int], seed: int, bar: Any, s3: S3Staging | None
) -> tuple[dict[str, float], str]:
    """DELETE (TRUNCATE would commit) then COPY from S3, or batched INSERTs without a bucket."""
    today = date.today()
    texts = {
        "products": rows_csv(product_rows(sizes["products"], seed)),
        "customers": rows_csv(customer_rows(sizes["customers"], seed, today)),
    }
    timings: dict[str, float] = {}
    use_s3 = s3 is not None
    with conn.cursor() as cur:
        for table in COLUMNS:
            cur.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(table)))
        for table in COLUMNS:
            began = time.perf_counter()
            if table == "sales":
                text = "".join(
                    sales_csv_chunks(
                        sizes["sales"], sizes["products"], sizes["customers"], seed, today
                    )
                )
            else:
                text = texts[table]
            if s3 is not None:
                _copy_from_s3(cur, table, text, s3)
            else:
                _insert_batches(cur, table, text)
            timings[table] = time.perf_counter() - began
            bar.update(sizes[table])
    conn.commit()
    method = "COPY from S3" if use_s3 else "multi-row INSERT (no --s3-bucket/--iam-role-arn)"
    return timings, method


def _copy_from_s3(cur: Any, table: str, text: str, s3: S3Staging) -> None:
    import boto3

    key = f"{s3.prefix}{table}.csv"
    try:
        boto3.client("s3").upload_fileobj(io.BytesIO(text.encode()), s3.bucket, key)
    except Exception as exc:  # noqa: BLE001 - botocore raises many types; report one line
        raise WorkloadError(
            f"cannot stage {table} in s3://{s3.bucket}/{key}: {one_line(exc)}"
        ) from None
    options = sql.SQL("FORMAT AS CSV EXPLICIT_IDS" if table == "sales" else "FORMAT AS CSV")
    cur.execute(
        sql.SQL("COPY {} ({}) FROM %s IAM_ROLE %s {}").format(
            sql.Identifier(table),
            sql.SQL(", ").join(sql.Identifier(c) for c in COLUMNS[table]),
            options,
        ),
        (f"s3://{s3.bucket}/{key}", s3.iam_role_arn),
    )


def _insert_batches(cur: Any, table: str, text: str) -> None:
    import csv

    rows = list(csv.reader(io.StringIO(text)))
    statement = sql.SQL("INSERT INTO {} ({}) VALUES %s").format(
        sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c) for c in COLUMNS[table])
    )
    execute_values(cur, statement.as_string(cur), rows, page_size=1000)


# --- queries -------------------------------------------------------------------------------
