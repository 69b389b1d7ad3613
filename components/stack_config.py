"""The stack's configuration: every `dbtier:` key parsed once into a frozen `StackConfig`.

Each component parses its own key (its package's `config` module); this module adds the
stack-wide keys (`encryption`, `protect`, `tags`), the checks across keys, and the entry points.
Parsing is pure (a mapping of raw values in, a `StackConfig` out) so it is unit-tested without
Pulumi; `from_pulumi()` feeds it the stack's config as the engine passed it. Any bad value raises
`ConfigError` with one message that names the key, what is wrong and the value given.
"""

from __future__ import annotations

import json
import os
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from awsdata import regions
from components import regions_config
from components.alarms.config import AlarmsConfig, parse_alarms
from components.aurora.config import AuroraConfig, parse_aurora
from components.backup.config import BACKUP_VAULT, BackupConfig, parse_backup, vault_name
from components.credentials import MIGRATION_REASON, managed_refused
from components.dynamo.config import DynamoConfig, parse_dynamo, table_name
from components.fieldcheck import check_object, check_value, declared
from components.logs import LogsConfig, parse_logs
from components.migration.config import (
    MigrationConfig,
    check_endpoints,
    dms_identifier,
    parse_migration,
)
from components.network.config import NetworkConfig, parse_network
from components.partitions import partition_of
from components.redis.config import RedisConfig, parse_redis, replication_group_id
from components.relational.config import RelationalConfig, check_parameters, parse_relational
from components.settings import (
    ALARM_NAME,
    DMS_IDENTIFIER,
    DMS_INSTANCE,
    DYNAMO_TABLE,
    ELASTICACHE_GROUP,
    KMS_ALIAS,
    KMS_KEY_ARN,
    LOG_GROUP,
    RDS_IDENTIFIER,
    REDSHIFT_CLUSTER,
    REDSHIFT_SERVERLESS,
    STACK_NAME,
    ConfigError,
    Fields,
    NameRule,
    check_name,
    cross_region_replica_identifier,
    describe,
    offered,
    rds_identifier,
)
from components.warehouse.config import WarehouseConfig, parse_warehouse, warehouse_identifier
from contract.echo import echo
from contract.fielddoc import doc

__all__ = ["KNOWN_KEYS", "NAMESPACE", "ConfigError", "StackConfig", "from_pulumi", "parse"]

NAMESPACE = "dbtier"

# The tags dbtier puts on every resource (components/stack.py default_tags): a user tag may not
# replace them, or a stack could pass itself off as another.
OWN_TAGS = ("Project", "Stack", "ManagedBy")
# AWS tag rules: https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html
# Keys 1-128 and values 0-256 characters of Unicode letters, digits, spaces and _ . : / = + - @.
TAG_KEY_MAX = 128
TAG_VALUE_MAX = 256
# AWS allows 50 tags per resource; dbtier's own take 3, and a few are left for AWS's services.
TAG_COUNT_MAX = 40
_TAG_SYMBOLS = frozenset("_.:/=+-@ ")
TAGS_DOCS = "https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html"


@dataclass(frozen=True)
class EncryptionConfig:
    kms_key_arn: str | None = field(
        default=None,
        metadata=doc(
            "An existing KMS key for every component; unset: one customer managed key for the"
            " stack, rotation on. Its key policy must let CloudWatch Logs, CloudWatch alarms and,"
            " with backups and alarms, AWS Backup's notifications use it.",
            rule="a key ARN (not an alias) in the stack's region and partition",
            aws="https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id-key-ARN",
        ),
    )


@dataclass(frozen=True)
class StackConfig(regions_config.RegionFields):
    network: NetworkConfig = field(
        default_factory=NetworkConfig,
        metadata=doc("The VPC, its subnets, and who may reach the engine ports."),
    )
    encryption: EncryptionConfig = field(
        default_factory=EncryptionConfig,
        metadata=doc("The KMS key that encrypts everything the stack stores."),
    )
    relational: RelationalConfig = field(
        default_factory=RelationalConfig,
        metadata=doc(
            "RDS (MySQL, PostgreSQL, MariaDB, SQL Server or Oracle): the primary, read replicas,"
            " backups, monitoring, windows, parameters."
        ),
    )
    aurora: AuroraConfig = field(
        default_factory=AuroraConfig,
        metadata=doc("Aurora Serverless v2 (MySQL or PostgreSQL): capacity, readers, backups."),
    )
    dynamo: DynamoConfig = field(
        default_factory=DynamoConfig,
        metadata=doc("DynamoDB tables: keys, indexes, capacity, streams and stream processors."),
    )
    redis: RedisConfig = field(
        default_factory=RedisConfig,
        metadata=doc(
            "ElastiCache Redis or Valkey, nodes or serverless: node type, shards, failover, AUTH"
            " token or RBAC users."
        ),
    )
    warehouse: WarehouseConfig = field(
        default_factory=WarehouseConfig,
        metadata=doc("Redshift, provisioned RA3 or Serverless, and the S3 sources COPY reads."),
    )
    migration: MigrationConfig = field(
        default_factory=MigrationConfig,
        metadata=doc("DMS from the RDS primary to the Aurora writer: full load and CDC."),
    )
    alarms: AlarmsConfig = field(
        default_factory=AlarmsConfig,
        metadata=doc("CloudWatch alarms to one SNS topic that emails on-call, and thresholds."),
    )
    backup: BackupConfig = field(
        default_factory=BackupConfig,
        metadata=doc(
            "AWS Backup: vault, daily and weekly rules, vault lock, copies, restore tests."
        ),
    )
    logs: LogsConfig = field(
        default_factory=LogsConfig,
        metadata=doc("Retention of every log group of the stack."),
    )
    protect: bool = field(
        default=False,
        metadata=doc("Pulumi `protect` on every stateful resource, so no destroy deletes one."),
    )
    tags: Mapping[str, str] = field(
        default_factory=dict,
        metadata=doc(
            "Tags merged into the default tags of every taggable resource.",
            rule="at most 40; keys up to 128 and values up to 256 characters of letters, digits,"
            " spaces and _ . : / = + - @; no aws: prefix; Project, Stack and ManagedBy are dbtier's",
            aws="https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html",
        ),
    )
    region: str | None = field(
        default=None,
        metadata=doc(
            "`aws:region` (or AWS_REGION): where the tier is deployed; unset when nothing says.",
            key="",
        ),
    )


def parse_encryption(raw: Any, region: str | None = None) -> EncryptionConfig:
    """Parse `dbtier:encryption`; a key ARN must be in the stack's region and partition: KMS
    keys are regional, and every component encrypts with the key in its own region."""
    check_object("dbtier:encryption", raw, EncryptionConfig)
    f = Fields("dbtier:encryption", raw)
    arn = f.text(
        "kmsKeyArn",
        None,
        KMS_KEY_ARN,
        "a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)",
    )
    f.done()
    if arn is not None and region:
        partition, key_region = arn.split(":")[1], arn.split(":")[3]
        if key_region != region or partition != partition_of(region):
            raise ConfigError(
                f"dbtier:encryption.kmsKeyArn must be a key in the stack's region {region}"
                f" (partition {partition_of(region)}; got a key in {key_region}, partition"
                f" {partition}): KMS keys are regional"
            )
    return EncryptionConfig(arn)


def _tag_problem(text: str, most: int) -> str | None:
    """Why AWS (or a console showing it) would not take `text` as a tag key or value."""
    if len(text) > most:
        return f"is {len(text)} characters (at most {most})"
    for char in text:
        if char in _TAG_SYMBOLS or unicodedata.category(char)[0] in "LN":
            continue
        return "may contain only letters, digits, spaces and _ . : / = + - @"
    return None


def parse_tags(raw: Any) -> dict[str, str]:
    """Parse `dbtier:tags`: AWS's tag rules, and none of dbtier's own tags replaced. Keys that
    break a rule are named by position, not echoed (a pasted secret would be). Its shape (an
    object of text to text) and its text were checked against the field (`components.fieldcheck`)."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ConfigError(f"dbtier:tags must be an object of tag: value (got {describe(raw)})")
    if len(raw) > TAG_COUNT_MAX:
        raise ConfigError(
            f"dbtier:tags has {len(raw)} tags; keep at most {TAG_COUNT_MAX}"
            f" (AWS allows 50 per resource with dbtier's own: {TAGS_DOCS})"
        )
    for i, (key, value) in enumerate(raw.items()):
        where = f"dbtier:tags key #{i + 1}"
        if key[:4].lower() == "aws:":
            raise ConfigError(f"{where} uses the reserved aws: prefix ({TAGS_DOCS})")
        if problem := _tag_problem(key, TAG_KEY_MAX):
            raise ConfigError(f"{where} {problem} ({TAGS_DOCS})")
        own = next((t for t in OWN_TAGS if t.lower() == key.lower()), None)
        if own is not None:
            raise ConfigError(
                f"dbtier:tags.{key} would replace dbtier's own {own} tag; choose another key"
                f" ({', '.join(OWN_TAGS)} are set by dbtier)"
            )
        if problem := _tag_problem(value, TAG_VALUE_MAX):
            raise ConfigError(f"dbtier:tags.{key}: the value {problem} ({TAGS_DOCS})")
    return dict(raw)


def _parse_bool(key: str, raw: Any) -> bool:
    if raw is None:
        return False
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    raise ConfigError(f"{key} must be true or false (got {describe(raw)})")


# Parsers of keys whose values AWS offers per region (checked through AWS's data (`awsdata`, which the policy pack reads too)).
_REGIONAL: dict[str, Callable[[Any, str | None], Any]] = {
    "encryption": parse_encryption,
    "relational": parse_relational,
    "aurora": parse_aurora,
    "redis": parse_redis,
    "warehouse": parse_warehouse,
    "migration": parse_migration,
    "backup": parse_backup,
}

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
    "backup": parse_backup,
    "logs": parse_logs,
    "protect": lambda raw: _parse_bool("dbtier:protect", raw),
    "tags": parse_tags,
}

KNOWN_KEYS = tuple(f"{NAMESPACE}:{name}" for name in (*_PARSERS, "regions"))


def parse(
    raw: Mapping[str, Any],
    region: str | None = None,
    stack: str | None = None,
    project: str = NAMESPACE,
) -> StackConfig:
    """Parse a mapping of `dbtier:<key>` (or bare `<key>`) to its value into a StackConfig.

    Values may be already-decoded objects or the JSON strings Pulumi passes for structured config.
    `region` is the stack's `aws:region`: versions, classes and node types are checked against
    what AWS offers there; without it only the region-independent checks run. `stack` and
    `project` are the names dbtier builds physical names from: with them, every name AWS will
    see is checked against AWS's rules.
    """
    if region is not None:
        # An empty or padded region is as wrong as a made-up one: the catalog says so.
        offered("aws:region", lambda: regions.region_problem(region))
    values: dict[str, Any] = {}
    for full_key, value in raw.items():
        name = full_key.split(":", 1)[1] if full_key.startswith(f"{NAMESPACE}:") else full_key
        if f"{NAMESPACE}:{name}" not in KNOWN_KEYS:
            raise ConfigError(
                f"{NAMESPACE}:{name} is not a known setting (known: {', '.join(KNOWN_KEYS)})"
            )
        values[name] = _parse_json(f"{NAMESPACE}:{name}", value)
    secondary = regions_config.take(values, region)
    # Every value against its field's declaration before any part parses (a part's parser checks
    # its own object again, for the library's components that call it directly).
    for name, field_ in declared(StackConfig).items():
        if name in values:
            check_value(f"{NAMESPACE}:{name}", values[name], field_.hint, field_.doc)
    parsed = {
        name: _REGIONAL[name](values.get(name), region)
        if name in _REGIONAL
        else parser(values.get(name))
        for name, parser in _PARSERS.items()
    }
    cfg = StackConfig(**parsed, **secondary.fields(parsed), region=region)
    _check_cross_keys(cfg)
    if stack is not None:
        check_physical_names(cfg, project, stack)
    return cfg


def physical_names(cfg: StackConfig, project: str, stack: str) -> list[tuple[str, NameRule, str]]:
    """(config key, AWS rule, name) for every physical name the stack gives AWS, built by the
    same functions the components use."""
    names: list[tuple[str, NameRule, str]] = [
        ("dbtier:encryption", KMS_ALIAS, f"alias/dbtier-{stack}"),
    ]
    if cfg.alarms.enabled:
        names.append(("dbtier:alarms", ALARM_NAME, f"{project}-{stack}-relational-replica-lag-0"))
    if cfg.dynamo.enabled:
        for i, table in enumerate(cfg.dynamo.tables):
            key = f"dbtier:dynamo.tables[{i}].name"
            names.append((key, DYNAMO_TABLE, table_name(project, stack, table.schema.name)))
            if table.stream_processor:
                log = f"/dbtier/{stack}/{table.schema.name}/stream-processor"
                names.append((key, LOG_GROUP, log))
    if cfg.redis.enabled:
        names.append(
            ("dbtier:redis", ELASTICACHE_GROUP, replication_group_id(project, stack, "redis"))
        )
        names.append(("dbtier:redis", LOG_GROUP, f"/dbtier/{stack}/redis/engine-log"))
    if cfg.warehouse.enabled:
        rule = REDSHIFT_CLUSTER if cfg.warehouse.mode == "provisioned" else REDSHIFT_SERVERLESS
        names.append(("dbtier:warehouse", rule, warehouse_identifier(stack, "warehouse")))
    if cfg.migration.enabled:
        names.append(
            (
                "dbtier:migration",
                DMS_INSTANCE,
                dms_identifier(project, stack, "migration", "instance"),
            )
        )
        for role in ("subnets", "source", "target", "task"):
            names.append(
                (
                    "dbtier:migration",
                    DMS_IDENTIFIER,
                    dms_identifier(project, stack, "migration", role),
                )
            )
    if cfg.backup.enabled:
        names.append(("dbtier:backup", BACKUP_VAULT, vault_name(project, stack)))
    if cfg.relational.enabled:
        # The longest home one: the last replica's (replica-15 at most); and each secondary
        # region's replica, named after the primary and its region.
        n = cfg.relational.read_replicas
        role = f"replica-{n}" if n else "primary"
        names.append(("dbtier:relational", RDS_IDENTIFIER, rds_identifier(project, stack, "relational", role)))  # fmt: skip
        home = rds_identifier(project, stack, "relational", "primary")
        for r in cfg.relational.cross_region_replicas:
            name = cross_region_replica_identifier(home, r)
            names.append(("dbtier:relational.crossRegionReplicas", RDS_IDENTIFIER, name))
    if cfg.aurora.enabled:  # the home cluster, and each secondary region's (components.aurora)
        for name in ("aurora", *(f"aurora-{r}" for r in cfg.regions)):
            names.append(("dbtier:aurora", RDS_IDENTIFIER, rds_identifier(project, stack, name, "cluster")))  # fmt: skip
    return names


def check_physical_names(cfg: StackConfig, project: str, stack: str) -> None:
    """Refuse a stack whose physical names AWS would refuse, naming the key and, when the stack
    name is what breaks it, the stack."""
    if problem := STACK_NAME.problem(stack):
        raise ConfigError(f"stack {echo(stack)!r}: {problem}")
    for key, rule, name in physical_names(cfg, project, stack):
        if rule.problem(name) is None:
            continue
        # Blame the stack name when the same name built from a short, plain stack would pass.
        plain = name.replace(stack, "s", 1) if stack in name else name
        if rule.problem(plain) is None:
            check_name(
                f"{key} in stack {echo(stack)!r}",
                rule,
                name,
                f"(built from the stack name: {echo(name, 70)!r})",
            )
        check_name(key, rule, name)


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
        managed_refused("dbtier:relational", cfg.relational.credentials, MIGRATION_REASON)
        managed_refused("dbtier:aurora", cfg.aurora.credentials, MIGRATION_REASON)
        check_endpoints(m, cfg.relational.engine, cfg.relational.database_name, cfg.aurora.engine)
        # DMS reads row binlogs: with a migration, its binlog parameters are enforced too.
        check_parameters(cfg.relational, cdc_source=True)
    if cfg.alarms.email is not None and not cfg.alarms.enabled:
        raise ConfigError("dbtier:alarms.email is set but dbtier:alarms.enabled is false")


def from_pulumi() -> StackConfig:
    """Parse the running stack's `dbtier:` config (as the engine passed it) into a StackConfig."""
    import pulumi
    from pulumi.runtime.config import CONFIG

    config = CONFIG.get()
    raw = {key: value for key, value in config.items() if key.startswith(f"{NAMESPACE}:")}
    return parse(
        raw, region=region_of(config), stack=pulumi.get_stack(), project=pulumi.get_project()
    )


def region_of(config: Mapping[str, Any]) -> str | None:
    """The stack's region: `aws:region` (even an empty one, which `parse` refuses), else what
    the AWS provider reads from the environment."""
    if "aws:region" in config:
        return str(config["aws:region"])
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    return region or None
