"""The names of the CloudWatch log groups AWS creates for a database, function or migration.

One source for the components (which pre-create these groups, `components.logs`) and the rule
`deploy-log-groups-declared` (which checks a plan declares them), so the two agree.

- RDS and Aurora log exports: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.Procedural.UploadtoCloudWatch.html
- Redshift audit logs: https://docs.aws.amazon.com/redshift/latest/mgmt/db-auditing.html#db-auditing-cloudwatch-provisioned
  (Redshift Serverless writes to `/aws/redshift/serverless/<log type>`, one group per account
  and region shared by every namespace: no stack can own it, so none is expected.)
- Lambda's default group: https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html
- DMS task logs, one group per replication instance: https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Monitoring.html
"""

from __future__ import annotations


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
