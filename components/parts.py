"""The parts a stack can enable, and how each is wired to what the stack shares.

A part is created from the stack config and the `Tier` built so far (provider options, the
stack key, the network, the parts created before it); it exports one object under its key
(`outputs()`, shaped by `contract`) and names the metrics the alarms watch (`watches()`).
`PARTS` lists them in the order they are created, which is also the order of the dashboard.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, TypedDict, TypeVar

import pulumi

from awsdata import rds_engines
from components.alarms.watch import Watched
from components.aurora.resources import ServerlessAurora, ServerlessAuroraArgs
from components.aurora.secondary import AuroraRegion
from components.base import RotationAccess
from components.dynamo.resources import DynamoTables
from components.migration.resources import Migration, MigrationArgs
from components.network.resources import DatabaseNetwork, DatabaseNetworkArgs
from components.network.shape import AURORA_POSTGRES_PORT
from components.redis.resources import RedisCluster, RedisClusterArgs
from components.regions import SecondaryRegion
from components.relational.cross_region import ReplicaRegion
from components.relational.cross_region_config import backups_region
from components.relational.resources import RelationalTier, RelationalTierArgs
from components.stack_config import StackConfig
from components.warehouse.resources import Warehouse, WarehouseArgs

P = TypeVar("P")


class Part(Watched, Protocol):
    """One enabled part of the tier, as the stack sees it."""

    def outputs(self) -> dict[str, object]:
        """The object the stack exports under this part's key."""
        ...

    def backup_arns(self) -> dict[str, list[pulumi.Output[str]]]:
        """ARNs of what AWS Backup must back up, by its resource type (RDS, Aurora, DynamoDB,
        Redshift); empty when the part holds nothing AWS Backup backs up."""
        ...


@dataclass
class Tier:
    """What the parts are built from: config, provider options, stack key, network, other parts."""

    config: StackConfig
    opts: pulumi.ResourceOptions
    kms_key_arn: pulumi.Output[str]
    network: DatabaseNetwork
    parts: dict[str, Part] = field(default_factory=dict)
    regions: dict[str, SecondaryRegion] = field(default_factory=dict)
    """The secondary regions (dbtier:regions): each one's provider options and key."""
    networks: dict[str, DatabaseNetwork] = field(default_factory=dict)
    """The networks of secondary regions, made on first use (`region_network`)."""

    def part(self, key: str, kind: type[P]) -> P:
        """The part created under `key`, which must be a `kind`."""
        part = self.parts[key]
        if not isinstance(part, kind):
            raise TypeError(f"{key} is a {type(part).__name__}, not a {kind.__name__}")
        return part


def aurora_port(cfg: StackConfig) -> int:
    """Aurora's port: PostgreSQL's or MySQL's."""
    return AURORA_POSTGRES_PORT if cfg.aurora.engine == "aurora-postgresql" else 3306


def database_network(cfg: StackConfig, opts: pulumi.ResourceOptions) -> DatabaseNetwork:
    """Security groups and subnet groups for exactly the enabled engines."""
    engines = [
        engine
        for engine, on in (
            ("relational", cfg.relational.enabled),
            ("aurora", cfg.aurora.enabled),
            ("warehouse", cfg.warehouse.enabled),
            ("redis", cfg.redis.enabled),
            ("dms", cfg.migration.enabled),
        )
        if on
    ]
    relational_port = rds_engines.engine(cfg.relational.engine).client_port
    # Databases whose generated password a rotation function rotates: it needs a network path.
    rotating = tuple(
        engine
        for engine, part in (
            ("relational", cfg.relational),
            ("aurora", cfg.aurora),
            ("warehouse", cfg.warehouse),
        )
        if part.enabled and part.credentials.rotation_function
    )
    return DatabaseNetwork(
        "network",
        # The Migration component owns the DMS subnet group: it must wait for dms-vpc-role.
        DatabaseNetworkArgs(
            cfg.network,
            tuple(engines),
            aurora_port=aurora_port(cfg),
            relational_port=relational_port,
            rotating=rotating,
        ),
        opts=opts,
    )


class RdsWiring(TypedDict):
    """What an RDS part (RelationalTier, ServerlessAurora) takes from the stack, besides its
    own config: the same for both but for the part's security group and rotation network."""

    subnet_group: pulumi.Input[str]
    security_group_id: pulumi.Input[str]
    kms_key_arn: pulumi.Input[str]
    rotation: RotationAccess | None
    availability_zones: pulumi.Input[list[str]] | None
    log_retention_days: int
    protect: bool


def rds_wiring(tier: Tier, key: str) -> RdsWiring:
    """The stack's DB subnet group and its zones, the security group and rotation network of
    the part `key` (relational or aurora), the stack key, log retention and protect."""
    network = tier.network
    return RdsWiring(
        # The network makes the DB subnet group whenever an RDS part is enabled.
        subnet_group=network.rds_subnet_group,  # type: ignore[typeddict-item]
        security_group_id=network.security_group_ids[key],
        kms_key_arn=tier.kms_key_arn,
        rotation=network.rotation_access.get(key),
        availability_zones=network.availability_zones,
        log_retention_days=tier.config.logs.retention_days,
        protect=tier.config.protect,
    )


def region_engines(cfg: StackConfig, region: str) -> tuple[str, ...]:
    """The engines with something in secondary region `region`: the RelationalTier's
    cross-region replica there, an Aurora Global Database's secondary (in every region)."""
    return tuple(
        engine
        for engine, there in (
            (
                "relational",
                cfg.relational.enabled and region in cfg.relational.cross_region_replicas,
            ),
            ("aurora", cfg.aurora.enabled),
        )
        if there
    )


def region_network(tier: Tier, region: str) -> DatabaseNetwork:
    """The network of a secondary region (`dbtier:network.regions.<region>`), made once by that
    region's provider, with a security group per engine there (`region_engines`) and a DB
    subnet group (the config requires the region's network for either)."""
    if region not in tier.networks:
        cfg = tier.config
        tier.networks[region] = DatabaseNetwork(
            f"network-{region}",
            DatabaseNetworkArgs(
                cfg.network_regions[region],
                region_engines(cfg, region),
                aurora_port=aurora_port(cfg),
                relational_port=rds_engines.engine(cfg.relational.engine).client_port,
            ),
            opts=tier.regions[region].opts,
        )
    return tier.networks[region]


def replica_region(tier: Tier, region: str) -> ReplicaRegion:
    """Where the RelationalTier's replica in `region` goes: that region's provider and key, and
    the subnet and security groups of its network."""
    network = region_network(tier, region)
    return ReplicaRegion(
        tier.regions[region].placement(),
        subnet_group=network.rds_subnet_group,  # type: ignore[arg-type]
        security_group_id=network.security_group_ids["relational"],
    )


def relational(tier: Tier) -> RelationalTier:
    cfg = tier.config
    # Backups go to backupsTo.region, else the first secondary region (dbtier:regions).
    backups = backups_region(cfg.relational, list(tier.regions))
    far = tuple(replica_region(tier, region) for region in cfg.relational.cross_region_replicas)
    return RelationalTier(
        "relational",
        RelationalTierArgs(
            config=cfg.relational,
            cdc_source=cfg.migration.enabled,
            backups_to=None if backups is None else tier.regions[backups].placement(),
            cross_region=far,
            **rds_wiring(tier, "relational"),
        ),
        opts=tier.opts,
    )


def aurora_regions(tier: Tier) -> tuple[AuroraRegion, ...]:
    """Each secondary region's place for an Aurora Global Database secondary: the region's
    network (`region_network`) with its Aurora security group and DB subnet group."""
    return tuple(
        AuroraRegion(
            region.placement(),
            network.rds_subnet_group,  # type: ignore[arg-type]
            network.security_group_ids["aurora"],
            network.availability_zones,
        )
        for region in tier.regions.values()
        for network in [region_network(tier, region.name)]
    )


def aurora(tier: Tier) -> ServerlessAurora:
    return ServerlessAurora(
        "aurora",
        ServerlessAuroraArgs(
            config=tier.config.aurora,
            secondaries=aurora_regions(tier),
            **rds_wiring(tier, "aurora"),
        ),
        opts=tier.opts,
    )


def warehouse(tier: Tier) -> Warehouse:
    cfg = tier.config
    return Warehouse(
        "warehouse",
        WarehouseArgs(
            config=cfg.warehouse,
            subnet_group=tier.network.redshift_subnet_group,  # type: ignore[arg-type]
            subnet_ids=tier.network.subnet_ids,
            security_group_id=tier.network.security_group_ids["warehouse"],
            kms_key_arn=tier.kms_key_arn,
            rotation=tier.network.rotation_access.get("warehouse"),
            log_retention_days=cfg.logs.retention_days,
            protect=cfg.protect,
        ),
        opts=tier.opts,
    )


def dynamo(tier: Tier) -> DynamoTables:
    cfg = tier.config
    replicas = tuple(r.placement() for r in tier.regions.values())
    return DynamoTables(
        cfg.dynamo,
        tier.kms_key_arn,
        cfg.protect,
        tier.opts,
        cfg.logs.retention_days,
        replicas=replicas,
    )


def redis(tier: Tier) -> RedisCluster:
    cfg = tier.config
    return RedisCluster(
        "redis",
        RedisClusterArgs(
            config=cfg.redis,
            subnet_group=tier.network.cache_subnet_group,  # type: ignore[arg-type]
            security_group_id=tier.network.security_group_ids["redis"],
            kms_key_arn=tier.kms_key_arn,
            protect=cfg.protect,
            log_retention_days=cfg.logs.retention_days,
            subnet_ids=tier.network.subnet_ids,
        ),
        opts=tier.opts,
    )


def migration(tier: Tier) -> Migration:
    cfg = tier.config
    # Config validation guarantees the source and target parts are enabled, and PARTS creates
    # them first.
    source = tier.part("relational", RelationalTier)
    target = tier.part("aurora", ServerlessAurora)
    return Migration(
        "migration",
        MigrationArgs(
            config=cfg.migration,
            subnet_ids=tier.network.subnet_ids,
            security_group_id=tier.network.security_group_ids["dms"],
            kms_key_arn=tier.kms_key_arn,
            source_secret_arn=source.secret_arn,
            target_secret_arn=target.secret_arn,
            target_engine=cfg.aurora.engine,
            target_database=cfg.aurora.database_name,
            source_engine=cfg.relational.engine,
            source_database=cfg.relational.database_name,
            log_retention_days=cfg.logs.retention_days,
        ),
        opts=tier.opts,
    )


@dataclass(frozen=True)
class PartSpec:
    """One part the stack may enable: its key (config and export), switch and constructor."""

    key: str
    enabled: Callable[[StackConfig], bool]
    create: Callable[[Tier], Part]


PARTS = (
    PartSpec("relational", lambda cfg: cfg.relational.enabled, relational),
    PartSpec("aurora", lambda cfg: cfg.aurora.enabled, aurora),
    PartSpec("warehouse", lambda cfg: cfg.warehouse.enabled, warehouse),
    PartSpec("dynamo", lambda cfg: cfg.dynamo.enabled, dynamo),
    PartSpec("redis", lambda cfg: cfg.redis.enabled, redis),
    PartSpec("migration", lambda cfg: cfg.migration.enabled, migration),
)
