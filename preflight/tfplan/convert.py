"""The conversion of a plan to Terraform plan JSON (``terraform show -json`` format 1.2).

Each AWS and random resource becomes ``planned_values``, ``resource_changes`` and
``configuration`` entries under its Terraform type and address, its inputs as the provider's
attributes (names and shapes from ``preflight.tfplan.schema``):

- A block Pulumi flattened to an object (MaxItems 1) becomes a list of one object, as Terraform
  represents blocks.
- Secrets are masked (``"[secret]"``, and ``after_sensitive`` true). A value unknown at plan time
  is null with ``after_unknown`` true, as Terraform writes it.
- References: an input that the engine says depends on another resource (its property
  dependencies) is, in Terraform, an expression referencing that resource, and on a plan that
  creates everything its value is unknown. So an id, ARN or name is written that way: null,
  ``after_unknown`` true, and ``configuration.root_module.resources[].expressions.<attr>
  .references`` naming the resource, which is how checkov's graph checks (e.g. CKV2_AWS_57, a
  secret with a rotation; CKV2_AWS_5, a security group in use) connect them. A nested block or a
  JSON document built from references (an IAM policy) keeps its values, so it can still be
  checked, and its references are listed at its top-level attribute.

Components, providers and the stack are not Terraform resources and are left out. Everything is in
a fixed order (by address), so the same plan always gives the same bytes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from preflight.plan import SECRET_SIG, SECRET_VALUE, UNKNOWN, Plan, PlannedResource
from preflight.tfplan.schema import (
    PROVIDERS,
    Field,
    args_class,
    field_of,
    fields_of,
    is_exported,
    terraform_type,
)

FORMAT_VERSION = "1.2"
TERRAFORM_VERSION = "1.9.8"
"""The Terraform release whose plan JSON this imitates (any 1.x reads format 1.2)."""
MASK = "[secret]"

_ASSET_SIGS = {"c44067f5952c0a294b673a41bacd8c17", "0def7320c3a5731c473e5ecbe6d01bc7"}
_NAME_OK = re.compile(r"[^A-Za-z0-9_-]")


# ---------------------------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------------------------


@dataclass
class _Converted:
    value: Any
    unknown: Any = False  # after_unknown's shape: True, or a dict/list of the nested parts
    sensitive: Any = False


def _is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SECRET_SIG) == SECRET_VALUE


def _is_asset(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SECRET_SIG) in _ASSET_SIGS


def _object(inputs: Mapping[str, Any], cls: type | None) -> _Converted:
    values: dict[str, Any] = {}
    unknown: dict[str, Any] = {}
    sensitive: dict[str, Any] = {}
    for key in sorted(inputs):
        if key.startswith("__") or _is_asset(inputs[key]):
            continue
        field = field_of(cls, key)
        converted = _value(inputs[key], field)
        values[field.tf_name] = converted.value
        if converted.unknown:
            unknown[field.tf_name] = converted.unknown
        if converted.sensitive:
            sensitive[field.tf_name] = converted.sensitive
    return _Converted(values, unknown, sensitive)


def _value(value: Any, field: Field) -> _Converted:
    if _is_secret(value):
        return _Converted(MASK, False, True)
    if value == UNKNOWN:
        return _Converted(None, True)
    if field.kind in ("block", "blocks") and isinstance(value, (dict, list)):
        items = value if isinstance(value, list) else [value]
        # A secret envelope is a dict too: masked whole by _plain, never read as a block.
        parts = [
            _object(item, field.nested)
            if isinstance(item, dict) and not _is_secret(item)
            else _plain(item)
            for item in items
        ]
        return _Converted(
            [p.value for p in parts],
            [p.unknown or {} for p in parts] if any(p.unknown for p in parts) else False,
            [p.sensitive or {} for p in parts] if any(p.sensitive for p in parts) else False,
        )
    return _plain(value)


def _plain(value: Any) -> _Converted:
    """A scalar, a map or a list of them: keys as they are (tags, dimensions are data)."""
    if _is_secret(value):
        return _Converted(MASK, False, True)
    if value == UNKNOWN:
        return _Converted(None, True)
    if isinstance(value, dict):
        parts = {k: _plain(v) for k, v in sorted(value.items())}
        return _Converted(
            {k: p.value for k, p in parts.items()},
            {k: p.unknown for k, p in parts.items() if p.unknown} or False,
            {k: p.sensitive for k, p in parts.items() if p.sensitive} or False,
        )
    if isinstance(value, list):
        items = [_plain(v) for v in value]
        return _Converted(
            [p.value for p in items],
            [p.unknown for p in items] if any(p.unknown for p in items) else False,
            [p.sensitive for p in items] if any(p.sensitive for p in items) else False,
        )
    return _Converted(value)


# ---------------------------------------------------------------------------------------------
# The document
# ---------------------------------------------------------------------------------------------


def _addresses(resources: list[PlannedResource]) -> dict[str, str]:
    """URN -> Terraform address, unique: ``<type>.<name>``, a suffix for a repeated name."""
    taken: set[str] = set()
    out: dict[str, str] = {}
    for r in sorted(resources, key=lambda r: (terraform_type(r.type), r.name, r.urn)):
        base = f"{terraform_type(r.type)}.{_NAME_OK.sub('_', r.name) or 'unnamed'}"
        address, n = base, 1
        while address in taken:
            n += 1
            address = f"{base}_{n}"
        taken.add(address)
        out[r.urn] = address
    return out


def _default_tags(plan: Plan) -> dict[str, dict[str, Any]]:
    """Provider URN -> its default tags."""
    tags: dict[str, dict[str, Any]] = {}
    for r in plan.resources:
        if r.type != "pulumi:providers:aws":
            continue
        raw = r.inputs.get("defaultTags")
        try:
            parsed = json.loads(raw) if isinstance(raw, str) else raw
        except json.JSONDecodeError:
            parsed = None
        if isinstance(parsed, dict) and isinstance(parsed.get("tags"), dict):
            tags[r.urn] = parsed["tags"]
    return tags


_RANDOM_RESULT = {"random_id": "hex", "random_password": "result", "random_string": "result"}


def _is_plain_reference(value: Any) -> bool:
    """An id, ARN or name (or a list of them), unknown in a Terraform plan that creates its
    target. A document built from references (a JSON policy) stays known, so checkov still reads
    the policy; its references are listed all the same."""
    items = value if isinstance(value, list) else [value]
    return bool(items) and all(
        isinstance(v, str) and not v.lstrip().startswith(("{", "[")) for v in items
    )


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict) and not _is_secret(value):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _reference(target: str, value: Any) -> str:
    """``<address>.<attribute>``: the attribute the input most likely reads."""
    if target.split(".", 1)[0] in _RANDOM_RESULT:
        attr = _RANDOM_RESULT[target.split(".", 1)[0]]
    elif any(leaf.startswith("arn:") for leaf in _strings(value)):
        attr = "arn"
    else:
        attr = "id"
    return f"{target}.{attr}"


def to_tfplan(plan: Plan) -> dict[str, Any]:
    """The plan as a Terraform plan JSON document (creates only)."""
    exported = [r for r in plan.resources if is_exported(r)]
    addresses = _addresses(exported)
    default_tags = _default_tags(plan)
    region = next(
        (r.inputs.get("region") for r in plan.resources if r.type == "pulumi:providers:aws"),
        plan.config.get("aws:region"),
    )
    planned: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    configured: list[dict[str, Any]] = []
    for r in sorted(exported, key=lambda r: addresses[r.urn]):
        address = addresses[r.urn]
        tf_type = terraform_type(r.type)
        provider = PROVIDERS[r.type.split(":", 1)[0]]
        cls = args_class(r.type)
        inputs = dict(r.inputs)
        expressions: dict[str, Any] = {}
        for key, urns in sorted(r.property_dependencies.items()):
            targets = sorted({addresses[u] for u in urns if u in addresses})
            if not targets or key not in inputs:
                continue
            field = field_of(cls, key)
            expressions[field.tf_name] = {
                "references": [ref for t in targets for ref in (_reference(t, inputs[key]), t)]
            }
            if field.kind == "scalar" and _is_plain_reference(inputs[key]):
                inputs[key] = UNKNOWN  # a reference to a resource being created
        converted = _object(inputs, cls)
        values: dict[str, Any] = converted.value
        unknown: dict[str, Any] = converted.unknown or {}
        sensitive: dict[str, Any] = converted.sensitive or {}
        if cls is not None and "tags" in fields_of(cls):
            provider_urn = r.provider.rsplit("::", 1)[0]
            merged = {**default_tags.get(provider_urn, {}), **(values.get("tags") or {})}
            values["tags_all"] = dict(sorted(merged.items()))
        base = {
            "address": address,
            "mode": "managed",
            "type": tf_type,
            "name": address.split(".", 1)[1],
            "provider_name": provider,
        }
        planned.append(
            {**base, "schema_version": 0, "values": values, "sensitive_values": sensitive}
        )
        changes.append(
            {
                **base,
                "change": {
                    "actions": ["create"],
                    "before": None,
                    "after": values,
                    "after_unknown": unknown,
                    "before_sensitive": False,
                    "after_sensitive": sensitive,
                },
            }
        )
        config: dict[str, Any] = {
            "address": address,
            "mode": "managed",
            "type": tf_type,
            "name": base["name"],
            "provider_config_key": r.type.split(":", 1)[0],
            "expressions": expressions,
            "schema_version": 0,
        }
        depends_on = sorted(
            {addresses[u] for u in r.dependencies if u in addresses}
            - {t for e in expressions.values() for t in e["references"]}
        )
        if depends_on:
            config["depends_on"] = depends_on
        configured.append(config)

    used = sorted({r.type.split(":", 1)[0] for r in exported})
    provider_config: dict[str, Any] = {p: {"name": p, "full_name": PROVIDERS[p]} for p in used}
    if "aws" in provider_config and region:
        provider_config["aws"]["expressions"] = {"region": {"constant_value": region}}
    return {
        "format_version": FORMAT_VERSION,
        "terraform_version": TERRAFORM_VERSION,
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        "configuration": {
            "provider_config": provider_config,
            "root_module": {"resources": configured},
        },
    }


def render_tfplan(plan: Plan) -> str:
    return json.dumps(to_tfplan(plan), indent=2) + "\n"
