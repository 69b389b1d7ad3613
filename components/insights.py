"""Database Insights and Performance Insights retention, as `dbtier:relational` and
`dbtier:aurora` both read them (`databaseInsightsMode`, `performanceInsightsRetentionDays`).

The limits are `awsdata.rds_insights`'s (`PI_RETENTION_DAYS`, `insights_problem`), which the policy pack's
deployability rule asks too, so config and pack refuse the same combinations.
"""

from __future__ import annotations

from typing import Literal

from awsdata import rds_insights
from components.settings import ConfigError, Fields

InsightsMode = Literal["standard", "advanced"]


def parse_insights(
    f: Fields, pi_enabled: bool, pi_problem: str | None, cluster: bool = False
) -> tuple[InsightsMode, int]:
    """(databaseInsightsMode, performanceInsightsRetentionDays) of one config object.

    `pi_enabled`: Performance Insights is on; `pi_problem`: why the class cannot have it (None
    when it can); `cluster`: the settings are an Aurora cluster's, where advanced mode takes
    exactly 465 days (CreateDBCluster), not the "at least 465" of an RDS instance (user guide,
    Considerations). Advanced mode defaults its retention to 465 days.
    """
    mode: InsightsMode = f.choice("databaseInsightsMode", "standard", rds_insights.INSIGHTS_MODES)
    default = rds_insights.ADVANCED_MIN_RETENTION if mode == "advanced" else 7
    retention = f.integer("performanceInsightsRetentionDays", default, 7, 731)
    key = f.key
    if problem := rds_insights.retention_problem(retention):
        raise ConfigError(f"{key}.performanceInsightsRetentionDays: {problem}")
    if mode == "advanced" and pi_problem:
        raise ConfigError(
            f"{key}.databaseInsightsMode advanced: {pi_problem}; use standard or a larger class"
        )
    if problem := rds_insights.insights_problem(mode, pi_enabled, retention, cluster):
        if not pi_enabled:
            fix = "turn performanceInsights on"
        elif cluster:
            fix = "set performanceInsightsRetentionDays to 465"
        else:
            fix = "set performanceInsightsRetentionDays to 465 or more"
        docs = rds_insights.CLUSTER_INSIGHTS_DOCS if cluster else rds_insights.INSIGHTS_DOCS
        raise ConfigError(f"{key}.databaseInsightsMode advanced: {problem}; {fix} ({docs})")
    return mode, retention


# Enhanced Monitoring intervals RDS accepts (CreateDBInstance/CreateDBCluster MonitoringInterval).
MONITORING_INTERVALS = (0, 1, 5, 10, 15, 30, 60)


def parse_monitoring_interval(f: Fields, default: int) -> int:
    """`monitoringInterval`: seconds between Enhanced Monitoring samples, 0 for off."""
    interval = f.integer("monitoringInterval", default, 0, 60)
    if interval not in MONITORING_INTERVALS:
        listed = ", ".join(map(str, MONITORING_INTERVALS))
        raise ConfigError(f"{f.key}.monitoringInterval must be one of {listed} (got {interval})")
    return interval
