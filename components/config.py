"""Stack configuration: every `dbtier:` key parsed once into frozen dataclasses and validated.

Parsing is pure (a mapping of raw values in, a `StackConfig` out) so it is unit-tested without
Pulumi. `from_pulumi()` feeds it the stack's config as the engine passed it. Any bad value raises
`ConfigError` with one message that names the key, what is wrong and the value given.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

NAMESPACE = "dbtier"

# Current AWS defaults (November 2026): MySQL 8.4 is the RDS LTS line, Aurora MySQL 3.10 the
# current LTS release, Graviton instance classes everywhere, RA3 for provisioned Redshift.
RDS_MYSQL_VERSION = "8.4"
AURORA_VERSIONS = {"aurora-mysql": "8.0.mysql_aurora.3.10.0", "aurora-postgresql": "16.8"}
REDIS_VERSIONS = {"redis": "7.1", "valkey": "8.0"}
REDSHIFT_NODE_TYPES = ("ra3.large", "ra3.xlplus", "ra3.4xlarge", "ra3.16xlarge")

T = TypeVar("T")


class ConfigError(ValueError):
    """A stack config value is missing, malformed or out of range; the message names the key."""


# --------------------------------------------------------------------------------------------
# Typed configuration
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NetworkConfig:
    vpc_id: str | None = None
    """VPC to deploy into; None means the region's default VPC."""
    subnet_ids: tuple[str, ...] = ()
    """Subnets for every subnet group; empty means all subnets of the VPC."""
    allowed_cidrs: tuple[str, ...] = ()
    """CIDRs allowed to reach the engine ports; empty means the VPC's own CIDR."""
    allowed_security_group_ids: tuple[str, ...] = ()
    """Security groups allowed to reach the engine ports."""


@dataclass(frozen=True)
class EncryptionConfig:
    kms_key_arn: str | None = None
    """An existing KMS key for every component; None creates one customer-managed key."""


@dataclass(frozen=True)
class RelationalConfig:
    enabled: bool = True
    engine: Literal["mysql"] = "mysql"
    engine_version: str = RDS_MYSQL_VERSION
    instance_class: str = "db.t4g.micro"
    allocated_storage: int = 20
    max_allocated_storage: int = 100
    multi_az: bool = False
    read_replicas: int = 0
    backup_retention_days: int = 7
    deletion_protection: bool = True
    database_name: str = "appdb"
    username: str = "dbadmin"
    performance_insights: bool = True
    monitoring_interval: int = 60


@dataclass(frozen=True)
class AuroraConfig:
    enabled: bool = True
    engine: Literal["aurora-mysql", "aurora-postgresql"] = "aurora-mysql"
    engine_version: str = AURORA_VERSIONS["aurora-mysql"]
    min_capacity: float = 0.5
    max_capacity: float = 4.0
    seconds_until_auto_pause: int | None = None
    readers: int = 0
    backup_retention_days: int = 7
    deletion_protection: bool = True
    database_name: str = "appdb"
    username: str = "dbadmin"
    backtrack_hours: int = 0


@dataclass(frozen=True)
class DynamoIndexConfig:
    name: str
    hash_key: str
    range_key: str | None = None
    projection: Literal["ALL", "KEYS_ONLY", "INCLUDE"] = "ALL"
    non_key_attributes: tuple[str, ...] = ()
    read_capacity: int | None = None
    write_capacity: int | None = None


@dataclass(frozen=True)
class DynamoAutoscalingConfig:
    min_capacity: int = 5
    max_capacity: int = 100
    target_utilization: float = 70.0


# CloudWatch Logs accepts only these retention periods (days).
# fmt: off
LOG_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
)
# fmt: on


@dataclass(frozen=True)
class StreamProcessorConfig:
    """The stream processor Lambda and its event source mapping (`streamProcessor: {...}`)."""

    batch_size: int = 100
    """Records per invocation (1-10000)."""
    maximum_retry_attempts: int = 3
    """Retries of a failing batch before its records go to the dead-letter queue (bounded)."""
    maximum_record_age_seconds: int = 3600
    """Records older than this skip processing and go to the dead-letter queue."""
    parallelization_factor: int = 1
    """Concurrent batches per shard (1-10); order is kept per partition key."""
    memory_mb: int = 256
    """Lambda memory."""
    timeout_seconds: int = 60
    """Lambda timeout."""
    log_retention_days: int = 30
    """Retention of the function's log group."""


@dataclass(frozen=True)
class DynamoTableConfig:
    name: str
    hash_key: str
    attributes: Mapping[str, Literal["S", "N", "B"]]
    range_key: str | None = None
    indexes: tuple[DynamoIndexConfig, ...] = ()
    billing_mode: Literal["PAY_PER_REQUEST", "PROVISIONED"] = "PAY_PER_REQUEST"
    read_capacity: int | None = None
    write_capacity: int | None = None
    autoscaling: DynamoAutoscalingConfig | None = None
    stream: Literal["NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY"] | None = None
    stream_processor: bool = False
    processor: StreamProcessorConfig = StreamProcessorConfig()
    ttl_attribute: str | None = None
    point_in_time_recovery: bool = True
    deletion_protection: bool = True


def _seed_user_profiles() -> DynamoTableConfig:
    """The seed's UserProfiles table: the default table of every stack."""
    return DynamoTableConfig(
        name="UserProfiles",
        hash_key="userId",
        attributes={"userId": "S", "email": "S", "department": "S", "createdAt": "S"},
        indexes=(
            DynamoIndexConfig(name="EmailIndex", hash_key="email"),
            DynamoIndexConfig(name="DepartmentIndex", hash_key="department", range_key="createdAt"),
        ),
        stream="NEW_AND_OLD_IMAGES",
        stream_processor=True,
    )


@dataclass(frozen=True)
class DynamoConfig:
    enabled: bool = True
    tables: tuple[DynamoTableConfig, ...] = field(default_factory=lambda: (_seed_user_profiles(),))


@dataclass(frozen=True)
class RedisConfig:
    enabled: bool = True
    engine: Literal["redis", "valkey"] = "redis"
    engine_version: str = REDIS_VERSIONS["redis"]
    node_type: str = "cache.t4g.micro"
    nodes: int = 1
    shards: int | None = None
    replicas_per_shard: int | None = None
    automatic_failover: bool = False
    multi_az: bool = False
    snapshot_retention_days: int = 1
    log_retention_days: int = 30

    @property
    def cluster_mode(self) -> bool:
        return self.shards is not None

    @property
    def total_nodes(self) -> int:
        if self.shards is not None:
            return self.shards * (1 + (self.replicas_per_shard or 0))
        return self.nodes


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


@dataclass(frozen=True)
class MigrationConfig:
    enabled: bool = False
    instance_class: str = "dms.t3.medium"
    source: Literal["relational"] = "relational"
    target: Literal["aurora"] = "aurora"
    migration_type: Literal["full-load", "cdc", "full-load-and-cdc"] = "full-load-and-cdc"
    include: tuple[str, ...] = ("%.%",)
    exclude: tuple[str, ...] = ()
    create_service_roles: bool = False
    multi_az: bool = False
    allocated_storage: int = 50


@dataclass(frozen=True)
class AlarmsConfig:
    enabled: bool = False
    email: str | None = None
    cpu_percent: float = 80.0
    free_storage_gib: float = 5.0
    replica_lag_seconds: float = 60.0
    acu_percent: float = 90.0
    iterator_age_seconds: float = 60.0
    memory_percent: float = 80.0
    evictions: float = 100.0
    disk_percent: float = 80.0
    cdc_latency_seconds: float = 300.0
    throttles: float = 1.0
    queued_queries: float = 5.0


@dataclass(frozen=True)
class StackConfig:
    network: NetworkConfig = NetworkConfig()
    encryption: EncryptionConfig = EncryptionConfig()
    relational: RelationalConfig = RelationalConfig()
    aurora: AuroraConfig = AuroraConfig()
    dynamo: DynamoConfig = field(default_factory=DynamoConfig)
    redis: RedisConfig = RedisConfig()
    warehouse: WarehouseConfig = WarehouseConfig()
    migration: MigrationConfig = MigrationConfig()
    alarms: AlarmsConfig = AlarmsConfig()
    protect: bool = False
    tags: Mapping[str, str] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# A small reader for one config object: typed getters, ranges, and unknown-field detection
# --------------------------------------------------------------------------------------------


class _Fields:
    """Reads the fields of one config object, remembering which were used."""

    def __init__(self, key: str, raw: Any) -> None:
        if raw is None:
            raw = {}
        if not isinstance(raw, Mapping):
            raise ConfigError(f"{key} must be an object (got {_show(raw)})")
        self.key = key
        self.raw = raw
        self.used: set[str] = set()

    def _name(self, name: str) -> str:
        return f"{self.key}.{name}"

    def _get(self, name: str) -> Any:
        self.used.add(name)
        return self.raw.get(name)

    def has(self, name: str) -> bool:
        return name in self.raw

    def flag(self, name: str, default: bool) -> bool:
        value = self._get(name)
        if value is None:
            return default
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if not isinstance(value, bool):
            raise ConfigError(f"{self._name(name)} must be true or false (got {_show(value)})")
        return value

    def integer(
        self, name: str, default: T, lo: int | None = None, hi: int | None = None
    ) -> int | T:
        value = self._get(name)
        if value is None:
            return default
        if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{self._name(name)} must be an integer (got {_show(value)})")
        _check_range(self._name(name), value, lo, hi)
        return value

    def number(
        self, name: str, default: T, lo: float | None = None, hi: float | None = None
    ) -> float | T:
        value = self._get(name)
        if value is None:
            return default
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                raise ConfigError(
                    f"{self._name(name)} must be a number (got {_show(value)})"
                ) from None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{self._name(name)} must be a number (got {_show(value)})")
        _check_range(self._name(name), value, lo, hi)
        return float(value)

    def text(self, name: str, default: T, pattern: str | None = None, hint: str = "") -> str | T:
        value = self._get(name)
        if value is None:
            return default
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{self._name(name)} must be a non-empty string (got {_show(value)})")
        if pattern is not None and not re.fullmatch(pattern, value):
            raise ConfigError(f"{self._name(name)} must be {hint or pattern} (got {_show(value)})")
        return value

    def choice(self, name: str, default: Any, choices: Iterable[str]) -> Any:
        """One of `choices` (typed Any so it fills the Literal fields it was validated for)."""
        value = self._get(name)
        options = tuple(choices)
        if value is None:
            return default
        if value not in options:
            listed = ", ".join(options)
            raise ConfigError(f"{self._name(name)} must be one of {listed} (got {_show(value)})")
        return str(value)

    def strings(
        self,
        name: str,
        check: Callable[[str, str], None] | None = None,
    ) -> tuple[str, ...] | None:
        value = self._get(name)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise ConfigError(f"{self._name(name)} must be a list of strings (got {_show(value)})")
        if check is not None:
            for i, item in enumerate(value):
                check(f"{self._name(name)}[{i}]", item)
        return tuple(value)

    def obj(self, name: str) -> _Fields:
        return _Fields(self._name(name), self._get(name))

    def done(self) -> None:
        unknown = sorted(set(self.raw) - self.used)
        if unknown:
            raise ConfigError(
                f"{self._name(unknown[0])} is not a known setting"
                f" (known: {', '.join(sorted(self.used))})"
            )


def _show(value: Any) -> str:
    text = json.dumps(value) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _check_range(name: str, value: float, lo: float | None, hi: float | None) -> None:
    if lo is not None and hi is not None and not lo <= value <= hi:
        raise ConfigError(f"{name} must be between {_num(lo)} and {_num(hi)} (got {_num(value)})")
    if lo is not None and value < lo:
        raise ConfigError(f"{name} must be >= {_num(lo)} (got {_num(value)})")
    if hi is not None and value > hi:
        raise ConfigError(f"{name} must be <= {_num(hi)} (got {_num(value)})")


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


# --------------------------------------------------------------------------------------------
# Identifier rules shared by several engines
# --------------------------------------------------------------------------------------------

# MySQL/Aurora/Redshift master user names: a letter, then letters, digits, underscores; and not
# a reserved word the engines reject.
_RESERVED_USERS = {"admin", "root", "rdsadmin", "postgres", "rdsrepladmin", "mysql", "system"}
_DB_NAME = r"[A-Za-z][A-Za-z0-9_]{0,63}"
_USER_NAME = r"[A-Za-z][A-Za-z0-9_]{0,15}"


def _username(fields: _Fields, default: str, engine_label: str) -> str:
    name = fields.text(
        "username", default, _USER_NAME, "1-16 letters, digits or _, starting with a letter"
    )
    if name.lower() in _RESERVED_USERS:
        raise ConfigError(
            f"{fields.key}.username {name!r} is reserved by {engine_label}; choose another name"
        )
    return name


def _check_cidr(name: str, value: str) -> None:
    try:
        net = ipaddress.ip_network(value, strict=True)
    except ValueError:
        raise ConfigError(
            f"{name} must be a CIDR block such as 10.0.0.0/16 (got {value!r})"
        ) from None
    if net.prefixlen == 0:
        raise ConfigError(
            f"{name} opens the databases to the whole internet ({value}); list your own networks"
        )


def _id_checker(prefix: str) -> Callable[[str, str], None]:
    pattern = re.compile(rf"{prefix}-[0-9a-f]{{8,17}}")

    def check(name: str, value: str) -> None:
        if not pattern.fullmatch(value):
            raise ConfigError(f"{name} must be an id like {prefix}-0123abcd (got {value!r})")

    return check


# --------------------------------------------------------------------------------------------
# One parser per key
# --------------------------------------------------------------------------------------------


def parse_network(raw: Any) -> NetworkConfig:
    f = _Fields("dbtier:network", raw)
    vpc_id = f.text("vpcId", None, r"vpc-[0-9a-f]{8,17}", "an id like vpc-0123abcd")
    subnets = f.strings("subnetIds", _id_checker("subnet")) or ()
    cidrs = f.strings("allowedCidrs", _check_cidr) or ()
    groups = f.strings("allowedSecurityGroupIds", _id_checker("sg")) or ()
    f.done()
    if subnets and vpc_id is None:
        raise ConfigError(
            "dbtier:network.subnetIds needs dbtier:network.vpcId (the VPC they belong to)"
        )
    if vpc_id is not None and subnets and len(subnets) < 2:
        raise ConfigError(
            f"dbtier:network.subnetIds needs at least 2 subnets in different AZs (got {len(subnets)})"
        )
    return NetworkConfig(vpc_id, subnets, cidrs, groups)


def parse_encryption(raw: Any) -> EncryptionConfig:
    f = _Fields("dbtier:encryption", raw)
    arn = f.text(
        "kmsKeyArn",
        None,
        r"arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[0-9a-f-]{36}|arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/mrk-[0-9a-f]{32}",
        "a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)",
    )
    f.done()
    return EncryptionConfig(arn)


def parse_relational(raw: Any) -> RelationalConfig:
    d = RelationalConfig()
    f = _Fields("dbtier:relational", raw)
    cfg = RelationalConfig(
        enabled=f.flag("enabled", d.enabled),
        engine=f.choice("engine", d.engine, ("mysql",)),
        engine_version=f.text(
            "engineVersion", d.engine_version, r"8\.(0|4)(\.\d+)?", "a MySQL 8.0 or 8.4 version"
        ),
        instance_class=f.text(
            "instanceClass",
            d.instance_class,
            r"db\.[a-z0-9]+\.[a-z0-9]+",
            "an RDS instance class like db.m7g.large",
        ),
        allocated_storage=f.integer("allocatedStorage", d.allocated_storage, 20, 65536),
        max_allocated_storage=f.integer("maxAllocatedStorage", d.max_allocated_storage, 0, 65536),
        multi_az=f.flag("multiAz", d.multi_az),
        read_replicas=f.integer("readReplicas", d.read_replicas, 0, 15),
        backup_retention_days=f.integer("backupRetentionDays", d.backup_retention_days, 1, 35),
        deletion_protection=f.flag("deletionProtection", d.deletion_protection),
        database_name=f.text(
            "databaseName", d.database_name, _DB_NAME, "a letter then up to 63 letters, digits or _"
        ),
        username=_username(f, d.username, "RDS MySQL"),
        performance_insights=f.flag("performanceInsights", d.performance_insights),
        monitoring_interval=f.integer("monitoringInterval", d.monitoring_interval, 0, 60),
    )
    f.done()
    if cfg.monitoring_interval not in (0, 1, 5, 10, 15, 30, 60):
        raise ConfigError(
            f"dbtier:relational.monitoringInterval must be one of 0, 1, 5, 10, 15, 30, 60 (got {cfg.monitoring_interval})"
        )
    if cfg.max_allocated_storage and cfg.max_allocated_storage < cfg.allocated_storage:
        raise ConfigError(
            "dbtier:relational.maxAllocatedStorage must be 0 (autoscaling off) or >= allocatedStorage"
            f" (got {cfg.max_allocated_storage} < {cfg.allocated_storage})"
        )
    if (
        cfg.instance_class.startswith(("db.t2.", "db.t3.micro", "db.t3.small"))
        and cfg.performance_insights
    ):
        raise ConfigError(
            f"dbtier:relational.instanceClass {cfg.instance_class} does not support Performance Insights;"
            " use a Graviton class such as db.t4g.medium or set performanceInsights false"
        )
    return cfg


def parse_aurora(raw: Any) -> AuroraConfig:
    d = AuroraConfig()
    f = _Fields("dbtier:aurora", raw)
    engine = f.choice("engine", d.engine, AURORA_VERSIONS)
    version_pattern = (
        r"8\.0\.mysql_aurora\.3\.\d{2}\.\d+" if engine == "aurora-mysql" else r"1[3-7]\.\d+"
    )
    cfg = AuroraConfig(
        enabled=f.flag("enabled", d.enabled),
        engine=engine,
        engine_version=f.text(
            "engineVersion",
            AURORA_VERSIONS[engine],
            version_pattern,
            "an Aurora MySQL 3 version like 8.0.mysql_aurora.3.10.0"
            if engine == "aurora-mysql"
            else "an Aurora PostgreSQL version like 16.8",
        ),
        min_capacity=f.number("minCapacity", d.min_capacity, 0, 256),
        max_capacity=f.number("maxCapacity", d.max_capacity, 0.5, 256),
        seconds_until_auto_pause=f.integer("secondsUntilAutoPause", None, 300, 86400),
        readers=f.integer("readers", d.readers, 0, 15),
        backup_retention_days=f.integer("backupRetentionDays", d.backup_retention_days, 1, 35),
        deletion_protection=f.flag("deletionProtection", d.deletion_protection),
        database_name=f.text(
            "databaseName", d.database_name, _DB_NAME, "a letter then up to 63 letters, digits or _"
        ),
        username=_username(f, d.username, "Aurora"),
        backtrack_hours=f.integer("backtrackHours", d.backtrack_hours, 0, 72),
    )
    f.done()
    for name, value in (("minCapacity", cfg.min_capacity), ("maxCapacity", cfg.max_capacity)):
        if (value * 2) % 1:
            raise ConfigError(
                f"dbtier:aurora.{name} must be a multiple of 0.5 ACU (got {_num(value)})"
            )
    if cfg.max_capacity < cfg.min_capacity:
        raise ConfigError(
            f"dbtier:aurora.maxCapacity must be >= minCapacity (got {_num(cfg.max_capacity)} < {_num(cfg.min_capacity)})"
        )
    if cfg.min_capacity == 0 and cfg.seconds_until_auto_pause is None:
        raise ConfigError(
            "dbtier:aurora.minCapacity 0 (auto-pause) needs dbtier:aurora.secondsUntilAutoPause between 300 and 86400"
        )
    if cfg.min_capacity > 0 and cfg.seconds_until_auto_pause is not None:
        raise ConfigError(
            "dbtier:aurora.secondsUntilAutoPause only applies with minCapacity 0"
            f" (got minCapacity {_num(cfg.min_capacity)})"
        )
    if cfg.backtrack_hours and cfg.engine != "aurora-mysql":
        raise ConfigError("dbtier:aurora.backtrackHours is supported only with engine aurora-mysql")
    return cfg


_ATTRIBUTE_NAME = r"[A-Za-z0-9_.-]{1,255}"
_TABLE_NAME = r"[A-Za-z0-9_.-]{3,255}"


def _parse_index(key: str, raw: Any) -> DynamoIndexConfig:
    f = _Fields(key, raw)
    name = f.text("name", None, _TABLE_NAME, "3-255 letters, digits, _ . or -")
    if name is None:
        raise ConfigError(f"{key}.name is required")
    hash_key = f.text("hashKey", None, _ATTRIBUTE_NAME, "an attribute name")
    if hash_key is None:
        raise ConfigError(f"{key}.hashKey is required")
    index = DynamoIndexConfig(
        name=name,
        hash_key=hash_key,
        range_key=f.text("rangeKey", None, _ATTRIBUTE_NAME, "an attribute name"),
        projection=f.choice("projection", "ALL", ("ALL", "KEYS_ONLY", "INCLUDE")),
        non_key_attributes=f.strings("nonKeyAttributes") or (),
        read_capacity=f.integer("readCapacity", None, 1, 40000),
        write_capacity=f.integer("writeCapacity", None, 1, 40000),
    )
    f.done()
    if index.projection == "INCLUDE" and not index.non_key_attributes:
        raise ConfigError(f"{key}.nonKeyAttributes is required when projection is INCLUDE")
    if index.projection != "INCLUDE" and index.non_key_attributes:
        raise ConfigError(
            f"{key}.nonKeyAttributes is allowed only with projection INCLUDE (got {index.projection})"
        )
    return index


def parse_dynamo_table(key: str, raw: Any) -> DynamoTableConfig:
    """Parse one entry of dbtier:dynamo.tables; `key` is its config path for messages."""
    f = _Fields(key, raw)
    name = f.text("name", None, _TABLE_NAME, "3-255 letters, digits, _ . or -")
    hash_key = f.text("hashKey", None, _ATTRIBUTE_NAME, "an attribute name")
    if name is None or hash_key is None:
        raise ConfigError(f"{key}.{'name' if name is None else 'hashKey'} is required")
    attrs_raw = f._get("attributes")
    if not isinstance(attrs_raw, Mapping) or not attrs_raw:
        raise ConfigError(
            f"{key}.attributes must be an object of name: S|N|B (got {_show(attrs_raw)})"
        )
    for attr, kind in attrs_raw.items():
        if kind not in ("S", "N", "B"):
            raise ConfigError(f"{key}.attributes.{attr} must be S, N or B (got {_show(kind)})")
    indexes_raw = f._get("indexes") or []
    if not isinstance(indexes_raw, list):
        raise ConfigError(f"{key}.indexes must be a list (got {_show(indexes_raw)})")
    indexes = tuple(_parse_index(f"{key}.indexes[{i}]", item) for i, item in enumerate(indexes_raw))
    autoscaling = None
    if f.has("autoscaling"):
        a = f.obj("autoscaling")
        autoscaling = DynamoAutoscalingConfig(
            min_capacity=a.integer("minCapacity", 5, 1, 40000),
            max_capacity=a.integer("maxCapacity", 100, 1, 40000),
            target_utilization=a.number("targetUtilization", 70.0, 20, 90),
        )
        a.done()
        if autoscaling.max_capacity < autoscaling.min_capacity:
            raise ConfigError(
                f"{key}.autoscaling.maxCapacity must be >= minCapacity"
                f" (got {autoscaling.max_capacity} < {autoscaling.min_capacity})"
            )
    processor = _parse_processor(f"{key}.streamProcessor", f._get("streamProcessor"))
    table = DynamoTableConfig(
        name=name,
        hash_key=hash_key,
        attributes=dict(attrs_raw),
        range_key=f.text("rangeKey", None, _ATTRIBUTE_NAME, "an attribute name"),
        indexes=indexes,
        billing_mode=f.choice("billingMode", "PAY_PER_REQUEST", ("PAY_PER_REQUEST", "PROVISIONED")),
        read_capacity=f.integer("readCapacity", None, 1, 40000),
        write_capacity=f.integer("writeCapacity", None, 1, 40000),
        autoscaling=autoscaling,
        stream=f.choice(
            "stream", None, ("NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY")
        ),
        stream_processor=processor is not None,
        processor=processor or StreamProcessorConfig(),
        ttl_attribute=f.text("ttlAttribute", None, _ATTRIBUTE_NAME, "an attribute name"),
        point_in_time_recovery=f.flag("pointInTimeRecovery", True),
        deletion_protection=f.flag("deletionProtection", True),
    )
    f.done()
    _validate_table(key, table)
    return table


def _parse_processor(key: str, raw: Any) -> StreamProcessorConfig | None:
    """`streamProcessor`: false/absent (none), true (defaults), or an object of settings."""
    if raw is None or raw is False or (isinstance(raw, str) and raw.lower() == "false"):
        return None
    if raw is True or (isinstance(raw, str) and raw.lower() == "true"):
        return StreamProcessorConfig()
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{key} must be true, false or an object of settings (got {_show(raw)})")
    d = StreamProcessorConfig()
    f = _Fields(key, raw)
    cfg = StreamProcessorConfig(
        batch_size=f.integer("batchSize", d.batch_size, 1, 10000),
        maximum_retry_attempts=f.integer(
            "maximumRetryAttempts", d.maximum_retry_attempts, 0, 10000
        ),
        maximum_record_age_seconds=f.integer(
            "maximumRecordAgeSeconds", d.maximum_record_age_seconds, 60, 604800
        ),
        parallelization_factor=f.integer("parallelizationFactor", d.parallelization_factor, 1, 10),
        memory_mb=f.integer("memoryMb", d.memory_mb, 128, 10240),
        timeout_seconds=f.integer("timeoutSeconds", d.timeout_seconds, 1, 900),
        log_retention_days=_log_retention(f, d.log_retention_days),
    )
    f.done()
    return cfg


def _log_retention(f: _Fields, default: int) -> int:
    days = f.integer("logRetentionDays", default)
    if days not in LOG_RETENTION_DAYS:
        raise ConfigError(
            f"{f.key}.logRetentionDays must be a CloudWatch Logs retention period"
            f" ({', '.join(map(str, LOG_RETENTION_DAYS[:12]))}, ... 3653; got {days})"
        )
    return days


def _validate_table(key: str, t: DynamoTableConfig) -> None:
    if t.range_key is not None and t.range_key == t.hash_key:
        raise ConfigError(f"{key}.rangeKey must differ from hashKey (both {t.hash_key!r})")
    for i, index in enumerate(t.indexes):
        if index.range_key is not None and index.range_key == index.hash_key:
            raise ConfigError(
                f"{key}.indexes[{i}].rangeKey must differ from hashKey (both {index.hash_key!r})"
            )
    key_attrs = {t.hash_key, *([t.range_key] if t.range_key else [])}
    for index in t.indexes:
        key_attrs |= {index.hash_key, *([index.range_key] if index.range_key else [])}
    for attr in sorted(key_attrs):
        if attr not in t.attributes:
            raise ConfigError(f"{key}.attributes must define key attribute {attr!r} (S, N or B)")
    unused = sorted(set(t.attributes) - key_attrs)
    if unused:
        raise ConfigError(
            f"{key}.attributes.{unused[0]} is not a table or index key; DynamoDB rejects unused"
            " attribute definitions (non-key attributes need no definition)"
        )
    names = [index.name for index in t.indexes]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ConfigError(f"{key}.indexes has the name {duplicates[0]!r} more than once")
    if len(t.indexes) > 20:
        raise ConfigError(
            f"{key}.indexes has {len(t.indexes)} global secondary indexes; DynamoDB allows 20"
        )
    if t.billing_mode == "PROVISIONED":
        if t.read_capacity is None or t.write_capacity is None:
            raise ConfigError(
                f"{key}.readCapacity and writeCapacity are required with billingMode PROVISIONED"
            )
        for i, index in enumerate(t.indexes):
            if index.read_capacity is None or index.write_capacity is None:
                raise ConfigError(
                    f"{key}.indexes[{i}].readCapacity and writeCapacity are required with billingMode PROVISIONED"
                )
    else:
        if t.read_capacity is not None or t.write_capacity is not None:
            raise ConfigError(
                f"{key}.readCapacity/writeCapacity apply only with billingMode PROVISIONED"
            )
        if t.autoscaling is not None:
            raise ConfigError(f"{key}.autoscaling applies only with billingMode PROVISIONED")
    if t.billing_mode == "PROVISIONED":
        scaling = t.autoscaling or DynamoAutoscalingConfig()
        capacities = [("", t.read_capacity, t.write_capacity)] + [
            (f".indexes[{i}]", index.read_capacity, index.write_capacity)
            for i, index in enumerate(t.indexes)
        ]
        for where, read, write in capacities:
            for label, value in (("readCapacity", read), ("writeCapacity", write)):
                if value is not None and not scaling.min_capacity <= value <= scaling.max_capacity:
                    raise ConfigError(
                        f"{key}{where}.{label} must be within autoscaling minCapacity..maxCapacity"
                        f" ({scaling.min_capacity}..{scaling.max_capacity}; got {value})"
                    )
    if t.stream_processor and t.stream is None:
        raise ConfigError(
            f"{key}.streamProcessor needs a stream (set {key}.stream, e.g. NEW_AND_OLD_IMAGES)"
        )
    if t.ttl_attribute is not None and t.ttl_attribute in key_attrs:
        raise ConfigError(
            f"{key}.ttlAttribute {t.ttl_attribute!r} is a key attribute; TTL needs a number attribute"
        )


def parse_dynamo(raw: Any) -> DynamoConfig:
    f = _Fields("dbtier:dynamo", raw)
    enabled = f.flag("enabled", True)
    tables_raw = f._get("tables")
    f.done()
    if tables_raw is None:
        return DynamoConfig(enabled=enabled)
    if not isinstance(tables_raw, list) or not tables_raw:
        raise ConfigError(
            f"dbtier:dynamo.tables must be a non-empty list (got {_show(tables_raw)})"
        )
    tables = tuple(
        parse_dynamo_table(f"dbtier:dynamo.tables[{i}]", t) for i, t in enumerate(tables_raw)
    )
    names = [t.name for t in tables]
    for i, name in enumerate(names):
        if names.index(name) != i:
            raise ConfigError(f"dbtier:dynamo.tables[{i}].name {name!r} is used by another table")
    return DynamoConfig(enabled=enabled, tables=tables)


def parse_redis(raw: Any) -> RedisConfig:
    d = RedisConfig()
    f = _Fields("dbtier:redis", raw)
    engine = f.choice("engine", d.engine, REDIS_VERSIONS)
    nodes = f.integer("nodes", None, 1, 6)
    shards = f.integer("shards", None, 1, 500)
    replicas = f.integer("replicasPerShard", None, 0, 5)
    if shards is None and replicas is not None:
        raise ConfigError("dbtier:redis.replicasPerShard needs dbtier:redis.shards (cluster mode)")
    if shards is not None and nodes is not None:
        raise ConfigError("dbtier:redis.nodes and dbtier:redis.shards are exclusive: set one")
    total = shards * (1 + (replicas or 0)) if shards is not None else (nodes or 1)
    has_replica = total >= 2 if shards is None else (replicas or 0) >= 1
    # Cluster mode always runs with automatic failover (ElastiCache requires it); without cluster
    # mode, failover needs a replica to promote.
    failover_default = has_replica or shards is not None
    cfg = RedisConfig(
        enabled=f.flag("enabled", d.enabled),
        engine=engine,
        engine_version=f.text(
            "engineVersion",
            REDIS_VERSIONS[engine],
            r"7\.[01]|6\.2" if engine == "redis" else r"7\.2|8\.[0-9]",
            "a Redis 6.2/7.x version" if engine == "redis" else "a Valkey 7.2/8.x version",
        ),
        node_type=f.text(
            "nodeType",
            d.node_type,
            r"cache\.[a-z0-9]+\.[a-z0-9]+",
            "a node type like cache.r7g.large",
        ),
        nodes=nodes or 1,
        shards=shards,
        replicas_per_shard=replicas if shards is None else (replicas or 0),
        automatic_failover=f.flag("automaticFailover", failover_default),
        multi_az=f.flag("multiAz", has_replica),
        snapshot_retention_days=f.integer(
            "snapshotRetentionDays", d.snapshot_retention_days, 0, 35
        ),
        log_retention_days=_log_retention(f, d.log_retention_days),
    )
    f.done()
    if cfg.automatic_failover and not cfg.cluster_mode and not has_replica:
        raise ConfigError(
            f"dbtier:redis.automaticFailover needs at least 2 nodes (a replica to promote; got {total})"
        )
    if cfg.multi_az and not has_replica:
        raise ConfigError(
            "dbtier:redis.multiAz needs a replica in another AZ: at least 2 nodes, or"
            f" replicasPerShard >= 1 in cluster mode (got {total} node(s))"
        )
    if cfg.multi_az and not cfg.automatic_failover:
        raise ConfigError("dbtier:redis.multiAz needs automaticFailover and at least 2 nodes")
    if re.match(r"cache\.(t1|t2|m1|m2|m3|c1|r3)\.", cfg.node_type):
        raise ConfigError(
            f"dbtier:redis.nodeType {cfg.node_type} is a previous-generation type without"
            " encryption at rest; use a current type such as cache.t4g.micro or cache.r7g.large"
        )
    if cfg.cluster_mode and not cfg.automatic_failover:
        raise ConfigError("dbtier:redis.shards (cluster mode) needs automaticFailover true")
    return cfg


def parse_warehouse(raw: Any) -> WarehouseConfig:
    d = WarehouseConfig()
    f = _Fields("dbtier:warehouse", raw)
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
        username=_username(f, d.username, "Redshift"),
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


_TABLE_PATTERN = r"[A-Za-z0-9_$%]+\.[A-Za-z0-9_$%]+"


def parse_migration(raw: Any) -> MigrationConfig:
    d = MigrationConfig()
    f = _Fields("dbtier:migration", raw)

    def check_pattern(name: str, value: str) -> None:
        if not re.fullmatch(_TABLE_PATTERN, value):
            raise ConfigError(
                f"{name} must be a schema.table pattern with % wildcards (got {value!r})"
            )

    cfg = MigrationConfig(
        enabled=f.flag("enabled", d.enabled),
        instance_class=f.text(
            "instanceClass",
            d.instance_class,
            r"dms\.[a-z0-9]+\.[a-z0-9]+",
            "a DMS class like dms.t3.medium",
        ),
        source=f.choice("source", d.source, ("relational",)),
        target=f.choice("target", d.target, ("aurora",)),
        migration_type=f.choice(
            "migrationType", d.migration_type, ("full-load", "cdc", "full-load-and-cdc")
        ),
        include=f.strings("include", check_pattern) or d.include,
        exclude=f.strings("exclude", check_pattern) or (),
        create_service_roles=f.flag("createServiceRoles", d.create_service_roles),
        multi_az=f.flag("multiAz", d.multi_az),
        allocated_storage=f.integer("allocatedStorage", d.allocated_storage, 5, 6144),
    )
    f.done()
    for label, patterns in (("include", cfg.include), ("exclude", cfg.exclude)):
        seen = [p.lower() for p in patterns]
        for i, pattern in enumerate(seen):
            if seen.index(pattern) != i:
                raise ConfigError(
                    f"dbtier:migration.{label}[{i}] repeats {patterns[i]!r}; list each pattern once"
                )
    both = sorted({p.lower() for p in cfg.include} & {p.lower() for p in cfg.exclude})
    if both:
        raise ConfigError(
            f"dbtier:migration.exclude cancels the include pattern {both[0]!r}; remove one of them"
        )
    return cfg


def parse_alarms(raw: Any) -> AlarmsConfig:
    d = AlarmsConfig()
    f = _Fields("dbtier:alarms", raw)
    cfg = AlarmsConfig(
        enabled=f.flag("enabled", d.enabled),
        email=f.text("email", None, r"[^@\s]+@[^@\s]+\.[^@\s]+", "an email address"),
        cpu_percent=f.number("cpuPercent", d.cpu_percent, 1, 100),
        free_storage_gib=f.number("freeStorageGib", d.free_storage_gib, 1, 65536),
        replica_lag_seconds=f.number("replicaLagSeconds", d.replica_lag_seconds, 1, 86400),
        acu_percent=f.number("acuPercent", d.acu_percent, 1, 100),
        iterator_age_seconds=f.number("iteratorAgeSeconds", d.iterator_age_seconds, 1, 604800),
        memory_percent=f.number("memoryPercent", d.memory_percent, 1, 100),
        evictions=f.number("evictions", d.evictions, 0, 1e9),
        disk_percent=f.number("diskPercent", d.disk_percent, 1, 100),
        cdc_latency_seconds=f.number("cdcLatencySeconds", d.cdc_latency_seconds, 1, 86400),
        throttles=f.number("throttles", d.throttles, 1, 1e9),
        queued_queries=f.number("queuedQueries", d.queued_queries, 1, 1e6),
    )
    f.done()
    return cfg


def parse_tags(raw: Any) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ConfigError(f"dbtier:tags must be an object of tag: value (got {_show(raw)})")
    if len(raw) > 40:
        raise ConfigError(
            f"dbtier:tags has {len(raw)} tags; keep at most 40 (AWS allows 50 with ours)"
        )
    for key, value in raw.items():
        if key.lower().startswith("aws:"):
            raise ConfigError(f"dbtier:tags.{key} uses the reserved aws: prefix")
        if not 1 <= len(key) <= 128:
            raise ConfigError(f"dbtier:tags key {key!r} must be 1-128 characters")
        if not isinstance(value, str) or len(value) > 256:
            raise ConfigError(
                f"dbtier:tags.{key} must be a string of at most 256 characters (got {_show(value)})"
            )
    return dict(raw)


def _parse_bool(key: str, raw: Any) -> bool:
    if raw is None:
        return False
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    raise ConfigError(f"{key} must be true or false (got {_show(raw)})")


_PARSERS: dict[str, Callable[[Any], Any]] = {
    "network": parse_network,
    "encryption": parse_encryption,
    "relational": parse_relational,
    "aurora": parse_aurora,
    "dynamo": parse_dynamo,
    "redis": parse_redis,
    "warehouse": parse_warehouse,
    "migration": parse_migration,
    "alarms": parse_alarms,
    "protect": lambda raw: _parse_bool("dbtier:protect", raw),
    "tags": parse_tags,
}

KNOWN_KEYS = tuple(f"{NAMESPACE}:{name}" for name in _PARSERS)


def parse(raw: Mapping[str, Any]) -> StackConfig:
    """Parse a mapping of `dbtier:<key>` (or bare `<key>`) to its value into a StackConfig.

    Values may be already-decoded objects or the JSON strings Pulumi passes for structured config.
    """
    values: dict[str, Any] = {}
    for full_key, value in raw.items():
        name = full_key.split(":", 1)[1] if full_key.startswith(f"{NAMESPACE}:") else full_key
        if name not in _PARSERS:
            raise ConfigError(
                f"{NAMESPACE}:{name} is not a known setting (known: {', '.join(KNOWN_KEYS)})"
            )
        values[name] = _parse_json(f"{NAMESPACE}:{name}", value)
    parsed = {name: parser(values.get(name)) for name, parser in _PARSERS.items()}
    cfg = StackConfig(**parsed)
    _check_cross_keys(cfg)
    return cfg


def _parse_json(key: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text[:1] in ("{", "[") or text in ("true", "false"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(
                f"{key} is not valid JSON ({exc.msg} at position {exc.pos})"
            ) from None
    return value


def _check_cross_keys(cfg: StackConfig) -> None:
    m = cfg.migration
    if m.enabled:
        if not cfg.relational.enabled:
            raise ConfigError(
                "dbtier:migration.source is relational, but dbtier:relational.enabled is false"
            )
        if not cfg.aurora.enabled:
            raise ConfigError(
                "dbtier:migration.target is aurora, but dbtier:aurora.enabled is false"
            )
    if cfg.alarms.email is not None and not cfg.alarms.enabled:
        raise ConfigError("dbtier:alarms.email is set but dbtier:alarms.enabled is false")


def from_pulumi() -> StackConfig:
    """Parse the running stack's `dbtier:` config (as the engine passed it) into a StackConfig."""
    from pulumi.runtime.config import CONFIG

    raw = {key: value for key, value in CONFIG.get().items() if key.startswith(f"{NAMESPACE}:")}
    return parse(raw)
