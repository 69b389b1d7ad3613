"""What the alarms watch on the RelationalTier: every instance's CPU, storage, memory,
connections, I/O latency and (on burstable classes) CPU credits; every replica's lag and whether
it replicates at all."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi

from awsdata import instance_classes
from components.alarms.config import AlarmsConfig
from components.alarms.rds_watches import instance_watches
from components.alarms.watch import ABOVE, BELOW, GIB, Watch
from components.relational.config import RelationalConfig


def relational_watches(
    cfg: RelationalConfig,
    alarms: AlarmsConfig,
    primary_id: pulumi.Output[str],
    replica_ids: Sequence[pulumi.Output[str]],
) -> list[Watch]:
    """Per instance: CPU, storage, connections, memory, latency, credits; per replica: lag, and
    replication stopped."""
    instances = [("primary", primary_id)]
    instances += [(f"replica-{i}", replica_id) for i, replica_id in enumerate(replica_ids, 1)]
    memory = instance_classes.class_memory_gib(cfg.instance_class)
    watches = []
    for role, instance_id in instances:
        dims: dict[str, pulumi.Input[str]] = {"DBInstanceIdentifier": instance_id}
        watches += instance_watches(
            "relational",
            role,
            dims,
            alarms,
            label="RDS",
            engine=cfg.engine,
            instance_class=cfg.instance_class,
            memory_gib=memory,
        )
        watches.append(
            Watch(
                "relational",
                f"{role}-storage",
                f"RDS {role}: less than {alarms.free_storage_gib:g} GiB of storage free",
                "AWS/RDS",
                "FreeStorageSpace",
                dims,
                "Minimum",
                BELOW,
                alarms.free_storage_gib * GIB,
            )
        )
        if role != "primary":
            watches += [
                Watch(
                    "relational",
                    f"{role}-lag",
                    f"RDS {role}: more than {alarms.replica_lag_seconds:g} s behind the primary",
                    "AWS/RDS",
                    "ReplicaLag",
                    dims,
                    "Maximum",
                    ABOVE,
                    alarms.replica_lag_seconds,
                ),
                # A replica whose replication stopped reports ReplicaLag -1 ("replication is
                # currently not active", Seconds_Behind_Master NULL), which the lag alarm above
                # reads as healthy; a replica that publishes nothing at all is down or gone:
                # https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_MySQL.Replication.ReadReplicas.Monitor.html
                Watch(
                    "relational",
                    f"{role}-replication-stopped",
                    f"RDS {role}: replication is not running (ReplicaLag -1 or no data)",
                    "AWS/RDS",
                    "ReplicaLag",
                    dims,
                    "Minimum",
                    BELOW,
                    0,
                    missing="breaching",
                ),
            ]
    return watches
