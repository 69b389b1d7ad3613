"""What the alarms watch on the ServerlessAurora cluster: CPU, ACU use, reader lag."""

from __future__ import annotations

import pulumi

from components.alarms.config import AlarmsConfig
from components.alarms.watch import ABOVE, Watch
from components.aurora.config import AuroraConfig


def aurora_watches(
    cfg: AuroraConfig, alarms: AlarmsConfig, cluster_id: pulumi.Output[str]
) -> list[Watch]:
    """Cluster CPU and ACU use against its maximum; reader lag when there are readers."""
    dims = {"DBClusterIdentifier": cluster_id}
    watches = [
        Watch(
            "aurora",
            "cpu",
            f"Aurora: CPU above {alarms.cpu_percent:g}% for 15 minutes",
            "AWS/RDS",
            "CPUUtilization",
            dims,
            "Average",
            ABOVE,
            alarms.cpu_percent,
        ),
        Watch(
            "aurora",
            "acu",
            f"Aurora: above {alarms.acu_percent:g}% of maxCapacity"
            f" ({cfg.max_capacity:g} ACU); raise dbtier:aurora.maxCapacity",
            "AWS/RDS",
            "ACUUtilization",
            dims,
            "Average",
            ABOVE,
            alarms.acu_percent,
        ),
    ]
    if cfg.readers:
        watches.append(
            Watch(
                "aurora",
                "replica-lag",
                f"Aurora: a reader more than {alarms.replica_lag_seconds:g} s behind the writer",
                "AWS/RDS",
                "AuroraReplicaLagMaximum",
                dims,
                "Maximum",
                ABOVE,
                alarms.replica_lag_seconds * 1000,  # milliseconds
            )
        )
    return watches
