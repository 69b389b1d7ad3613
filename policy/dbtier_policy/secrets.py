"""Secrets Manager rules: every secret is encrypted with the stack's customer-managed key and can
be recovered for a while after deletion."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from ._common import Resource, Rule, RuleMeta, integer, is_off, short_window

SECRET = "aws:secretsmanager/secret:Secret"


def customer_managed_key(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    if is_off(r.get("kmsKeyId")):
        yield f"Secret '{r.name}' has no kmsKeyId: it uses the AWS-managed aws/secretsmanager key."


def recovery_window(r: Resource, c: Mapping[str, Any]) -> Iterator[str]:
    days = short_window(r.get("recoveryWindowInDays"), int(c["minimumDays"]))
    if days is not None:
        yield (
            f"Secret '{r.name}' is deleted after {days:g} days without recovery; at least "
            f"{c['minimumDays']} required."
        )


RULES: list[Rule] = [
    Rule(
        RuleMeta(
            name="secretsmanager-customer-managed-key",
            description="Secrets Manager secrets are encrypted with the stack's customer-managed "
            "key.",
            severity=Severity.HIGH,
            category="secrets",
            remediation="set kmsKeyId to the stack key (dbtier:encryption.kmsKeyArn).",
            resource_types=(SECRET,),
            checkov=("CKV_AWS_149",),
            trivy=("AVD-AWS-0098",),
        ),
        customer_managed_key,
    ),
    Rule(
        RuleMeta(
            name="secretsmanager-recovery-window",
            description="Deleted secrets stay recoverable for a while.",
            severity=Severity.LOW,
            category="protection",
            remediation="set recoveryWindowInDays to at least minimumDays (default 30).",
            resource_types=(SECRET,),
            config={"minimumDays": integer(7, 0, "Minimum recovery window, days.")},
        ),
        recovery_window,
    ),
]
