"""`dbtier:logs`: how long every log group of the stack keeps its logs, and the names of the log
groups AWS creates for dbtier's resources.

RDS, Aurora, Redshift, DMS and Lambda write to log groups with names of AWS's choosing, and
create them on first write, never expiring and without the stack key, unless a group of that name
already exists. The components pre-create each one (`DbtierComponent.aws_log_groups`) before the
resource that writes to it, with `dbtier:logs.retentionDays` and the stack key, so no log of the
stack is left unmanaged. The names below are AWS's; the deployability rule
`deploy-log-groups-declared` checks the plan against the same functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from components.settings import Fields, log_retention

# Where RDS and Aurora publish each exported log:
# https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.Procedural.UploadtoCloudWatch.html
# Redshift audit logs: https://docs.aws.amazon.com/redshift/latest/mgmt/db-auditing.html#db-auditing-cloudwatch-provisioned
# (Redshift Serverless writes to `/aws/redshift/serverless/<log type>`, one group per account and
# region shared by every namespace: a stack cannot own it, so dbtier does not pre-create it.)
# Lambda's default group: https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html
# DMS task logs go to `dms-tasks-<replication instance identifier>` (one stream per task):
# https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Monitoring.html
DEFAULT_RETENTION_DAYS = 30


@dataclass(frozen=True)
class LogsConfig:
    retention_days: int = DEFAULT_RETENTION_DAYS
    """Retention of every log group of the stack (a CloudWatch Logs period); a part's
    `logRetentionDays` overrides it for that part's own groups."""


def parse_logs(raw: Any) -> LogsConfig:
    """Parse `dbtier:logs`."""
    d = LogsConfig()
    f = Fields("dbtier:logs", raw)
    cfg = LogsConfig(retention_days=log_retention(f, d.retention_days, "retentionDays"))
    f.done()
    return cfg


def rds_instance_log_group(identifier: str, log: str) -> str:
    """The group RDS publishes an instance's exported log `log` to."""
    return f"/aws/rds/instance/{identifier}/{log}"


def rds_cluster_log_group(identifier: str, log: str) -> str:
    """The group Aurora publishes a cluster's exported log `log` to."""
    return f"/aws/rds/cluster/{identifier}/{log}"


def redshift_cluster_log_group(identifier: str, log: str) -> str:
    """The group a provisioned Redshift cluster publishes its audit log `log` to."""
    return f"/aws/redshift/cluster/{identifier}/{log}"


def lambda_log_group(function_name: str) -> str:
    """The group a Lambda function logs to when it names no group of its own."""
    return f"/aws/lambda/{function_name}"


def dms_task_log_group(instance_identifier: str) -> str:
    """The group DMS writes the logs of every task on a replication instance to."""
    return f"dms-tasks-{instance_identifier}"
