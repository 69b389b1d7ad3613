"""From a component's args to what the component is built from, checked by dbtier's own rules.

A component's args (`dbtier.args`) are its wiring (`dbtier.wiring`) and its settings, whose
snake_case names are the camelCase fields of the `dbtier:` key they mirror. `Args.config()` turns
the settings back into the object a stack file would hold there and hands it to that key's
parser: a setting is validated once, by the rules and with the message of the stack config, and
the message gains the component and its name (`DynamoTable 'orders': dbtier:dynamo.tables[]
.billingMode must be one of ...`). The wiring is read with the same care: a missing required
field, a flag that is not a flag, a log retention CloudWatch does not offer, one line each.

Settings decide which resources exist and what they are called, so they must be known when the
component is created. Through the component package an input may arrive as an Output: one whose
value is already there (Construct wraps a secret, or a value that came from another resource,
in an Output that is already resolved) is unwrapped and validated like a plain value; one whose
value is not known yet (a preview of a value another resource computes) is refused with one line
naming the field. Wiring inputs (ARNs, ids, subnets) are passed on as they are, Outputs and
unknowns included, as any Pulumi input.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import (
    Any,
    NoReturn,
    NotRequired,
    Required,
    TypeVar,
    get_args,
    get_origin,
    is_typeddict,
)

import pulumi
from pulumi.output import Unknown, contains_unknowns

from components.base import RotationAccess
from components.credentials import CredentialsConfig
from components.logs import DEFAULT_RETENTION_DAYS
from components.settings import ConfigError, Fields, describe, log_retention
from contract.fielddoc import camel
from dbtier.catalog import Published

C = TypeVar("C")
_PENDING = object()


def prompt_value(output: pulumi.Output[Any]) -> Any:
    """The value of an Output that is already resolved and known; `_PENDING` otherwise.

    A constructor cannot await, so this reads the Output's one future directly: the SDK's
    private `_data` (tests/unit/test_library.py pins it to the SDK version)."""
    data = output._data
    if not data.done() or data.cancelled() or data.exception() is not None:
        return _PENDING
    found = data.result()
    if not found.is_known or contains_unknowns(found.value):
        return _PENDING
    return found.value


class ArgsError(ConfigError):
    """A component's args are wrong: the message names the component and the field, which
    `field` holds alone (camelCase, as the package's schema names it; "" when no one field)."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


_PATH = re.compile(r"[A-Za-z][A-Za-z0-9]*(\[\d*\]|\.[A-Za-z][A-Za-z0-9]*)*")


class Args:
    """The args of one published component being built: `who` names it in every message."""

    def __init__(self, published: Published, name: str, args: Mapping[str, Any]) -> None:
        self.published = published
        self.who = f"{published.name} {name!r}"
        if not isinstance(args, Mapping):
            self.fail(f"args must be a {published.args} (got {describe(args)})")
        self.args = args
        # Every wiring field the component cannot do without, before its settings are read.
        required: frozenset[str] = getattr(published.wiring, "__required_keys__", frozenset())
        for field in published.wiring.__annotations__:
            if field in required and args.get(field) is None:
                self.fail(f"{camel(field)} is required")

    def fail(self, problem: str) -> NoReturn:
        """Stop with `problem`, whose first word is the field (or the config key's path to it)."""
        head = problem.split(" ", 1)[0].rstrip(":")
        head = head.removeprefix(f"{self.published.key}.")
        raise ArgsError(f"{self.who}: {problem}", head if _PATH.fullmatch(head) else "")

    def known(self, path: str, value: Any) -> Any:
        """`value` with every Output in it replaced by its value; one line when one is unknown."""
        if isinstance(value, pulumi.Output):
            value = prompt_value(value)
        if value is _PENDING or isinstance(value, Unknown):
            self.fail(
                f"{path} must be known when the component is created: it decides which resources"
                " exist and how they are set up, and this value is not known yet (an output of a"
                " resource still to be created?)"
            )
        if isinstance(value, list | tuple):
            return [self.known(f"{path}[{i}]", item) for i, item in enumerate(value)]
        if isinstance(value, Mapping):
            return {k: self.known(f"{path}.{k}", item) for k, item in value.items()}
        return value

    # -- settings -----------------------------------------------------------------------------

    def config(
        self, args_type: type, parse: Callable[[dict[str, Any]], C], *, enabled: bool = False
    ) -> C:
        """The settings of `args_type` (the fields its wiring does not declare) as the config
        object `parse` reads, parsed by it; `enabled` sets that object's `enabled` (the component
        exists: the args have no such field)."""
        hints = fields_of(args_type)
        own = set(fields_of(self.published.wiring))
        raw: dict[str, Any] = {"enabled": True} if enabled else {}
        for field, value in self.args.items():
            if field in own or value is None:
                continue
            key = camel(field)
            raw[key] = _as_written(self.known(key, value), hints.get(field))
        try:
            return parse(raw)
        except ConfigError as exc:
            self.fail(str(exc))

    def check(self, rule: Callable[[], object]) -> None:
        """Run a config rule that spans settings and wiring; its ConfigError gains `who`."""
        try:
            rule()
        except ConfigError as exc:
            self.fail(str(exc))

    # -- wiring -------------------------------------------------------------------------------

    def required(self, field: str) -> Any:
        """A wiring input the component cannot do without (checked when the args were read), as
        given: it may be an Output."""
        return self.args[field]

    def optional(self, field: str) -> Any:
        return self.args.get(field)

    def plain(self, field: str, default: Any, read: Callable[[Fields, str, Any], Any]) -> Any:
        """A plain wiring value (a flag, a number, a list of names), read with `Fields`."""
        key = camel(field)
        value = _as_written(
            self.known(key, self.args.get(field)), fields_of(self.published.wiring)[field]
        )
        fields = _Unprefixed(self.who, {} if value is None else {key: value})
        try:
            return read(fields, key, default)
        except ConfigError as exc:
            self.fail(str(exc))

    def flag(self, field: str, default: bool = False) -> bool:
        return bool(self.plain(field, default, Fields.flag))

    def retention(self) -> int:
        """`log_retention_days`: one of CloudWatch's periods, 30 days when unset."""
        return int(
            self.plain(
                "log_retention_days",
                DEFAULT_RETENTION_DAYS,
                lambda f, key, default: log_retention(f, default, key),
            )
        )

    def choice(self, field: str, default: str, choices: tuple[str, ...]) -> str:
        return str(self.plain(field, default, lambda f, key, d: f.choice(key, d, choices)))

    def names(
        self, field: str, default: tuple[str, ...], choices: tuple[str, ...]
    ) -> tuple[str, ...]:
        """A list of names from `choices`, each once."""

        def read(f: Fields, key: str, d: tuple[str, ...]) -> tuple[str, ...]:
            def one_of(where: str, item: str) -> None:
                if item not in choices:
                    raise ConfigError(
                        f"{where} must be one of {', '.join(choices)} (got {describe(item)})"
                    )

            found = f.strings(key, check=one_of)
            return d if found is None else found

        return tuple(self.plain(field, default, read))

    def rotation(self, credentials: CredentialsConfig) -> RotationAccess | None:
        """Where the rotation function runs: both rotation fields, which generated credentials
        that rotate require (RDS or Redshift rotates a managed secret itself)."""
        group = self.optional("rotation_security_group_id")
        subnets = self.optional("rotation_subnet_ids")
        if (group is None) != (subnets is None):
            pair = ["rotationSecurityGroupId", "rotationSubnetIds"]
            given, missing = pair if subnets is None else pair[::-1]
            self.fail(f"{missing} is required with {given}")
        if group is None:
            if credentials.rotation_function:
                self.fail(
                    "rotationSecurityGroupId and rotationSubnetIds are required when generated"
                    " credentials rotate (credentials.rotationDays > 0): the rotation function"
                    " runs in the database's network"
                )
            return None
        return RotationAccess(security_group_id=group, subnet_ids=subnets)


class _Unprefixed(Fields):
    """`Fields` over wiring values, whose messages name the field alone (`protect must be ...`);
    `Args.fail` puts the component in front."""

    def _name(self, name: str) -> str:
        return name


def fields_of(typed_dict: type) -> dict[str, Any]:
    """The fields of a TypedDict and their types, Required/NotRequired taken off. Its annotations
    are read as they are: `get_type_hints` would evaluate `pulumi.Input`'s forward reference to
    `Output`, which `pulumi.Input` leaves unresolved in its own module."""
    found: dict[str, Any] = {}
    for name, annotation in typed_dict.__annotations__.items():
        hint = annotation
        while get_origin(hint) in (Required, NotRequired):
            hint = get_args(hint)[0]
        found[name] = hint
    return found


def _as_written(value: Any, hint: Any) -> Any:
    """A value as a stack file writes it: the keys of a nested settings object (a TypedDict) in
    camelCase, every other key (a map's: attribute names, parameters) as given, whole numbers
    where the field is an integer."""
    if hint is None:
        return value
    if hint is int and isinstance(value, float) and value.is_integer():
        # Pulumi's provider host hands every number over as a float (protobuf has one number
        # type; its conversion of integer inputs is overwritten): 2.0 is the 2 a caller wrote.
        return int(value)
    origin, params = get_origin(hint), get_args(hint)
    if is_typeddict(hint) and isinstance(value, Mapping):
        nested = fields_of(hint)
        return {camel(k): _as_written(v, nested.get(k)) for k, v in value.items()}
    if origin is list and isinstance(value, list):
        return [_as_written(item, params[0]) for item in value]
    if origin is dict and isinstance(value, Mapping):
        return {k: _as_written(v, params[1]) for k, v in value.items()}
    return value
