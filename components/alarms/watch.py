"""`Watch`: one metric of one resource and when it is unhealthy, as a component describes it.

Each component builds the watches of its own resources (its `watches()` method), naming them by
their own Outputs, so every alarm depends on exactly the resource it watches. The `Alarms`
component turns the watches of every enabled component into alarms and one dashboard.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import pulumi

from components.alarms.config import AlarmsConfig

GIB = 1024**3
ABOVE = "GreaterThanThreshold"
AT_LEAST = "GreaterThanOrEqualToThreshold"
BELOW = "LessThanThreshold"


@dataclass(frozen=True)
class Watch:
    """One metric of one resource, and when it is unhealthy."""

    component: str
    """The dbtier component it belongs to (alarm names and dashboard sections)."""
    role: str
    """What is watched, unique within the component: primary-cpu, index-EmailIndex-read-throttles."""
    description: str
    """What the alarm means, for the person it wakes."""
    namespace: str
    """CloudWatch namespace (AWS/RDS ...)."""
    metric: str
    """Metric name."""
    dimensions: Mapping[str, pulumi.Input[str]]
    """Dimensions naming the watched resource, from its Outputs."""
    statistic: str
    """Average, Maximum, Minimum or Sum."""
    comparison: str
    """GreaterThanThreshold, GreaterThanOrEqualToThreshold or LessThanThreshold."""
    threshold: float
    """Alarm threshold in the metric's unit."""
    period: int = 300
    """Seconds per datapoint."""
    evaluation_periods: int = 3
    """Datapoints evaluated; all of them must breach."""
    more_dimensions: Sequence[Mapping[str, pulumi.Input[str]]] = ()
    """Further resources whose same metric is combined with `dimensions` by MAX: one alarm for
    a metric that only some of them publish at a time (ElastiCache ReplicationLag comes from
    whichever nodes are replicas now)."""
    missing: str = "notBreaching"
    """What a period without data counts as (treatMissingData): notBreaching for metrics that
    are quiet when healthy; breaching where silence itself is the failure (a stopped replica)."""
    fill: float | None = None
    """Value for periods without a datapoint (metric math FILL): for metrics published only when
    something happens, in namespaces whose alarms ignore `treatMissingData` (AWS/DynamoDB)."""
    region: str | None = None
    """The secondary region (dbtier:regions) that publishes the metric, or None for the home
    region: the alarm is created there and notifies that region's topic (`region_topic`)."""

    @property
    def series(self) -> tuple[Mapping[str, pulumi.Input[str]], ...]:
        """The dimension sets of every series the alarm evaluates, `dimensions` first."""
        return (self.dimensions, *self.more_dimensions)

    @property
    def uses_math(self) -> bool:
        """Whether the alarm is a metric-math expression rather than a single metric."""
        return bool(self.more_dimensions) or self.fill is not None

    def expression(self) -> str:
        """The metric-math expression over `m1..mN` (one id per series)."""
        ids = [f"m{i}" for i in range(1, len(self.series) + 1)]
        expression = ids[0] if len(ids) == 1 else f"MAX([{', '.join(ids)}])"
        if self.fill is not None:
            expression = f"FILL({expression}, {self.fill:g})"
        return expression


class Watched(Protocol):
    """A part of the tier that knows which of its metrics to alarm on."""

    def watches(self, alarms: AlarmsConfig) -> Sequence[Watch]:
        """The health metrics of this part's resources, with thresholds from `alarms`."""
        ...
