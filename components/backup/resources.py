"""Backup: one AWS Backup vault, plan and selection covering every stateful resource of the stack.

The vault is encrypted with the stack key and optionally locked (governance or compliance mode);
the plan has a daily and a weekly rule, each optionally copying its recovery points to a vault
in another region; the selection names the ARN of every database the enabled parts hold
(`Part.backup_arns()`), so AWS Backup covers exactly what the stack created, whatever its tags.
A restore testing plan, when configured, restores the latest recovery point of each on a
schedule, proving the backups can be restored. When the stack has alarms, the vault sends its
job failures to the alarm topic, so a failed backup reaches the same people as a failed alarm.

AWS Backup's own service role policies do the work (AWS managed, kept current by AWS):
https://docs.aws.amazon.com/aws-backup/latest/devguide/security-iam-awsmanpol.html
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.backup.config import (
    BackupConfig,
    BackupRuleConfig,
    restore_testing_name,
    vault_name,
)
from components.base import DbtierComponent, assume_role_policy

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
# The vault events that mean a job failed (the BackupVaultEvent enum of
# PutBackupVaultNotifications: https://docs.aws.amazon.com/aws-backup/latest/devguide/backup-notifications.html).
# The S3_* and EKS_* object failures are of types dbtier does not back up.
FAILURE_EVENTS = ("BACKUP_JOB_FAILED", "COPY_JOB_FAILED", "RESTORE_JOB_FAILED")


@dataclass(frozen=True)
class BackupArgs:
    config: BackupConfig
    """Rules, lock, copy and restore testing (dbtier:backup)."""
    kms_key_arn: pulumi.Input[str]
    """The stack's KMS key: the vault."""
    resources: Mapping[str, Sequence[pulumi.Input[str]]]
    """ARNs of the resources to back up, by AWS Backup resource type (RDS, Aurora, ...)."""
    protect: bool = False
    """Pulumi `protect` on the vault and its lock."""
    notify_topic_arn: pulumi.Input[str] | None = None
    """The SNS topic the vault's job failures go to (the alarm topic); None sends none. Its
    topic policy must let backup.amazonaws.com publish (the Alarms component's does)."""


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


class Backup(DbtierComponent):
    """An encrypted (optionally locked) vault, a daily and weekly plan, and its selection."""

    vault_arn: pulumi.Output[str]
    """The backup vault."""
    plan_arn: pulumi.Output[str]
    """The backup plan."""
    role_arn: pulumi.Output[str]
    """The IAM role AWS Backup backs up and restores as."""

    def __init__(
        self, name: str, args: BackupArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("Backup", name, args.protect, opts)
        cfg = args.config
        physical = vault_name(pulumi.get_project(), pulumi.get_stack())

        vault = aws.backup.Vault(
            f"{name}-vault",
            name=physical,
            kms_key_arn=args.kms_key_arn,
            # Deleting the stack must never delete recovery points: AWS refuses to delete a
            # vault that still holds some.
            force_destroy=False,
            opts=self.child(stateful=True),
        )
        lock = cfg.vault_lock
        if lock.enabled:
            # Compliance mode: once changeable_for_days have passed, nobody (not the root user,
            # not AWS) can remove the lock or delete a recovery point before its retention ends.
            aws.backup.VaultLockConfiguration(
                f"{name}-vault-lock",
                backup_vault_name=vault.name,
                min_retention_days=lock.min_retention_days,
                max_retention_days=lock.max_retention_days,
                changeable_for_days=lock.changeable_for_days if lock.mode == "compliance" else None,
                opts=self.child(stateful=True),
            )

        if args.notify_topic_arn is not None:
            aws.backup.VaultNotifications(
                f"{name}-notifications",
                backup_vault_name=vault.name,
                sns_topic_arn=args.notify_topic_arn,
                backup_vault_events=list(FAILURE_EVENTS),
                opts=self.child(),
            )

        partition = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(parent=self))
        role, attachments = self.service_role(
            f"{name}-role",
            assume_role_policy("backup.amazonaws.com"),
            {
                f"{name}-role-{role_name}": pulumi.Output.format(
                    "arn:{0}:iam::aws:policy/{1}", partition.partition, path
                )
                for role_name, path in BACKUP_POLICIES.items()
            },
            description="AWS Backup: back up and restore the stack's databases",
        )

        plan = aws.backup.Plan(
            f"{name}-plan",
            name=physical,
            rules=[
                plan_rule("daily", cfg.daily, vault.name, cfg.copy_to),
                plan_rule("weekly", cfg.weekly, vault.name, cfg.copy_to),
            ],
            opts=self.child(),
        )
        arns = [arn for group in args.resources.values() for arn in group]
        aws.backup.Selection(
            f"{name}-selection",
            name=physical,
            plan_id=plan.id,
            iam_role_arn=role.arn,
            resources=arns,
            # The role's policies must be attached before AWS Backup assumes it.
            opts=self.child(depends_on=attachments),
        )

        restore = cfg.restore_testing
        if restore.enabled:
            testing = aws.backup.RestoreTestingPlan(
                f"{name}-restore-testing",
                name=restore_testing_name(pulumi.get_project(), pulumi.get_stack()),
                schedule_expression=restore.schedule,
                start_window_hours=restore.start_window_hours,
                recovery_point_selection={
                    "algorithm": "LATEST_WITHIN_WINDOW",
                    "include_vaults": [vault.arn],
                    "recovery_point_types": ["SNAPSHOT"],
                    "selection_window_days": restore.selection_window_days,
                },
                opts=self.child(),
            )
            for kind in RESTORE_TESTED:
                if not args.resources.get(kind):
                    continue
                aws.backup.RestoreTestingSelection(
                    f"{name}-restore-testing-{kind.lower()}",
                    name=kind.lower(),
                    restore_testing_plan_name=testing.name,
                    protected_resource_type=kind,
                    protected_resource_arns=list(args.resources[kind]),
                    iam_role_arn=role.arn,
                    opts=self.child(depends_on=attachments),
                )

        self.vault_arn = vault.arn
        self.plan_arn = plan.arn
        self.role_arn = role.arn
        self.publish()
