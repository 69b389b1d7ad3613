"""Alarms' decisions, without a plan: names, the topic and its subscriber, each watch's alarm
(one metric or metric math), the topic policy, and the dashboard's layout."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.alarms.config import AlarmsConfig, parse_alarms
from components.alarms.shape import (
    alarm_args,
    alarm_metric,
    alarm_prefix,
    dashboard_body,
    subscription_args,
    topic_args,
    topic_policy,
)
from components.alarms.watch import ABOVE, AT_LEAST, Watch

CPU = Watch(
    "redis", "node-0-cpu", "CPU high", "AWS/ElastiCache", "CPUUtilization",
    {"CacheClusterId": "n0"}, "Average", ABOVE, 80.0,
)  # fmt: skip
LAG = Watch(
    "redis", "replication-lag", "Replicas behind", "AWS/ElastiCache", "ReplicationLag",
    {"CacheClusterId": "n0"}, "Maximum", ABOVE, 60.0,
    more_dimensions=({"CacheClusterId": "n1"},), missing="breaching",
)  # fmt: skip
THROTTLES = Watch(
    "dynamo-Orders", "read-throttles", "Reads throttled", "AWS/DynamoDB", "ReadThrottleEvents",
    {"TableName": "orders"}, "Sum", AT_LEAST, 1.0, period=60, evaluation_periods=1, fill=0,
)  # fmt: skip


def test_names_are_per_project_and_stack() -> None:
    assert alarm_prefix("dbtier", "prod") == "dbtier-prod"
    assert topic_args("prod") == {"display_name": "dbtier prod alarms"}


def test_the_topic_emails_the_configured_address() -> None:
    cfg = parse_alarms({"enabled": True, "email": "oncall@example.com"})
    assert subscription_args(cfg) == {"protocol": "email", "endpoint": "oncall@example.com"}


def test_alarms_that_would_notify_nobody_are_refused() -> None:
    with pytest.raises(ValueError, match="needs an email address"):
        subscription_args(AlarmsConfig(enabled=True))


def test_a_single_series_alarm_names_its_metric() -> None:
    assert alarm_metric(CPU) == {
        "namespace": "AWS/ElastiCache",
        "metric_name": "CPUUtilization",
        "dimensions": {"CacheClusterId": "n0"},
        "statistic": "Average",
        "period": 300,
    }


def test_several_series_become_the_max_of_hidden_queries() -> None:
    queries = alarm_metric(LAG)["metric_queries"]
    assert [(q["id"], q["return_data"]) for q in queries] == [
        ("m1", False),
        ("m2", False),
        ("e1", True),
    ]
    assert [q["metric"]["dimensions"] for q in queries[:2]] == [
        {"CacheClusterId": "n0"},
        {"CacheClusterId": "n1"},
    ]
    assert queries[0]["metric"]["stat"] == "Maximum"
    assert queries[2]["expression"] == "MAX([m1, m2])"
    assert queries[2]["label"] == "ReplicationLag"


def test_a_filled_metric_is_metric_math_even_with_one_series() -> None:
    queries = alarm_metric(THROTTLES)["metric_queries"]
    assert len(queries) == 2
    assert queries[0]["metric"]["period"] == 60
    assert queries[1]["expression"] == "FILL(m1, 0)"


def test_alarm_args_take_every_setting_from_the_watch() -> None:
    args = alarm_args(LAG, "dbtier-prod")
    assert {k: v for k, v in args.items() if k != "metric_queries"} == {
        "name": "dbtier-prod-redis-replication-lag",
        "alarm_description": "Replicas behind",
        "comparison_operator": "GreaterThanThreshold",
        "threshold": 60.0,
        "evaluation_periods": 3,
        "datapoints_to_alarm": 3,
        "treat_missing_data": "breaching",
    }
    assert args["metric_queries"] == alarm_metric(LAG)["metric_queries"]
    single = alarm_args(THROTTLES, "p-s")
    assert (single["evaluation_periods"], single["datapoints_to_alarm"]) == (1, 1)
    assert single["comparison_operator"] == "GreaterThanOrEqualToThreshold"


def test_topic_policy_lets_only_this_account_publish_through_each_service() -> None:
    arn = "arn:aws:sns:us-east-1:123456789012:alarms"
    doc = json.loads(topic_policy(arn, "123456789012", ["backup.amazonaws.com"]))
    sids = [s["Sid"] for s in doc["Statement"]]
    assert sids == ["AccountOwnsTopic", "BackupPublishes"]  # CloudWatch: the alarm topic
    for statement in doc["Statement"][1:]:
        assert statement["Action"] == "sns:Publish"
        assert statement["Resource"] == arn
        assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    assert doc["Statement"][0]["Principal"] == {"AWS": "123456789012"}


def _widgets(*watches: Watch) -> list[dict[str, Any]]:
    dims = [[dict(d) for d in w.series] for w in watches]
    return json.loads(dashboard_body("eu-west-1", watches, dims))["widgets"]


def test_dashboard_has_a_section_per_component_and_a_graph_per_metric() -> None:
    widgets = _widgets(CPU, LAG, THROTTLES)
    layout = [(w["type"], w["x"], w["y"], w["width"], w["height"]) for w in widgets]
    assert layout == [
        ("text", 0, 0, 24, 1),
        ("metric", 0, 1, 8, 6),
        ("metric", 8, 1, 8, 6),
        ("text", 0, 7, 24, 1),
        ("metric", 0, 8, 8, 6),
    ]
    assert widgets[0]["properties"] == {"markdown": "## redis"}
    assert widgets[3]["properties"] == {"markdown": "## dynamo-Orders"}
    lag = widgets[2]["properties"]
    assert lag["title"] == "redis: ReplicationLag"
    assert lag["region"] == "eu-west-1"
    assert lag["period"] == 300
    assert lag["annotations"] == {"horizontal": [{"label": "alarm", "value": 60.0}]}
    assert lag["metrics"] == [
        ["AWS/ElastiCache", "ReplicationLag", "CacheClusterId", "n0", {"stat": "Maximum"}],
        ["AWS/ElastiCache", "ReplicationLag", "CacheClusterId", "n1", {"stat": "Maximum"}],
    ]


def test_dashboard_draws_one_line_per_resource_and_wraps_after_three_graphs() -> None:
    watches = [
        Watch("rds", f"m{i}", "d", "AWS/RDS", f"Metric{i}", {"DBInstanceIdentifier": "db"},
              "Average", ABOVE, 1.0)
        for i in range(4)
    ]  # fmt: skip
    again = Watch("rds", "again", "d", "AWS/RDS", "Metric0", {"DBInstanceIdentifier": "db"},
                  "Average", ABOVE, 1.0)  # fmt: skip
    widgets = _widgets(*watches, again)
    graphs = [(w["x"], w["y"]) for w in widgets if w["type"] == "metric"]
    assert graphs == [(0, 1), (8, 1), (16, 1), (0, 7)]
    # The same series watched twice is drawn once.
    assert len(widgets[1]["properties"]["metrics"]) == 1
