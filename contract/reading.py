"""Reading stack outputs against the contract: `read_section` validates every value and names the
dotted key of anything missing or malformed.

Every value is checked for its JSON type and for what it is (the field kinds of
`contract.values`); a message echoes a refused value (escaped and cut, see `contract.echo`) but
never a secret's. A masked value (`pulumi stack output` without `--show-secrets`) is refused with
the command that shows it.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

from contract.echo import echo
from contract.outputs import camel
from contract.values import Refused, check_text, describe_value, read_port

MASKED = "[secret]"


class ContractError(ValueError):
    """Stack outputs that do not match the contract; the message names the dotted key."""


S = TypeVar("S")

_EXPECTED = {str: "a string", int: "an integer", bool: "true or false"}


def _malformed(source: str, dotted: str, why: str) -> ContractError:
    return ContractError(f'{source}: malformed key "{dotted}" ({why})')


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
        has_default = (f.default, f.default_factory) != (dataclasses.MISSING, dataclasses.MISSING)
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
        if not (isinstance(item_cls, type) and dataclasses.is_dataclass(item_cls)):
            # names to text or to a kind of text (the stack's tags, hosts by region)
            return {
                k: _read_value(v, item_cls, f"{dotted}.{echo(k, 60)}", source)
                for k, v in value.items()
            }
        return {
            k: _read_object(v, item_cls, f"{dotted}.{echo(k, 60)}", source)
            for k, v in value.items()
        }
    try:
        if kind == "port":
            return read_port(value)
        ok = isinstance(value, hint) and not (isinstance(value, bool) and hint is int)
        if not ok or (hint is str and not value):
            raise Refused(f"expected {_EXPECTED[hint]}, got {describe_value(value)}")
        if hint is str:
            check_text(value, kind)
    except Refused as exc:
        raise _malformed(source, dotted, str(exc)) from None
    return value
