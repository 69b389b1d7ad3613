"""Stacks with secondary regions on the shared mocks: dev-like with two, prod-like with one.
Every replica in its region with that region's key, each regional resource on its region's
provider, one replication alarm per replica region, and the outputs carrying the replicas."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from preflight.plan import Plan, PlannedResource, plan_stack
from tests.unit.conftest import of_type, one

ROOT = Path(__file__).resolve().parents[2]
TABLE = "aws:dynamodb/table:Table"
KEY = "aws:kms/key:Key"


@pytest.fixture(scope="module")
def dev_two() -> Plan:
    return plan_stack("dev", config_overrides=with_networks(["eu-west-1", "us-west-2"]))


def with_networks(regions: list[str], stack: str = "dev") -> dict[str, object]:
    """`dbtier:regions`, and each region's network as the Aurora Global Database needs it:
    that region's default VPC; the home network is the stack's own."""
    config = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
    home = config.get("dbtier:network") or {}
    return {
        "dbtier:regions": regions,
        "dbtier:network": {**home, "regions": {region: {} for region in regions}},
    }


def prod_variant(regions: list[str]) -> dict[str, object]:
    """Prod's config with secondary regions: its Aurora without backtrack, which an Aurora
    Global Database does not have."""
    aurora = yaml.safe_load((ROOT / "Pulumi.prod.yaml").read_text())["config"]["dbtier:aurora"]
    return {**with_networks(regions, "prod"), "dbtier:aurora": {**aurora, "backtrackHours": 0}}


@pytest.fixture(scope="module")
def prod_one() -> Plan:
    return plan_stack("prod", config_overrides=prod_variant(["eu-west-1"]))


def provider_of(plan: Plan, r: PlannedResource) -> PlannedResource:
    urn = r.provider.rsplit("::", 1)[0]
    return next(p for p in plan.resources if p.urn == urn)


@pytest.mark.parametrize(("fixture", "regions"), [("dev_two", ["eu-west-1", "us-west-2"]),
                                                   ("prod_one", ["eu-west-1"])])  # fmt: skip
def test_each_replica_is_in_its_region_with_that_regions_key(
    request: pytest.FixtureRequest, fixture: str, regions: list[str]
) -> None:
    plan: Plan = request.getfixturevalue(fixture)
    keys = {k.name: k for k in of_type(plan, KEY)}
    for table in of_type(plan, TABLE):
        assert [b["regionName"] for b in table.inputs["replicas"]] == regions
        assert table.inputs["streamViewType"] == "NEW_AND_OLD_IMAGES"
        for block in table.inputs["replicas"]:
            region = block["regionName"]
            assert block["kmsKeyArn"].startswith(f"arn:aws:kms:{region}:")
            assert block["pointInTimeRecovery"] is True
            assert block["deletionProtectionEnabled"] == table.inputs["deletionProtectionEnabled"]
            # The table depends on that region's key, made by that region's provider.
            key = keys[f"stack-key-{region}"]
            assert key.urn in table.property_dependencies["replicas"]
            assert provider_of(plan, key).inputs["region"] == region
        # The table itself stays home, on the stack's provider.
        assert provider_of(plan, table).name == "dbtier-aws"


def test_every_regional_resource_is_on_its_regions_provider(dev_two: Plan) -> None:
    # The first secondary region also holds the RDS primary's replicated backups.
    extra = {"eu-west-1": {"relational-backups-eu-west-1"}, "us-west-2": set()}
    logs = ("error", "slowquery", "audit")  # dev's aurora-mysql exports
    for region in ("eu-west-1", "us-west-2"):
        provider = one(dev_two, "pulumi:providers:aws", f"dbtier-aws-{region}")
        on_it = {r.name for r in dev_two.resources if r.provider.startswith(provider.urn + "::")}
        aurora = {
            f"network-{region}-aurora-sg",
            f"network-{region}-aurora-in-vpc",
            f"network-{region}-rds-subnets",
            f"aurora-{region}-cluster-params",
            *(f"aurora-{region}-cluster-{log}-logs" for log in logs),
            f"aurora-{region}-cluster",
            f"aurora-{region}-reader-1",
        }
        assert on_it == {
            f"stack-key-{region}",
            f"stack-key-{region}-alias",
            *extra[region],
            *aurora,
        }
        assert provider.inputs["region"] == region


def test_a_replication_alarm_per_replica_region_and_replicas_in_the_outputs(prod_one: Plan) -> None:
    alarms = [a for a in of_type(prod_one, "aws:cloudwatch/metricAlarm:MetricAlarm")
              if a.name.endswith("-replication-eu-west-1")]  # fmt: skip
    tables = of_type(prod_one, TABLE)
    assert len(alarms) == len(tables)
    (query,) = [q for q in alarms[0].inputs["metricQueries"] if "metric" in q]
    assert query["metric"]["metricName"] == "ReplicationLatency"
    assert query["metric"]["dimensions"]["ReceivingRegion"] == "eu-west-1"
    for name, table in prod_one.outputs["dynamo"]["tables"].items():
        (replica,) = table["replicas"]
        assert replica["region"] == "eu-west-1"
        assert replica["arn"] == table["arn"].replace(":us-east-1:", ":eu-west-1:"), name


def test_a_stack_without_regions_has_no_replica_and_no_second_provider(dev_plan: Plan) -> None:
    assert [p.name for p in of_type(dev_plan, "pulumi:providers:aws")] == ["dbtier-aws"]
    assert all("replicas" not in t.inputs for t in of_type(dev_plan, TABLE))
    assert all("replicas" not in t for t in dev_plan.outputs["dynamo"]["tables"].values())
    assert "regionReaderEndpoints" not in dev_plan.outputs["relational"]
    assert not of_type(dev_plan, "aws:sns/topic:Topic") or all(
        t.name == "alarms-topic" for t in of_type(dev_plan, "aws:sns/topic:Topic")
    )


BACKUPS = "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication"


def test_the_primarys_backups_go_to_the_first_secondary_region(
    prod_one: Plan, dev_two: Plan
) -> None:
    for plan in (prod_one, dev_two):
        primary = one(plan, "aws:rds/instance:Instance", "relational-primary")
        (backups,) = of_type(plan, BACKUPS)
        assert backups.name == "relational-backups-eu-west-1"
        assert provider_of(plan, backups).inputs["region"] == "eu-west-1"
        assert backups.inputs["kmsKeyId"].startswith("arn:aws:kms:eu-west-1:")
        assert backups.inputs["retentionPeriod"] == primary.inputs["backupRetentionPeriod"]
        assert backups.property_dependencies["sourceDbInstanceArn"] == [primary.urn]


GLOBAL = "aws:rds/globalCluster:GlobalCluster"
CLUSTER = "aws:rds/cluster:Cluster"


@pytest.mark.parametrize(("fixture", "regions"), [("dev_two", ["eu-west-1", "us-west-2"]),
                                                   ("prod_one", ["eu-west-1"])])  # fmt: skip
def test_aurora_is_a_global_database_with_a_secondary_in_each_region(
    request: pytest.FixtureRequest, fixture: str, regions: list[str]
) -> None:
    plan: Plan = request.getfixturevalue(fixture)
    primary = one(plan, CLUSTER, "aurora-cluster")
    (global_,) = of_type(plan, GLOBAL)
    # Made from the running primary (a region added later must not replace it).
    assert global_.property_dependencies["sourceDbClusterIdentifier"] == [primary.urn]
    assert global_.inputs["storageEncrypted"] is True
    assert global_.inputs["deletionProtection"] == primary.inputs["deletionProtection"]
    assert "engine" not in global_.inputs  # the primary's; the provider refuses both
    assert provider_of(plan, global_).name == "dbtier-aws"
    keys = {k.name: k for k in of_type(plan, KEY)}
    secondaries = [c for c in of_type(plan, CLUSTER) if c.name != "aurora-cluster"]
    secondaries.sort(key=lambda c: regions.index(provider_of(plan, c).inputs["region"]))
    assert [c.name for c in secondaries] == [f"aurora-{r}-cluster" for r in regions]
    for region, cluster in zip(regions, secondaries, strict=True):
        assert provider_of(plan, cluster).inputs["region"] == region
        assert cluster.property_dependencies["globalClusterIdentifier"] == [global_.urn]
        assert cluster.inputs["kmsKeyId"].startswith(f"arn:aws:kms:{region}:")
        assert keys[f"stack-key-{region}"].urn in cluster.property_dependencies["kmsKeyId"]
        assert cluster.inputs["storageEncrypted"] is True
        # The primary's user and password, never a secondary's own.
        for absent in ("masterUsername", "masterPassword", "manageMasterUserPassword",
                       "databaseName", "backtrackWindow"):  # fmt: skip
            assert absent not in cluster.inputs, absent
        for same in ("engine", "engineVersion", "serverlessv2ScalingConfiguration",
                     "deletionProtection", "enabledCloudwatchLogsExports", "backupRetentionPeriod"):  # fmt: skip
            assert cluster.inputs[same] == primary.inputs[same], same
        # Its own parameter group and network in its region.
        params = one(plan, "aws:rds/clusterParameterGroup:ClusterParameterGroup",
                     f"aurora-{region}-cluster-params")  # fmt: skip
        assert cluster.property_dependencies["dbClusterParameterGroupName"] == [params.urn]
        subnets = one(plan, "aws:rds/subnetGroup:SubnetGroup", f"network-{region}-rds-subnets")
        assert cluster.property_dependencies["dbSubnetGroupName"] == [subnets.urn]
        readers = [i for i in of_type(plan, "aws:rds/clusterInstance:ClusterInstance")
                   if i.name.startswith(f"aurora-{region}-reader-")]  # fmt: skip
        assert readers and all(i.inputs["instanceClass"] == "db.serverless" for i in readers)
        assert all(provider_of(plan, i).inputs["region"] == region for i in readers)


def test_the_aurora_outputs_carry_each_regions_reader_and_the_global_writer(
    dev_two: Plan,
) -> None:
    aurora = dev_two.outputs["aurora"]
    assert aurora["globalWriterEndpoint"].endswith(".global.rds.amazonaws.com")
    assert [r["region"] for r in aurora["regions"]] == ["eu-west-1", "us-west-2"]
    for r in aurora["regions"]:
        assert f".{r['region']}.rds.amazonaws.com" in r["readerEndpoint"]
        assert r["clusterId"] == f"dbtier-dev-aurora-{r['region']}-cluster"


def test_a_stack_without_regions_exports_aurora_as_before(dev_plan: Plan) -> None:
    assert not of_type(dev_plan, GLOBAL)
    assert {"globalWriterEndpoint", "regions"}.isdisjoint(dev_plan.outputs["aurora"])


@pytest.fixture(scope="module")
def dev_chosen() -> Plan:
    """Two secondary regions; a table kept home (`regions: []`) and one in us-west-2 only."""
    table = {"hashKey": "id", "attributes": {"id": "S"}}
    tables = [{**table, "name": "Local", "regions": []},
              {**table, "name": "Western", "regions": ["us-west-2"]}]  # fmt: skip
    return plan_stack("dev", config_overrides={**with_networks(["eu-west-1", "us-west-2"]),
                                               "dbtier:dynamo": {"tables": tables},
                                               "dbtier:alarms": {"enabled": True, "email": "oncall@example.com"}})  # fmt: skip


def test_a_table_is_replicated_to_its_own_regions_only(dev_chosen: Plan) -> None:
    local = one(dev_chosen, TABLE, "dynamo-Local-table")
    western = one(dev_chosen, TABLE, "dynamo-Western-table")
    assert "replicas" not in local.inputs and "streamViewType" not in local.inputs
    assert [b["regionName"] for b in western.inputs["replicas"]] == ["us-west-2"]
    assert western.inputs["replicas"][0]["kmsKeyArn"].startswith("arn:aws:kms:us-west-2:")
    alarms = {a.name for a in of_type(dev_chosen, "aws:cloudwatch/metricAlarm:MetricAlarm")}
    assert {a for a in alarms if "-replication-" in a} == {
        "alarms-dynamo-Western-replication-us-west-2"
    }
    tables = dev_chosen.outputs["dynamo"]["tables"]
    assert "replicas" not in tables["Local"]
    assert [r["region"] for r in tables["Western"]["replicas"]] == ["us-west-2"]


def test_each_secondary_clusters_lag_is_alarmed_in_its_region_and_drawn(prod_one: Plan) -> None:
    cluster = one(prod_one, CLUSTER, "aurora-eu-west-1-cluster")
    topic = one(prod_one, "aws:sns/topic:Topic", "alarms-topic-eu-west-1")
    metrics = {}
    for a in of_type(prod_one, "aws:cloudwatch/metricAlarm:MetricAlarm"):
        if a.name.startswith("alarms-aurora-eu-west-1-global-"):
            metrics[a.inputs["metricName"]] = a
            # Made by that region's provider, notifying that region's topic (CloudWatch
            # notifies only a topic of its own region), on the secondary's identifier.
            assert provider_of(prod_one, a).inputs["region"] == "eu-west-1"
            assert a.property_dependencies["alarmActions"] == [topic.urn]
            assert a.inputs["dimensions"] == {
                "DBClusterIdentifier": cluster.inputs["clusterIdentifier"]
            }
            assert a.property_dependencies["dimensions"] == [cluster.urn]
    assert sorted(metrics) == ["AuroraGlobalDBRPOLag", "AuroraGlobalDBReplicationLag"]
    (dashboard,) = of_type(prod_one, "aws:cloudwatch/dashboard:Dashboard")
    for metric in metrics:
        line = ["AWS/RDS", metric, "DBClusterIdentifier", cluster.inputs["clusterIdentifier"],
                {"region": "eu-west-1", "stat": "Maximum"}]  # fmt: skip
        assert json.dumps(line) in dashboard.inputs["dashboardBody"], metric


def prod_far_config() -> dict[str, object]:
    """Prod with one secondary region holding a read replica and the backups (kept 3 days)."""
    config = yaml.safe_load((ROOT / "Pulumi.prod.yaml").read_text())["config"]
    relational = {**config["dbtier:relational"], "crossRegionReplicas": ["eu-west-1"],
                  "backupsTo": {"region": "eu-west-1", "retentionDays": 3}}  # fmt: skip
    network = {**config.get("dbtier:network", {}), "regions": {"eu-west-1": {
        "vpcId": "vpc-0abc1234", "subnetIds": ["subnet-0a1b2c3d", "subnet-0d4e5f6a"]}}}  # fmt: skip
    return {
        **prod_variant(["eu-west-1"]),
        "dbtier:relational": relational,
        "dbtier:network": network,
    }


@pytest.fixture(scope="module")
def prod_far() -> Plan:
    return plan_stack("prod", config_overrides=prod_far_config())


def test_a_cross_region_replica_is_in_its_region_with_its_key_network_and_alarms(
    prod_far: Plan,
) -> None:
    primary = one(prod_far, "aws:rds/instance:Instance", "relational-primary")
    replica = one(prod_far, "aws:rds/instance:Instance", "relational-replica-eu-west-1")
    assert provider_of(prod_far, replica).inputs["region"] == "eu-west-1"
    assert replica.inputs["replicateSourceDb"].startswith("arn:aws:rds:us-east-1:")
    assert replica.property_dependencies["replicateSourceDb"] == [primary.urn]
    for key in ("kmsKeyId", "performanceInsightsKmsKeyId"):
        assert replica.inputs[key].startswith("arn:aws:kms:eu-west-1:"), key
    assert replica.inputs["storageEncrypted"] is True
    # Its subnet group, security group and parameter group are that region's.
    group = one(prod_far, "aws:rds/subnetGroup:SubnetGroup", "network-eu-west-1-rds-subnets")
    assert group.inputs["subnetIds"] == ["subnet-0a1b2c3d", "subnet-0d4e5f6a"]
    assert replica.property_dependencies["dbSubnetGroupName"] == [group.urn]
    params = one(prod_far, "aws:rds/parameterGroup:ParameterGroup", "relational-params-eu-west-1")
    home = one(prod_far, "aws:rds/parameterGroup:ParameterGroup", "relational-params")
    assert params.inputs["parameters"] == home.inputs["parameters"]
    for r in (group, params, one(prod_far, "aws:ec2/securityGroup:SecurityGroup",
                                 "network-eu-west-1-relational-sg")):  # fmt: skip
        assert provider_of(prod_far, r).inputs["region"] == "eu-west-1", r.name
    # Its alarms are made there and notify that region's topic, encrypted with its key.
    topic = one(prod_far, "aws:sns/topic:Topic", "alarms-topic-eu-west-1")
    assert topic.inputs["kmsMasterKeyId"].startswith("arn:aws:kms:eu-west-1:")
    assert provider_of(prod_far, topic).inputs["region"] == "eu-west-1"
    email = one(
        prod_far, "aws:sns/topicSubscription:TopicSubscription", "alarms-topic-eu-west-1-email"
    )
    assert email.inputs["endpoint"] == one(prod_far, "aws:sns/topicSubscription:TopicSubscription",
                                           "alarms-email").inputs["endpoint"]  # fmt: skip
    alarms = [a for a in of_type(prod_far, "aws:cloudwatch/metricAlarm:MetricAlarm")
              if a.name.startswith("alarms-relational-replica-eu-west-1-")]  # fmt: skip
    assert {"alarms-relational-replica-eu-west-1-lag",
            "alarms-relational-replica-eu-west-1-replication-stopped"} <= {a.name for a in alarms}  # fmt: skip
    for alarm in alarms:
        assert provider_of(prod_far, alarm).inputs["region"] == "eu-west-1", alarm.name
        assert alarm.property_dependencies["alarmActions"] == [topic.urn], alarm.name
    # Every other alarm stays home, on the home topic, but the Aurora secondary's lag alarms
    # (in its region: test_each_secondary_clusters_lag_is_alarmed_in_its_region_and_drawn).
    home_alarms = [
        a
        for a in of_type(prod_far, "aws:cloudwatch/metricAlarm:MetricAlarm")
        if a not in alarms and not a.name.startswith("alarms-aurora-eu-west-1-global-")
    ]
    assert all(provider_of(prod_far, a).name == "dbtier-aws" for a in home_alarms)
    endpoints = prod_far.outputs["relational"]["regionReaderEndpoints"]
    assert list(endpoints) == ["eu-west-1"] and ".eu-west-1." in endpoints["eu-west-1"]


def test_the_backups_go_where_backups_to_says_for_its_retention(prod_far: Plan) -> None:
    (backups,) = of_type(prod_far, BACKUPS)
    assert provider_of(prod_far, backups).inputs["region"] == "eu-west-1"
    assert backups.inputs["retentionPeriod"] == 3


def test_a_region_with_a_replica_and_an_aurora_secondary_has_one_network(prod_far: Plan) -> None:
    (network,) = [n for n in of_type(prod_far, "dbtier:components:DatabaseNetwork")
                  if n.name == "network-eu-west-1"]  # fmt: skip
    groups = {g.name: g for g in of_type(prod_far, "aws:ec2/securityGroup:SecurityGroup")
              if g.parent == network.urn}  # fmt: skip
    assert set(groups) == {"network-eu-west-1-relational-sg", "network-eu-west-1-aurora-sg"}
    subnets = one(prod_far, "aws:rds/subnetGroup:SubnetGroup", "network-eu-west-1-rds-subnets")
    cluster = one(prod_far, CLUSTER, "aurora-eu-west-1-cluster")
    assert cluster.property_dependencies["dbSubnetGroupName"] == [subnets.urn]
    assert (
        groups["network-eu-west-1-aurora-sg"].urn
        in cluster.property_dependencies["vpcSecurityGroupIds"]
    )
