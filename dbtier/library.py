"""dbtier's components as a library: each takes typed args (`dbtier.args`) and is the component
dbtier's own program builds, with the same type token (`dbtier:components:<Name>`), children and
outputs.

Each class here is a thin subclass of its part's component: its constructor reads the args with
`dbtier.convert.Args` (the settings through the `dbtier:` key's own parser, the wiring one field
at a time) into the dataclass the component takes, and nothing else. So a RelationalTier built
from `RelationalTierArgs` registers exactly what dbtier's program registers for the same
`dbtier:relational`, and a bad value stops it with the stack config's message.

`serve` and `child_of` are how the component package (`dbtier.hosted`) holds one of these.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn, TypedDict

import pulumi
from pulumi.errors import InputPropertiesError

from awsdata import rds_engines
from components.alarms import resources as alarms
from components.alarms.config import parse_alarms
from components.aurora import resources as aurora
from components.aurora.config import parse_aurora
from components.backup import resources as backup
from components.backup.config import parse_backup
from components.base import DbtierComponent, output_names
from components.credentials import CredentialsConfig
from components.dynamo import resources as dynamo
from components.dynamo.config import parse_dynamo_table
from components.keys import new_stack_key
from components.migration import resources as migration
from components.migration.config import check_endpoints, parse_migration
from components.network import resources as network
from components.network.config import parse_network
from components.network.shape import AURORA_POSTGRES_PORT
from components.redis import resources as redis
from components.redis.config import parse_redis
from components.regions_config import check_table_regions
from components.relational import resources as relational
from components.relational.config import check_parameters, parse_relational
from components.relational.cross_region_config import check_cross_region
from components.warehouse import resources as warehouse
from components.warehouse.config import parse_warehouse
from dbtier.args import (
    AlarmsArgs,
    BackupArgs,
    DatabaseNetworkArgs,
    DynamoTableArgs,
    MigrationArgs,
    RedisClusterArgs,
    RelationalTierArgs,
    ServerlessAuroraArgs,
    WarehouseArgs,
)
from dbtier.catalog import BY_NAME
from dbtier.convert import Args, ArgsError, fields_of

ENGINES = ("relational", "aurora", "redis", "warehouse", "dms")
ROTATING = ("relational", "aurora", "warehouse")
AURORA_ENGINES = ("aurora-mysql", "aurora-postgresql")
# The component each engine of a DatabaseNetwork is for.
_COMPONENT_OF = {
    "relational": "RelationalTier",
    "aurora": "ServerlessAurora",
    "redis": "RedisCluster",
    "warehouse": "Warehouse",
    "dms": "Migration",
}


def child_of(parent: pulumi.Resource) -> pulumi.ResourceOptions:
    """Options of the library component a package component holds: under it, and aliased to
    where a Python program builds it (at the stack's root), so that a stack moving a component
    from the library to the package keeps its resources rather than replacing them."""
    return pulumi.ResourceOptions(
        parent=parent, aliases=[pulumi.Alias(parent=pulumi.ROOT_STACK_RESOURCE)]
    )


def serve(wrapper: pulumi.ComponentResource, build: Callable[[], DbtierComponent]) -> None:
    """A package component's outputs: those of the library component `build` makes under it.

    Pulumi's provider host reports an exception raised in a constructor with its stack trace,
    but an InputPropertiesError met while it sends the component's outputs as a clean error on
    the property. A bad arg is the caller's mistake, so it takes the second way: the first
    output fails with it, and the engine shows the one line naming the field."""
    try:
        component = build()
    except ArgsError as exc:
        error = InputPropertiesError(str(exc), [{"property_path": exc.field, "reason": str(exc)}])
        first = next(iter(vars(type(wrapper))["__annotations__"]))
        setattr(wrapper, first, pulumi.Output.from_input(error).apply(_raise))
        return
    outputs = {name: getattr(component, name) for name in output_names(type(component))}
    for name, value in outputs.items():
        setattr(wrapper, name, value)
    wrapper.register_outputs(outputs)


def _raise(error: Exception) -> NoReturn:
    raise error


def stack_key(
    opts: pulumi.ResourceOptions | None = None, *, protect: bool = False
) -> pulumi.Output[str]:
    """dbtier's stack key in your program: a customer managed key with rotation on, whose policy
    lets CloudWatch Logs and alarms use it (`stack-key`, alias `alias/dbtier-<stack>`); its ARN,
    for the components' `kms_key_arn`. Create it once per stack, with your provider in `opts`."""
    return new_stack_key(opts or pulumi.ResourceOptions(), protect=protect)


class Placement(TypedDict, total=False):
    """What a DatabaseNetwork gives one engine's component: its args' network fields."""

    subnet_group_name: pulumi.Input[str]
    security_group_id: pulumi.Input[str]
    subnet_ids: pulumi.Input[list[str]]
    availability_zones: pulumi.Input[list[str]]
    rotation_security_group_id: pulumi.Input[str]
    rotation_subnet_ids: pulumi.Input[list[str]]


class DatabaseNetwork(network.DatabaseNetwork):
    """dbtier's DatabaseNetwork with `DatabaseNetworkArgs` (settings: `dbtier:network`)."""

    rotation_security_group_ids: dict[str, pulumi.Output[str]]
    """Per rotating engine, the security group its rotation function runs in."""

    def __init__(
        self, name: str, args: DatabaseNetworkArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        a = Args(BY_NAME["DatabaseNetwork"], name, args)
        config = a.config(DatabaseNetworkArgs, parse_network)
        engines = a.names("engines", ENGINES, ENGINES)
        relational_engine = a.choice("relational_engine", "mysql", rds_engines.ENGINES)
        aurora_engine = a.choice("aurora_engine", "aurora-mysql", AURORA_ENGINES)
        internal = network.DatabaseNetworkArgs(
            config,
            engines,
            aurora_port=AURORA_POSTGRES_PORT if aurora_engine == "aurora-postgresql" else 3306,
            relational_port=rds_engines.engine(relational_engine).client_port,
            rotating=a.names("rotating", (), ROTATING),
        )
        super().__init__(name, internal, opts)

    def publish(self) -> None:
        """The rotation groups, then every output (the constructor's last line)."""
        self.rotation_security_group_ids = {
            engine: pulumi.Output.from_input(access.security_group_id)
            for engine, access in self.rotation_access.items()
        }
        super().publish()

    def placement(self, engine: str) -> Placement:
        """The network fields of the args of the component for `engine` (relational, aurora,
        redis, warehouse or dms): `RelationalTierArgs(**network.placement("relational"), ...)`."""
        if engine not in self.security_group_ids:
            raise ValueError(f"DatabaseNetwork {self._prefix!r} has no {engine} engine")
        group = {"relational": "rds", "aurora": "rds", "redis": "cache", "warehouse": "redshift"}
        subnet_group = {
            "rds": self.rds_subnet_group,
            "cache": self.cache_subnet_group,
            "redshift": self.redshift_subnet_group,
        }.get(group.get(engine, ""))
        found: dict[str, Any] = {
            "security_group_id": self.security_group_ids[engine],
            "subnet_ids": self.subnet_ids,
            "availability_zones": self.availability_zones,
        }
        if subnet_group is not None:
            found["subnet_group_name"] = subnet_group
        if (access := self.rotation_access.get(engine)) is not None:
            found["rotation_security_group_id"] = access.security_group_id
            found["rotation_subnet_ids"] = access.subnet_ids
        takes = fields_of(BY_NAME[_COMPONENT_OF[engine]].wiring)
        return Placement(**{k: v for k, v in found.items() if k in takes})  # type: ignore[typeddict-item]


def _rds_wiring(a: Args, credentials: CredentialsConfig) -> dict[str, Any]:
    """What RelationalTier and ServerlessAurora take alike besides their config, as dbtier's own
    program gives them (`components.parts.rds_wiring`)."""
    return {
        "subnet_group": a.required("subnet_group_name"),
        "security_group_id": a.required("security_group_id"),
        "kms_key_arn": a.required("kms_key_arn"),
        "protect": a.flag("protect"),
        "rotation": a.rotation(credentials),
        "availability_zones": a.optional("availability_zones"),
        "log_retention_days": a.retention(),
    }


class RelationalTier(relational.RelationalTier):
    """dbtier's RelationalTier with `RelationalTierArgs` (settings: `dbtier:relational`)."""

    def __init__(
        self, name: str, args: RelationalTierArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        a = Args(BY_NAME["RelationalTier"], name, args)
        config = a.config(RelationalTierArgs, parse_relational, enabled=True)
        cdc_source = a.flag("cdc_source")
        a.check(lambda: check_parameters(config, cdc_source))
        # The library's parts take no secondary regions (dbtier:regions) yet: refused by key.
        a.check(lambda: check_cross_region(config, (), {}))
        internal = relational.RelationalTierArgs(
            config=config, cdc_source=cdc_source, **_rds_wiring(a, config.credentials)
        )
        super().__init__(name, internal, opts)


class ServerlessAurora(aurora.ServerlessAurora):
    """dbtier's ServerlessAurora with `ServerlessAuroraArgs` (settings: `dbtier:aurora`)."""

    def __init__(
        self, name: str, args: ServerlessAuroraArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        a = Args(BY_NAME["ServerlessAurora"], name, args)
        config = a.config(ServerlessAuroraArgs, parse_aurora, enabled=True)
        internal = aurora.ServerlessAuroraArgs(config=config, **_rds_wiring(a, config.credentials))
        super().__init__(name, internal, opts)


class DynamoTable(dynamo.DynamoTable):
    """dbtier's DynamoTable with `DynamoTableArgs` (settings: one entry of
    `dbtier:dynamo.tables`)."""

    def __init__(
        self, name: str, args: DynamoTableArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        a = Args(BY_NAME["DynamoTable"], name, args)
        kms_key_arn = a.required("kms_key_arn")
        config = a.config(
            DynamoTableArgs,
            lambda raw: parse_dynamo_table("dbtier:dynamo.tables[]", raw),
        )
        a.check(lambda: check_table_regions("dbtier:dynamo.tables[]", config.regions, ()))
        internal = dynamo.DynamoTableArgs(
            config=config,
            kms_key_arn=kms_key_arn,
            protect=a.flag("protect"),
            log_retention_days=a.retention(),
        )
        super().__init__(name, internal, opts)


class RedisCluster(redis.RedisCluster):
    """dbtier's RedisCluster with `RedisClusterArgs` (settings: `dbtier:redis`)."""

    def __init__(
        self, name: str, args: RedisClusterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        a = Args(BY_NAME["RedisCluster"], name, args)
        wired = (a.required("subnet_group_name"), a.required("security_group_id"))
        kms_key_arn = a.required("kms_key_arn")
        config = a.config(RedisClusterArgs, parse_redis, enabled=True)
        internal = redis.RedisClusterArgs(
            config=config,
            subnet_group=wired[0],
            security_group_id=wired[1],
            kms_key_arn=kms_key_arn,
            protect=a.flag("protect"),
        )
        super().__init__(name, internal, opts)


class Warehouse(warehouse.Warehouse):
    """dbtier's Warehouse with `WarehouseArgs` (settings: `dbtier:warehouse`)."""

    def __init__(
        self, name: str, args: WarehouseArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        a = Args(BY_NAME["Warehouse"], name, args)
        wired = (a.required("subnet_ids"), a.required("security_group_id"))
        kms_key_arn = a.required("kms_key_arn")
        config = a.config(WarehouseArgs, parse_warehouse, enabled=True)
        subnet_group = a.optional("subnet_group_name")
        if config.mode == "provisioned" and subnet_group is None:
            a.fail("subnetGroupName is required with mode provisioned")
        internal = warehouse.WarehouseArgs(
            config=config,
            subnet_group=subnet_group,
            subnet_ids=wired[0],
            security_group_id=wired[1],
            kms_key_arn=kms_key_arn,
            protect=a.flag("protect"),
            rotation=a.rotation(config.credentials),
            log_retention_days=a.retention(),
        )
        super().__init__(name, internal, opts)


class Migration(migration.Migration):
    """dbtier's Migration with `MigrationArgs` (settings: `dbtier:migration`)."""

    def __init__(
        self, name: str, args: MigrationArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        a = Args(BY_NAME["Migration"], name, args)
        required = {
            field: a.required(field)
            for field in (
                "subnet_ids",
                "security_group_id",
                "kms_key_arn",
                "source_secret_arn",
                "target_secret_arn",
            )
        }
        config = a.config(MigrationArgs, parse_migration, enabled=True)
        source_engine = a.choice("source_engine", "mysql", rds_engines.ENGINES)
        target_engine = a.choice("target_engine", "aurora-mysql", AURORA_ENGINES)
        # The source database is the sourceDatabase setting (the RelationalTier's is not known).
        a.check(lambda: check_endpoints(config, source_engine, None, target_engine))
        internal = migration.MigrationArgs(
            config=config,
            **required,
            target_engine=target_engine,
            target_database=str(
                a.plain("target_database", "appdb", lambda f, key, d: f.text(key, d))
            ),
            source_engine=source_engine,
            log_retention_days=a.retention(),
        )
        super().__init__(name, internal, opts)


class Alarms(alarms.Alarms):
    """dbtier's Alarms with `AlarmsArgs` (settings: `dbtier:alarms`): an alarm on each health
    metric of the `watched` components. Python only: no other language can pass those."""

    def __init__(
        self, name: str, args: AlarmsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        a = Args(BY_NAME["Alarms"], name, args)
        kms_key_arn = a.required("kms_key_arn")
        watched = a.required("watched")
        config = a.config(AlarmsArgs, parse_alarms, enabled=True)
        publishers = a.plain("publishers", (), lambda f, key, d: f.strings(key) or d)
        internal = alarms.AlarmsArgs(
            config=config,
            kms_key_arn=kms_key_arn,
            watches=tuple(w for part in watched for w in part.watches(config)),
            publishers=tuple(publishers),
        )
        super().__init__(name, internal, opts)


class Backup(backup.Backup):
    """dbtier's Backup with `BackupArgs` (settings: `dbtier:backup`)."""

    def __init__(
        self, name: str, args: BackupArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        a = Args(BY_NAME["Backup"], name, args)
        kms_key_arn = a.required("kms_key_arn")
        resources = a.required("resources")
        config = a.config(BackupArgs, parse_backup, enabled=True)
        internal = backup.BackupArgs(
            config=config,
            kms_key_arn=kms_key_arn,
            resources=resources,
            protect=a.flag("protect"),
            notify_topic_arn=a.optional("notify_topic_arn"),
        )
        super().__init__(name, internal, opts)
