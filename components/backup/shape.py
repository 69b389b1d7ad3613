"""What the Backup component decides, as plain values from its parsed `dbtier:backup`.

The vault (its name, never destroyed with recovery points in it) and its lock, the plan's daily
and weekly rules with their copies, the service role's policies, the selection, the events that
reach the alarm topic, and the restore testing plan with one selection per tested resource
type. Values that exist only once deployed (the vault's name and ARN, resource ARNs) come in as
opaque parameters and are only placed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from awsdata import backup
from components.backup.config import (
    BackupConfig,
    BackupRuleConfig,
    RestoreTestingConfig,
    VaultLockConfig,
    vault_name,
)

if TYPE_CHECKING:
    import pulumi
    import pulumi_aws as aws

T = TypeVar("T")

# The AWS managed policies of AWS Backup's default service role: backup (snapshots of RDS,
# Aurora, Redshift; AWS Backup-managed DynamoDB backups, which its advanced DynamoDB features
# need) and restore (restore tests run as the same role).
BACKUP_POLICIES = {
    "backup": "service-role/AWSBackupServiceRolePolicyForBackup",
    "restores": "service-role/AWSBackupServiceRolePolicyForRestores",
}
# The resource types a restore test restores: those of dbtier's parts that AWS Backup restore
# testing supports (https://docs.aws.amazon.com/aws-backup/latest/devguide/restore-testing.html).
RESTORE_TESTED = ("RDS", "Aurora", "DynamoDB")
# The vault events that carry a failed job, among those AWS Backup still sends
# (BACKUP_JOB_FAILED and RESTORE_JOB_FAILED are deprecated: accepted, never sent); the alarm
# topic's subscription lets only their failed States through (awsdata.backup).
FAILURE_EVENTS = backup.FAILURE_EVENTS


def vault_args(project: str, stack: str) -> dict[str, Any]:
    """The vault's name (the plan and selection share it) and that it is never force-destroyed."""
    return {
        "name": vault_name(project, stack),
        # Deleting the stack must never delete recovery points: AWS refuses to delete a vault
        # that still holds some.
        "force_destroy": False,
    }


def vault_lock_args(lock: VaultLockConfig) -> dict[str, Any] | None:
    """The vault lock's retention bounds, or None without a lock. Compliance mode: once
    changeable_for_days have passed, nobody (not the root user, not AWS) can remove the lock or
    delete a recovery point before its retention ends; governance mode has no such grace time."""
    if not lock.enabled:
        return None
    return {
        "min_retention_days": lock.min_retention_days,
        "max_retention_days": lock.max_retention_days,
        "changeable_for_days": lock.changeable_for_days if lock.mode == "compliance" else None,
    }


def plan_rule(
    name: str,
    rule: BackupRuleConfig,
    vault: pulumi.Input[str],
    copy_to: str | None,
) -> aws.backup.PlanRuleArgsDict:
    """One rule of the plan: its schedule and windows, retention, and the copy when asked."""
    lifecycle: aws.backup.PlanRuleLifecycleArgsDict = {"delete_after": rule.retention_days}
    if rule.cold_storage_after_days is not None:
        lifecycle["cold_storage_after"] = rule.cold_storage_after_days
    args: aws.backup.PlanRuleArgsDict = {
        "rule_name": name,
        "target_vault_name": vault,
        "schedule": rule.schedule,
        "start_window": rule.start_window_minutes,
        "completion_window": rule.completion_window_minutes,
        "lifecycle": lifecycle,
        "recovery_point_tags": {"BackupRule": name},
    }
    if copy_to is not None:
        # A copy is kept as long as the original; AWS Backup copies only warm recovery points
        # across regions, so the copy has no cold-storage transition of its own.
        args["copy_actions"] = [
            {"destination_vault_arn": copy_to, "lifecycle": {"delete_after": rule.retention_days}}
        ]
    return args


def plan_rules(cfg: BackupConfig, vault: pulumi.Input[str]) -> list[aws.backup.PlanRuleArgsDict]:
    """The plan's rules: daily and weekly, into `vault` (its name), each copied when asked."""
    return [
        plan_rule("daily", cfg.daily, vault, cfg.copy_to),
        plan_rule("weekly", cfg.weekly, vault, cfg.copy_to),
    ]


def role_policies(name: str) -> dict[str, str]:
    """The service role's managed policies, by attachment child name: the path under
    arn:<partition>:iam::aws:policy/."""
    return {f"{name}-role-{role}": path for role, path in BACKUP_POLICIES.items()}


def selected(resources: Mapping[str, Sequence[T]]) -> list[T]:
    """What the selection names: every resource of every type, in the order given."""
    return [arn for group in resources.values() for arn in group]


def restore_testing_name(project: str, stack: str, suffix: str = "") -> str:
    """A restore testing plan or selection name: letters, digits and _ only, at most 50."""
    return re.sub(r"[^A-Za-z0-9_]", "_", f"{project}_{stack}{suffix}")[:50]


def restore_testing_plan_args(
    restore: RestoreTestingConfig, project: str, stack: str, vault_arn: object
) -> dict[str, Any] | None:
    """The restore testing plan: the latest snapshot within the window, from the stack's vault
    (`vault_arn`), on the schedule; None when restore testing is off."""
    if not restore.enabled:
        return None
    return {
        "name": restore_testing_name(project, stack),
        "schedule_expression": restore.schedule,
        "start_window_hours": restore.start_window_hours,
        "recovery_point_selection": {
            "algorithm": "LATEST_WITHIN_WINDOW",
            "include_vaults": [vault_arn],
            "recovery_point_types": ["SNAPSHOT"],
            "selection_window_days": restore.selection_window_days,
        },
    }


def restore_testing_selections(resources: Mapping[str, Sequence[T]]) -> dict[str, dict[str, Any]]:
    """One selection per tested type the stack holds, by child role: its name, type and ARNs."""
    return {
        f"restore-testing-{kind.lower()}": {
            "name": kind.lower(),
            "protected_resource_type": kind,
            "protected_resource_arns": list(resources[kind]),
        }
        for kind in RESTORE_TESTED
        if resources.get(kind)
    }
