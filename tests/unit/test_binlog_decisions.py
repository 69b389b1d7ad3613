"""What the binlog-retention step and migration-check's warning decide from what the server
reports: RDS's setting unset means purged at once, a non-RDS server's 0 means never purged, and
a task that DMS reports as full-load only needs no binlogs at all."""

from __future__ import annotations

import pytest

from workloads.migration_check.binlog import RETENTION_HOURS, Retention, set_retention
from workloads.migration_check.dms import DmsReport


@pytest.mark.parametrize(
    ("retention", "keeps", "text"),
    [
        (Retention(True, None), False, "unset (RDS purges binlogs as soon as it can)"),
        (Retention(True, 23), False, "binlog retention hours: 23"),
        (Retention(True, 24), True, "binlog retention hours: 24"),
        (Retention(False, None), True, "never purged (not RDS)"),
        (Retention(False, 1), False, "1 hours (not RDS)"),
        (Retention(False, 72), True, "72 hours (not RDS)"),
    ],
)
def test_retention_against_what_dms_needs(retention: Retention, keeps: bool, text: str) -> None:
    assert retention.keeps(RETENTION_HOURS) is keeps
    assert text in retention.describe()


@pytest.mark.parametrize(
    ("migration_type", "captures"),
    [("full-load", False), ("cdc", True), ("full-load-and-cdc", True), (None, True)],
)
def test_only_a_task_that_captures_changes_needs_binlogs(
    migration_type: str | None, captures: bool
) -> None:
    assert DmsReport(True, migration_type=migration_type).captures_changes is captures


class RdsCursor:
    """A cursor on an RDS server: RDS's configuration procedures, holding `hours`."""

    def __init__(self, hours: str | None) -> None:
        self.hours = hours
        self.calls: list[tuple[str, object]] = []
        self.rows: list[tuple[str, str | None, str]] = []

    def execute(self, sql: str, params: object = None) -> None:
        self.calls.append((sql, params))
        if sql == "CALL mysql.rds_set_configuration(%s, %s)":
            self.hours = str(params[1])  # type: ignore[index]
        self.rows = [("binlog retention hours", self.hours, "binlog retention hours ...")]

    def fetchall(self) -> list[tuple[str, str | None, str]]:
        return self.rows

    def nextset(self) -> bool:
        return False


@pytest.mark.parametrize(
    ("kept", "wanted", "after"), [(None, 24, 24), ("12", 24, 24), ("168", 24, 168)]
)
def test_the_step_raises_rds_retention_and_never_lowers_it(
    kept: str | None, wanted: int, after: int
) -> None:
    """A longer retention than the task needs (set for a replica or another consumer) stays:
    the step keeps binlogs at least `wanted` hours, as it does on a server that is not RDS."""
    cur = RdsCursor(kept)
    assert set_retention(cur, wanted) == Retention(True, after)
