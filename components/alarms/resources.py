"""Alarms: CloudWatch alarms on every enabled component's health metrics, one topic, one dashboard.

The components describe what to watch (`Watch`, from their `watches()` methods); this component
turns those into one encrypted SNS topic with its email subscription (config validation requires
the address: alarms that notify nobody are not alarms), one alarm per watch and one dashboard
with a graph per metric. AWS Backup's vault events go to a second topic, whose email is filtered
to failed jobs (a filter on the alarm topic would drop every alarm).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.alarms.config import AlarmsConfig
from components.alarms.shape import (
    alarm_args,
    alarm_prefix,
    dashboard_body,
    failures_subscription_args,
    failures_topic_args,
    subscription_args,
    topic_args,
    topic_policy,
)
from components.alarms.watch import Watch
from components.base import DbtierComponent
from components.regions import SecondaryRegion, region_topic


@dataclass(frozen=True)
class AlarmsArgs:
    config: AlarmsConfig
    """Email and thresholds (dbtier:alarms)."""
    kms_key_arn: pulumi.Input[str]
    """The stack's KMS key: the SNS topic."""
    watches: Sequence[Watch]
    """Every metric to alarm on, from each enabled component."""
    publishers: Sequence[str] = ()
    """AWS service principals besides CloudWatch that publish (AWS Backup's
    `backup.amazonaws.com` when the vault notifies): they get a topic of their own, its email
    filtered to failures; none: no such topic."""
    regions: Mapping[str, SecondaryRegion] = field(default_factory=dict)
    """The secondary regions (dbtier:regions): where a watch with a `region` is alarmed on."""


class Alarms(DbtierComponent):
    """One SNS topic, one CloudWatch alarm per watch, and one dashboard of the whole tier."""

    topic_arn: pulumi.Output[str]
    """The SNS topic every alarm notifies."""
    failures_topic_arn: pulumi.Output[str]
    """The topic the publishers (AWS Backup's vault) report to, emailing only failures; the
    alarm topic when there are no publishers."""
    dashboard_name: pulumi.Output[str]
    """The CloudWatch dashboard."""
    alarm_names: pulumi.Output[list[str]]
    """Names of every alarm."""

    def __init__(self, name: str, args: AlarmsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("Alarms", name, False, opts)
        subscription = subscription_args(args.config)
        prefix = alarm_prefix(pulumi.get_project(), pulumi.get_stack())

        topic = aws.sns.Topic(
            f"{name}-topic",
            kms_master_key_id=args.kms_key_arn,
            opts=self.child(),
            **topic_args(pulumi.get_stack()),
        )
        aws.sns.TopicSubscription(
            f"{name}-email", topic=topic.arn, opts=self.child(), **subscription
        )
        failures = self._failures_topic(name, args) if args.publishers else topic
        alarms = [
            self._alarm(name, prefix, watch, topic.arn, args.regions) for watch in args.watches
        ]
        dashboard = self._dashboard(name, prefix, list(args.watches))

        self.topic_arn = topic.arn
        self.failures_topic_arn = failures.arn
        self.dashboard_name = dashboard.dashboard_name
        self.alarm_names = pulumi.Output.all(*[a.name for a in alarms]).apply(list)
        self.publish()

    def _alarm(
        self,
        name: str,
        prefix: str,
        watch: Watch,
        home_topic: pulumi.Output[str],
        regions: Mapping[str, SecondaryRegion],
    ) -> aws.cloudwatch.MetricAlarm:
        """`watch`'s alarm, in the region that publishes its metric (an alarm sees only its own
        region's metrics and notifies only a topic there)."""
        opts, topic = self.child(), home_topic
        if watch.region is not None:
            region = regions[watch.region]
            opts = region.placement().here(opts)
            topic = region_topic(region)
        return aws.cloudwatch.MetricAlarm(
            f"{name}-{watch.component}-{watch.role}",
            alarm_actions=[topic],
            ok_actions=[topic],
            opts=opts,
            **alarm_args(watch, prefix),
        )

    def _failures_topic(self, name: str, args: AlarmsArgs) -> aws.sns.Topic:
        """The publishers' own topic: their events need a filter, which would also drop every
        CloudWatch alarm on the alarm topic (`subscription_args`). Its policy lets them
        publish; its email gets only failures."""
        topic = aws.sns.Topic(
            f"{name}-failures-topic",
            kms_master_key_id=args.kms_key_arn,
            opts=self.child(),
            **failures_topic_args(pulumi.get_stack()),
        )
        identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self))
        aws.sns.TopicPolicy(
            f"{name}-failures-topic-policy",
            arn=topic.arn,
            policy=pulumi.Output.all(topic.arn, identity.account_id).apply(
                lambda v: topic_policy(v[0], v[1], args.publishers)
            ),
            opts=self.child(),
        )
        aws.sns.TopicSubscription(
            f"{name}-failures-email",
            topic=topic.arn,
            opts=self.child(),
            **failures_subscription_args(args.config),
        )
        return topic

    def _dashboard(self, name: str, prefix: str, watches: list[Watch]) -> aws.cloudwatch.Dashboard:
        """The dashboard of every watch, laid out once the region and each series' dimensions
        are known."""
        region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=self))
        resolved = pulumi.Output.all(
            *[pulumi.Output.all(*[pulumi.Output.all(**d) for d in w.series]) for w in watches]
        )
        return aws.cloudwatch.Dashboard(
            f"{name}-dashboard",
            dashboard_name=prefix,
            dashboard_body=pulumi.Output.all(region.region, resolved).apply(
                lambda v: dashboard_body(v[0], watches, v[1])
            ),
            opts=self.child(),
        )
