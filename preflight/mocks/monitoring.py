"""CloudWatch alarms, dashboards and log groups, and the SNS topics alarms notify."""

from __future__ import annotations

from typing import Any

from preflight.mocks.account import Account, Builder, ident


def _metric_alarm(m: Account, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    alarm = i.get("name") or ident(name)
    return alarm, {"name": alarm, "arn": m.arn("cloudwatch", f"alarm:{alarm}")}


def _dashboard(m: Account, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    board = i.get("dashboardName") or ident(name)
    return board, {"dashboardArn": m.arn("cloudwatch", f"dashboard/{board}", region=False)}


def _log_group(m: Account, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    group = i.get("name") or ident(name)
    return group, {"name": group, "arn": m.arn("logs", f"log-group:{group}")}


def _sns_topic(m: Account, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    topic = i.get("name") or ident(name)
    arn = m.arn("sns", topic)
    return arn, {"name": topic, "arn": arn}


BUILDERS: dict[str, Builder] = {
    "aws:cloudwatch/metricAlarm:MetricAlarm": _metric_alarm,
    "aws:cloudwatch/dashboard:Dashboard": _dashboard,
    "aws:cloudwatch/logGroup:LogGroup": _log_group,
    "aws:sns/topic:Topic": _sns_topic,
}
