"""A DynamoTable's global table replicas (`dbtier:regions`, DynamoDB global tables version
2019.11.21): where they are, what each replica block says, and what the alarms watch.

Replicas are declared on the table (its `replicas` blocks; DynamoDB creates the same table in
each region), each encrypted with its own region's key (`components.regions`), with the table's
point-in-time recovery and deletion protection, which DynamoDB keeps per replica. Replication
reads a NEW_AND_OLD_IMAGES stream: a replicated table without a stream of its own gets one (the
config refuses another view type). The stream processor stays in the home region.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi

from awsdata.global_databases import GLOBAL_TABLES_STREAM_VIEW
from components.alarms.watch import ABOVE, Watch
from components.dynamo.config import DynamoTableConfig
from components.placement import RegionPlacement

# Alarm when a region's replication falls this far behind, average over the period (ms):
# DynamoDB global tables replicate in about a second; a minute behind is an incident.
REPLICATION_LATENCY_MS = 60_000.0


def replica_blocks(cfg: DynamoTableConfig, replicas: Sequence[RegionPlacement]) -> list[Any]:
    """The table's `replicas` argument: each region with its key, PITR and deletion protection;
    None without replicas, so a single-region table's arguments do not change."""
    blocks = [
        {
            "region_name": r.region,
            "kms_key_arn": r.kms_key_arn,
            "point_in_time_recovery": cfg.point_in_time_recovery,
            "deletion_protection_enabled": cfg.deletion_protection,
            "propagate_tags": True,
        }
        for r in replicas
    ]
    return blocks or None  # type: ignore[return-value]


def stream_of(cfg: DynamoTableConfig, replicated: bool) -> str | None:
    """The table's stream view type: its own, or NEW_AND_OLD_IMAGES when replicated without one."""
    if cfg.schema.stream is None and replicated:
        return GLOBAL_TABLES_STREAM_VIEW
    return cfg.schema.stream


def replication_watches(
    component: str,
    cfg: DynamoTableConfig,
    regions: Sequence[str],
    table_name: pulumi.Output[str],
) -> list[Watch]:
    """ReplicationLatency to each replica region (published in the table's region, by
    ReceivingRegion); FILL 0 because it is published only while writes replicate, and
    AWS/DynamoDB alarms ignore treatMissingData."""
    return [
        Watch(
            component,
            f"replication-{region}",
            f"DynamoDB {cfg.schema.name}: replication to {region} behind",
            "AWS/DynamoDB",
            "ReplicationLatency",
            {"TableName": table_name, "ReceivingRegion": region},
            "Average",
            ABOVE,
            REPLICATION_LATENCY_MS,
            fill=0,
        )
        for region in regions
    ]
