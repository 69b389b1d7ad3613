"""``restore-drill``: prove a point-in-time restore gives the data back, and measure how long it
takes (RTO) and how much it misses (RPO).

A drill writes a marker into the source (``marker``), waits until the source can be restored to
a time after it (or takes ``--to-time``), restores that point into a throwaway instance, cluster
or table in the source's own network with the source's key (``plan``, ``aws``), waits until it
is available, compares it with the source with migration-check's engine (counts, chunked
checksums, differing keys; rows written after the restore point left out by a time column) or,
for DynamoDB, item by item (``dynamo_check``), checks the marker came back, and deletes the
throwaway (``--keep`` keeps it) and the marker. Whatever it created goes again on an error or
Ctrl-C. In a local run the data of a restored instance is a copy of the local database taken at
the restore point (``standin``), since moto's instance has no server behind it.
"""

# ruff: noqa: E402 - the MySQL driver preload comes before any import that can load OpenSSL
from workloads import mysql_driver

mysql_driver.preload()

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from workloads.common import EXIT_BAD_INPUT, Endpoint, WorkloadError, check_exit_code
from workloads.common.drill import refused
from workloads.migration_check import Location, RowFilter, TableReport, compare
from workloads.restore_drill.aws import Aws
from workloads.restore_drill.dynamo_check import compare_tables
from workloads.restore_drill.marker import (
    MARKER_TABLE,
    MARKER_TIME,
    Marker,
    dynamo_marker_present,
    new_drill_id,
    remove_dynamo_marker,
    remove_sql_marker,
    sql_marker_present,
    write_dynamo_marker,
    write_sql_marker,
)
from workloads.restore_drill.plan import (
    DYNAMO,
    DYNAMODB,
    ApiCall,
    Source,
    delete_calls,
    restore_calls,
    throwaway_name,
)
from workloads.restore_drill.standin import copy_name, drop_copy, make_copy

__all__ = ["DrillSettings", "RestoreReport", "SourceSide", "drill"]

Say = Callable[[str], None]


@dataclass(frozen=True)
class DrillSettings:
    """What the command line asked for."""

    target: str
    to_time: datetime | None = None
    since_column: str | None = None
    keep: bool = False
    dry_run: bool = False
    restore_timeout: float = 3600.0  # seconds for the throwaway to become available
    restorable_timeout: float = 900.0  # seconds for the latest restorable time to pass the marker
    chunk_size: int = 25_000
    max_ranges: int = 5
    show_progress: bool = False  # a bar per table compared (stderr, a terminal only)


@dataclass(frozen=True)
class SourceSide:
    """The source as the outputs name it: its AWS identifier, and how to read its data (a SQL
    endpoint and engine family, or a DynamoDB table); ``local``: a local run's outputs."""

    target: str
    identifier: str
    family: str | None = None
    endpoint: Endpoint | None = None
    local: bool = False


@dataclass
class RestoreReport:
    """What a drill did, found and measured."""

    target: str
    source: str
    throwaway: str
    calls: list[ApiCall]
    dry_run: bool = False
    restore_point: datetime | None = None
    requested_at: datetime | None = None
    rto_seconds: float | None = None
    marker: Marker | None = None
    marker_present: bool | None = None
    tables: list[TableReport] = field(default_factory=list)
    stand_in: str | None = None
    kept: bool = False
    deleted: list[str] = field(default_factory=list)
    left_behind: list[str] = field(default_factory=list)

    @property
    def marker_expected(self) -> bool:
        """Whether the restore point is after the marker (``--to-time`` may be before it)."""
        point = self.restore_point
        return bool(self.marker and point and self.marker.written_at <= point)

    @property
    def rpo_seconds(self) -> float | None:
        """How far the restore point was behind the moment the restore was asked for: what a
        restore at that moment would have lost."""
        if self.restore_point is None or self.requested_at is None:
            return None
        return max(0.0, (self.requested_at - self.restore_point).total_seconds())

    @property
    def left_out(self) -> int | None:
        counts = [t.left_out for t in self.tables if t.left_out is not None]
        return sum(counts) if counts else None

    @property
    def ok(self) -> bool:
        if self.dry_run:
            return True
        marker_ok = self.marker_present or not self.marker_expected
        return marker_ok and all(t.status in {"match", "skipped"} for t in self.tables)

    @property
    def exit_code(self) -> int:
        return EXIT_BAD_INPUT if self.left_behind else check_exit_code(self.ok)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "workload": "restore-drill",
            "target": self.target,
            "source": self.source,
            "throwaway": self.throwaway,
            "dryRun": self.dry_run,
            "calls": [c.to_json() for c in self.calls],
        }
        if self.dry_run:
            return out | {"ok": True}
        marker = None if self.marker is None else self.marker.to_json()
        if marker is not None:
            marker |= {"expected": self.marker_expected, "present": self.marker_present}
        return out | {
            "restorePoint": _iso(self.restore_point),
            "requestedAt": _iso(self.requested_at),
            "rtoSeconds": _round(self.rto_seconds),
            "rpoSeconds": _round(self.rpo_seconds),
            "rowsAfterRestorePoint": self.left_out,
            "marker": marker,
            "tables": [t.to_json() for t in self.tables],
            "standIn": self.stand_in,
            "kept": self.kept,
            "deleted": self.deleted,
            "leftBehind": self.left_behind,
            "ok": self.ok,
        }


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def drill(settings: DrillSettings, side: SourceSide, aws: Aws, say: Say) -> RestoreReport:
    """Run one restore drill (or, with ``dry_run``, plan it) and report."""
    source = aws.describe_source(side.target, side.identifier)
    drill_id = new_drill_id()
    name = throwaway_name(side.target, side.identifier, drill_id)
    planned_point = settings.to_time or source.latest_restorable or datetime.now(UTC)
    calls = restore_calls(source, name, planned_point)
    if settings.dry_run:
        return RestoreReport(
            side.target, side.identifier, name, [*calls, *delete_calls(side.target, name)], True
        )
    latest = source.latest_restorable
    if settings.to_time and latest and settings.to_time > latest:
        raise WorkloadError(
            f"--to-time {settings.to_time.isoformat()} is after the latest restorable time of "
            f"{side.identifier} ({latest.isoformat()})"
        )
    report = RestoreReport(side.target, side.identifier, name, calls)
    say(f"writing marker {drill_id} into {side.identifier} (removed at the end)")
    report.marker = _write_marker(side, aws, drill_id)
    try:
        _restore_and_compare(settings, side=side, aws=aws, source=source, report=report, say=say)
    finally:
        with contextlib.suppress(WorkloadError):
            _remove_marker(side, aws, report.marker)
    return report


def _restore_and_compare(
    settings: DrillSettings,
    *,
    side: SourceSide,
    aws: Aws,
    source: Source,
    report: RestoreReport,
    say: Say,
) -> None:
    assert report.marker is not None
    point = settings.to_time or _restorable_after(aws, side, report, settings)
    report.restore_point = point
    report.calls = restore_calls(source, report.throwaway, point)
    say(f"will create {report.throwaway}, restored from {side.identifier}, with:")
    for call in report.calls:
        say(f"  {call.shown()}")
    say("and delete it afterwards" if not settings.keep else "and keep it (--keep)")
    report.requested_at = datetime.now(UTC)
    started = time.monotonic()
    made: list[ApiCall] = []
    copying = False  # from the moment the copy is asked for: Ctrl-C may come before it returns
    try:
        for call in report.calls:
            say(f"calling {call.service}.{call.operation}")
            aws.call(call)
            made.append(call)
        restored = _available(settings, side, aws, report.throwaway, say)
        if side.local and side.endpoint is not None and side.family is not None:
            copying = True
            copy = make_copy(side.family, side.endpoint, report.throwaway)
            report.stand_in = copy.describe()
            say(report.stand_in)
            restored = copy.endpoint
        report.rto_seconds = time.monotonic() - started
        say(f"available after {report.rto_seconds:.1f}s; comparing with the source")
        _compare(settings, side, aws, report, restored)
    finally:
        # --keep keeps the copy of a drill that ran to its end; an error or Ctrl-C removes it.
        done = report.marker_present is not None
        report.kept = settings.keep and done
        if not report.kept:
            _clean_up(side, aws, report, made, copying)


def _restorable_after(
    aws: Aws, side: SourceSide, report: RestoreReport, settings: DrillSettings
) -> datetime:
    """Wait until the source can be restored to a time after the marker; that time."""
    assert report.marker is not None
    written_at = report.marker.written_at
    deadline = time.monotonic() + settings.restorable_timeout
    wait = 0.2
    while True:
        latest = aws.describe_source(side.target, side.identifier).latest_restorable
        if latest is None:
            raise WorkloadError(
                f"{side.identifier} reports no latest restorable time (automated backups off?)"
            )
        if latest >= written_at:
            return latest
        if side.local and side.target == DYNAMO:
            report.stand_in = (
                "local stand-in: moto keeps a table's LatestRestorableDateTime at the moment "
                "point-in-time recovery was turned on, so the restore point is now (moto's "
                "restore copies the table as it is)"
            )
            return datetime.now(UTC)
        if time.monotonic() + wait > deadline:
            raise WorkloadError(
                f"the latest restorable time of {side.identifier} ({latest.isoformat()}) did not "
                f"pass the marker within {settings.restorable_timeout:.0f}s"
            )
        time.sleep(wait)
        wait = min(wait * 2, 15.0)


def _available(
    settings: DrillSettings, side: SourceSide, aws: Aws, name: str, say: Say
) -> Endpoint | None:
    """Wait for the throwaway; the endpoint to read it through (None: a table)."""
    seen: list[str] = []

    def tick(status: str) -> None:
        if not seen or seen[-1] != status:
            seen.append(status)
            say(f"{name}: {status}")

    host, port = aws.wait_available(side.target, name, settings.restore_timeout, tick)
    if side.endpoint is None:
        return None
    return replace(side.endpoint, host=host, port=port or side.endpoint.port, name="restored")


def _compare(
    settings: DrillSettings,
    side: SourceSide,
    aws: Aws,
    report: RestoreReport,
    restored: Endpoint | None,
) -> None:
    assert report.marker is not None and report.restore_point is not None
    if side.target == DYNAMO:
        client = aws.clients[DYNAMODB]
        with refused("reading the tables"):
            report.tables = [
                compare_tables(
                    client,
                    side.identifier,
                    report.throwaway,
                    since=settings.since_column,
                    before=report.restore_point,
                    max_ranges=settings.max_ranges,
                )
            ]
            report.marker_present = dynamo_marker_present(client, report.throwaway, report.marker)
        return
    if restored is None or side.endpoint is None or side.family is None:
        raise WorkloadError(f"{side.target}: no SQL endpoint to compare")
    row_filter = RowFilter(report.restore_point, settings.since_column, {MARKER_TABLE: MARKER_TIME})
    report.tables, _ = compare(
        Location(side.endpoint, side.family),
        Location(restored, side.family),
        include=[],
        exclude=[],
        chunk_size=settings.chunk_size,
        max_ranges=settings.max_ranges,
        show_progress=settings.show_progress,
        row_filter=row_filter,
    )
    report.marker_present = sql_marker_present(side.family, restored, report.marker)


def _clean_up(
    side: SourceSide,
    aws: Aws,
    report: RestoreReport,
    made: list[ApiCall],
    copying: bool,
) -> None:
    """Delete what the drill made; what could not be deleted goes into ``left_behind``."""
    if copying and side.family is not None and side.endpoint is not None:
        database = copy_name(report.throwaway)  # by name: make_copy may not have returned
        try:
            drop_copy(side.family, side.endpoint, database)
            report.deleted.append(f"local copy {database}")
        except WorkloadError as exc:
            report.left_behind.append(f"local copy {database}: {exc}")
    if not made:
        return
    # Only what was created: a cluster whose instance was never asked for loses only itself.
    wanted = delete_calls(side.target, report.throwaway)
    if len(made) < len(report.calls):
        wanted = wanted[len(wanted) - len(made) :]
    for call in wanted:
        named = next(v for k, v in call.params.items() if k.endswith(("Identifier", "Name")))
        try:
            aws.call(call)
            report.deleted.append(f"{call.service} {named}")
        except WorkloadError as exc:
            report.left_behind.append(f"{call.service} {named}: {exc}")


def _write_marker(side: SourceSide, aws: Aws, drill_id: str) -> Marker:
    if side.target == DYNAMO:
        with refused(f"writing the marker into {side.identifier}"):
            return write_dynamo_marker(aws.clients[DYNAMODB], side.identifier, drill_id)
    if side.endpoint is None or side.family is None:
        raise WorkloadError(f"{side.target}: no SQL endpoint to write the marker to")
    return write_sql_marker(side.family, side.endpoint, drill_id)


def _remove_marker(side: SourceSide, aws: Aws, marker: Marker | None) -> None:
    if marker is None:
        return
    if side.target == DYNAMO:
        with refused(f"removing the marker from {side.identifier}"):
            remove_dynamo_marker(aws.clients[DYNAMODB], side.identifier, marker)
    elif side.endpoint is not None and side.family is not None:
        remove_sql_marker(side.family, side.endpoint, marker)
