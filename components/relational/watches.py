"""What the alarms watch on the RelationalTier: every instance's CPU, storage, memory,
connections, I/O latency and (on burstable classes) CPU credits; every replica's lag and whether
it replicates at all; and what matters for the engine: PostgreSQL's transaction IDs and, when DMS
reads it, its replication slots; Oracle's swap (SQL Server's storage and memory are the common
FreeStorageSpace and FreeableMemory watches; it publishes no SwapUsage).

Metrics: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-metrics.html
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import pulumi

from awsdata import instance_classes, rds_engines
from components.alarms.config import AlarmsConfig
from components.alarms.rds_watches import instance_watches
from components.alarms.watch import ABOVE, BELOW, GIB, Watch
from components.relational.config import RelationalConfig

# PostgreSQL stops accepting writes near 2^31 transaction IDs (wraparound); AWS's early warning
# alarms at one billion, half-way:
# https://aws.amazon.com/blogs/database/implement-an-early-warning-system-for-transaction-id-wraparound-in-amazon-rds-for-postgresql/
MAX_TRANSACTION_IDS = 1_000_000_000
# A logical replication slot DMS stopped reading keeps WAL until the disk fills: alarm when the
# slots hold a quarter of the allocated storage
# (https://docs.aws.amazon.com/dms/latest/userguide/CHAP_Source.PostgreSQL.html, "ReplicationSlotDiskUsage").
SLOT_STORAGE_SHARE = 0.25
# Swap in use on Oracle: memory pressure on the instance (SwapUsage, bytes).
SWAP_BYTES = 256 * 1024**2


def relational_watches(
    cfg: RelationalConfig,
    alarms: AlarmsConfig,
    primary_id: pulumi.Output[str],
    replica_ids: Sequence[pulumi.Output[str]],
    cdc_source: bool = False,
    *,
    cross_region: Mapping[str, pulumi.Output[str]] | None = None,
) -> list[Watch]:
    """Per instance: CPU, storage, connections, memory, latency, credits; per replica: lag, and
    replication stopped; then the engine's own (`engine_watches`). A cross-region replica
    (`cross_region`: region -> identifier) has a local replica's watches, alarmed on in its
    region, where RDS publishes its metrics."""
    instances: list[tuple[str, pulumi.Output[str], str | None]] = [("primary", primary_id, None)]
    instances += [(f"replica-{i}", id_, None) for i, id_ in enumerate(replica_ids, 1)]
    instances += [(f"replica-{r}", id_, r) for r, id_ in (cross_region or {}).items()]
    return [
        replace(watch, region=region)
        for role, instance_id, region in instances
        for watch in _instance(cfg, alarms, role, instance_id)
    ] + engine_watches(cfg, {"DBInstanceIdentifier": primary_id}, cdc_source)


def _instance(
    cfg: RelationalConfig, alarms: AlarmsConfig, role: str, instance_id: pulumi.Output[str]
) -> list[Watch]:
    """The watches of one instance (`role`: primary or a replica)."""
    memory = instance_classes.class_memory_gib(cfg.instance_class)
    watches = []
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


def engine_watches(
    cfg: RelationalConfig, dims: dict[str, pulumi.Input[str]], cdc_source: bool
) -> list[Watch]:
    """What the engine itself can run out of, on the primary: PostgreSQL's transaction IDs (and
    the WAL its replication slots hold when DMS reads it), Oracle's memory (swap in use)."""
    family = rds_engines.engine(cfg.engine).family
    watches: list[Watch] = []
    if family == "postgres":
        watches.append(
            Watch(
                "relational",
                "primary-transaction-ids",
                f"RDS primary: more than {MAX_TRANSACTION_IDS:,} transaction IDs used; vacuum"
                " before wraparound stops writes",
                "AWS/RDS",
                "MaximumUsedTransactionIDs",
                dims,
                "Maximum",
                ABOVE,
                MAX_TRANSACTION_IDS,
            )
        )
    if family == "postgres" and cdc_source:
        slot_gib = cfg.allocated_storage * SLOT_STORAGE_SHARE
        watches.append(
            Watch(
                "relational",
                "primary-replication-slots",
                f"RDS primary: replication slots hold more than {slot_gib:g} GiB of WAL (is DMS"
                " reading?)",
                "AWS/RDS",
                "ReplicationSlotDiskUsage",
                dims,
                "Maximum",
                ABOVE,
                slot_gib * GIB,
            )
        )
    if family == "oracle":
        watches.append(
            Watch(
                "relational",
                "primary-swap",
                f"RDS primary: more than {SWAP_BYTES // 1024**2} MiB of swap in use",
                "AWS/RDS",
                "SwapUsage",
                dims,
                "Maximum",
                ABOVE,
                SWAP_BYTES,
            )
        )
    return watches
