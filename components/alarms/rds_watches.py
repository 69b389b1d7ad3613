"""The instance-level watches RDS instances and Aurora roles share: CPU, connections, freeable
memory, read/write latency, and CPU credits on burstable classes."""

from __future__ import annotations

import pulumi

from awsdata import instance_classes
from components.alarms.config import AlarmsConfig
from components.alarms.watch import ABOVE, BELOW, GIB, Watch


def instance_watches(
    component: str,
    role: str,
    dims: dict[str, pulumi.Input[str]],
    alarms: AlarmsConfig,
    *,
    label: str,
    engine: str,
    instance_class: str,
    memory_gib: float | None,
    writes: bool = True,
) -> list[Watch]:
    """CPU, connections, freeable memory, read (and write) latency and burst credits of one
    database instance or Aurora role; the connection and memory thresholds are shares of the
    class's memory and the engine's default max_connections for it (catalog)."""
    who = f"{label} {role}"
    watches = [
        Watch(
            component,
            f"{role}-cpu",
            f"{who}: CPU above {alarms.cpu_percent:g}% for 15 minutes",
            "AWS/RDS",
            "CPUUtilization",
            dims,
            "Average",
            ABOVE,
            alarms.cpu_percent,
        ),
    ]
    limit = (
        None if memory_gib is None else instance_classes.default_max_connections(engine, memory_gib)
    )
    if limit is not None:
        connections = max(1, int(limit * alarms.connections_percent / 100))
        watches.append(
            Watch(
                component,
                f"{role}-connections",
                f"{who}: more than {connections} connections ({alarms.connections_percent:g}% of"
                f" the default max_connections {limit} for {instance_class})",
                "AWS/RDS",
                "DatabaseConnections",
                dims,
                "Maximum",
                ABOVE,
                connections,
            )
        )
    if memory_gib is not None:
        watches.append(
            Watch(
                component,
                f"{role}-memory",
                f"{who}: less than {alarms.free_memory_percent:g}% of {memory_gib:g} GiB memory"
                " free",
                "AWS/RDS",
                "FreeableMemory",
                dims,
                "Minimum",
                BELOW,
                memory_gib * GIB * alarms.free_memory_percent / 100,
            )
        )
    for direction in ("read", "write") if writes else ("read",):
        watches.append(
            Watch(
                component,
                f"{role}-{direction}-latency",
                f"{who}: average {direction} latency above {alarms.latency_ms:g} ms",
                "AWS/RDS",
                f"{direction.capitalize()}Latency",
                dims,
                "Average",
                ABOVE,
                alarms.latency_ms / 1000,  # seconds
            )
        )
    if instance_classes.is_burstable(instance_class):
        # RDS runs db.t3 and db.t4g in Unlimited mode: at a zero balance the instance keeps
        # bursting and AWS bills the surplus credits (CPU above baseline averaged over 24 hours),
        # so this alarm is about cost, not throttling (only db.t2 drops to its baseline):
        # https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.Types.html
        # https://aws.amazon.com/rds/instance-types/ (burstable performance instances)
        watches.append(
            Watch(
                component,
                f"{role}-cpu-credits",
                f"{who}: fewer than {alarms.cpu_credit_balance:g} CPU credits left on"
                f" {instance_class}; at zero it keeps bursting (Unlimited mode) and surplus"
                " credits are billed",
                "AWS/RDS",
                "CPUCreditBalance",
                dims,
                "Minimum",
                BELOW,
                alarms.cpu_credit_balance,
            )
        )
    return watches
