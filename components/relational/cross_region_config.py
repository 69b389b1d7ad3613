"""`dbtier:relational.backupsTo` and `dbtier:relational.crossRegionReplicas`: where the
primary's automated backups are replicated, for how long, and which secondary regions
(`dbtier:regions`) hold a read replica of it.

Parsed with the rest of `dbtier:relational`; checked against `dbtier:regions` and
`dbtier:network.regions` by `components.regions_config.check_regions`, which knows both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from awsdata import rds_engines
from awsdata.global_databases import CROSS_REGION_BACKUPS_DOCS
from components.settings import ConfigError, Fields
from contract.echo import echo
from contract.fielddoc import doc

KEY = "dbtier:relational"
REPLICATE_BACKUPS_DOCS = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReplicateBackups.html"
)
CROSS_REGION_REPLICA_DOCS = (
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.XRgn.html"
)
# Replicated backups are kept 1-35 days, the bounds of an instance's own automated backups
# (BackupRetentionPeriod 0-35, 0 being "no backups", which has nothing to replicate):
# https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html
RETENTION_BOUNDS = (1, 35)


@dataclass(frozen=True)
class BackupsToConfig:
    region: str = field(
        metadata=doc(
            "The secondary region the primary's automated backups are replicated to.",
            rule="one of dbtier:regions",
        ),
    )
    retention_days: int | None = field(
        default=None,
        metadata=doc(
            "Days the replicated backups are kept there.",
            lo=RETENTION_BOUNDS[0],
            hi=RETENTION_BOUNDS[1],
            default="the primary's backupRetentionDays",
            aws=REPLICATE_BACKUPS_DOCS,
        ),
    )


BACKUPS_TO_DOC = doc(
    "Where the primary's automated backups (snapshots and transaction logs) are replicated,"
    " encrypted with that region's key, for a point-in-time restore there.",
    default="with dbtier:regions: the first one, for backupRetentionDays",
    aws=CROSS_REGION_BACKUPS_DOCS,
)
CROSS_REGION_REPLICAS_DOC = doc(
    "Secondary regions holding a read replica of the primary, encrypted with that region's key,"
    " in a subnet group of dbtier:network.regions.<region>.subnetIds, with a ReplicaLag alarm"
    " there.",
    rule="each one of dbtier:regions, once, with dbtier:network.regions.<region>",
    aws=CROSS_REGION_REPLICA_DOCS,
)


class CrossRegion(Protocol):
    """What of `RelationalConfig` this module reads (it declares the two fields with the docs
    above; importing it here would be a cycle)."""

    @property
    def engine(self) -> str: ...
    @property
    def read_replicas(self) -> int: ...
    @property
    def backups_to(self) -> BackupsToConfig | None: ...
    @property
    def cross_region_replicas(self) -> tuple[str, ...]: ...


def backups_region(cfg: CrossRegion, regions: Sequence[str]) -> str | None:
    """Where the backups go: `backupsTo.region`, or the first of `regions` (None: nowhere)."""
    if cfg.backups_to is not None:
        return cfg.backups_to.region
    return regions[0] if regions else None


def parse_cross_region(f: Fields) -> dict[str, Any]:
    """`backupsTo` and `crossRegionReplicas` of `dbtier:relational` (the object `f` reads)."""
    backups_to = None
    if f.has("backupsTo"):
        b = f.obj("backupsTo")
        retention = b.integer("retentionDays", None, *RETENTION_BOUNDS)
        region = b.text("region", None)
        b.done()
        if region is None:
            raise ConfigError(f"{KEY}.backupsTo.region is required")
        backups_to = BackupsToConfig(region, retention)
    return {
        "backups_to": backups_to,
        "cross_region_replicas": f.strings("crossRegionReplicas") or (),
    }


def check_cross_region(
    cfg: CrossRegion, regions: Sequence[str], networks: Mapping[str, Any]
) -> None:
    """Every region named is one of `dbtier:regions`; a replica's region has a network with
    subnets (its subnet group), named by key."""
    listed = f"dbtier:regions ({', '.join(regions) or 'none'})"
    if cfg.backups_to is not None and cfg.backups_to.region not in regions:
        raise ConfigError(
            f"{KEY}.backupsTo.region: {echo(cfg.backups_to.region, 40)} is not one of {listed}"
        )
    e, total = rds_engines.engine(cfg.engine), cfg.read_replicas + len(cfg.cross_region_replicas)
    if cfg.cross_region_replicas and total > e.max_replicas:
        raise ConfigError(
            f"{KEY}.crossRegionReplicas: {e.label} has at most {e.max_replicas} read replicas,"
            f" in the home region and others together (got {total})"
        )
    for i, region in enumerate(cfg.cross_region_replicas):
        where = f"{KEY}.crossRegionReplicas[{i}]"
        if region not in regions:
            raise ConfigError(f"{where}: {echo(region, 40)} is not one of {listed}")
        network = networks.get(region)
        if network is None or not network.subnet_ids:
            raise ConfigError(
                f"{where}: a replica in {region} needs dbtier:network.regions.{region}.vpcId and"
                " subnetIds (its DB subnet group there)"
            )
