"""``migration-check``: what a DMS user runs before trusting a migration.

For every source table matched by the include/exclude patterns (shell-style; DMS's ``%`` works
too) it compares the source with the target by row count and by chunked checksums over the
primary key, and reports the first key ranges that differ: rows missing in the target, extra rows
in the target, changed rows. Each side streams its chunk checksums on its own connection, in
parallel; only differing chunks are fetched row by row (``workloads.migration_check.compare``).
The DMS task's status comes from ``workloads.migration_check.dms``; what CDC needs from the
source, from ``workloads.migration_check.prepare``.
"""

# ruff: noqa: E402 - the MySQL driver preload comes before any import that can load OpenSSL
from workloads import mysql_driver

mysql_driver.preload()

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import mysql.connector

from workloads.common import (
    EXIT_BAD_INPUT,
    Endpoint,
    WorkloadError,
    check_exit_code,
    log,
    one_line,
    progress,
    redact,
)
from workloads.migration_check.compare import (
    KeyRange,
    TableReport,
    compare_table,
    diff_rows,
    list_tables,
    select_tables,
)
from workloads.migration_check.dms import DmsReport
from workloads.migration_check.prepare import PrepareReport, prepare_source_checks
from workloads.sql import query_failed
from workloads.sql.mysqldb import mysql_connect

__all__ = [
    "DmsReport",
    "KeyRange",
    "MigrationReport",
    "PrepareReport",
    "TableReport",
    "check_source",
    "compare",
    "diff_rows",
    "select_tables",
]


@dataclass
class MigrationReport:
    """Source against target, table by table, and the DMS task."""

    source: Endpoint
    target: Endpoint
    include: list[str]
    exclude: list[str]
    tables: list[TableReport]
    dms: DmsReport
    matched_any: bool  # False: no source table matches the patterns (bad input)

    @property
    def ok(self) -> bool:
        if not self.matched_any:
            return False
        return all(t.status in {"match", "skipped"} for t in self.tables) and not self.dms.failed

    @property
    def problem(self) -> str | None:
        return None if self.matched_any else "no source table matches the include/exclude patterns"

    @property
    def exit_code(self) -> int:
        return EXIT_BAD_INPUT if not self.matched_any else check_exit_code(self.ok)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "workload": "migration-check",
            "source": _where(self.source),
            "target": _where(self.target),
            "include": self.include,
            "exclude": self.exclude,
            "tables": [t.to_json() for t in self.tables],
            "dms": self.dms.to_json(),
            "ok": self.ok,
        }
        if self.problem:
            out["problem"] = self.problem
        return out


def _where(endpoint: Endpoint) -> str:
    return f"{endpoint.host}:{endpoint.port}/{endpoint.database}"


def check_source(source: Endpoint) -> PrepareReport:
    """``--prepare-source``: the source's readiness for change data capture."""
    conn = mysql_connect(source)
    try:
        return PrepareReport(prepare_source_checks(conn))
    except mysql.connector.Error as exc:
        raise query_failed(source, exc) from None
    finally:
        conn.close()


def compare(
    source: Endpoint,
    target: Endpoint,
    *,
    include: list[str],
    exclude: list[str],
    chunk_size: int = 25_000,
    max_ranges: int = 5,
    show_progress: bool = False,
) -> tuple[list[TableReport], bool]:
    """Every chosen table compared, then the tables only in the target; and whether any source
    table matched the patterns."""
    source_conn = mysql_connect(source)
    try:
        target_conn = mysql_connect(target)
    except WorkloadError:
        source_conn.close()
        raise
    tables: list[TableReport] = []
    try:
        source_tables = list_tables(source_conn)
        target_tables = set(list_tables(target_conn))
        chosen = select_tables(source_tables, include, exclude)
        only_target = select_tables(sorted(target_tables - set(source_tables)), include, exclude)
        bar = progress(len(chosen), "migration-check", disable=not show_progress, unit="table")
        with ThreadPoolExecutor(max_workers=2) as pool:
            for table in chosen:
                log.info("comparing %s", table)
                try:
                    tables.append(
                        compare_table(
                            source_conn=source_conn,
                            target_conn=target_conn,
                            table=table,
                            target_tables=target_tables,
                            chunk_size=chunk_size,
                            max_ranges=max_ranges,
                            pool=pool,
                        )
                    )
                except mysql.connector.Error as exc:
                    raise WorkloadError(redact(f"comparing {table}: {one_line(exc)}")) from None
                bar.update()
        bar.close()
        tables.extend(TableReport(table, "only in target") for table in only_target)
    finally:
        source_conn.close()
        target_conn.close()
    return tables, bool(chosen)
