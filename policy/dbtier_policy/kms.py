"""KMS rules: the stack key rotates, stays enabled, has a deletion window, and its key policy
grants nothing to a wildcard principal."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from ._common import Resource, Rule, RuleMeta, integer, is_off, is_unknown, parse_json, short_window

KEY = "aws:kms/key:Key"


def rotation(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    spec = r.get("customerMasterKeySpec")
    if not is_unknown(spec) and spec not in (None, "SYMMETRIC_DEFAULT"):
        return  # AWS rotates only symmetric keys
    if is_off(r.get("enableKeyRotation")):
        yield f"KMS key '{r.name}' has automatic rotation off."


def enabled(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    value = r.get("isEnabled")
    if not is_unknown(value) and value is False:
        yield f"KMS key '{r.name}' is disabled: everything encrypted with it is unreadable."


def deletion_window(r: Resource, c: Mapping[str, Any]) -> Iterator[str]:
    days = short_window(r.get("deletionWindowInDays"), int(c["minimumDays"]))
    if days is not None:
        yield (
            f"KMS key '{r.name}' can be deleted after {days:g} days; at least "
            f"{c['minimumDays']} required."
        )


def _wildcard(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, Mapping):
        aws = principal.get("AWS")
        values = aws if isinstance(aws, list) else [aws]
        return "*" in values
    return False


def no_wildcard_principal(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    policy = parse_json(r.get("policy"))
    if not isinstance(policy, Mapping):
        return
    statements = policy.get("Statement", [])
    if isinstance(statements, Mapping):
        statements = [statements]
    for stmt in statements:
        if not isinstance(stmt, Mapping) or stmt.get("Effect") != "Allow":
            continue
        if _wildcard(stmt.get("Principal")) and not stmt.get("Condition"):
            yield f"KMS key '{r.name}' policy allows any principal ('*') without a condition."


RULES: list[Rule] = [
    Rule(
        RuleMeta(
            name="kms-key-rotation",
            description="Customer-managed KMS keys rotate automatically.",
            severity=Severity.HIGH,
            category="encryption",
            remediation="set enableKeyRotation=true on the stack key (the default key has it).",
            resource_types=(KEY,),
            checkov=("CKV_AWS_7",),
            trivy=("AVD-AWS-0065",),
        ),
        rotation,
    ),
    Rule(
        RuleMeta(
            name="kms-key-enabled",
            description="The stack's KMS keys are enabled.",
            severity=Severity.HIGH,
            category="encryption",
            remediation="leave isEnabled unset or true.",
            resource_types=(KEY,),
            checkov=("CKV_AWS_227",),
        ),
        enabled,
    ),
    Rule(
        RuleMeta(
            name="kms-key-deletion-window",
            description="KMS keys wait long enough before deletion to notice a mistake.",
            severity=Severity.MEDIUM,
            category="protection",
            remediation="set deletionWindowInDays to at least minimumDays (30 is the default).",
            resource_types=(KEY,),
            config={"minimumDays": integer(7, 7, "Minimum KMS deletion window, days.")},
        ),
        deletion_window,
    ),
    Rule(
        RuleMeta(
            name="kms-key-policy-no-wildcard-principal",
            description="KMS key policies grant nothing to a wildcard principal.",
            severity=Severity.CRITICAL,
            category="iam",
            remediation="name account or role ARNs in the key policy, or add a Condition.",
            resource_types=(KEY,),
            checkov=("CKV_AWS_33",),
        ),
        no_wildcard_principal,
    ),
]
