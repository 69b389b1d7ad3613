"""DynamoDB rules: customer-managed encryption, point-in-time recovery, deletion protection."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from ._common import Resource, Rule, RuleMeta, is_off, is_unknown

TABLE = "aws:dynamodb/table:Table"


def _table(r: Resource) -> str:
    return f"DynamoDB table '{r.name}'"


def pitr(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    if is_off(r.get("pointInTimeRecovery", "enabled")):
        yield f"{_table(r)} has point-in-time recovery off."


def customer_managed_key(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    enabled = r.get("serverSideEncryption", "enabled")
    if is_unknown(enabled):
        return
    if not enabled:
        yield f"{_table(r)} uses the AWS-owned key (serverSideEncryption.enabled is off)."
    elif is_off(r.get("serverSideEncryption", "kmsKeyArn")):
        yield f"{_table(r)} uses the AWS-managed aws/dynamodb key, not the stack key."


def deletion_protection(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    if is_off(r.get("deletionProtectionEnabled")):
        yield f"{_table(r)} has deletion protection off."


RULES: list[Rule] = [
    Rule(
        RuleMeta(
            name="dynamodb-point-in-time-recovery",
            description="DynamoDB tables have point-in-time recovery on.",
            severity=Severity.MEDIUM,
            category="backup",
            remediation="set pointInTimeRecovery: true on the table in dbtier:dynamo.tables.",
            resource_types=(TABLE,),
            checkov=("CKV_AWS_28",),
            trivy=("AVD-AWS-0024",),
        ),
        pitr,
    ),
    Rule(
        RuleMeta(
            name="dynamodb-customer-managed-key",
            description="DynamoDB tables are encrypted with the stack's customer-managed key.",
            severity=Severity.HIGH,
            category="encryption",
            remediation="keep serverSideEncryption {enabled: true, kmsKeyArn: <stack key>} "
            "(DynamoTable sets it from dbtier:encryption.kmsKeyArn).",
            resource_types=(TABLE,),
            checkov=("CKV_AWS_119",),
            trivy=("AVD-AWS-0025",),
        ),
        customer_managed_key,
    ),
    Rule(
        RuleMeta(
            name="dynamodb-deletion-protection",
            description="DynamoDB tables have deletion protection on.",
            severity=Severity.HIGH,
            category="protection",
            remediation="set deletionProtection: true on the table in dbtier:dynamo.tables.",
            resource_types=(TABLE,),
        ),
        deletion_protection,
    ),
]
