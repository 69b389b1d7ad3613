"""The stack outputs, defined once.

Each enabled component exports one object under a fixed key (`relational`, `aurora`, ...). The
dataclasses below are that shape: the program builds its exports through `exported` (which
refuses a field the contract does not name, or a missing one), the local stand-ins build
instances and write them with `to_json`, and the workloads read them with `read_section`, which
validates every value and names the dotted key of anything missing or malformed. Attribute
names are snake_case; the JSON names are their camelCase forms.

Fields marked `local` exist only in a local run (`tls: false`, the moto `endpointUrl`); the
deployed stack never exports them and readers fall back to their defaults.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

MASKED = "[secret]"


class ContractError(ValueError):
    """Stack outputs that do not match the contract; the message names the dotted key."""


def _local(default: Any) -> Any:
    """A field only local stand-ins write; the deployed stack leaves it to the default."""
    return field(default=default, metadata={"local": True})


def _optional(default: Any = None) -> Any:
    """A field the program may leave out of an export (readers use the default)."""
    return field(default=default, metadata={"optional": True})


@dataclass(frozen=True)
class RelationalOutputs:
    """`relational`: the RDS MySQL primary, its read replicas and credentials."""

    KEY: ClassVar[str] = "relational"
    endpoint: str
    port: int
    database_name: str
    username: str
    password: str
    reader_endpoints: tuple[str, ...] = ()
    secret_arn: str | None = None
    engine: str = "mysql"
    tls: bool = _local(True)


@dataclass(frozen=True)
class AuroraOutputs:
    """`aurora`: the Aurora Serverless v2 cluster's writer and reader endpoints."""

    KEY: ClassVar[str] = "aurora"
    writer_endpoint: str
    port: int
    database_name: str
    username: str
    password: str
    reader_endpoint: str | None = None
    secret_arn: str | None = None
    engine: str = "aurora-mysql"
    tls: bool = _local(True)


@dataclass(frozen=True)
class WarehouseOutputs:
    """`warehouse`: the Redshift cluster or serverless workgroup endpoint."""

    KEY: ClassVar[str] = "warehouse"
    endpoint: str
    port: int
    database_name: str
    username: str
    password: str
    tls: bool = _local(True)


@dataclass(frozen=True)
class RedisOutputs:
    """`redis`: the ElastiCache replication group's endpoints and AUTH token."""

    KEY: ClassVar[str] = "redis"
    primary_endpoint: str
    port: int
    reader_endpoint: str | None = None
    auth_token: str | None = None
    tls: bool = False


@dataclass(frozen=True)
class DynamoTableOutputs:
    """One table of `dynamo.tables`, keyed by its config name."""

    table_name: str
    arn: str | None = None
    stream_arn: str | None = None
    indexes: tuple[str, ...] = ()
    processor_function: str | None = None


@dataclass(frozen=True)
class DynamoOutputs:
    """`dynamo`: the region and every table (with a local run's moto endpoint URL)."""

    KEY: ClassVar[str] = "dynamo"
    region: str
    tables: dict[str, DynamoTableOutputs]
    endpoint_url: str | None = _local(None)


@dataclass(frozen=True)
class MigrationOutputs:
    """`migration`: the DMS replication instance, task and endpoints."""

    KEY: ClassVar[str] = "migration"
    task_arn: str
    replication_instance_arn: str | None = None
    source_endpoint_arn: str | None = None
    target_endpoint_arn: str | None = None


SECTIONS: tuple[type, ...] = (
    RelationalOutputs,
    AuroraOutputs,
    DynamoOutputs,
    RedisOutputs,
    WarehouseOutputs,
    MigrationOutputs,
)


def camel(name: str) -> str:
    """`reader_endpoints` -> `readerEndpoints`: the JSON name of a contract attribute."""
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


# --- producing -----------------------------------------------------------------------------


def exported(cls: type, **values: Any) -> dict[str, Any]:
    """The export object of section `cls` from values named by its attributes.

    Every exported field of the contract must be given (optional ones may be left out) and
    nothing else, so a field renamed on one side only fails when the program is planned.
    """
    fields = {f.name: f for f in dataclasses.fields(cls) if not f.metadata.get("local")}
    unknown = sorted(set(values) - set(fields))
    missing = sorted(
        name for name, f in fields.items() if name not in values and not f.metadata.get("optional")
    )
    if unknown or missing:
        raise TypeError(
            f"{cls.__name__}: export does not match the contract "
            f"(unknown {unknown or 'none'}, missing {missing or 'none'})"
        )
    return {camel(name): value for name, value in values.items()}


def to_json(value: Any) -> Any:
    """A contract instance (or a dict of them) as the JSON `pulumi stack output` would hold."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            camel(f.name): to_json(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if getattr(value, f.name) is not None
        }
    if isinstance(value, Mapping):
        return {key: to_json(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [to_json(item) for item in value]
    return value


# --- reading -------------------------------------------------------------------------------

S = TypeVar("S")


def describe_value(value: Any) -> str:
    """How an error message names a JSON value's kind: "a string", "a number", "null" ..."""
    if isinstance(value, str):
        return "an empty string" if not value else "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if value is None:
        return "null"
    return "a list" if isinstance(value, list) else "an object"


_EXPECTED = {str: "a string", int: "an integer", bool: "true or false"}


def read_section(data: Mapping[str, Any], cls: type[S], source: str) -> S:
    """Section `cls.KEY` of the outputs `data`, validated; errors name `source` and the key."""
    key: str = cls.KEY  # type: ignore[attr-defined]
    if key not in data:
        raise ContractError(f'{source}: missing key "{key}"')
    return _read_object(data[key], cls, key, source)


def _read_object(raw: Any, cls: type[S], where: str, source: str) -> S:
    if not isinstance(raw, dict):
        raise ContractError(
            f'{source}: malformed key "{where}" (expected an object, got {describe_value(raw)})'
        )
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        dotted = f"{where}.{camel(f.name)}"
        has_default = f.default is not dataclasses.MISSING
        value = raw.get(camel(f.name))
        if value is None:
            if not has_default:
                raise ContractError(f'{source}: missing key "{dotted}"')
            continue
        values[f.name] = _read_value(value, hints[f.name], dotted, source)
    return cls(**values)


def _read_value(value: Any, hint: Any, dotted: str, source: str) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        (hint,) = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        if value == "":
            return None
        origin = typing.get_origin(hint)
    if value == MASKED:
        raise ContractError(
            f'{source}: "{dotted}" is masked; export the outputs with '
            "`pulumi stack output --json --show-secrets`"
        )
    if origin is tuple:
        if not isinstance(value, list):
            raise ContractError(
                f'{source}: malformed key "{dotted}" (expected a list, got {describe_value(value)})'
            )
        return tuple(
            _read_value(item, str, f"{dotted}[{i}]", source) for i, item in enumerate(value)
        )
    if origin is dict:
        if not isinstance(value, dict):
            raise ContractError(
                f'{source}: malformed key "{dotted}" (expected an object, got {describe_value(value)})'
            )
        _, item_cls = typing.get_args(hint)
        return {k: _read_object(v, item_cls, f"{dotted}.{k}", source) for k, v in value.items()}
    # JSON has one number type: accept "5432" and 5432 for a port, never true for an integer.
    if hint is int and isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    ok = isinstance(value, hint) and not (isinstance(value, bool) and hint is int)
    if not ok or (hint is str and not value):
        raise ContractError(
            f'{source}: malformed key "{dotted}" '
            f"(expected {_EXPECTED[hint]}, got {describe_value(value)})"
        )
    return value
