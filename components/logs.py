"""`dbtier:logs`: how long every log group of the stack keeps its logs, and the names of the log
groups AWS creates for dbtier's resources.

RDS, Aurora, Redshift, DMS and Lambda write to log groups with names of AWS's choosing, and
create them on first write, never expiring and without the stack key, unless a group of that name
already exists. The components pre-create each one (`DbtierComponent.aws_log_groups`) before the
resource that writes to it, with `dbtier:logs.retentionDays` and the stack key, so no log of the
stack is left unmanaged. AWS's names come from the pack's `log_groups` module, which the
deployability rule `deploy-log-groups-declared` checks the plan against.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from awsdata.log_groups import (
    dms_task_log_group,
    lambda_log_group,
    rds_cluster_log_group,
    rds_instance_log_group,
    redshift_cluster_log_group,
)
from components.fieldcheck import check_object
from components.settings import LOG_RETENTION_DAYS, Fields, log_retention
from contract.fielddoc import doc

__all__ = [
    "DEFAULT_RETENTION_DAYS",
    "LogsConfig",
    "dms_task_log_group",
    "lambda_log_group",
    "parse_logs",
    "rds_cluster_log_group",
    "rds_instance_log_group",
    "redshift_cluster_log_group",
]

DEFAULT_RETENTION_DAYS = 30


@dataclass(frozen=True)
class LogsConfig:
    retention_days: int = field(
        default=DEFAULT_RETENTION_DAYS,
        metadata=doc(
            "Retention of every log group of the stack, AWS-named ones included; a part's"
            " logRetentionDays overrides it for that part's own groups.",
            allowed=LOG_RETENTION_DAYS,
            aws="https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html",
        ),
    )


def parse_logs(raw: Any) -> LogsConfig:
    """Parse `dbtier:logs`."""
    d = LogsConfig()
    check_object("dbtier:logs", raw, LogsConfig)
    f = Fields("dbtier:logs", raw)
    cfg = LogsConfig(retention_days=log_retention(f, d.retention_days, "retentionDays"))
    f.done()
    return cfg
