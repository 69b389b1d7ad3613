"""Shared machinery of the dbtier policy pack: rule metadata, unknown-safe property reads, and the
factories that turn a typed check into a CrossGuard policy.

Every rule is written as a plain generator ``check(resource, config) -> Iterator[str]`` that yields
one message per violation. The factories add what every rule needs in the same way: filtering on
resource type, applying the rule's config defaults, treating a value unknown at preview as
compliant, and appending the remediation (which names the dbtier config key to change).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.deserialize import serialize_properties
from pulumi_policy.proxy import UnknownValueError

from ._sdk_memo import memoized

Category = Literal[
    "encryption",
    "network",
    "secrets",
    "backup",
    "protection",
    "iam",
    "logging",
    "availability",
    "versions",
    "hygiene",
    "deployability",
]

# Categories that guard data directly (encryption, public access, secrets): mandatory even in dev.
# The rest are mandatory in prod and advisory in dev; "hygiene" stays advisory. "deployability"
# (what AWS would refuse or silently not honour) is mandatory in every stack.
STRICT_CATEGORIES: frozenset[str] = frozenset({"encryption", "network", "secrets"})
ALWAYS_MANDATORY_CATEGORIES: frozenset[str] = frozenset({"deployability"})

# Prefixes of the tags that carry a rule's documentation URL and the dbtier config keys that fix
# it across the analyzer protocol (PolicyInfo has tags but no fields for either).
DOCS_TAG = "docs:"
FIXES_TAG = "fixes:"
COST_CATEGORIES: frozenset[str] = frozenset({"availability"})

SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"
UNKNOWN_SENTINELS = frozenset(
    {
        "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
        "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
        "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
        "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
        "030794c1-ac77-496b-92df-f27374a8bd58",
        "e48ece36-62e2-4504-bad9-02848725956a",
        "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
    }
)


class _Unknown:
    """The value of a property that is not known until the update runs."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        raise TypeError("UNKNOWN has no truth value: test it with is_unknown() first")


UNKNOWN: Any = _Unknown()


def is_unknown(value: Any) -> bool:
    """True for a value unknown at preview (the proxy's exception or a raw engine sentinel)."""
    return value is UNKNOWN or (isinstance(value, str) and value in UNKNOWN_SENTINELS)


def prop(props: Mapping[str, Any] | None, *path: str | int, default: Any = None) -> Any:
    """Read ``props[path[0]][path[1]]...``; UNKNOWN when any step is unknown, ``default`` if absent.

    The SDK hands validators a proxy that raises when an unknown value is read; a rule must not
    report a violation for it (the value may well be compliant once known), so reads go through
    here and rules decide explicitly what UNKNOWN means (always: compliant).
    """
    current: Any = props
    for key in path:
        if current is None:
            return default
        try:
            if isinstance(key, int):
                if not isinstance(current, Sequence) or isinstance(current, str):
                    return default
                if key >= len(current):
                    return default
                current = current[key]
            else:
                if not isinstance(current, Mapping) or key not in current:
                    return default
                current = current[key]
        except UnknownValueError:
            return UNKNOWN
        if is_unknown(current):
            return UNKNOWN
        if isinstance(current, Mapping) and SECRET_SIG_KEY in current:
            # Raw engine JSON (direct calls in tests): unwrap the secret envelope.
            current = current.get("value")
    return default if current is None else current


@memoized
def plain(props: Mapping[str, Any]) -> dict[str, Any]:
    """The SDK's unknown-checking proxy unwrapped to plain data, unknowns kept as sentinels.

    Iterating the proxy (``.values()``, ``for x in list``) raises on the first unknown element and
    would abort a whole check; rules read plain data and test unknowns with ``is_unknown``. Inside
    one Analyze/AnalyzeStack call of a pack started by the preflight, the result is computed once
    per proxy and shared by the rules (see ``_sdk_memo``): rules read it and never write to it.
    """
    return dict(serialize_properties(props))


def is_false(value: Any) -> bool:
    """A known value that is explicitly off (False, absent counts as off only via defaults)."""
    return not is_unknown(value) and value is not None and not bool(value)


def is_off(value: Any) -> bool:
    """Known and not truthy: None/absent, False, 0, "" all read as off. UNKNOWN never does."""
    if is_unknown(value):
        return False
    return not bool(value)


def as_number(value: Any) -> float | None:
    """A known numeric input as float; None when absent, unknown or not a number."""
    if is_unknown(value) or value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def short_window(value: Any, minimum: int, default: float = 30.0) -> float | None:
    """The waiting period in days when it is shorter than `minimum` (AWS's default if unset).

    KMS key deletion and Secrets Manager recovery windows both default to 30 days; None when the
    window is long enough or unknown at preview.
    """
    if is_unknown(value):
        return None
    days = as_number(value)
    effective = default if days is None else days
    return effective if effective < minimum else None


def parse_json(value: Any) -> Any:
    """Inputs such as policies and task settings are JSON strings; parse them when known."""
    if is_unknown(value) or value is None:
        return None
    if isinstance(value, Mapping | list):
        return value
    try:
        return json.loads(str(value))
    except ValueError:
        return None


@dataclass(frozen=True)
class RuleMeta:
    """What a rule is, independent of how it checks: everything a report or SARIF file needs.

    ``docs`` is the AWS documentation page that states the constraint the rule checks; ``fixes``
    the dotted ``dbtier:`` config keys (``dbtier:relational.instanceClass``) whose change fixes a
    violation, most specific first. Both travel to the preflight as tags (``docs:<url>``,
    ``fixes:<key>``), so text, JSON and SARIF reports can show them.
    """

    name: str
    description: str
    severity: Severity
    category: Category
    remediation: str
    resource_types: tuple[str, ...] = ()
    checkov: tuple[str, ...] = ()
    trivy: tuple[str, ...] = ()
    config: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    docs: str = ""
    fixes: tuple[str, ...] = ()

    @property
    def default_level(self) -> EnforcementLevel:
        """The level the pack declares when no policy config is given: prod's."""
        if self.category == "hygiene":
            return EnforcementLevel.ADVISORY
        return EnforcementLevel.MANDATORY

    @property
    def tags(self) -> list[str]:
        tags = [f"category:{self.category}"]
        tags += [f"checkov:{c}" for c in self.checkov]
        tags += [f"trivy:{t}" for t in self.trivy]
        if self.docs:
            tags.append(f"{DOCS_TAG}{self.docs}")
        tags += [f"{FIXES_TAG}{key}" for key in self.fixes]
        return tags

    def defaults(self) -> dict[str, Any]:
        return {k: v["default"] for k, v in self.config.items() if "default" in v}

    def schema(self) -> PolicyConfigSchema | None:
        if not self.config:
            return None
        return PolicyConfigSchema(properties={k: dict(v) for k, v in self.config.items()})


@dataclass(frozen=True)
class Resource:
    """The view of one resource a check gets: type, URN, name, camelCase inputs, protect, and
    the region its provider deploys to (None when the provider does not say)."""

    type: str
    urn: str
    name: str
    props: Mapping[str, Any]
    protect: bool = False
    region: str | None = None

    def get(self, *path: str | int, default: Any = None) -> Any:
        return prop(self.props, *path, default=default)


Check = Callable[[Resource, Mapping[str, Any]], Iterable[str]]
StackCheck = Callable[[Sequence[PolicyResource], Mapping[str, Any]], Iterable[tuple[str, str]]]


def provider_region(provider: Any) -> str | None:
    """The ``region`` input of a resource's AWS provider, when known (dbtier passes the stack's
    ``aws:region`` to its provider explicitly)."""
    if provider is None or not str(getattr(provider, "resource_type", "")).endswith(":aws"):
        return None
    try:
        region = provider.props.get("region")
    except UnknownValueError:
        return None
    return region if isinstance(region, str) and not is_unknown(region) else None


def merged_config(meta: RuleMeta, given: Mapping[str, Any] | None) -> dict[str, Any]:
    config = meta.defaults()
    if given:
        config.update({k: v for k, v in given.items() if k != "enforcementLevel"})
    return config


def run_check(
    meta: RuleMeta, check: Check, resource: Resource, config: Mapping[str, Any]
) -> list[str]:
    """Run one check directly (tests use this for edge cases); returns the violation messages."""
    if meta.resource_types and resource.type not in meta.resource_types:
        return []
    try:
        return [
            f"{msg} Fix: {meta.remediation}" for msg in check(resource, merged_config(meta, config))
        ]
    except UnknownValueError:
        return []


def resource_policy(meta: RuleMeta, check: Check) -> ResourceValidationPolicy:
    """A ResourceValidationPolicy that runs ``check`` on the resource types ``meta`` names."""

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if meta.resource_types and args.resource_type not in meta.resource_types:
            return
        resource = Resource(
            type=args.resource_type,
            urn=args.urn,
            name=args.name,
            props=plain(args.props),
            protect=bool(args.opts.protect),
            region=provider_region(args.provider),
        )
        for message in run_check(meta, check, resource, args.get_config()):
            report_violation(message, None)

    return ResourceValidationPolicy(
        name=meta.name,
        description=meta.description,
        validate=validate,
        enforcement_level=meta.default_level,
        config_schema=meta.schema(),
        severity=meta.severity,
        tags=meta.tags,
        remediation_steps=meta.remediation,
    )


def stack_policy(meta: RuleMeta, check: StackCheck) -> StackValidationPolicy:
    """A StackValidationPolicy; ``check`` yields ``(urn, message)`` for each violation."""

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        config = merged_config(meta, args.get_config())
        for r in args.resources:
            r.props = plain(r.props)
        try:
            found = list(check(args.resources, config))
        except UnknownValueError:
            return
        for urn, message in found:
            report_violation(f"{message} Fix: {meta.remediation}", urn)

    return StackValidationPolicy(
        name=meta.name,
        description=meta.description,
        validate=validate,
        enforcement_level=meta.default_level,
        config_schema=meta.schema(),
        severity=meta.severity,
        tags=meta.tags,
        remediation_steps=meta.remediation,
    )


@dataclass(frozen=True)
class Rule:
    """A rule as the registry lists it: metadata plus its typed check."""

    meta: RuleMeta
    check: Check | None = None
    stack_check: StackCheck | None = None

    def policy(self) -> ResourceValidationPolicy | StackValidationPolicy:
        if self.check is not None:
            return resource_policy(self.meta, self.check)
        assert self.stack_check is not None
        return stack_policy(self.meta, self.stack_check)


def check_types(*types: str) -> tuple[str, ...]:
    return types


def integer(default: int, minimum: int = 0, description: str = "") -> dict[str, Any]:
    return {"type": "integer", "minimum": minimum, "default": default, "description": description}


def boolean(default: bool, description: str = "") -> dict[str, Any]:
    return {"type": "boolean", "default": default, "description": description}


def string_list(default: list[str], description: str = "") -> dict[str, Any]:
    return {
        "type": "array",
        "items": {"type": "string"},
        "default": default,
        "description": description,
    }


def string_map(default: Mapping[str, list[str]], description: str = "") -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
        "default": dict(default),
        "description": description,
    }


def deps_of(resource: PolicyResource, key: str | None = None) -> Iterator[PolicyResource]:
    """Resources ``resource`` depends on (for one property, or all of them)."""
    if key is not None:
        yield from resource.property_dependencies.get(key, [])
        return
    seen: set[str] = set()
    for dep in resource.dependencies:
        if dep.urn not in seen:
            seen.add(dep.urn)
            yield dep
    for deps in resource.property_dependencies.values():
        for dep in deps:
            if dep.urn not in seen:
                seen.add(dep.urn)
                yield dep
