"""Alarms: CloudWatch alarms on every enabled component's health metrics, one topic, one dashboard.

The components describe what to watch (`Watch`, from their `watches()` methods); this component
turns those into one encrypted SNS topic with its email subscription (config validation requires
the address: alarms that notify nobody are not alarms), one alarm per watch and one dashboard
with a graph per metric.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.alarms.config import AlarmsConfig
from components.alarms.dashboard import dashboard_body
from components.alarms.watch import Watch
from components.base import DbtierComponent


def alarm_metric(watch: Watch) -> dict[str, Any]:
    """The MetricAlarm arguments naming what it evaluates: one metric, or a metric-math query.

    A watch that combines series (MAX over the members of a group) or fills missing periods
    (FILL for AWS/DynamoDB, whose alarms ignore treatMissingData) becomes `metric_queries`: one
    query per series, none returned, and the expression that is.
    """
    if not watch.uses_math:
        return {
            "namespace": watch.namespace,
            "metric_name": watch.metric,
            "dimensions": dict(watch.dimensions),
            "statistic": watch.statistic,
            "period": watch.period,
        }
    queries: list[aws.cloudwatch.MetricAlarmMetricQueryArgsDict] = [
        {
            "id": f"m{i}",
            "return_data": False,
            "metric": {
                "namespace": watch.namespace,
                "metric_name": watch.metric,
                "dimensions": dict(dims),
                "stat": watch.statistic,
                "period": watch.period,
            },
        }
        for i, dims in enumerate(watch.series, 1)
    ]
    queries.append(
        {"id": "e1", "expression": watch.expression(), "label": watch.metric, "return_data": True}
    )
    return {"metric_queries": queries}


def topic_policy(topic_arn: str, account_id: str, publishers: Sequence[str]) -> str:
    """The alarm topic's access policy, when AWS services besides CloudWatch publish to it.

    A topic policy replaces SNS's default one, so it restates what that default gives (the
    account manages and publishes; CloudWatch alarms publish as the account), then lets each
    of `publishers` publish for this account only (`aws:SourceAccount`, against a confused
    deputy). AWS Backup needs its statement to send vault events:
    https://docs.aws.amazon.com/aws-backup/latest/devguide/backup-notifications.html
    """
    account = {"StringEquals": {"aws:SourceAccount": account_id}}
    statements: list[dict[str, Any]] = [
        {
            "Sid": "AccountOwnsTopic",
            "Effect": "Allow",
            "Principal": {"AWS": account_id},
            "Action": [
                "sns:GetTopicAttributes",
                "sns:SetTopicAttributes",
                "sns:AddPermission",
                "sns:RemovePermission",
                "sns:DeleteTopic",
                "sns:Subscribe",
                "sns:ListSubscriptionsByTopic",
                "sns:Publish",
            ],
            "Resource": topic_arn,
        },
        *(
            {
                "Sid": f"{service.split('.')[0].capitalize()}Publishes",
                "Effect": "Allow",
                "Principal": {"Service": service},
                "Action": "sns:Publish",
                "Resource": topic_arn,
                "Condition": account,
            }
            for service in ("cloudwatch.amazonaws.com", *publishers)
        ),
    ]
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


@dataclass(frozen=True)
class AlarmsArgs:
    config: AlarmsConfig
    """Email and thresholds (dbtier:alarms)."""
    kms_key_arn: pulumi.Input[str]
    """The stack's KMS key: the SNS topic."""
    watches: Sequence[Watch]
    """Every metric to alarm on, from each enabled component."""
    publishers: Sequence[str] = ()
    """AWS service principals besides CloudWatch that publish to the topic (AWS Backup's
    `backup.amazonaws.com` when the vault notifies); none keeps SNS's default topic policy."""


class Alarms(DbtierComponent):
    """One SNS topic, one CloudWatch alarm per watch, and one dashboard of the whole tier."""

    topic_arn: pulumi.Output[str]
    """The SNS topic every alarm notifies."""
    dashboard_name: pulumi.Output[str]
    """The CloudWatch dashboard."""
    alarm_names: pulumi.Output[list[str]]
    """Names of every alarm."""

    def __init__(self, name: str, args: AlarmsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("Alarms", name, False, opts)
        prefix = f"{pulumi.get_project()}-{pulumi.get_stack()}"

        if args.config.email is None:
            # parse_alarms refuses this; a component built directly must not notify nobody.
            raise ValueError("Alarms needs an email address: the topic would have no subscriber")
        topic = aws.sns.Topic(
            f"{name}-topic",
            display_name=f"dbtier {pulumi.get_stack()} alarms",
            kms_master_key_id=args.kms_key_arn,
            opts=self.child(),
        )
        if args.publishers:
            identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self))
            aws.sns.TopicPolicy(
                f"{name}-topic-policy",
                arn=topic.arn,
                policy=pulumi.Output.all(topic.arn, identity.account_id).apply(
                    lambda v: topic_policy(v[0], v[1], args.publishers)
                ),
                opts=self.child(),
            )
        aws.sns.TopicSubscription(
            f"{name}-email",
            topic=topic.arn,
            protocol="email",
            endpoint=args.config.email,
            opts=self.child(),
        )

        alarms = [
            aws.cloudwatch.MetricAlarm(
                f"{name}-{watch.component}-{watch.role}",
                name=f"{prefix}-{watch.component}-{watch.role}",
                alarm_description=watch.description,
                comparison_operator=watch.comparison,
                threshold=watch.threshold,
                evaluation_periods=watch.evaluation_periods,
                datapoints_to_alarm=watch.evaluation_periods,
                # No data is mostly not a failure (an idle table has no throttles, a primary no
                # lag); a watch says when it is. (AWS/DynamoDB alarms ignore this setting; their
                # watches FILL the gaps instead.)
                treat_missing_data=watch.missing,
                alarm_actions=[topic.arn],
                ok_actions=[topic.arn],
                opts=self.child(),
                **alarm_metric(watch),
            )
            for watch in args.watches
        ]

        region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=self))
        watches = list(args.watches)
        resolved = pulumi.Output.all(
            *[pulumi.Output.all(*[pulumi.Output.all(**d) for d in w.series]) for w in watches]
        )
        dashboard = aws.cloudwatch.Dashboard(
            f"{name}-dashboard",
            dashboard_name=prefix,
            dashboard_body=pulumi.Output.all(region.region, resolved).apply(
                lambda v: dashboard_body(v[0], watches, v[1])
            ),
            opts=self.child(),
        )

        self.topic_arn = topic.arn
        self.dashboard_name = dashboard.dashboard_name
        self.alarm_names = pulumi.Output.all(*[a.name for a in alarms]).apply(list)
        self.publish()
