"""What the alarms watch on the ServerlessAurora cluster: ACU use and reader lag of the cluster,
and CPU, connections, memory and latency of the writer and of the readers by role."""

from __future__ import annotations

import pulumi

from awsdata import aurora
from components.alarms.config import AlarmsConfig
from components.alarms.rds_watches import instance_watches
from components.alarms.watch import ABOVE, Watch
from components.aurora.config import AuroraConfig


def aurora_watches(
    cfg: AuroraConfig, alarms: AlarmsConfig, cluster_id: pulumi.Output[str]
) -> list[Watch]:
    """Cluster ACU use against its maximum; reader lag when there are readers; per role (the
    WRITER, and the READERs together) CPU, connections, memory and I/O latency."""
    dims = {"DBClusterIdentifier": cluster_id}
    watches = [
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
    # Serverless v2 reports FreeableMemory as what is left at maxCapacity, and its
    # max_connections follows the memory of maxCapacity (2 GiB per ACU):
    # https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2.viewing.monitoring.html
    memory = cfg.max_capacity * aurora.ACU_GIB
    # AWS/RDS publishes Aurora metrics by DBClusterIdentifier and Role (WRITER or READER):
    # https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/dimensions.html
    roles = [("writer", "WRITER")] + ([("reader", "READER")] if cfg.readers else [])
    for role, value in roles:
        watches += instance_watches(
            "aurora",
            role,
            {"DBClusterIdentifier": cluster_id, "Role": value},
            alarms,
            label="Aurora",
            engine=cfg.engine,
            instance_class="db.serverless",
            memory_gib=memory,
            writes=role == "writer",
        )
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


# The global database's lag metrics, published by each secondary cluster in its own region, in
# milliseconds: how far its storage is behind the primary, and how much recent data a failover
# to it would lose (AuroraGlobalDBRPOLag).
# https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-monitoring.html
GLOBAL_LAG_METRICS = (
    ("global-lag", "AuroraGlobalDBReplicationLag", "replication behind the primary"),
    ("global-rpo-lag", "AuroraGlobalDBRPOLag", "recovery point behind the primary"),
)


def global_watches(
    alarms: AlarmsConfig, secondaries: list[tuple[str, pulumi.Output[str]]]
) -> list[Watch]:
    """Per secondary cluster (region, identifier) of the global database, its replication and
    RPO lag, alarmed in its region (where AWS/RDS publishes them) above `replicaLagSeconds`."""
    return [
        Watch(
            "aurora",
            f"{region}-{role}",
            f"Aurora global database: {region}'s {what} by more than"
            f" {alarms.replica_lag_seconds:g} s",
            "AWS/RDS",
            metric,
            {"DBClusterIdentifier": cluster_id},
            "Maximum",
            ABOVE,
            alarms.replica_lag_seconds * 1000,  # milliseconds
            region=region,
        )
        for region, cluster_id in secondaries
        for role, metric, what in GLOBAL_LAG_METRICS
    ]
