"""Customer managed keys: the stack key of the home region and, with `dbtier:regions`, one key of
the same kind in each secondary region (`components.regions`).

Its own module so the stack and the secondary regions build their keys one way, and neither
imports the other.
"""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

__all__ = ["new_stack_key", "stack_key_policy"]


def stack_key_policy(
    account_id: str, partition: str, region: str, backup_notifies: bool = False
) -> str:
    """Key policy: the account administers the key; AWS services that encrypt with it may use it.
    AWS Backup gets a statement only when its vault notifies the alarm topic (`backup_notifies`):
    no service uses a key it has no work for."""
    root = f"arn:{partition}:iam::{account_id}:root"
    use = [
        "kms:Encrypt*",
        "kms:Decrypt*",
        "kms:ReEncrypt*",
        "kms:GenerateDataKey*",
        "kms:Describe*",
    ]
    # AWS Backup's vault events go to the same encrypted topic: like CloudWatch, it must be able
    # to make and use the topic's data keys.
    # https://docs.aws.amazon.com/aws-backup/latest/devguide/backup-notifications.html
    backup = [
        {
            "Sid": "BackupPublishesToEncryptedTopic",
            "Effect": "Allow",
            "Principal": {"Service": "backup.amazonaws.com"},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
        }
    ]
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AccountAdministers",
                    "Effect": "Allow",
                    "Principal": {"AWS": root},
                    "Action": "kms:*",
                    "Resource": "*",
                },
                {
                    "Sid": "CloudWatchLogsEncrypt",
                    "Effect": "Allow",
                    "Principal": {"Service": f"logs.{region}.amazonaws.com"},
                    "Action": use,
                    "Resource": "*",
                    "Condition": {
                        "ArnLike": {
                            "kms:EncryptionContext:aws:logs:arn": (
                                f"arn:{partition}:logs:{region}:{account_id}:*"
                            )
                        }
                    },
                },
                {
                    "Sid": "AlarmsPublishToEncryptedTopic",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudwatch.amazonaws.com"},
                    "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
                },
                *(backup if backup_notifies else []),
            ],
        }
    )


def new_stack_key(
    opts: pulumi.ResourceOptions,
    *,
    protect: bool = False,
    backup_notifies: bool = False,
    name: str = "stack-key",
) -> pulumi.Output[str]:
    """A customer managed key for one stack (`name`, rotation on) and its alias
    `alias/dbtier-<stack>` (`<name>-alias`), with the key policy of `stack_key_policy` for the
    region of the provider in `opts`; its ARN. Aliases are regional: each region's key has the
    same alias."""
    invoke = pulumi.InvokeOutputOptions(provider=opts.provider)
    identity = aws.get_caller_identity_output(opts=invoke)
    partition = aws.get_partition_output(opts=invoke)
    region = aws.get_region_output(opts=invoke)
    key = aws.kms.Key(
        name,
        description=f"dbtier {pulumi.get_stack()}: encryption of every database, secret, queue and log",
        enable_key_rotation=True,
        deletion_window_in_days=30,
        policy=pulumi.Output.all(identity.account_id, partition.partition, region.region).apply(
            lambda v: stack_key_policy(v[0], v[1], v[2], backup_notifies=backup_notifies)
        ),
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(protect=protect)),
    )
    aws.kms.Alias(
        f"{name}-alias",
        name=f"alias/dbtier-{pulumi.get_stack()}",
        target_key_id=key.key_id,
        opts=opts,
    )
    return key.arn
