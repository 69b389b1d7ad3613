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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from components.alarms.config import AlarmsConfig, parse_alarms
from components.aurora.config import AuroraConfig, parse_aurora
from components.dynamo.config import DynamoConfig, parse_dynamo
from components.migration.config import MigrationConfig, parse_migration
from components.network.config import NetworkConfig, parse_network
from components.redis.config import RedisConfig, parse_redis
from components.relational.config import RelationalConfig, parse_relational
from components.settings import ConfigError, Fields, offered, show
from components.warehouse.config import WarehouseConfig, parse_warehouse
from policy.dbtier_policy import catalog

__all__ = ["KNOWN_KEYS", "NAMESPACE", "ConfigError", "StackConfig", "from_pulumi", "parse"]

NAMESPACE = "dbtier"


@dataclass(frozen=True)
class EncryptionConfig:
    kms_key_arn: str | None = None
    """An existing KMS key for every component; None creates one customer-managed key."""


@dataclass(frozen=True)
class StackConfig:
    network: NetworkConfig = field(default_factory=NetworkConfig)
    encryption: EncryptionConfig = field(default_factory=EncryptionConfig)
    relational: RelationalConfig = field(default_factory=RelationalConfig)
    aurora: AuroraConfig = field(default_factory=AuroraConfig)
    dynamo: DynamoConfig = field(default_factory=DynamoConfig)
    redis: RedisConfig = field(default_factory=RedisConfig)
    warehouse: WarehouseConfig = field(default_factory=WarehouseConfig)
    migration: MigrationConfig = field(default_factory=MigrationConfig)
    alarms: AlarmsConfig = field(default_factory=AlarmsConfig)
    protect: bool = False
    tags: Mapping[str, str] = field(default_factory=dict)
    region: str | None = None
    """`aws:region` (or AWS_REGION): where the tier is deployed; None when nothing says."""


def parse_encryption(raw: Any) -> EncryptionConfig:
    f = Fields("dbtier:encryption", raw)
    arn = f.text(
        "kmsKeyArn",
        None,
        r"arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[0-9a-f-]{36}|arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/mrk-[0-9a-f]{32}",
        "a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)",
    )
    f.done()
    return EncryptionConfig(arn)


def parse_tags(raw: Any) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ConfigError(f"dbtier:tags must be an object of tag: value (got {show(raw)})")
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
                f"dbtier:tags.{key} must be a string of at most 256 characters (got {show(value)})"
            )
    return dict(raw)


def _parse_bool(key: str, raw: Any) -> bool:
    if raw is None:
        return False
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    raise ConfigError(f"{key} must be true or false (got {show(raw)})")


# Parsers of keys whose values AWS offers per region (checked through the pack's catalog).
_REGIONAL: dict[str, Callable[[Any, str | None], Any]] = {
    "relational": parse_relational,
    "aurora": parse_aurora,
    "redis": parse_redis,
    "warehouse": parse_warehouse,
    "migration": parse_migration,
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
    "protect": lambda raw: _parse_bool("dbtier:protect", raw),
    "tags": parse_tags,
}

KNOWN_KEYS = tuple(f"{NAMESPACE}:{name}" for name in _PARSERS)


def parse(raw: Mapping[str, Any], region: str | None = None) -> StackConfig:
    """Parse a mapping of `dbtier:<key>` (or bare `<key>`) to its value into a StackConfig.

    Values may be already-decoded objects or the JSON strings Pulumi passes for structured config.
    `region` is the stack's `aws:region`: versions, classes and node types are checked against
    what AWS offers there; without it only the region-independent checks run.
    """
    offered("aws:region", lambda: region and catalog.region_problem(region))
    values: dict[str, Any] = {}
    for full_key, value in raw.items():
        name = full_key.split(":", 1)[1] if full_key.startswith(f"{NAMESPACE}:") else full_key
        if name not in _PARSERS:
            raise ConfigError(
                f"{NAMESPACE}:{name} is not a known setting (known: {', '.join(KNOWN_KEYS)})"
            )
        values[name] = _parse_json(f"{NAMESPACE}:{name}", value)
    parsed = {
        name: _REGIONAL[name](values.get(name), region)
        if name in _REGIONAL
        else parser(values.get(name))
        for name, parser in _PARSERS.items()
    }
    cfg = StackConfig(**parsed, region=region)
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

    config = CONFIG.get()
    raw = {key: value for key, value in config.items() if key.startswith(f"{NAMESPACE}:")}
    return parse(raw, region=region_of(config))


def region_of(config: Mapping[str, Any]) -> str | None:
    """The stack's region: `aws:region`, else what the AWS provider reads from the environment."""
    region = config.get("aws:region") or os.environ.get("AWS_REGION")
    return str(region or os.environ.get("AWS_DEFAULT_REGION") or "") or None
