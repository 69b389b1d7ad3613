"""``migration-check``: what a DMS user runs before trusting a migration.

For every source table matched by the include/exclude patterns (shell-style; DMS's ``%`` works
too) it compares the source with the target by row count and by chunked checksums over the
primary key, and reports the first key ranges that differ: rows missing in the target, extra rows
in the target, changed rows. Source and target may each be MySQL, MariaDB or PostgreSQL: values
are compared in a canonical text both engines compute (``canonical``), so a TINYINT(1) equals a
boolean and a DATETIME a timestamp. Each side computes its chunk checksums in the database on its
own connection, in parallel; only differing chunks are fetched row by row (``compare``). The DMS
task's status comes from ``dms``; what CDC needs from the source, from ``prepare``.
"""

# ruff: noqa: E402 - the MySQL driver preload comes before any import that can load OpenSSL
from workloads import mysql_driver

mysql_driver.preload()

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from workloads.common import (
    EXIT_BAD_INPUT,
    Endpoint,
    check_exit_code,
    log,
    progress,
)
from workloads.migration_check.binlog import (
    RETENTION_HOURS,
    Retention,
    read_retention,
    set_retention,
)
from workloads.migration_check.catalog import Database, open_database
from workloads.migration_check.compare import (
    KeyRange,
    TableReport,
    compare_table,
    diff_rows,
    select_tables,
)
from workloads.migration_check.dms import DmsReport
from workloads.migration_check.plan import RowFilter
from workloads.migration_check.prepare import (
    PrepareReport,
    postgres_source_checks,
    prepare_source_checks,
)
from workloads.sql.engines import MYSQL

__all__ = [
    "DmsReport",
    "KeyRange",
    "Location",
    "MigrationReport",
    "PrepareReport",
    "RowFilter",
    "TableReport",
    "binlog_warning",
    "check_source",
    "compare",
    "diff_rows",
    "select_tables",
    "source_retention",
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
    source_engine: str = "mysql"  # the outputs' engine names
    target_engine: str = "aurora-mysql"
    warnings: tuple[str, ...] = ()  # what may break the migration later; not a failure now

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
            "sourceEngine": self.source_engine,
            "target": _where(self.target),
            "targetEngine": self.target_engine,
            "include": self.include,
            "exclude": self.exclude,
            "tables": [t.to_json() for t in self.tables],
            "dms": self.dms.to_json(),
            "warnings": list(self.warnings),
            "ok": self.ok,
        }
        if self.problem:
            out["problem"] = self.problem
        return out


def _where(endpoint: Endpoint) -> str:
    return f"{endpoint.host}:{endpoint.port}/{endpoint.database}"


def check_source(source: Endpoint, family: str = MYSQL) -> PrepareReport:
    """``--prepare-source``: the source's readiness for change data capture."""
    db = open_database(family, source)
    try:
        checks = prepare_source_checks if family == MYSQL else postgres_source_checks
        try:
            return PrepareReport(checks(db.conn))
        except db.driver_error as exc:
            raise db.failed(exc) from None
    finally:
        db.close()


def source_retention(source: Endpoint, set_hours: int | None = None) -> tuple[Retention, Retention]:
    """How long the MySQL or MariaDB ``source`` keeps its binlogs, before and after making it
    keep them ``set_hours`` (``binlog.set_retention``; None: only read, after is before)."""
    db = open_database(MYSQL, source)
    try:
        cur = db.conn.cursor(buffered=True)
        try:
            before = read_retention(cur)
            after = before if set_hours is None else set_retention(cur, set_hours)
        except db.driver_error as exc:
            raise db.failed(exc) from None
        finally:
            cur.close()
    finally:
        db.close()
    return before, after


def binlog_warning(source: Endpoint, dms: DmsReport) -> str | None:
    """A warning when a MySQL or MariaDB source keeps its binlogs for less than change data
    capture needs (``binlog.RETENTION_HOURS``, AWS DMS's minimum); None when it keeps them long
    enough or the task (as DMS reports it) captures no changes."""
    if not dms.captures_changes:
        return None
    retention = source_retention(source)[0]
    if retention.keeps(RETENTION_HOURS):
        return None
    return (
        f"the source keeps binlogs for less than the {RETENTION_HOURS} h DMS CDC needs "
        f"({retention.describe()}): a stopped or lagging task loses changes for good; run "
        f"python -m workloads binlog-retention --hours {RETENTION_HOURS}"
    )


@dataclass(frozen=True)
class Location:
    """Where one end of the comparison is: its endpoint, engine family and schema (None: the
    database's own, ``DATABASE()`` on MySQL, ``current_schema()`` on PostgreSQL)."""

    endpoint: Endpoint
    family: str = MYSQL
    schema: str | None = None


def compare(
    source: Location,
    target: Location,
    *,
    include: list[str],
    exclude: list[str],
    chunk_size: int = 25_000,
    max_ranges: int = 5,
    show_progress: bool = False,
    row_filter: RowFilter | None = None,
) -> tuple[list[TableReport], bool]:
    """Every chosen table compared, then the tables only in the target; and whether any source
    table matched the patterns. ``row_filter`` leaves out rows written after its time (a
    restore's copy cannot hold them)."""
    source_db = open_database(source.family, source.endpoint, source.schema)
    try:
        target_db = open_database(target.family, target.endpoint, target.schema)
    except BaseException:
        source_db.close()
        raise
    try:
        return _compare_all(
            source_db,
            target_db,
            patterns=(include, exclude),
            chunk_size=chunk_size,
            max_ranges=max_ranges,
            show_progress=show_progress,
            row_filter=row_filter,
        )
    finally:
        source_db.close()
        target_db.close()


def _compare_all(
    source_db: Database,
    target_db: Database,
    *,
    patterns: tuple[list[str], list[str]],
    chunk_size: int,
    max_ranges: int,
    show_progress: bool,
    row_filter: RowFilter | None = None,
) -> tuple[list[TableReport], bool]:
    include, exclude = patterns
    source_tables = source_db.tables()
    target_tables = target_db.tables()
    chosen = select_tables(source_tables, include, exclude)
    known = {t.lower() for t in source_tables}
    only_target = select_tables(
        [t for t in target_tables if t.lower() not in known], include, exclude
    )
    tables: list[TableReport] = []
    bar = progress(len(chosen), "migration-check", disable=not show_progress, unit="table")
    with ThreadPoolExecutor(max_workers=2) as pool:
        for table in chosen:
            log.info("comparing %s", table)
            tables.append(
                compare_table(
                    source_db=source_db,
                    target_db=target_db,
                    table=table,
                    target_tables=target_tables,
                    chunk_size=chunk_size,
                    max_ranges=max_ranges,
                    pool=pool,
                    row_filter=row_filter,
                )
            )
            bar.update()
    bar.close()
    tables.extend(TableReport(table, "only in target") for table in only_target)
    return tables, bool(chosen)
