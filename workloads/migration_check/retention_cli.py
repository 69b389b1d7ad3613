"""``python -m workloads binlog-retention``: keep the DMS source's binary logs long enough for
change data capture, and read back what the server then keeps (``binlog``).

A deploy step no resource can do: ``binlog retention hours`` is set by calling RDS's stored
procedure inside the database. ``--check`` only reads; the exit code is 1 when the server keeps
binlogs for less than ``--hours``.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any

from contract import RelationalOutputs
from workloads.common import Endpoint, Outputs, WorkloadError, check_exit_code, finish
from workloads.migration_check import source_retention
from workloads.migration_check.binlog import MAX_RDS_HOURS, RETENTION_HOURS, Retention
from workloads.sql import ConnectionOptions, add_connection_arguments, sql_endpoint
from workloads.sql.engines import MYSQL, engine_family

WORKLOAD = "binlog-retention"

HELP = (
    "DMS CDC source (RDS MySQL or MariaDB): set and check how long it keeps binary logs "
    "(mysql.rds_set_configuration 'binlog retention hours')"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_connection_arguments(parser)
    parser.add_argument(
        "--hours",
        type=int,
        default=RETENTION_HOURS,
        metavar="N",
        help=f"keep binlogs at least N hours, 1 to {MAX_RDS_HOURS} (default {RETENTION_HOURS},"
        " what AWS DMS asks for)",
    )
    parser.add_argument(
        "--check", action="store_true", help="only read the retention and compare it with --hours"
    )


@dataclass(frozen=True)
class RetentionReport:
    """What the source keeps, after setting it unless only checked."""

    endpoint: Endpoint
    hours: int
    changed: bool
    retention: Retention

    @property
    def ok(self) -> bool:
        return self.retention.keeps(self.hours)

    @property
    def exit_code(self) -> int:
        return check_exit_code(self.ok)

    def to_json(self) -> dict[str, Any]:
        return {
            "workload": WORKLOAD,
            "source": f"{self.endpoint.host}:{self.endpoint.port}",
            "rds": self.retention.on_rds,
            "wantedHours": self.hours,
            "keptHours": self.retention.hours,
            "set": self.changed,
            "ok": self.ok,
        }


def run(args: argparse.Namespace, outputs: Outputs) -> int:
    if not 1 <= args.hours <= MAX_RDS_HOURS:
        raise WorkloadError(f"--hours must be 1 to {MAX_RDS_HOURS} (RDS's limit), got {args.hours}")
    relational = outputs.read(RelationalOutputs)
    if engine_family(relational.engine, key="relational", workload=WORKLOAD) != MYSQL:
        raise WorkloadError(
            f"relational.engine is {relational.engine}: binlog retention is MySQL's and "
            "MariaDB's (PostgreSQL CDC reads a replication slot, which keeps its WAL)"
        )
    source = sql_endpoint(
        "relational", relational.endpoint, relational, ConnectionOptions.from_args(args)
    )
    before, after = source_retention(source, None if args.check else args.hours)
    report = RetentionReport(source, args.hours, after != before, after)
    return finish(report, args.json, render)


def render(report: RetentionReport) -> str:
    where = "RDS" if report.retention.on_rds else "not RDS: no mysql.rds_set_configuration"
    lines = [
        f"binlog-retention: {report.endpoint.host}:{report.endpoint.port} ({where})",
        report.retention.describe() + (" (set now)" if report.changed else ""),
    ]
    verdict = "keeps" if report.ok else "does NOT keep"
    lines.append(
        f"{'OK' if report.ok else 'FAILED'}: the source {verdict} binlogs {report.hours} h"
    )
    return "\n".join(lines)
