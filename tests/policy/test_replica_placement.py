"""stack-replica-placement over gRPC: replicas of one RDS primary must be Multi-AZ or in distinct
zones, and an Aurora cluster must have a reader outside the writer's zone. The baseline (a
Multi-AZ replica, a reader in another zone) and the prod plan pass; each violating case is
reported on the primary or the cluster, the compliant variants pass."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from preflight.plan import PlannedResource
from tests.policy.baseline import build
from tests.policy.plans import shared_plan
from tests.policy.policy_fixtures import Pack, with_inputs

pytestmark = pytest.mark.policy

RULE = "stack-replica-placement"
CONFIG: dict[str, Any] = {"all": "mandatory"}


def stack(**changes: dict[str, Any]) -> dict[str, PlannedResource]:
    """The baseline with a second replica of the primary, each resource's inputs changed."""
    r = build()
    second = r["replica"]
    r["replica-2"] = replace(
        second,
        urn=second.urn.replace("::replica", "::replica-2"),
        name="replica-2",
        inputs={**second.inputs, "identifier": "db-replica-2"},
    )
    for name, inputs in changes.items():
        r[name.replace("_", "-")] = with_inputs(r[name.replace("_", "-")], **inputs)
    return r


def hits(pack: Pack, resources: dict[str, PlannedResource]) -> list[Any]:
    report = pack.run(list(resources.values()), CONFIG)
    return [v for v in report.violations if v.policy == RULE]


SINGLE_AZ = {"multiAz": False}

VIOLATING: list[tuple[str, dict[str, dict[str, Any]], str, str]] = [
    ("replicas single-AZ, unplaced", {"replica": SINGLE_AZ, "replica_2": SINGLE_AZ},
     "primary", "replicaMultiAz"),
    ("replicas single-AZ in one zone",
     {"replica": {**SINGLE_AZ, "availabilityZone": "us-east-1b"},
      "replica_2": {**SINGLE_AZ, "availabilityZone": "us-east-1b"}},
     "primary", "share an Availability Zone"),
    ("reader in the writer's zone", {"reader": {"availabilityZone": "us-east-1a"}},
     "cluster", "outside the writer's"),
    ("reader unplaced", {"reader": {"availabilityZone": None}}, "cluster", "us-east-1a"),
]  # fmt: skip

COMPLIANT: list[tuple[str, dict[str, dict[str, Any]]]] = [
    ("replicas Multi-AZ", {}),
    ("replicas single-AZ in distinct zones",
     {"replica": {**SINGLE_AZ, "availabilityZone": "us-east-1b"},
      "replica_2": {**SINGLE_AZ, "availabilityZone": "us-east-1c"}}),
    ("one Multi-AZ and one placed replica",
     {"replica_2": {**SINGLE_AZ, "availabilityZone": "us-east-1c"}}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "changes", "where", "text"), VIOLATING, ids=[c[0] for c in VIOLATING]
)
def test_replicas_that_can_fail_together_are_reported(
    pack: Pack, case: str, changes: dict[str, dict[str, Any]], where: str, text: str
) -> None:
    resources = stack(**changes)
    found = hits(pack, resources)
    assert [v.urn for v in found] == [resources[where].urn], case
    assert text in found[0].message
    assert found[0].level == "mandatory"


@pytest.mark.parametrize(("case", "changes"), COMPLIANT, ids=[c[0] for c in COMPLIANT])
def test_spread_replicas_pass(pack: Pack, case: str, changes: dict[str, dict[str, Any]]) -> None:
    assert hits(pack, stack(**changes)) == [], case


def test_prod_plan_places_every_replica_and_reader(pack: Pack) -> None:
    plan = shared_plan("prod")
    report = pack.run(list(plan.resources), CONFIG)
    assert [v for v in report.violations if v.policy == RULE] == []
