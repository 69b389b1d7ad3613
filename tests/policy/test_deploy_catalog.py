"""The deployability rules that ask awsdata (policy/dbtier_policy/deploy_catalog.py), through
the real gRPC path: the baseline stack, deployed by an AWS provider in us-east-1, passes them;
each case changes one input the way a user could and the rule reports exactly that resource,
naming the dbtier key that fixes it; each compliant variant passes."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from dbtier_policy import deploy_catalog

from preflight.plan import PlannedResource
from tests.policy.baseline import build
from tests.policy.policy_fixtures import Pack, resource, with_inputs

pytestmark = pytest.mark.policy

CONFIG: dict[str, Any] = {"all": "mandatory"}
RULE_NAMES = {rule.meta.name for rule in deploy_catalog.RULES}
PROVIDER_ID = "7d7d2f0e-0000-4000-8000-000000000001"


def linked(r: PlannedResource, key: str, target: PlannedResource, value: str) -> PlannedResource:
    """``r`` with input ``key`` set to ``value`` and recorded as coming from ``target``."""
    deps = {**r.property_dependencies, key: [target.urn]}
    return replace(with_inputs(r, **{key: value}), property_dependencies=deps)


def changed(r: PlannedResource, changes: dict[str, Any]) -> PlannedResource:
    """``r`` with ``changes``; an input removed (None) also loses its recorded dependency."""
    out = with_inputs(r, **changes)
    deps = {k: v for k, v in out.property_dependencies.items() if changes.get(k, "") is not None}
    return replace(out, property_dependencies=deps)


def catalog_stack(region: str = "us-east-1") -> dict[str, PlannedResource]:
    """The baseline, every resource deployed by one AWS provider in ``region``, with a Lambda
    function and each database linked to its parameter group."""
    r = build()
    provider = resource("pulumi:providers:aws", "dbtier-aws", {"region": region})
    r["function"] = resource(
        "aws:lambda/function:Function",
        "function",
        {"runtime": "python3.14", "architectures": ["arm64"], "handler": "index.handler"},
    )
    r["cache-params"] = resource(
        "aws:elasticache/parameterGroup:ParameterGroup", "cache-params", {"family": "valkey8"}
    )
    r["primary"] = linked(r["primary"], "parameterGroupName", r["pg"], "pg")
    r["cluster"] = linked(r["cluster"], "dbClusterParameterGroupName", r["cpg"], "cpg")
    r["redis"] = linked(r["redis"], "parameterGroupName", r["cache-params"], "cache-params")
    for role in ("writer", "reader"):
        r[role] = with_inputs(
            r[role], engine="aurora-mysql", engineVersion="8.0.mysql_aurora.3.10.0"
        )
    ref = f"{provider.urn}::{PROVIDER_ID}"
    stack = {name: replace(res, provider=ref) for name, res in r.items()}
    stack["dbtier-aws"] = provider
    return stack


def run(pack: Pack, resources: dict[str, PlannedResource]) -> list[Any]:
    report = pack.run(list(resources.values()), CONFIG)
    return [v for v in report.violations if v.policy in RULE_NAMES]


# (policy, resource, input changes, region, text the message names)
CATALOG_CASES: list[tuple[str, str, dict[str, Any], str, str]] = [
    ("deploy-region", "dbtier-aws", {"region": "us-east-9"}, "us-east-1", "aws:region"),
    ("deploy-rds-engine-version", "primary", {"engineVersion": "8.4.99"}, "us-east-1",
     "dbtier:relational.engineVersion"),
    ("deploy-rds-engine-version", "primary", {"engineVersion": "8.4.3"}, "us-east-1",
     "is deprecated"),
    ("deploy-rds-engine-version", "cluster", {"engineVersion": "8.0.mysql_aurora.3.11.0"},
     "us-east-1", "dbtier:aurora.engineVersion"),
    ("deploy-rds-instance-class", "primary", {"instanceClass": "db.serverless"}, "us-east-1",
     "dbtier:relational.instanceClass"),
    ("deploy-rds-instance-class", "primary", {}, "af-south-1", "not offered for MySQL 8.4.7 in af-south-1"),
    ("deploy-aurora-instance-class", "writer", {"instanceClass": "db.m7g.large"}, "us-east-1",
     "dbtier:aurora.engineVersion"),
    ("deploy-performance-insights-class", "primary", {"instanceClass": "db.t4g.micro",
     "databaseInsightsMode": None}, "us-east-1", "dbtier:relational.performanceInsights"),
    ("deploy-database-insights", "primary", {"performanceInsightsRetentionPeriod": 94},
     "us-east-1", "dbtier:relational.performanceInsightsRetentionDays"),
    ("deploy-database-insights", "primary", {"performanceInsightsRetentionPeriod": 31},
     "us-east-1", "at least 465 days"),
    ("deploy-database-insights", "cluster", {"performanceInsightsEnabled": False},
     "us-east-1", "dbtier:aurora.databaseInsightsMode"),
    # A cluster takes exactly 465 days with advanced mode (CreateDBCluster), not "at least".
    ("deploy-database-insights", "cluster", {"performanceInsightsRetentionPeriod": 731},
     "us-east-1", "set dbtier:aurora.performanceInsightsRetentionDays to 465 with"),
    ("deploy-database-insights", "replica", {"databaseInsightsMode": "advanced"},
     "us-east-1", "leave databaseInsightsMode unset"),
    ("deploy-database-insights", "replica", {"databaseInsightsMode": "standard"},
     "us-east-1", "the replica API does not support it"),
    ("deploy-database-insights", "writer", {"databaseInsightsMode": "advanced"},
     "us-east-1", "Aurora instances inherit the cluster's"),
    ("deploy-aurora-cluster-monitoring", "cluster", {"monitoringInterval": 60},
     "us-east-1", "monitoringInterval is for Multi-AZ DB clusters only"),
    ("deploy-aurora-cluster-monitoring", "cluster",
     {"monitoringRoleArn": "arn:aws:iam::111122223333:role/aurora-monitoring"},
     "us-east-1", "dbtier:aurora.monitoringInterval"),
    ("deploy-performance-insights-class", "writer", {"instanceClass": "db.t3.medium"},
     "us-east-1", "Aurora MySQL on db.t3.medium"),
    ("deploy-aurora-auto-pause-version", "cluster",
     {"engineVersion": "8.0.mysql_aurora.3.04.4",
      "serverlessv2ScalingConfiguration": {"minCapacity": 0, "maxCapacity": 2,
                                           "secondsUntilAutoPause": 600}},
     "us-east-1", "dbtier:aurora.minCapacity"),
    ("deploy-aurora-backtrack-engine", "cluster",
     {"engine": "aurora-postgresql", "engineVersion": "16.8", "backtrackWindow": 3600,
      "dbClusterParameterGroupName": None},
     "us-east-1", "dbtier:aurora.backtrackHours"),
    ("deploy-elasticache-engine-version", "redis", {"engineVersion": "8.5"}, "us-east-1",
     "dbtier:redis.engineVersion"),
    ("deploy-elasticache-node-type", "redis", {"nodeType": "cache.t4g.nano"}, "us-east-1",
     "dbtier:redis.nodeType"),
    ("deploy-elasticache-node-type", "redis", {"nodeType": "cache.t4g.micro"}, "me-central-1",
     "dbtier:redis.nodeType"),
    ("deploy-redshift-node-type", "warehouse", {"nodeType": "ra3.huge"}, "us-east-1",
     "dbtier:warehouse.nodeType"),
    ("deploy-redshift-node-count", "warehouse", {"nodeType": "ra3.4xlarge", "numberOfNodes": 1},
     "us-east-1", "dbtier:warehouse.nodes"),
    ("deploy-dms-instance-class", "dms", {"replicationInstanceClass": "dms.t3.nano"},
     "us-east-1", "dbtier:migration.instanceClass"),
    ("deploy-dms-engine-version", "dms", {"engineVersion": "3.4.7"}, "us-east-1",
     "no longer creates new instances"),
    ("deploy-lambda-runtime", "function", {"runtime": "python3.8"}, "us-east-1", "python3.14"),
    ("deploy-parameter-group-family", "primary", {"engineVersion": "8.0.46"}, "us-east-1",
     "needs mysql8.0"),
    ("deploy-parameter-group-family", "cluster",
     {"engineVersion": "8.4.mysql_aurora.8.4.7"}, "us-east-1", "needs aurora-mysql8.4"),
    ("deploy-parameter-group-family", "redis", {"engineVersion": "7.2", "engine": "valkey"},
     "us-east-1", "needs valkey7"),
]  # fmt: skip

# Inputs AWS accepts that a naive reading of cfn-lint's data or of the rules would refuse.
COMPLIANT_CASES: list[tuple[str, str, dict[str, Any], str]] = [
    ("deploy-rds-engine-version", "primary", {"engineVersion": "8.4"}, "us-east-1"),
    ("deploy-rds-instance-class", "primary", {"instanceClass": "db.t4g.micro",
     "performanceInsightsEnabled": False, "databaseInsightsMode": None}, "us-east-1"),
    ("deploy-database-insights", "primary", {"databaseInsightsMode": "standard",
     "performanceInsightsRetentionPeriod": 7}, "us-east-1"),
    ("deploy-database-insights", "cluster", {"databaseInsightsMode": "standard",
     "performanceInsightsRetentionPeriod": 731}, "us-east-1"),
    # An RDS instance takes at least 465 days with advanced mode (user guide, Considerations).
    ("deploy-database-insights", "primary", {"performanceInsightsRetentionPeriod": 731},
     "us-east-1"),
    ("deploy-database-insights", "replica", {"databaseInsightsMode": None,
     "performanceInsightsRetentionPeriod": 731}, "us-east-1"),
    ("deploy-aurora-cluster-monitoring", "writer", {"monitoringInterval": 30}, "us-east-1"),
    ("deploy-aurora-cluster-monitoring", "cluster", {"monitoringInterval": None,
     "monitoringRoleArn": None}, "us-east-1"),
    ("deploy-rds-instance-class", "primary", {}, "eu-west-1"),
    ("deploy-performance-insights-class", "primary", {"instanceClass": "db.t4g.medium"},
     "us-east-1"),
    ("deploy-aurora-auto-pause-version", "cluster",
     {"serverlessv2ScalingConfiguration": {"minCapacity": 0, "maxCapacity": 2,
                                           "secondsUntilAutoPause": 600}}, "us-east-1"),
    ("deploy-aurora-backtrack-engine", "cluster", {"backtrackWindow": 86400}, "us-east-1"),
    ("deploy-elasticache-engine-version", "redis", {"engineVersion": "8.2"}, "us-east-1"),
    ("deploy-elasticache-node-type", "redis", {"nodeType": "cache.t4g.micro"}, "us-east-1"),
    ("deploy-redshift-node-count", "warehouse", {"nodeType": "ra3.4xlarge", "numberOfNodes": 2},
     "us-east-1"),
    ("deploy-redshift-node-type", "warehouse", {"nodeType": "ra3.xlplus"}, "eu-west-1"),
    ("deploy-dms-instance-class", "dms", {"replicationInstanceClass": "dms.t3.medium"},
     "us-east-1"),
    ("deploy-dms-engine-version", "dms", {"engineVersion": None}, "us-east-1"),
    ("deploy-lambda-runtime", "function", {"runtime": "python3.13"}, "us-east-1"),
    ("deploy-region", "dbtier-aws", {"region": "eu-central-2"}, "us-east-1"),
    ("deploy-parameter-group-family", "redis", {"engineVersion": "8.1"}, "us-east-1"),
    ("deploy-aurora-instance-class", "writer", {"instanceClass": "db.r7g.large"}, "us-east-1"),
]  # fmt: skip


def test_baseline_passes_every_catalog_rule(pack: Pack) -> None:
    assert run(pack, catalog_stack()) == []


def test_every_catalog_rule_has_a_violating_and_a_compliant_case() -> None:
    assert {c[0] for c in CATALOG_CASES} == RULE_NAMES
    assert {c[0] for c in COMPLIANT_CASES} == RULE_NAMES


def _id(case: tuple[Any, ...]) -> str:
    policy, target, changes, region = case[:4]
    changed = ",".join(f"{k}={v}" for k, v in changes.items())
    return f"{policy}@{target}:{changed}@{region}"[:120]


@pytest.mark.parametrize(
    ("policy", "target", "changes", "region", "names"), CATALOG_CASES, ids=map(_id, CATALOG_CASES)
)
def test_rule_catches_what_aws_refuses(
    pack: Pack, policy: str, target: str, changes: dict[str, Any], region: str, names: str
) -> None:
    stack = catalog_stack(region)
    stack[target] = changed(stack[target], changes)
    hits = run(pack, stack)
    assert [v.policy for v in hits] == [policy], [(v.policy, v.message) for v in hits]
    (hit,) = hits
    assert hit.urn == stack[target].urn
    assert hit.level == "mandatory"
    assert names in hit.message, hit.message
    assert hit.category == "deployability"
    assert hit.docs.startswith("https://docs.aws.amazon.com/")


@pytest.mark.parametrize(
    ("policy", "target", "changes", "region"), COMPLIANT_CASES, ids=map(_id, COMPLIANT_CASES)
)
def test_rule_passes_what_aws_accepts(
    pack: Pack, policy: str, target: str, changes: dict[str, Any], region: str
) -> None:
    stack = catalog_stack(region)
    stack[target] = changed(stack[target], changes)
    if target == "redis" and "engineVersion" in changes:
        stack["cache-params"] = with_inputs(stack["cache-params"], family="valkey8")
    assert run(pack, stack) == []


def test_rules_without_a_region_skip_regional_checks(pack: Pack) -> None:
    stack = catalog_stack()
    stack["dbtier-aws"] = with_inputs(stack["dbtier-aws"], region=None)
    stack["primary"] = with_inputs(stack["primary"], instanceClass="db.m7g.huge")
    assert run(pack, stack) == []
