"""What the binlog-retention step and migration-check's warning decide from what the server
reports: RDS's setting unset means purged at once, a non-RDS server's 0 means never purged, and
a task that DMS reports as full-load only needs no binlogs at all."""

from __future__ import annotations

import pytest

from workloads.migration_check.binlog import RETENTION_HOURS, Retention
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
