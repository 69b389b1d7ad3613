"""The DMS task's status and table statistics, when there is a task and AWS credentials."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from contract import MigrationOutputs
from workloads.common import WorkloadError, one_line, redact


@dataclass(frozen=True)
class DmsReport:
    """The task's status and per-table statistics, or why they were not checked."""

    checked: bool
    reason: str | None = None
    status: str | None = None
    stop_reason: str | None = None
    last_failure: str | None = None
    stats: dict[str, Any] = field(default_factory=dict)
    tables: list[dict[str, Any]] = field(default_factory=list)
    migration_type: str | None = None
    """full-load, cdc or full-load-and-cdc (DMS's MigrationType)."""

    @property
    def captures_changes(self) -> bool:
        """Whether the task reads the source's change log (unknown counts as yes)."""
        return self.migration_type != "full-load"

    @property
    def failed(self) -> bool:
        """The task stopped or failed with a failure message."""
        return (
            self.checked and str(self.status) in {"failed", "stopped"} and bool(self.last_failure)
        )

    def to_json(self) -> dict[str, Any]:
        if not self.checked:
            return {"checked": False, "reason": self.reason}
        return {
            "checked": True,
            "status": self.status,
            "stopReason": self.stop_reason,
            "lastFailure": self.last_failure,
            "stats": self.stats,
            "tables": self.tables,
        }


def dms_report(migration: MigrationOutputs | None, source: str, timeout: int) -> DmsReport:
    """Task status and table statistics, or why they were skipped (``source`` names the outputs)."""
    if migration is None:
        return DmsReport(False, "no migration section in the outputs (DMS disabled or a local run)")
    task_arn = migration.task_arn
    import boto3  # boto3 is slow to import; only this path needs it
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    session = boto3.Session()
    if session.get_credentials() is None:
        return DmsReport(False, "no AWS credentials (environment, profile or role)")
    parts = task_arn.split(":")
    if len(parts) < 7 or parts[2] != "dms":
        raise WorkloadError(f'{source}: malformed key "migration.taskArn" (not a DMS ARN)')
    config = Config(
        region_name=parts[3],
        retries={"mode": "standard", "max_attempts": 5},
        connect_timeout=timeout,
        read_timeout=timeout,
    )
    try:
        client = session.client("dms", config=config)
        tasks = client.describe_replication_tasks(
            Filters=[{"Name": "replication-task-arn", "Values": [task_arn]}]
        )["ReplicationTasks"]
        if not tasks:
            return DmsReport(False, f"task {task_arn} not found")
        task = tasks[0]
        tables = []
        paginator = client.get_paginator("describe_table_statistics")
        for page in paginator.paginate(ReplicationTaskArn=task_arn):
            for stat in page.get("TableStatistics", []):
                tables.append(
                    {
                        "table": f"{stat.get('SchemaName')}.{stat.get('TableName')}",
                        "state": stat.get("TableState"),
                        "fullLoadRows": stat.get("FullLoadRows"),
                        "inserts": stat.get("Inserts"),
                        "updates": stat.get("Updates"),
                        "deletes": stat.get("Deletes"),
                        "validation": stat.get("ValidationState"),
                    }
                )
    except (BotoCoreError, ClientError) as exc:
        return DmsReport(False, f"DMS API: {redact(one_line(exc))}")
    return DmsReport(
        checked=True,
        status=task.get("Status"),
        stop_reason=task.get("StopReason"),
        last_failure=task.get("LastFailureMessage"),
        migration_type=task.get("MigrationType"),
        stats={
            k: v
            for k, v in task.get("ReplicationTaskStats", {}).items()
            if not hasattr(v, "isoformat")
        },
        tables=tables,
    )
