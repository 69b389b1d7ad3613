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
from typing import Any

import pulumi
import pulumi_aws as aws

from components.backup.config import BackupConfig
from components.backup.shape import (
    FAILURE_EVENTS,
    plan_rules,
    restore_testing_plan_args,
    restore_testing_selections,
    role_policies,
    selected,
    vault_args,
    vault_lock_args,
)
from components.base import DbtierComponent, assume_role_policy


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
        project, stack = pulumi.get_project(), pulumi.get_stack()
        physical = vault_args(project, stack)

        vault = self._vault(name, args, physical)
        partition = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(parent=self))
        role, attachments = self.service_role(
            f"{name}-role",
            assume_role_policy("backup.amazonaws.com"),
            {
                attachment: pulumi.Output.format(
                    "arn:{0}:iam::aws:policy/{1}", partition.partition, path
                )
                for attachment, path in role_policies(name).items()
            },
            description="AWS Backup: back up and restore the stack's databases",
        )
        plan = aws.backup.Plan(
            f"{name}-plan",
            name=physical["name"],
            rules=plan_rules(cfg, vault.name),
            opts=self.child(),
        )
        aws.backup.Selection(
            f"{name}-selection",
            name=physical["name"],
            plan_id=plan.id,
            iam_role_arn=role.arn,
            resources=selected(args.resources),
            # The role's policies must be attached before AWS Backup assumes it.
            opts=self.child(depends_on=attachments),
        )
        testing = restore_testing_plan_args(cfg.restore_testing, project, stack, vault.arn)
        if testing is not None:
            self._restore_testing(name, testing, args.resources, role, attachments)

        self.vault_arn = vault.arn
        self.plan_arn = plan.arn
        self.role_arn = role.arn
        self.publish()

    def _vault(self, name: str, args: BackupArgs, physical: dict[str, Any]) -> aws.backup.Vault:
        """The vault under the stack key, its lock when configured, and its failed jobs sent to
        the alarm topic when there is one."""
        vault = aws.backup.Vault(
            f"{name}-vault",
            kms_key_arn=args.kms_key_arn,
            opts=self.child(stateful=True),
            **physical,
        )
        lock = vault_lock_args(args.config.vault_lock)
        if lock is not None:
            aws.backup.VaultLockConfiguration(
                f"{name}-vault-lock",
                backup_vault_name=vault.name,
                opts=self.child(stateful=True),
                **lock,
            )
        if args.notify_topic_arn is not None:
            aws.backup.VaultNotifications(
                f"{name}-notifications",
                backup_vault_name=vault.name,
                sns_topic_arn=args.notify_topic_arn,
                backup_vault_events=list(FAILURE_EVENTS),
                opts=self.child(),
            )
        return vault

    def _restore_testing(
        self,
        name: str,
        testing: dict[str, Any],
        resources: Mapping[str, Sequence[pulumi.Input[str]]],
        role: aws.iam.Role,
        attachments: Sequence[pulumi.Resource],
    ) -> None:
        """The restore testing plan, and a selection of each tested type the stack holds, tested
        as the backup role (once its policies are attached)."""
        plan = aws.backup.RestoreTestingPlan(
            f"{name}-restore-testing", opts=self.child(), **testing
        )
        for role_name, selection in restore_testing_selections(resources).items():
            aws.backup.RestoreTestingSelection(
                f"{name}-{role_name}",
                restore_testing_plan_name=plan.name,
                iam_role_arn=role.arn,
                opts=self.child(depends_on=list(attachments)),
                **selection,
            )
