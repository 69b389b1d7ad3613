"""The stack outputs, defined once.

Each enabled component exports one object under a fixed key (`relational`, `aurora`, ...). The
dataclasses below are that shape: the program builds its exports through `exported` (which
refuses a field the contract does not name, or a missing one), the local stand-ins build
instances and write them with `to_json`, and the workloads read them with `read_section`, which
validates every value and names the dotted key of anything missing or malformed. Attribute
names are snake_case; the JSON names are their camelCase forms.

Fields marked `local` exist only in a local run (`tls: false`, the moto `endpointUrl`); the
deployed stack never exports them and readers fall back to their defaults.

Credentials: every database section names the Secrets Manager secret that holds its credentials
(`secretArn`); after a rotation that secret is the truth. `password` is the initial password of
the `generated` credentials mode and is absent in `managed` mode (the service owns the password);
readers resolve the secret first and the password second (`workloads.common.credentials`). A
local run may write a placeholder that is not an ARN (`"local"`): readers treat it as no secret.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import re
import types
import typing
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar, TypeVar
from urllib.parse import urlsplit

from contract.echo import echo

MASKED = "[secret]"


class ContractError(ValueError):
    """Stack outputs that do not match the contract; the message names the dotted key."""


def _local(default: Any) -> Any:
    """A field only local stand-ins write; the deployed stack leaves it to the default."""
    return field(default=default, metadata={"local": True})


def _optional(default: Any = None) -> Any:
    """A field the program may leave out of an export (readers use the default)."""
    return field(default=default, metadata={"optional": True})


# What a string or number is, beyond its JSON type: `read_section` checks each (see `_CHECKS`).
Host = Annotated[str, "host"]  # a DNS name or an IP address
Port = Annotated[int, "port"]  # 1-65535
Secret = Annotated[str, "secret"]  # never echoed in a message
Region = Annotated[str, "region"]  # an AWS region name
Url = Annotated[str, "url"]  # an http(s) URL
DynamoTableName = Annotated[str, "dynamo-table"]
Arn = Annotated[str, "arn"]  # an Amazon Resource Name
IamPolicy = Annotated[str, "iam-policy"]  # an IAM policy document as a JSON string


@dataclass(frozen=True)
class RelationalOutputs:
    """`relational`: the RDS MySQL primary, its read replicas and credentials."""

    KEY: ClassVar[str] = "relational"
    endpoint: Host
    port: Port
    database_name: str
    username: str
    password: Secret | None = _optional()  # noqa: RUF009 - generated mode only
    reader_endpoints: tuple[Host, ...] = ()
    secret_arn: str | None = None  # required in an export
    engine: str = "mysql"
    tls: bool = _local(True)
    # IAM database authentication: the user, its `rds-db:connect` ARN on the primary, and a
    # policy for every instance (primary and replicas). Optional: a local run has none.
    iam_user: str | None = _optional()
    iam_connect_arn: Arn | None = _optional()  # noqa: RUF009 - a field() spec
    iam_connect_policy: IamPolicy | None = _optional()  # noqa: RUF009 - a field() spec


@dataclass(frozen=True)
class AuroraOutputs:
    """`aurora`: the Aurora Serverless v2 cluster's writer and reader endpoints."""

    KEY: ClassVar[str] = "aurora"
    writer_endpoint: Host
    port: Port
    database_name: str
    username: str
    password: Secret | None = _optional()  # noqa: RUF009 - generated mode only
    reader_endpoint: Host | None = None
    secret_arn: str | None = None  # required in an export
    engine: str = "aurora-mysql"
    tls: bool = _local(True)
    # IAM database authentication on the cluster (see RelationalOutputs).
    iam_user: str | None = _optional()
    iam_connect_arn: Arn | None = _optional()  # noqa: RUF009 - a field() spec
    iam_connect_policy: IamPolicy | None = _optional()  # noqa: RUF009 - a field() spec


@dataclass(frozen=True)
class WarehouseOutputs:
    """`warehouse`: the Redshift cluster or serverless workgroup endpoint."""

    KEY: ClassVar[str] = "warehouse"
    endpoint: Host
    port: Port
    database_name: str
    username: str
    password: Secret | None = _optional()  # noqa: RUF009 - generated mode only
    secret_arn: str | None = None  # required in an export
    tls: bool = _local(True)
    # The role COPY assumes (the cluster's default role) and the S3 sources it may read.
    copy_role_arn: Arn | None = _optional()  # noqa: RUF009 - a field() spec
    copy_sources: tuple[str, ...] = _optional(())


@dataclass(frozen=True)
class RedisOutputs:
    """`redis`: the ElastiCache replication group's endpoints, AUTH token and its secret."""

    KEY: ClassVar[str] = "redis"
    primary_endpoint: Host
    port: Port
    reader_endpoint: Host | None = None
    auth_token: Secret | None = None
    secret_arn: str | None = None  # required in an export
    tls: bool = False


@dataclass(frozen=True)
class DynamoPoliciesOutputs:
    """`dynamo.tables.<name>.policies`: least-privilege IAM policies (JSON) for one table."""

    read: IamPolicy
    write: IamPolicy
    stream_read: IamPolicy | None = _optional()  # noqa: RUF009 - a table with a stream only


@dataclass(frozen=True)
class DynamoTableOutputs:
    """One table of `dynamo.tables`, keyed by its config name."""

    table_name: DynamoTableName
    arn: str | None = None
    stream_arn: str | None = None
    indexes: tuple[str, ...] = ()
    processor_function: str | None = None
    policies: DynamoPoliciesOutputs | None = _optional()  # noqa: RUF009 - not in a local run


@dataclass(frozen=True)
class DynamoOutputs:
    """`dynamo`: the region and every table (with a local run's moto endpoint URL)."""

    KEY: ClassVar[str] = "dynamo"
    region: Region
    tables: dict[str, DynamoTableOutputs]
    endpoint_url: Url | None = _local(None)  # noqa: RUF009 - a field() spec, not a shared value


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


def export_fields(cls: type) -> tuple[str, ...]:
    """The attributes of section `cls` that a deployed stack exports (every field but the
    local-run ones), in the contract's order."""
    return tuple(f.name for f in dataclasses.fields(cls) if not f.metadata.get("local"))


def exported(cls: type, **values: Any) -> dict[str, Any]:
    """The export object of section `cls` from values named by its attributes.

    Every exported field of the contract must be given (optional ones may be left out, or given
    as None, which leaves them out) and nothing else, so a field renamed on one side only fails
    when the program is planned.
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
    return {
        camel(name): value
        for name, value in values.items()
        if not (value is None and fields[name].metadata.get("optional"))
    }


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

MAX_TEXT = 4096  # the longest string any output holds (an ARN is at most 2048)
PORTS = range(1, 65536)
_HOST_NAME = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?", re.ASCII)
_REGION = re.compile(r"[a-z]{2,}(?:-[a-z]+)+-[0-9]{1,2}", re.ASCII)
_DYNAMO_TABLE = re.compile(r"[A-Za-z0-9_.-]{3,255}", re.ASCII)


class _Bad(ValueError):
    """A value of the right JSON type that the contract still refuses; the message says why."""


def _malformed(source: str, dotted: str, why: str) -> ContractError:
    return ContractError(f'{source}: malformed key "{dotted}" ({why})')


def _shown(value: Any) -> str:
    """A refused value as a message shows it: quoted if a string, escaped and cut."""
    return f'"{echo(value, 60)}"' if isinstance(value, str) else echo(value, 60)


def _has_control(text: str) -> bool:
    return any(unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp", "Cs") for char in text)


def is_host(text: str) -> bool:
    """A DNS host name (ASCII labels of at most 63 characters, 253 in all) or an IP address."""
    try:
        ipaddress.ip_address(text)
    except ValueError:
        pass
    else:
        return True
    if not 0 < len(text) <= 253:
        return False
    labels = text.removesuffix(".").split(".")
    return all(_HOST_NAME.fullmatch(label) for label in labels)


def _check_host(value: str) -> None:
    if not is_host(value):
        raise _Bad(f"expected a host name or IP address, got {_shown(value)}")


def _check_region(value: str) -> None:
    if not _REGION.fullmatch(value):
        raise _Bad(f"expected an AWS region such as us-east-1, got {_shown(value)}")


def _check_url(value: str) -> None:
    parts = urlsplit(value) if value.isascii() and not _has_control(value) else None
    try:
        port = parts.port if parts is not None else None
    except ValueError:  # a port that is not a number or is out of range
        parts = None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or not is_host(parts.hostname)
        or (port is not None and port not in PORTS)
        or any(char.isspace() for char in value)
    ):
        raise _Bad(f"expected an http(s) URL, got {_shown(value)}")


def _check_dynamo_table(value: str) -> None:
    if not _DYNAMO_TABLE.fullmatch(value):
        raise _Bad(
            f"expected a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -), got {_shown(value)}"
        )


_ARN = re.compile(r"arn:[a-z0-9-]+:[a-z0-9-]+:[a-z0-9-]*:[0-9]*:\S+", re.ASCII)


def _check_arn(value: str) -> None:
    if not _ARN.fullmatch(value):
        raise _Bad(
            f"expected an ARN (arn:partition:service:region:account:resource), got {_shown(value)}"
        )


def _check_iam_policy(value: str) -> None:
    try:
        policy = json.loads(value)
    except ValueError:
        policy = None
    if not isinstance(policy, dict) or not isinstance(policy.get("Statement"), list):
        raise _Bad("expected an IAM policy document (JSON with a Statement list)")


# Checks by field kind, after the JSON type was checked; plain text is checked by `_check_text`.
_CHECKS: dict[str, Callable[[str], None]] = {
    "host": _check_host,
    "region": _check_region,
    "url": _check_url,
    "dynamo-table": _check_dynamo_table,
    "arn": _check_arn,
    "iam-policy": _check_iam_policy,
}


def _check_text(value: str, kind: str) -> None:
    if len(value) > MAX_TEXT:
        raise _Bad(f"a string of {len(value)} characters, at most {MAX_TEXT} allowed")
    if _has_control(value):
        shown = "" if kind == "secret" else f": {_shown(value)}"
        raise _Bad(f"contains a control or invisible formatting character{shown}")
    check = _CHECKS.get(kind)
    if check is not None:
        check(value)


def _read_port(value: Any) -> int:
    # JSON has one number type: accept "5432" and 5432, never true, 5432.0, "٥٤٣٢" or "5_432".
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 5:
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise _Bad(f"expected a port number 1-65535, got {describe_value(value)}")
    if value not in PORTS:
        raise _Bad(f"expected a port number 1-65535, got {echo(value, 20)}")
    return value


def read_section(data: Mapping[str, Any], cls: type[S], source: str) -> S:
    """Section `cls.KEY` of the outputs `data`, validated; errors name `source` and the key.

    Every value is checked for its JSON type and for what it is: hosts are host names or IP
    addresses, ports are 1-65535 (ASCII digits only), regions and table names follow AWS's
    rules, and no string holds a control character. A message echoes a refused value (escaped
    and cut, see `contract.echo`) but never a secret's.
    """
    key: str = cls.KEY  # type: ignore[attr-defined]
    if key not in data:
        raise ContractError(f'{source}: missing key "{key}"')
    return _read_object(data[key], cls, key, source)


def _read_object(raw: Any, cls: type[S], where: str, source: str) -> S:
    if not isinstance(raw, dict):
        raise ContractError(
            f'{source}: malformed key "{where}" (expected an object, got {describe_value(raw)})'
        )
    hints = typing.get_type_hints(cls, include_extras=True)
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
    kind = "text"
    if origin is Annotated:
        kind = hint.__metadata__[0]
        hint = typing.get_args(hint)[0]
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
        item_hint = typing.get_args(hint)[0]
        return tuple(
            _read_value(item, item_hint, f"{dotted}[{i}]", source) for i, item in enumerate(value)
        )
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _read_object(value, hint, dotted, source)
    if origin is dict:
        if not isinstance(value, dict):
            raise ContractError(
                f'{source}: malformed key "{dotted}" (expected an object, got {describe_value(value)})'
            )
        _, item_cls = typing.get_args(hint)
        return {
            k: _read_object(v, item_cls, f"{dotted}.{echo(k, 60)}", source)
            for k, v in value.items()
        }
    try:
        if kind == "port":
            return _read_port(value)
        ok = isinstance(value, hint) and not (isinstance(value, bool) and hint is int)
        if not ok or (hint is str and not value):
            raise _Bad(f"expected {_EXPECTED[hint]}, got {describe_value(value)}")
        if hint is str:
            _check_text(value, kind)
    except _Bad as exc:
        raise _malformed(source, dotted, str(exc)) from None
    return value
