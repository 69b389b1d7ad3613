"""What the Alarms component decides, as plain values: the topic, its policy and subscriber,
each alarm's arguments from its watch, and the dashboard's layout.

The components say what to watch (`Watch`); this module decides how each watch becomes an
alarm (one metric, or metric math over several series), who may publish to the topic, and how
the dashboard lays out a graph per component and metric. Values that exist only once deployed
(the topic's ARN, the account, the region, resolved dimensions) come in as plain parameters.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from awsdata import backup
from components.alarms.config import AlarmsConfig
from components.alarms.watch import Watch

if TYPE_CHECKING:
    import pulumi_aws as aws


def alarm_prefix(project: str, stack: str) -> str:
    """What every alarm name starts with, and the dashboard's name: per project and stack."""
    return f"{project}-{stack}"


def topic_args(stack: str) -> dict[str, Any]:
    """The alarm topic's display name (the sender of its emails)."""
    return {"display_name": f"dbtier {stack} alarms"}


def failures_topic_args(stack: str) -> dict[str, Any]:
    """The display name of the topic AWS Backup reports jobs to (its emails' sender)."""
    return {"display_name": f"dbtier {stack} backup failures"}


def subscription_args(cfg: AlarmsConfig) -> dict[str, Any]:
    """The alarm topic's one subscription: email to `dbtier:alarms.email`, unfiltered.

    CloudWatch's alarm notifications carry no message attributes, and SNS delivers a message
    without attributes to no subscription that has a MessageAttributes filter policy ("exists":
    false "only matches if at least one attribute is present"):
    https://docs.aws.amazon.com/sns/latest/dg/attribute-key-matching.html. So AWS Backup's
    events, which need a filter, go to a topic of their own (`failures_subscription_args`)."""
    if cfg.email is None:
        # parse_alarms refuses this; a component built directly must not notify nobody.
        raise ValueError("Alarms needs an email address: the topic would have no subscriber")
    return {"protocol": "email", "endpoint": cfg.email}


def failures_subscription_args(cfg: AlarmsConfig) -> dict[str, Any]:
    """The backup failures topic's subscription: the same email, with a filter that lets
    through only jobs that did not succeed (AWS Backup sends every completed job, its State
    attribute saying how it ended)."""
    return {
        **subscription_args(cfg),
        "filter_policy": json.dumps(backup.failures_only_filter()),
        "filter_policy_scope": "MessageAttributes",
    }


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


def alarm_args(watch: Watch, prefix: str) -> dict[str, Any]:
    """A watch's alarm, besides the topic it notifies: its name, meaning, threshold, how many
    periods must breach, what missing data counts as, and what it evaluates."""
    return {
        "name": f"{prefix}-{watch.component}-{watch.role}",
        "alarm_description": watch.description,
        "comparison_operator": watch.comparison,
        "threshold": watch.threshold,
        "evaluation_periods": watch.evaluation_periods,
        "datapoints_to_alarm": watch.evaluation_periods,
        # No data is mostly not a failure (an idle table has no throttles, a primary no lag); a
        # watch says when it is. (AWS/DynamoDB alarms ignore this setting; their watches FILL
        # the gaps instead.)
        "treat_missing_data": watch.missing,
        **alarm_metric(watch),
    }


def topic_policy(topic_arn: str, account_id: str, publishers: Sequence[str]) -> str:
    """The backup failures topic's access policy (the alarm topic keeps SNS's default one).

    A topic policy replaces SNS's default one, so it restates what that default gives (the
    account manages and publishes), then lets each of `publishers` publish for this account
    only (`aws:SourceAccount`, against a confused deputy); CloudWatch publishes to the alarm
    topic, not here. AWS Backup needs its statement to send vault events:
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
            for service in publishers
        ),
    ]
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def dashboard_body(
    region: str, watches: Sequence[Watch], dims: Sequence[Sequence[dict[str, str]]]
) -> str:
    """A dashboard with one graph per component and metric, a line per watched resource.

    `dims` holds, for each watch, the resolved dimensions of each of its series.
    """
    graphs: dict[tuple[str, str, str], dict[str, Any]] = {}
    for watch, resolved in zip(watches, dims, strict=True):
        graph = graphs.setdefault(
            (watch.component, watch.namespace, watch.metric),
            {"watch": watch, "lines": [], "seen": set()},
        )
        for series in resolved:
            line = [
                watch.namespace,
                watch.metric,
                *[v for kv in sorted(series.items()) for v in kv],
            ]
            if tuple(line) not in graph["seen"]:
                graph["seen"].add(tuple(line))
                # A secondary region's metric is drawn from that region (the widget's default
                # is the home region).
                where = {"region": watch.region} if watch.region else {}
                graph["lines"].append([*line, {"stat": watch.statistic, **where}])
    widgets: list[dict[str, Any]] = []
    y = 0
    for section in dict.fromkeys(w.component for w in watches):
        widgets.append(
            {
                "type": "text",
                "x": 0,
                "y": y,
                "width": 24,
                "height": 1,
                "properties": {"markdown": f"## {section}"},
            }
        )
        y += 1
        x = 0
        for (component, _, metric), graph in graphs.items():
            if component != section:
                continue
            watch = graph["watch"]
            widgets.append(
                {
                    "type": "metric",
                    "x": x,
                    "y": y,
                    "width": 8,
                    "height": 6,
                    "properties": {
                        "title": f"{section}: {metric}",
                        "region": region,
                        "view": "timeSeries",
                        "period": watch.period,
                        "metrics": graph["lines"],
                        "annotations": {
                            "horizontal": [{"label": "alarm", "value": watch.threshold}]
                        },
                    },
                }
            )
            x = (x + 8) % 24
            if x == 0:
                y += 6
        if x:
            y += 6
    return json.dumps({"widgets": widgets}, sort_keys=True)
