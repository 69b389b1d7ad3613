"""Performance Insights and Database Insights: the classes on which RDS and Aurora refuse them,
the retention periods RDS accepts, and what advanced Database Insights needs.

Not in cfn-lint; the tables are our own, from AWS's pages:

- classes without Performance Insights (CreateDBInstance fails with
  InvalidParameterCombination):
  https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DatabaseInsights.Engines.html,
  https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PerfInsights.Overview.Engines.html,
  https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_DatabaseInsights.Engines.html;
- retention periods: CreateDBInstance/CreateDBCluster ``PerformanceInsightsRetentionPeriod``,
  https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html;
- advanced mode: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DatabaseInsights.html
  and, for DB clusters,
  https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html.
"""

from __future__ import annotations

from .support import LABELS

# Classes on which Performance Insights / Database Insights is refused.
# RDS: "RDS for MySQL ... isn't supported for the following instance classes: db.t2.micro,
#      db.t2.small, db.t3.micro, db.t3.small, db.t4g.micro, db.t4g.small" (same for MariaDB).
# Aurora MySQL: not on db.t2.*, db.t3.*, db.t4g.micro, db.t4g.small; db.serverless is supported.
_SMALL_BURSTABLE = ("db.t2.micro", "db.t2.small", "db.t3.micro", "db.t3.small")
PI_UNSUPPORTED: dict[str, tuple[str, ...]] = {
    "mysql": (*_SMALL_BURSTABLE, "db.t4g.micro", "db.t4g.small"),
    "mariadb": (*_SMALL_BURSTABLE, "db.t4g.micro", "db.t4g.small"),
    "aurora-mysql": ("db.t2.", "db.t3.", "db.t4g.micro", "db.t4g.small"),
}
PI_DOCS = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DatabaseInsights.Engines.html"
)


def performance_insights_supported(engine: str, instance_class: str) -> bool:
    """False where AWS refuses Performance Insights for ``engine`` on ``instance_class``."""
    return not any(
        instance_class == c or (c.endswith(".") and instance_class.startswith(c))
        for c in PI_UNSUPPORTED.get(engine, ())
    )


def performance_insights_problem(engine: str, instance_class: str) -> str | None:
    """Why AWS refuses Performance Insights for ``engine`` on ``instance_class``, or None."""
    if performance_insights_supported(engine, instance_class):
        return None
    return (
        f"Performance Insights is not offered for {LABELS.get(engine, engine)} on"
        f" {instance_class} (not on {', '.join(PI_UNSUPPORTED[engine])}; db.t4g.medium and"
        " larger support it)"
    )


# Performance Insights retention and Database Insights modes, as the RDS API takes them.
# PerformanceInsightsRetentionPeriod: "7, month * 31, where month is a number of months from
# 1-23, 731" (CreateDBInstance/CreateDBCluster, botocore's rds model; terraform-provider-aws
# validates the same: IntInSlice(7, 731) or divisible by 31 up to 731).
PI_RETENTION_DAYS: tuple[int, ...] = (7, *(31 * m for m in range(1, 24)), 731)
INSIGHTS_MODES = ("standard", "advanced")
# "To enable the Advanced mode of Database Insights, you must enable Performance Insights and set
# the Performance Insights retention period to at least 465 days (15 months)" (USER_DatabaseInsights
# page, Considerations).
ADVANCED_MIN_RETENTION = 465
INSIGHTS_DOCS = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DatabaseInsights.html"
# A DB cluster takes exactly that retention, not more: "If you set this value to advanced, you
# must also set the PerformanceInsightsEnabled parameter to true and the
# PerformanceInsightsRetentionPeriod parameter to 465" (CreateDBCluster DatabaseInsightsMode,
# botocore's rds model; ModifyDBCluster says the same). RDS instances keep "at least 465" above.
CLUSTER_INSIGHTS_DOCS = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html"
)


def retention_problem(days: int) -> str | None:
    """Why RDS refuses ``days`` of Performance Insights retention, or None."""
    if days in PI_RETENTION_DAYS:
        return None
    return f"{days} is not a retention RDS accepts (7, a multiple of 31 up to 713, or 731 days)"


def insights_problem(
    mode: str | None, pi_enabled: bool, retention: int | None, cluster: bool = False
) -> str | None:
    """Why RDS refuses this Database Insights mode with these Performance Insights settings
    (`cluster`: on a DB cluster, which takes exactly 465 days)."""
    if mode != "advanced":
        return None
    if not pi_enabled:
        return "advanced Database Insights needs Performance Insights on"
    if cluster and retention != ADVANCED_MIN_RETENTION:
        return (
            f"advanced Database Insights on a DB cluster takes exactly {ADVANCED_MIN_RETENTION}"
            f" days of Performance Insights retention (got {retention or 7}; CreateDBCluster:"
            ' "you must also set ... the PerformanceInsightsRetentionPeriod parameter to 465")'
        )
    if (retention or 7) < ADVANCED_MIN_RETENTION:
        return (
            f"advanced Database Insights needs at least {ADVANCED_MIN_RETENTION} days of"
            f" Performance Insights retention (got {retention or 7})"
        )
    return None
