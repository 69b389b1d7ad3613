"""What AWS Backup sends to a vault's SNS topic: the vault events it still sends, the ones it
documents as deprecated (accepted by PutBackupVaultNotifications, never sent), and the message
attribute that says how a job ended.

Not in cfn-lint; copied from AWS's pages:

- PutBackupVaultNotifications, BackupVaultEvents: "The list below includes both supported events
  and deprecated events that are no longer in use (for reference). Deprecated events do not
  return statuses or notifications."
  https://docs.aws.amazon.com/aws-backup/latest/APIReference/API_PutBackupVaultNotifications.html
  (botocore's ``backup`` model lists the same enum, BackupVaultEvent, old values included);
- the events AWS Backup sends, and the ``State`` message attribute of a completed job
  (``"State": {"Type": "String", "Value": "COMPLETED"}``; "Completed notifications include a
  STATE attribute indicating the specific type of completion"):
  https://docs.aws.amazon.com/aws-backup/latest/devguide/backup-notifications.html
- how a job can end: BackupJobState, CopyJobState and RestoreJobStatus of botocore's ``backup``
  model (https://docs.aws.amazon.com/aws-backup/latest/APIReference/API_BackupJob.html).
"""

from __future__ import annotations

from typing import Any

NOTIFICATIONS_DOCS = (
    "https://docs.aws.amazon.com/aws-backup/latest/devguide/backup-notifications.html"
)
VAULT_EVENTS_DOCS = "https://docs.aws.amazon.com/aws-backup/latest/APIReference/API_PutBackupVaultNotifications.html"
# SNS's key matching: {"exists": false} matches a message without the attribute, but "only
# matches if at least one attribute is present".
FILTER_DOCS = "https://docs.aws.amazon.com/sns/latest/dg/attribute-key-matching.html"

# Vault events AWS documents as no longer in use: a vault subscribed to them is told nothing.
DEPRECATED_VAULT_EVENTS = frozenset(
    {
        "BACKUP_JOB_SUCCESSFUL",
        "BACKUP_JOB_FAILED",
        "BACKUP_JOB_EXPIRED",
        "RESTORE_JOB_SUCCESSFUL",
        "RESTORE_JOB_FAILED",
        "BACKUP_PLAN_CREATED",
        "BACKUP_PLAN_MODIFIED",
    }
)
# The events that carry a job's failure: a backup or restore job (restore tests included) that
# ends is sent as *_COMPLETED whatever its end, its State saying which; a copy has its own.
# The S3_* and EKS_* object failures are of types dbtier does not back up.
FAILURE_EVENTS = ("BACKUP_JOB_COMPLETED", "COPY_JOB_FAILED", "RESTORE_JOB_COMPLETED")
# The message attribute that says how a job ended, and its values that are not a success
# (BackupJobState: ABORTED, EXPIRED, FAILED, PARTIAL; CopyJobState: FAILED, PARTIAL;
# RestoreJobStatus: ABORTED, FAILED).
STATE_ATTRIBUTE = "State"
FAILED_STATES = ("ABORTED", "EXPIRED", "FAILED", "PARTIAL")


def failures_only_filter() -> dict[str, Any]:
    """The SNS subscription filter policy of the topic AWS Backup publishes to: its messages
    whose State is not a success, and any of its messages that carry no State (a copy's
    failure is an event of its own). A message with no attributes at all matches no filter
    policy (``FILTER_DOCS``), so CloudWatch's alarms must not share a filtered subscription."""
    return {STATE_ATTRIBUTE: [{"exists": False}, *FAILED_STATES]}
