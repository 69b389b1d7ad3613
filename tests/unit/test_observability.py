"""Issue 13 items 2 and 4 on mocks and in config: Database Insights and Performance Insights
retention, enhanced monitoring on Aurora instances, Multi-AZ or spread read replicas, and Aurora
readers placed outside the writer's zone; every new key refuses a bad value by name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from components.aurora.shape import instance_zone
from components.relational.shape import replica_zone
from components.stack_config import ConfigError, parse
from preflight.plan import Plan
from tests.unit.conftest import of_type, one

INSTANCE = "aws:rds/instance:Instance"
CLUSTER = "aws:rds/cluster:Cluster"
CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
ROLE = "aws:iam/role:Role"
M7G = {"instanceClass": "db.m7g.large"}


# -- Database Insights ---------------------------------------------------------------------------


def test_dev_has_standard_insights_and_seven_days(dev_plan: Plan) -> None:
    primary = one(dev_plan, INSTANCE, "relational-primary").inputs
    assert primary["databaseInsightsMode"] == "standard"
    assert "performanceInsightsRetentionPeriod" not in primary  # PI is off on db.t4g.micro
    cluster = one(dev_plan, CLUSTER).inputs
    assert cluster["databaseInsightsMode"] == "standard"
    assert cluster["performanceInsightsRetentionPeriod"] == 7


def test_prod_has_advanced_insights_with_the_retention_aws_requires(prod_plan: Plan) -> None:
    primary = one(prod_plan, INSTANCE, "relational-primary")
    replicas = [r for r in of_type(prod_plan, INSTANCE) if "replicateSourceDb" in r.inputs]
    assert replicas
    for r in [primary, one(prod_plan, CLUSTER)]:
        assert r.inputs["databaseInsightsMode"] == "advanced", r.name
    for r in [primary, *replicas, one(prod_plan, CLUSTER)]:
        assert r.inputs["performanceInsightsEnabled"] is True, r.name
        assert r.inputs["performanceInsightsRetentionPeriod"] == 465, r.name
        assert r.inputs["performanceInsightsKmsKeyId"].startswith("arn:aws:kms:"), r.name
    for member in of_type(prod_plan, CLUSTER_INSTANCE):
        # Database Insights needs every instance to match the cluster's PI settings.
        assert member.inputs["performanceInsightsRetentionPeriod"] == 465
        assert "databaseInsightsMode" not in member.inputs  # set per cluster only
    for replica in replicas:
        # CreateDBInstanceReadReplica's DatabaseInsightsMode "isn't supported"; Performance
        # Insights and Enhanced Monitoring are, and stay on.
        assert "databaseInsightsMode" not in replica.inputs, replica.name
        assert replica.inputs["monitoringInterval"] == 60, replica.name


def test_retention_is_configurable(plan_with: Callable[..., Plan]) -> None:
    plan = plan_with(
        "dev",
        relational={**M7G, "performanceInsightsRetentionDays": 93},
        aurora={"performanceInsightsRetentionDays": 731},
    )
    assert one(plan, INSTANCE).inputs["performanceInsightsRetentionPeriod"] == 93
    assert one(plan, CLUSTER).inputs["performanceInsightsRetentionPeriod"] == 731
    assert one(plan, CLUSTER).inputs["databaseInsightsMode"] == "standard"


def test_advanced_retention_is_at_least_465_on_rds_and_exactly_465_on_aurora() -> None:
    # RDS instances: "at least 465 days" (user guide); a DB cluster: "to 465" (CreateDBCluster).
    raw = {**M7G, "databaseInsightsMode": "advanced", "performanceInsightsRetentionDays": 731}
    cfg = parse({"dbtier:relational": raw}, region="us-east-1").relational
    assert cfg.performance_insights_retention_days == 731
    advanced = {"databaseInsightsMode": "advanced", "performanceInsightsRetentionDays": 465}
    assert parse({"dbtier:aurora": advanced}).aurora.performance_insights_retention_days == 465
    with pytest.raises(ConfigError, match="PerformanceInsightsRetentionPeriod parameter to 465"):
        parse({"dbtier:aurora": {**advanced, "performanceInsightsRetentionDays": 731}})


# -- enhanced monitoring -------------------------------------------------------------------------


def test_aurora_instances_have_enhanced_monitoring_with_the_components_role(
    prod_plan: Plan,
) -> None:
    role = one(prod_plan, ROLE, "aurora-monitoring-role")
    assert "monitoring.rds.amazonaws.com" in role.inputs["assumeRolePolicy"]
    members = of_type(prod_plan, CLUSTER_INSTANCE)
    assert len(members) == 2
    for r in members:
        assert r.inputs["monitoringInterval"] == 60, r.name
        assert role.urn in r.property_dependencies["monitoringRoleArn"], r.name
    # Not on the cluster: ModifyDBCluster takes monitoring for Multi-AZ DB clusters only.
    cluster = one(prod_plan, CLUSTER).inputs
    assert "monitoringInterval" not in cluster
    assert "monitoringRoleArn" not in cluster
    # RDS keeps its own role: one per component, not one per instance.
    assert sorted(
        r.name for r in of_type(prod_plan, ROLE) if r.name.endswith("monitoring-role")
    ) == [
        "aurora-monitoring-role",
        "relational-monitoring-role",
    ]


def test_aurora_monitoring_off_creates_no_role(plan_with: Callable[..., Plan]) -> None:
    plan = plan_with("dev", aurora={"minCapacity": 0.5, "monitoringInterval": 0})
    assert [r for r in of_type(plan, ROLE) if r.name == "aurora-monitoring-role"] == []
    assert one(plan, CLUSTER_INSTANCE).inputs["monitoringInterval"] == 0


# -- availability --------------------------------------------------------------------------------


def test_prod_replicas_are_multi_az_like_the_primary(prod_plan: Plan) -> None:
    replicas = [r for r in of_type(prod_plan, INSTANCE) if "replicateSourceDb" in r.inputs]
    assert len(replicas) == 2
    for replica in replicas:
        assert replica.inputs["multiAz"] is True
        assert "availabilityZone" not in replica.inputs  # RDS places a Multi-AZ instance


def test_single_az_replicas_spread_over_the_subnet_groups_zones(
    plan_with: Callable[..., Plan],
) -> None:
    plan = plan_with(
        "prod", relational={**M7G, "multiAz": True, "readReplicas": 4, "replicaMultiAz": False}
    )
    zones = sorted(
        (r.name, r.inputs["availabilityZone"], r.inputs["multiAz"])
        for r in of_type(plan, INSTANCE)
        if "replicateSourceDb" in r.inputs
    )
    # The mocks' default VPC has one subnet in each of us-east-1a, b, c.
    assert zones == [
        ("relational-replica-1", "us-east-1a", False),
        ("relational-replica-2", "us-east-1b", False),
        ("relational-replica-3", "us-east-1c", False),
        ("relational-replica-4", "us-east-1a", False),
    ]


def test_replica_zones_from_config(plan_with: Callable[..., Plan]) -> None:
    plan = plan_with(
        "dev",
        relational={
            **M7G,
            "readReplicas": 2,
            "replicaAvailabilityZones": ["us-east-1c", "us-east-1b"],
        },
    )
    replicas = {r.name: r for r in of_type(plan, INSTANCE) if "replicateSourceDb" in r.inputs}
    assert replicas["relational-replica-1"].inputs["availabilityZone"] == "us-east-1c"
    assert replicas["relational-replica-2"].inputs["availabilityZone"] == "us-east-1b"


def test_aurora_writer_in_the_first_zone_readers_in_the_others(
    plan_with: Callable[..., Plan],
) -> None:
    plan = plan_with("prod", aurora={"readers": 3, "maxCapacity": 16})
    placed = {r.name: r.inputs["availabilityZone"] for r in of_type(plan, CLUSTER_INSTANCE)}
    assert placed == {
        "aurora-writer": "us-east-1a",
        "aurora-reader-1": "us-east-1b",
        "aurora-reader-2": "us-east-1c",
        "aurora-reader-3": "us-east-1b",
    }


def test_dev_aurora_writer_is_placed_too(dev_plan: Plan) -> None:
    assert one(dev_plan, CLUSTER_INSTANCE).inputs["availabilityZone"] == "us-east-1a"


def test_placement_functions() -> None:
    assert [replica_zone(i, ["a", "b"]) for i in range(3)] == ["a", "b", "a"]
    assert replica_zone(0, []) is None
    assert [instance_zone(i, ["a", "b", "c"]) for i in range(4)] == ["a", "b", "c", "b"]
    assert [instance_zone(i, ["a"]) for i in range(2)] == ["a", "a"]


# -- config errors -------------------------------------------------------------------------------

BAD: list[tuple[str, dict[str, Any], str]] = [
    ("relational", {"databaseInsightsMode": "full"}, r"dbtier:relational\.databaseInsightsMode must be one of standard, advanced"),
    ("relational", {"databaseInsightsMode": "advanced"}, r"dbtier:relational\.databaseInsightsMode advanced: Performance Insights is not offered .* db\.t4g\.micro"),
    ("relational", {**M7G, "databaseInsightsMode": "advanced", "performanceInsightsRetentionDays": 372}, r"dbtier:relational\.databaseInsightsMode advanced: .*at least 465 days"),
    ("relational", {**M7G, "performanceInsights": False, "databaseInsightsMode": "advanced"}, r"dbtier:relational\.databaseInsightsMode advanced: .*Performance Insights on"),
    ("relational", {"performanceInsightsRetentionDays": 30}, r"dbtier:relational\.performanceInsightsRetentionDays: 30 is not a retention"),
    ("relational", {"performanceInsightsRetentionDays": 800}, r"dbtier:relational\.performanceInsightsRetentionDays must be"),
    ("relational", {"replicaMultiAz": "yes"}, r"dbtier:relational\.replicaMultiAz must be true or false"),
    ("relational", {"replicaAvailabilityZones": ["us-east-1a"], "multiAz": True}, r"dbtier:relational\.replicaAvailabilityZones needs replicaMultiAz false"),
    ("relational", {"replicaAvailabilityZones": ["eu-west-1a"]}, r"dbtier:relational\.replicaAvailabilityZones must be zones of us-east-1"),
    ("relational", {"replicaAvailabilityZones": ["east"]}, r"dbtier:relational\.replicaAvailabilityZones\[0\] must be Availability Zone names"),
    ("relational", {"replicaAvailabilityZones": []}, r"dbtier:relational\.replicaAvailabilityZones must be a non-empty list"),
    ("aurora", {"databaseInsightsMode": "on"}, r"dbtier:aurora\.databaseInsightsMode must be one of"),
    ("aurora", {"databaseInsightsMode": "advanced", "performanceInsightsRetentionDays": 7}, r"dbtier:aurora\.databaseInsightsMode advanced: .*465"),
    ("aurora", {"databaseInsightsMode": "advanced", "performanceInsightsRetentionDays": 731}, r"dbtier:aurora\.databaseInsightsMode advanced: .*takes exactly 465 days .*got 731.*set performanceInsightsRetentionDays to 465 \(https://docs\.aws\.amazon\.com/AmazonRDS/latest/APIReference/API_CreateDBCluster\.html\)"),
    ("aurora", {"performanceInsightsRetentionDays": 100}, r"dbtier:aurora\.performanceInsightsRetentionDays: 100 is not"),
    ("aurora", {"monitoringInterval": 2}, r"dbtier:aurora\.monitoringInterval must be one of 0, 1, 5"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("key", "raw", "message"), BAD, ids=[f"{b[0]}-{list(b[1])[-1]}" for b in BAD]
)
def test_bad_new_keys_are_refused_by_name(key: str, raw: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse({f"dbtier:{key}": raw}, region="us-east-1")


def test_replica_multi_az_defaults_to_the_primarys() -> None:
    assert parse({"dbtier:relational": {"multiAz": True}}).relational.replica_multi_az is True
    assert parse({"dbtier:relational": {}}).relational.replica_multi_az is False
    cfg = parse({"dbtier:relational": {"multiAz": True, "replicaMultiAz": False}}).relational
    assert (cfg.multi_az, cfg.replica_multi_az) == (True, False)


def test_advanced_mode_defaults_retention_to_465() -> None:
    assert (
        parse(
            {"dbtier:aurora": {"databaseInsightsMode": "advanced"}}
        ).aurora.performance_insights_retention_days
        == 465
    )
