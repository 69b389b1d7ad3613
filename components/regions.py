"""The stack's secondary regions (`dbtier:regions`): for each, one AWS provider and one customer
managed key, created once and shared by every part that puts something there (DynamoDB global
table replicas, an Aurora Global Database secondary, RDS cross-region automated backups and read
replicas).

Each region's provider carries the stack's default tags, as the home provider does, and names
its region explicitly (an explicit provider never reads `aws:region`).

Each region gets an independent customer managed key (`stack-key-<region>`, the stack key's
policy and rotation, alias `alias/dbtier-<stack>` there), not a multi-Region replica of the stack
key, because:

- a key is multi-Region only from its creation (`MultiRegion` cannot be changed): making the
  stack key one would replace it in every existing stack, and re-encrypt every database with it;
  a stack given `dbtier:encryption.kmsKeyArn` may name a single-Region key we cannot change;
- the services that replicate never move ciphertext between regions under one key: DynamoDB
  global tables and Aurora Global Database re-encrypt each replica with a key of the replica's
  own region (a replica key would bring them nothing a separate key does not);
- a separate key keeps a region's blast radius its own: disabling or scheduling the deletion of
  one region's key leaves the others readable, which a failover needs.

https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-overview.html
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.alarms.config import AlarmsConfig
from components.alarms.shape import subscription_args, topic_args
from components.keys import new_stack_key
from components.placement import RegionPlacement


@dataclass(frozen=True)
class SecondaryRegion:
    """One secondary region as the parts see it."""

    name: str
    """The region (`eu-west-1`)."""
    opts: pulumi.ResourceOptions
    """Resource options whose provider deploys to this region."""
    kms_key_arn: pulumi.Output[str]
    """The customer managed key of this region, for every replica and secondary there."""
    alarms: AlarmsConfig | None = None
    """The stack's alarms (dbtier:alarms) when on: the subscriptions of this region's topic."""
    topics: dict[str, pulumi.Output[str]] = field(default_factory=dict, compare=False)
    """This region's alarm topic once `region_topic` made it (at most one entry)."""

    def placement(self) -> RegionPlacement:
        """This region as the parts' args take it."""
        return RegionPlacement(self.name, self.kms_key_arn, self.opts)


def provider_name(region: str) -> str:
    """The logical name of a secondary region's provider (the home one is `dbtier-aws`)."""
    return f"dbtier-aws-{region}"


def key_name(region: str) -> str:
    """The logical name of a secondary region's key (the home one is `stack-key`)."""
    return f"stack-key-{region}"


def topic_name(region: str) -> str:
    """The logical name of a secondary region's alarm topic (the home one is `alarms-topic`)."""
    return f"alarms-topic-{region}"


def region_topic(region: SecondaryRegion) -> pulumi.Output[str]:
    """The ARN of `region`'s alarm topic, created on first use and shared afterwards.

    A CloudWatch alarm notifies only an SNS topic of its own region, so an alarm on a metric
    published in a secondary region (a cross-region replica's ReplicaLag, an Aurora Global
    Database secondary's lag) needs a topic there: encrypted with that region's key (whose
    policy, the stack key's, lets CloudWatch publish) and with the home topic's subscription.
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
    """
    if region.alarms is None:
        # secondary_regions is given the alarms only when they are on: no topic without them.
        raise ValueError(f"no alarm topic in {region.name}: dbtier:alarms is not enabled")
    if region.name not in region.topics:
        name = topic_name(region.name)
        topic = aws.sns.Topic(
            name,
            kms_master_key_id=region.kms_key_arn,
            opts=region.opts,
            **topic_args(pulumi.get_stack()),
        )
        aws.sns.TopicSubscription(
            f"{name}-email", topic=topic.arn, opts=region.opts, **subscription_args(region.alarms)
        )
        region.topics[region.name] = topic.arn
    return region.topics[region.name]


def secondary_regions(
    regions: Sequence[str],
    tags: Mapping[str, str],
    *,
    protect: bool = False,
    alarms: AlarmsConfig | None = None,
) -> dict[str, SecondaryRegion]:
    """A provider and a key for each of `regions`, in the order given (empty: nothing created,
    so a stack without `dbtier:regions` plans exactly as before); `alarms` (when they are on)
    for the alarm topic `region_topic` makes in a region on first use."""
    created: dict[str, SecondaryRegion] = {}
    for region in regions:
        provider = aws.Provider(
            provider_name(region), region=region, default_tags={"tags": dict(tags)}
        )
        opts = pulumi.ResourceOptions(provider=provider)
        key_arn = new_stack_key(opts, protect=protect, name=key_name(region))
        created[region] = SecondaryRegion(region, opts, key_arn, alarms)
    return created
