"""`dbtier:warehouse`: Redshift mode (provisioned RA3 or Serverless), size, database, snapshots."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from components.settings import ConfigError, Fields, username

# Provisioned Redshift runs on RA3 only: the older node types lack managed storage.
REDSHIFT_NODE_TYPES = ("ra3.large", "ra3.xlplus", "ra3.4xlarge", "ra3.16xlarge")


@dataclass(frozen=True)
class WarehouseConfig:
    enabled: bool = True
    mode: Literal["provisioned", "serverless"] = "provisioned"
    node_type: str = "ra3.large"
    nodes: int = 1
    base_capacity: int = 8
    database_name: str = "analytics"
    username: str = "whadmin"
    snapshot_retention_days: int = 7


def parse_warehouse(raw: Any) -> WarehouseConfig:
    d = WarehouseConfig()
    f = Fields("dbtier:warehouse", raw)
    cfg = WarehouseConfig(
        enabled=f.flag("enabled", d.enabled),
        mode=f.choice("mode", d.mode, ("provisioned", "serverless")),
        node_type=f.choice("nodeType", d.node_type, REDSHIFT_NODE_TYPES),
        nodes=f.integer("nodes", d.nodes, 1, 128),
        base_capacity=f.integer("baseCapacity", d.base_capacity, 8, 1024),
        database_name=f.text(
            "databaseName",
            d.database_name,
            r"[a-z][a-z0-9_]{0,63}",
            "lower-case letters, digits or _",
        ),
        username=username(f, d.username, "Redshift"),
        snapshot_retention_days=f.integer(
            "snapshotRetentionDays", d.snapshot_retention_days, 1, 35
        ),
    )
    f.done()
    if cfg.base_capacity % 8:
        raise ConfigError(
            f"dbtier:warehouse.baseCapacity must be a multiple of 8 RPUs (got {cfg.base_capacity})"
        )
    if cfg.node_type == "ra3.large" and cfg.nodes > 16:
        raise ConfigError(f"dbtier:warehouse.nodes must be <= 16 for ra3.large (got {cfg.nodes})")
    if cfg.node_type == "ra3.xlplus" and cfg.nodes > 32:
        raise ConfigError(f"dbtier:warehouse.nodes must be <= 32 for ra3.xlplus (got {cfg.nodes})")
    return cfg
