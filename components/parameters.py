"""User engine parameters (`parameters` of relational, aurora, redis, warehouse), checked once.

A user names parameters as ``{name: value}`` or ``{name: {value, applyMethod}}``; they are
merged over dbtier's own, except the ones dbtier enforces for security or correctness (TLS,
audit and query logging, row binlogs for DMS, the cluster mode the topology needs): a user
entry that would change one of those is a config error naming it, and the policy pack checks
the same parameters in the plan (rds-parameter-group-requires-tls, rds-parameter-group-logging,
redshift-require-ssl and redshift-user-activity-logging).

Whether an arbitrary parameter is static or dynamic is only known from the engine's parameter
list, so RDS/Aurora user parameters apply at the next reboot (``pending-reboot``, which RDS
accepts for both kinds) unless the entry says ``applyMethod: immediate``; RDS refuses
``immediate`` for a static parameter, and that is the user's call to make.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

from components.settings import ConfigError, describe, num
from contract.echo import echo

# Engine parameter names: MySQL's snake_case, PostgreSQL's dotted (rds.force_ssl), Redis's
# kebab-case (maxmemory-policy), Redshift's snake_case.
NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,127}", re.ASCII)
# Printable ASCII only: values go into an API call and a plan, never through a shell.
VALUE = re.compile(r"[\x20-\x7e]{0,4096}", re.ASCII)
# dbtier's own bound (RDS groups hold hundreds, but a stack file with more than this many
# overrides is a sign something is being configured in the wrong place).
MOST = 100
APPLY_METHODS = ("immediate", "pending-reboot")

# Why dbtier enforces each parameter (by canonical name), as the error message says it.
WHY = {
    "require_secure_transport": "TLS",
    "rds.force_ssl": "TLS",
    "require_ssl": "TLS",
    "log_output": "logging",
    "slow_query_log": "logging",
    "general_log": "logging",
    "server_audit_logging": "audit logging",
    "server_audit_events": "audit logging",
    "enable_user_activity_logging": "audit logging",
    "binlog_format": "row binlogs for DMS change data capture",
    "binlog_row_image": "row binlogs for DMS change data capture",
    "binlog_checksum": "row binlogs for DMS change data capture",
    "rds.logical_replication": "logical replication for DMS change data capture",
    "log_statement": "logging",
    "log_min_duration_statement": "logging",
    "cluster_enabled": "cluster mode follows dbtier:redis.shards",
}
# Parameters dbtier sets as a default a user may tune (the slow-query thresholds: MySQL's
# seconds, PostgreSQL's milliseconds).
TUNABLE = frozenset({"long_query_time", "log_min_duration_statement"})

Style = Literal["rds", "redshift", "elasticache"]
# How each service spells a boolean parameter.
_BOOLEANS: dict[Style, tuple[str, str]] = {
    "rds": ("1", "0"),
    "redshift": ("true", "false"),
    "elasticache": ("yes", "no"),
}


@dataclass(frozen=True)
class Parameter:
    name: str
    value: str
    apply_method: str | None = None
    """RDS/Aurora only: immediate or pending-reboot (None: pending-reboot)."""


def parse_parameters(key: str, raw: Any, style: Style) -> tuple[Parameter, ...]:
    """The user's parameters at `key` (``dbtier:<part>.parameters``), in the order given."""
    if raw is None:
        return ()
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{key} must be an object of name: value (got {describe(raw)})")
    if len(raw) > MOST:
        raise ConfigError(f"{key} has {len(raw)} parameters; dbtier accepts at most {MOST}")
    seen: dict[str, str] = {}
    out = []
    for i, (name, entry) in enumerate(raw.items()):
        if not isinstance(name, str) or not NAME.fullmatch(name):
            raise ConfigError(
                f"{key} entry #{i + 1}: a parameter name must be a letter then up to 127"
                f" letters, digits, _ . or - (got {describe(name)})"
            )
        where = f"{key}.{name}"
        if canonical(name) in seen:
            raise ConfigError(f"{where} repeats {key}.{seen[canonical(name)]}; name it once")
        seen[canonical(name)] = name
        apply_method, value = None, entry
        if isinstance(entry, Mapping):
            unknown = sorted(set(entry) - {"value", "applyMethod"}, key=str)
            if unknown:
                raise ConfigError(
                    f"{where}.{echo(unknown[0])} is not a known setting (known: applyMethod, value)"
                )
            if "applyMethod" in entry:
                if style != "rds":
                    raise ConfigError(
                        f"{where}.applyMethod applies only to RDS and Aurora parameter groups"
                        f" ({style} applies every change itself)"
                    )
                apply_method = entry["applyMethod"]
                if apply_method not in APPLY_METHODS:
                    raise ConfigError(
                        f"{where}.applyMethod must be one of {', '.join(APPLY_METHODS)}"
                        f" (got {describe(apply_method)})"
                    )
            if "value" not in entry:
                raise ConfigError(f"{where}.value is required")
            value = entry["value"]
        out.append(Parameter(name, _value(where, value, style), apply_method))
    return tuple(out)


def _value(where: str, value: Any, style: Style) -> str:
    if isinstance(value, bool):
        return _BOOLEANS[style][0 if value else 1]
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise ConfigError(f"{where} must be a finite number (got {describe(value)})")
        return num(value)
    if isinstance(value, str) and VALUE.fullmatch(value):
        return value
    raise ConfigError(
        f"{where} must be a string of at most 4096 printable ASCII characters, a number or"
        f" true/false (got {describe(value)})"
    )


def check_not_enforced(key: str, user: tuple[Parameter, ...], enforced: Mapping[str, str]) -> None:
    """Refuse a user parameter that would change one dbtier enforces (same value is harmless)."""
    own = {canonical(name): value for name, value in enforced.items() if name not in TUNABLE}
    for p in user:
        value = own.get(canonical(p.name))
        if value is not None and _same(p.value) != _same(value):
            why = WHY.get(canonical(p.name), "its configuration")
            raise ConfigError(
                f"{key}.{p.name} is enforced by dbtier ({why}) and cannot be changed"
                f" (dbtier sets {value})"
            )


def canonical(name: str) -> str:
    """A parameter name as dbtier compares it: case aside, and - the same as _ (MySQL reads
    `require-secure-transport` as `require_secure_transport`; elsewhere the other spelling is
    at best an unknown name that fails at deploy), so an enforced parameter can be neither
    overridden nor given twice under another spelling."""
    return name.lower().replace("-", "_")


def _same(value: str) -> str:
    """A value as engines compare it: case aside, and 1/on/true/yes all mean on."""
    lowered = value.lower()
    if lowered in ("1", "on", "true", "yes"):
        return "on"
    if lowered in ("0", "off", "false", "no"):
        return "off"
    return lowered


def merged(enforced: Mapping[str, str], user: tuple[Parameter, ...]) -> dict[str, Parameter]:
    """dbtier's parameters with the user's over the tunable ones and added after them, keyed by
    `canonical` name: a user entry that spells one of dbtier's another way sets dbtier's (a
    group with both spellings would carry a name the engine does not know)."""
    out = {canonical(name): Parameter(name, value) for name, value in enforced.items()}
    for p in user:
        current = out.get(canonical(p.name))
        if current is None:
            out[canonical(p.name)] = p
        elif current.name in TUNABLE:
            out[canonical(p.name)] = replace(p, name=current.name)
    return out


def rds_parameters(enforced: Mapping[str, str], user: tuple[Parameter, ...]) -> list[Any]:
    """An RDS/Aurora parameter group's `parameters` (each item the SDK's parameter dict):
    dbtier's apply at reboot (as before), the user's as they say, else at reboot."""
    return [
        {"name": p.name, "value": p.value, "apply_method": p.apply_method or "pending-reboot"}
        for p in merged(enforced, user).values()
    ]


def plain_parameters(enforced: Mapping[str, str], user: tuple[Parameter, ...]) -> list[Any]:
    """An ElastiCache or Redshift parameter group's `parameters` (no apply method)."""
    return [{"name": p.name, "value": p.value} for p in merged(enforced, user).values()]
