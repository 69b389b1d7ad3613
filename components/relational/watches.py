"""What the alarms watch on the RelationalTier: every instance's CPU and storage, replica lag."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi

from components.alarms.config import AlarmsConfig
from components.alarms.watch import ABOVE, BELOW, GIB, Watch


def relational_watches(
    alarms: AlarmsConfig,
    primary_id: pulumi.Output[str],
    replica_ids: Sequence[pulumi.Output[str]],
) -> list[Watch]:
    """CPU and free storage of the primary and every replica; replica lag of every replica."""
    instances = [("primary", primary_id)]
    instances += [(f"replica-{i}", replica_id) for i, replica_id in enumerate(replica_ids, 1)]
    watches = []
    for role, instance_id in instances:
        dims = {"DBInstanceIdentifier": instance_id}
        watches += [
            Watch(
                "relational",
                f"{role}-cpu",
                f"RDS {role}: CPU above {alarms.cpu_percent:g}% for 15 minutes",
                "AWS/RDS",
                "CPUUtilization",
                dims,
                "Average",
                ABOVE,
                alarms.cpu_percent,
            ),
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
            ),
        ]
        if role != "primary":
            watches.append(
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
                )
            )
    return watches
