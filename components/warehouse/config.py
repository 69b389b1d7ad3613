"""`dbtier:warehouse`: Redshift mode (provisioned RA3 or Serverless), size, database, snapshots."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from components.credentials import CredentialsConfig, parse_credentials
from components.parameters import Parameter, check_not_enforced, parse_parameters
from components.settings import ConfigError, Fields, offered, username
from components.windows import REDSHIFT_WINDOW_MINUTES, REDSHIFT_WINDOWS_DOCS, weekly
from policy.dbtier_policy import catalog

# Provisioned Redshift runs on RA3 only: the older node types lack managed storage.
REDSHIFT_NODE_TYPES = ("ra3.large", "ra3.xlplus", "ra3.4xlarge", "ra3.16xlarge")
# A provisioned cluster's weekly maintenance, after the other engines' (Redshift takes
# snapshots by data change and time, not in a window).
MAINTENANCE_WINDOW = "sun:06:30-sun:07:30"
# What the Warehouse's parameter group (and a Serverless workgroup) always sets: TLS only, and
# the user activity log its audit logging exports.
ENFORCED_PARAMETERS = {"require_ssl": "true", "enable_user_activity_logging": "true"}


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
    credentials: CredentialsConfig = field(default_factory=CredentialsConfig)
    """Who owns the admin password and how often it rotates."""
    maintenance_window: str = MAINTENANCE_WINDOW
    """Provisioned: weekly maintenance window, ddd:hh24:mi-ddd:hh24:mi UTC."""
    apply_immediately: bool = False
    """Provisioned: apply modifications now instead of in the maintenance window."""
    parameters: tuple[Parameter, ...] = ()
    """Provisioned: user parameters merged over dbtier's (never over the enforced ones)."""


def parse_warehouse(raw: Any, region: str | None = None) -> WarehouseConfig:
    """Parse `dbtier:warehouse`; a provisioned cluster's node type and count are checked against
    what Redshift offers (in `region`, when known) through the pack's catalog."""
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
        credentials=parse_credentials(f),
        maintenance_window=weekly(
            f,
            "maintenanceWindow",
            MAINTENANCE_WINDOW,
            REDSHIFT_WINDOW_MINUTES,
            REDSHIFT_WINDOWS_DOCS,
        ).text,
        apply_immediately=f.flag("applyImmediately", False),
        parameters=parse_parameters("dbtier:warehouse.parameters", f.get("parameters"), "redshift"),
    )
    f.done()
    # A setting of the other mode would be dropped without a word: refuse it, naming the mode.
    # Redshift Serverless has no maintenance window, no pending modifications and no parameter
    # group: AWS patches it and its workgroup takes only a fixed set of config parameters.
    inapplicable = {
        "serverless": (
            "nodes",
            "nodeType",
            "snapshotRetentionDays",
            "maintenanceWindow",
            "applyImmediately",
            "parameters",
        ),
        "provisioned": ("baseCapacity",),
    }
    for name in inapplicable[cfg.mode]:
        if f.has(name):
            raise ConfigError(
                f"dbtier:warehouse.{name} does not apply to mode {cfg.mode}; remove it"
                f" (or set mode {'provisioned' if cfg.mode == 'serverless' else 'serverless'})"
            )
    check_not_enforced("dbtier:warehouse.parameters", cfg.parameters, ENFORCED_PARAMETERS)
    if cfg.base_capacity % 8:
        raise ConfigError(
            f"dbtier:warehouse.baseCapacity must be a multiple of 8 RPUs (got {cfg.base_capacity})"
        )
    if cfg.enabled and cfg.mode == "provisioned":
        offered(
            "dbtier:warehouse.nodeType",
            lambda: catalog.generation_problem("redshift", cfg.node_type),
            lambda: region and catalog.redshift_node_type_problem(cfg.node_type, region),
        )
        offered(
            "dbtier:warehouse.nodes",
            lambda: catalog.redshift_node_count_problem(cfg.node_type, cfg.nodes),
        )
    return cfg


def warehouse_identifier(stack: str, name: str) -> str:
    """The Redshift cluster identifier (or Serverless namespace and workgroup name) of the
    component `name` in `stack`; config validation checks it against AWS's rules."""
    return f"{stack}-{name}".lower()
