"""The whole tier for one stack: provider with default tags, the stack key, network, parts, alarms.

`main()` is the program `__main__.py` runs: it parses the config first (nothing is created
when a value is bad), then `build()` creates the enabled parts (`components.parts`), exports
their fixed outputs and puts alarms on them.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.alarms.resources import Alarms, AlarmsArgs
from components.alarms.watch import Watch
from components.backup.resources import Backup, BackupArgs
from components.keys import new_stack_key
from components.parts import PARTS, Tier, database_network
from components.regions import secondary_regions
from components.stack_config import ConfigError, StackConfig, from_pulumi
from contract import StackOutputs, exported


def default_tags(cfg: StackConfig) -> dict[str, str]:
    """Tags on every taggable resource: ours first, then the stack's `dbtier:tags`."""
    return {
        "Project": pulumi.get_project(),
        "Stack": pulumi.get_stack(),
        "ManagedBy": "pulumi-dbtier",
        **cfg.tags,
    }


def stack_key(cfg: StackConfig, opts: pulumi.ResourceOptions) -> pulumi.Output[str]:
    """The KMS key every component encrypts with: the configured one, or one we create."""
    if cfg.encryption.kms_key_arn is not None:
        return pulumi.Output.from_input(cfg.encryption.kms_key_arn)
    # The alarm topic takes AWS Backup's vault events when both are on (build(): publishers).
    notifies = cfg.backup.enabled and cfg.alarms.enabled
    return new_stack_key(opts, protect=cfg.protect, backup_notifies=notifies)


def backup_args(
    cfg: StackConfig,
    kms_key_arn: pulumi.Output[str],
    tier: Tier,
    notify_topic_arn: pulumi.Output[str] | None = None,
) -> BackupArgs:
    """What the Backup component covers: every ARN the enabled parts name, by resource type;
    its job failures go to `notify_topic_arn` (the alarm topic) when given."""
    resources: dict[str, list[pulumi.Output[str]]] = {}
    for part in tier.parts.values():
        for kind, arns in part.backup_arns().items():
            resources.setdefault(kind, []).extend(arns)
    return BackupArgs(
        cfg.backup, kms_key_arn, resources, protect=cfg.protect, notify_topic_arn=notify_topic_arn
    )


def build(cfg: StackConfig) -> None:
    """Create the tier described by `cfg` and export each enabled part's fixed output."""
    # An explicit provider does not read the stack's `aws:region` (only default providers do):
    # pass it, or `pulumi config set aws:region` would be ignored for the environment's region.
    provider = aws.Provider(
        "dbtier-aws", region=cfg.region, default_tags={"tags": default_tags(cfg)}
    )
    opts = pulumi.ResourceOptions(provider=provider)
    kms_key_arn = stack_key(cfg, opts)
    # Secondary regions (dbtier:regions): a provider and a key each, before any part uses them.
    regions = secondary_regions(
        cfg.regions,
        default_tags(cfg),
        protect=cfg.protect,
        alarms=cfg.alarms if cfg.alarms.enabled else None,
    )
    tier = Tier(cfg, opts, kms_key_arn, database_network(cfg, opts), regions=regions)
    # Which stack the outputs are of: a drill refuses to fail over or restore in prod without
    # consent, also when it is given only an outputs file.
    pulumi.export(
        StackOutputs.KEY, exported(StackOutputs, name=pulumi.get_stack(), tags=default_tags(cfg))
    )
    # What the Alarms component watches: each enabled part adds its health metrics.
    watches: list[Watch] = []
    for spec in PARTS:
        if spec.enabled(cfg):
            part = tier.parts[spec.key] = spec.create(tier)
            pulumi.export(spec.key, part.outputs())
            watches += part.watches(cfg.alarms)
    # Alarms first: its topic is where the backup vault reports failed jobs.
    topic_arn: pulumi.Output[str] | None = None
    if cfg.alarms.enabled:
        publishers = ("backup.amazonaws.com",) if cfg.backup.enabled else ()
        alarms = Alarms(
            "alarms",
            AlarmsArgs(cfg.alarms, kms_key_arn, tuple(watches), publishers, regions=regions),
            opts=opts,
        )
        topic_arn = alarms.failures_topic_arn
    if cfg.backup.enabled:
        Backup("backup", backup_args(cfg, kms_key_arn, tier, topic_arn), opts=opts)


def main() -> None:
    """Entry point of the Pulumi program: a bad config stops it before any resource exists."""
    try:
        cfg = from_pulumi()
    except ConfigError as exc:
        # RunError is reported by the engine as one message, without a stack trace.
        raise pulumi.RunError(str(exc)) from None
    build(cfg)
