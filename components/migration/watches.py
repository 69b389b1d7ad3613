"""What the alarms watch on the Migration: the replication instance and the task's CDC latency."""

from __future__ import annotations

import pulumi

from components.alarms.config import AlarmsConfig
from components.alarms.watch import ABOVE, BELOW, GIB, Watch


def migration_watches(
    alarms: AlarmsConfig,
    instance_id: pulumi.Output[str],
    task_resource_id: pulumi.Output[str],
) -> list[Watch]:
    """Replication instance CPU and free storage; CDC latency at the source and the target."""
    instance = {"ReplicationInstanceIdentifier": instance_id}
    task = {
        "ReplicationInstanceIdentifier": instance_id,
        "ReplicationTaskIdentifier": task_resource_id,
    }
    return [
        Watch(
            "migration",
            "instance-cpu",
            f"DMS instance: CPU above {alarms.cpu_percent:g}%",
            "AWS/DMS",
            "CPUUtilization",
            instance,
            "Average",
            ABOVE,
            alarms.cpu_percent,
        ),
        Watch(
            "migration",
            "instance-storage",
            f"DMS instance: less than {alarms.free_storage_gib:g} GiB of storage free",
            "AWS/DMS",
            "FreeStorageSpace",
            instance,
            "Minimum",
            BELOW,
            alarms.free_storage_gib * GIB,
        ),
        *(
            Watch(
                "migration",
                f"cdc-latency-{side.lower()}",
                f"DMS task: changes more than {alarms.cdc_latency_seconds:g} s late at the"
                f" {side.lower()}",
                "AWS/DMS",
                f"CDCLatency{side}",
                task,
                "Maximum",
                ABOVE,
                alarms.cdc_latency_seconds,
            )
            for side in ("Source", "Target")
        ),
    ]
