"""Prod's log rules over gRPC: every log group of the prod plan keeps its logs at least a year
(checkov CKV_AWS_338) under the stack key, and a group that does not is a mandatory violation."""

from __future__ import annotations

import json
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from preflight.plan import Plan
from tests.policy.plans import shared_plan
from tests.policy.policy_fixtures import Pack

pytestmark = pytest.mark.policy

PROD_CONFIG: dict[str, Any] = json.loads(
    (Path(__file__).parents[2] / "policy" / "config" / "prod.json").read_text()
)
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
LOG_RULES = {"cloudwatch-log-group-retention", "cloudwatch-log-group-customer-managed-key"}


@cache
def prod() -> Plan:
    return shared_plan("prod")


def with_group_inputs(plan: Plan, name: str, **inputs: Any) -> Plan:
    resources = list(plan.resources)
    group = next(r for r in resources if r.name == name)
    new_inputs = {k: v for k, v in {**group.inputs, **inputs}.items() if v is not None}
    resources[resources.index(group)] = replace(group, inputs=new_inputs)
    return replace(plan, resources=resources)


def log_hits(pack: Pack, plan: Plan) -> list[tuple[str, str, str, str]]:
    report = pack.run(plan, PROD_CONFIG)
    return [
        (v.policy, v.level, v.urn.rsplit("::", 1)[-1], v.message)
        for v in report.violations
        if v.policy in LOG_RULES
    ]


def test_prod_keeps_every_log_group_a_year_under_the_stack_key(pack: Pack) -> None:
    groups = prod().by_type(LOG_GROUP)
    # The AWS-named groups are the stack's too: RDS, Aurora, Redshift, DMS, rotation functions.
    names = {g.inputs["name"] for g in groups}
    assert "/aws/rds/instance/dbtier-prod-relational-replica-2/slowquery" in names
    assert "/aws/rds/cluster/dbtier-prod-aurora-cluster/audit" in names
    assert "/aws/redshift/cluster/prod-warehouse/useractivitylog" in names
    assert "dms-tasks-dbtier-prod-migration-instance" in names
    assert "/aws/lambda/dbtier-prod-warehouse-rotation" in names
    assert all(g.inputs["retentionInDays"] >= 365 for g in groups)
    assert log_hits(pack, prod()) == []


@pytest.mark.parametrize(
    ("changes", "rule", "text"),
    [
        ({"retentionInDays": 30}, "cloudwatch-log-group-retention", "at least 365"),
        ({"retentionInDays": None}, "cloudwatch-log-group-retention", "forever"),
        ({"kmsKeyId": None}, "cloudwatch-log-group-customer-managed-key", "no kmsKeyId"),
    ],
)
def test_prod_refuses_a_log_group_kept_short_or_without_the_key(
    pack: Pack, changes: dict[str, Any], rule: str, text: str
) -> None:
    plan = with_group_inputs(prod(), "relational-primary-error-logs", **changes)
    hits = log_hits(pack, plan)
    assert len(hits) == 1, hits
    policy, level, where, message = hits[0]
    assert (policy, level, where) == (rule, "mandatory", "relational-primary-error-logs")
    assert text in message
