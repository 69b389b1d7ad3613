"""The SQL half of the tier on mocks: network, RelationalTier, ServerlessAurora, Warehouse, stack."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from preflight.mocks import _random_password
from preflight.plan import SECRET_SIG, Plan, PlanError
from tests.unit.conftest import is_secret, of_type, one

INSTANCE = "aws:rds/instance:Instance"
CLUSTER = "aws:rds/cluster:Cluster"
CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
REDSHIFT = "aws:redshift/cluster:Cluster"
KMS_KEY = "aws:kms/key:Key"


def plain_strings(value: Any) -> Iterator[str]:
    """Every string in an inputs tree that is not inside a secret envelope."""
    if isinstance(value, dict):
        if SECRET_SIG in value:
            return
        for v in value.values():
            yield from plain_strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from plain_strings(v)
    elif isinstance(value, str):
        yield value


# -- RelationalTier ------------------------------------------------------------------------------


def test_dev_primary_is_single_az_encrypted_private_and_protected_from_deletion(
    dev_plan: Plan,
) -> None:
    primary = one(dev_plan, INSTANCE, "relational-primary").inputs
    assert primary["engine"] == "mysql"
    assert primary["engineVersion"] == "8.4"
    assert primary["instanceClass"] == "db.t4g.micro"
    assert primary["multiAz"] is False
    assert primary["storageEncrypted"] is True
    assert primary["kmsKeyId"].startswith("arn:aws:kms:us-east-1:123456789012:key/")
    assert primary["publiclyAccessible"] is False
    assert primary["deletionProtection"] is True
    assert primary["skipFinalSnapshot"] is False
    assert primary["finalSnapshotIdentifier"].startswith("relational-primary-final-")
    assert primary["storageType"] == "gp3"
    assert primary["maxAllocatedStorage"] == 100
    assert primary["iamDatabaseAuthenticationEnabled"] is True
    # RDS MySQL refuses Performance Insights on db.t4g.micro: off by default there (issue 10, F1).
    assert primary["performanceInsightsEnabled"] is False
    assert primary["monitoringInterval"] == 60 and primary["monitoringRoleArn"].startswith(
        "arn:aws:iam::"
    )
    assert set(primary["enabledCloudwatchLogsExports"]) == {
        "error",
        "slowquery",
        "iam-db-auth-error",
    }
    assert primary["copyTagsToSnapshot"] is True
    assert is_secret(primary["password"])
    assert of_type(dev_plan, INSTANCE) == [one(dev_plan, INSTANCE, "relational-primary")]


def test_prod_primary_is_multi_az_with_two_replicas_that_inherit_credentials_and_encryption(
    prod_plan: Plan,
) -> None:
    primary = one(prod_plan, INSTANCE, "relational-primary")
    assert primary.inputs["multiAz"] is True
    assert primary.inputs["instanceClass"] == "db.m7g.large"
    assert primary.inputs["backupRetentionPeriod"] == 14
    replicas = [r for r in of_type(prod_plan, INSTANCE) if r.name.startswith("relational-replica-")]
    assert sorted(r.name for r in replicas) == ["relational-replica-1", "relational-replica-2"]
    for replica in replicas:
        # The source is the planned primary's identifier, taken from the primary itself.
        assert replica.inputs["replicateSourceDb"] == primary.inputs["identifier"]
        assert replica.property_dependencies["replicateSourceDb"] == [primary.urn]
        for inherited in (
            "username",
            "password",
            "storageEncrypted",
            "kmsKeyId",
            "dbName",
            "engine",
        ):
            assert inherited not in replica.inputs, inherited
        assert replica.inputs["deletionProtection"] is True
        assert replica.inputs["publiclyAccessible"] is False


@pytest.mark.parametrize("replicas", [0, 3], ids=["no-replicas", "three-replicas"])
def test_read_replica_count_follows_config(plan_with: Any, replicas: int) -> None:
    plan = plan_with("dev", relational={"readReplicas": replicas})
    names = sorted(r.name for r in of_type(plan, INSTANCE) if "replica" in r.name)
    assert names == [f"relational-replica-{i}" for i in range(1, replicas + 1)]
    assert len(plan.outputs["relational"]["readerEndpoints"]) == replicas


def test_parameter_group_enforces_tls_and_turns_on_row_binlogs_only_for_a_migration(
    dev_plan: Plan, prod_plan: Plan
) -> None:
    def params(plan: Plan) -> dict[str, str]:
        group = one(plan, "aws:rds/parameterGroup:ParameterGroup", "relational-params")
        assert group.inputs["family"] == "mysql8.4"
        return {p["name"]: p["value"] for p in group.inputs["parameters"]}

    assert params(dev_plan)["require_secure_transport"] == "1"
    assert "binlog_format" not in params(dev_plan)
    assert params(prod_plan)["binlog_format"] == "ROW"
    assert params(prod_plan)["binlog_checksum"] == "NONE"


# -- ServerlessAurora ----------------------------------------------------------------------------


def test_dev_aurora_scales_to_zero_with_auto_pause(dev_plan: Plan) -> None:
    cluster = one(dev_plan, CLUSTER, "aurora-cluster").inputs
    assert cluster["engine"] == "aurora-mysql"
    assert cluster["engineMode"] == "provisioned"
    assert cluster["serverlessv2ScalingConfiguration"] == {
        "minCapacity": 0,
        "maxCapacity": 2,
        "secondsUntilAutoPause": 600,
    }
    assert cluster["storageEncrypted"] is True
    assert cluster["deletionProtection"] is True
    assert cluster["skipFinalSnapshot"] is False
    assert cluster["finalSnapshotIdentifier"].startswith("aurora-cluster-final-")
    assert cluster["iamDatabaseAuthenticationEnabled"] is True
    assert is_secret(cluster["masterPassword"])
    instances = of_type(dev_plan, CLUSTER_INSTANCE)
    assert [i.name for i in instances] == ["aurora-writer"]


def test_prod_aurora_readers_are_serverless_in_promotion_tiers_that_scale_with_the_writer(
    prod_plan: Plan,
) -> None:
    cluster = one(prod_plan, CLUSTER, "aurora-cluster").inputs
    assert cluster["serverlessv2ScalingConfiguration"] == {"minCapacity": 0.5, "maxCapacity": 16}
    assert cluster["backtrackWindow"] == 24 * 3600
    tiers = {i.name: i.inputs["promotionTier"] for i in of_type(prod_plan, CLUSTER_INSTANCE)}
    assert tiers == {"aurora-writer": 0, "aurora-reader-1": 1}
    for instance in of_type(prod_plan, CLUSTER_INSTANCE):
        assert instance.inputs["instanceClass"] == "db.serverless"
        assert instance.inputs["publiclyAccessible"] is False
        assert instance.inputs["performanceInsightsEnabled"] is True


def test_aurora_cluster_parameters_refuse_plain_connections(plan_with: Any) -> None:
    plan = plan_with("dev", aurora={"engine": "aurora-postgresql"})
    group = one(plan, "aws:rds/clusterParameterGroup:ClusterParameterGroup")
    assert group.inputs["family"] == "aurora-postgresql16"
    assert {p["name"]: p["value"] for p in group.inputs["parameters"]} == {"rds.force_ssl": "1"}
    ingress = one(
        plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "network-aurora-in-vpc"
    )
    assert ingress.inputs["fromPort"] == 5432


# -- Warehouse -----------------------------------------------------------------------------------


def test_prod_warehouse_is_a_private_encrypted_ra3_cluster_with_ssl_and_audit_logs(
    prod_plan: Plan,
) -> None:
    cluster = one(prod_plan, REDSHIFT).inputs
    assert cluster["nodeType"] == "ra3.xlplus"
    assert cluster["clusterType"] == "multi-node" and cluster["numberOfNodes"] == 2
    assert cluster["encrypted"] is True and cluster["kmsKeyId"].startswith("arn:aws:kms:")
    assert cluster["publiclyAccessible"] is False
    assert cluster["enhancedVpcRouting"] is True
    assert cluster["skipFinalSnapshot"] is False
    assert cluster["automatedSnapshotRetentionPeriod"] == 14
    assert is_secret(cluster["masterPassword"])
    params = one(prod_plan, "aws:redshift/parameterGroup:ParameterGroup").inputs["parameters"]
    assert {"name": "require_ssl", "value": "true"} in params
    logging = one(prod_plan, "aws:redshift/logging:Logging").inputs
    assert logging["logDestinationType"] == "cloudwatch"
    assert of_type(prod_plan, "aws:redshiftserverless/workgroup:Workgroup") == []


def test_dev_warehouse_is_serverless(dev_plan: Plan) -> None:
    assert of_type(dev_plan, REDSHIFT) == []
    namespace = one(dev_plan, "aws:redshiftserverless/namespace:Namespace").inputs
    assert namespace["kmsKeyId"].startswith("arn:aws:kms:")
    assert is_secret(namespace["adminUserPassword"])
    workgroup = one(dev_plan, "aws:redshiftserverless/workgroup:Workgroup").inputs
    assert workgroup["baseCapacity"] == 8
    assert workgroup["publiclyAccessible"] is False
    assert {"parameterKey": "require_ssl", "parameterValue": "true"} in workgroup[
        "configParameters"
    ]
    assert dev_plan.outputs["warehouse"]["port"] == 5439


# -- switches, parents, secrets, protection, tags ---------------------------------------------------


@pytest.mark.parametrize(
    ("key", "component", "output", "prefix"),
    [
        ("relational", "dbtier:components:RelationalTier", "relational", "relational-"),
        ("aurora", "dbtier:components:ServerlessAurora", "aurora", "aurora-"),
        ("warehouse", "dbtier:components:Warehouse", "warehouse", "warehouse-"),
    ],
    ids=["relational-off", "aurora-off", "warehouse-off"],
)
def test_disabled_component_creates_nothing(
    plan_with: Any, key: str, component: str, output: str, prefix: str
) -> None:
    plan = plan_with("dev", **{key: {"enabled": False}})
    assert of_type(plan, component) == []
    assert not [r.name for r in plan.resources if r.name.startswith(prefix)]
    assert not [r.name for r in plan.resources if r.name.startswith(f"network-{key}-")]
    assert output not in plan.outputs


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_child_is_parented_to_its_component(
    stack: str, dev_plan: Plan, prod_plan: Plan
) -> None:
    plan = dev_plan if stack == "dev" else prod_plan
    components = {r.name: r.urn for r in plan.resources if r.type.startswith("dbtier:components:")}
    assert {"network", "relational", "aurora", "warehouse"} <= set(components)
    for r in plan.resources:
        owner = r.name.split("-", 1)[0]
        if owner in components and r.urn != components[owner]:
            assert r.parent == components[owner], r.urn


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_passwords_are_secret_outputs_and_appear_in_no_plain_input(
    stack: str, dev_plan: Plan, prod_plan: Plan
) -> None:
    plan = dev_plan if stack == "dev" else prod_plan
    passwords = [
        _random_password(r.name, r.inputs)
        for r in of_type(plan, "random:index/randomPassword:RandomPassword")
    ]
    assert len(passwords) >= 3
    for r in plan.resources:
        leaked = [p for p in passwords for s in plain_strings(r.inputs) if p in s]
        assert not leaked, f"{r.urn} holds a password in a plain input"
    for section in ("relational", "aurora", "warehouse"):
        assert is_secret(plan.outputs[section]["password"]), section


def test_each_sql_component_keeps_a_kms_encrypted_connection_secret(dev_plan: Plan) -> None:
    secrets = {r.name: r for r in of_type(dev_plan, "aws:secretsmanager/secret:Secret")}
    assert {"relational-secret", "aurora-secret", "warehouse-secret"} <= set(secrets)
    for secret in secrets.values():
        assert secret.inputs["kmsKeyId"].startswith("arn:aws:kms:")
    value = one(
        dev_plan, "aws:secretsmanager/secretVersion:SecretVersion", "relational-secret-value"
    )
    assert is_secret(value.inputs["secretString"])
    shape = json.loads(value.inputs["secretString"]["value"])
    assert {"engine", "host", "port", "username", "password", "dbname"} <= set(shape)
    assert shape["engine"] == "mysql" and shape["port"] == 3306


STATEFUL = {
    INSTANCE,
    CLUSTER,
    CLUSTER_INSTANCE,
    REDSHIFT,
    "aws:redshiftserverless/namespace:Namespace",
    KMS_KEY,
}


def test_prod_protects_every_stateful_resource_and_dev_none(
    dev_plan: Plan, prod_plan: Plan
) -> None:
    stateful = [
        r for r in prod_plan.resources if r.type in STATEFUL | {"aws:secretsmanager/secret:Secret"}
    ]
    assert len(stateful) >= 9
    assert all(r.protect for r in stateful), [r.name for r in stateful if not r.protect]
    assert not [r.name for r in dev_plan.resources if r.protect]
    assert not one(prod_plan, "aws:rds/parameterGroup:ParameterGroup").protect


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_database_is_encrypted_with_the_stack_key_and_deletion_protected(
    stack: str, dev_plan: Plan, prod_plan: Plan
) -> None:
    plan = dev_plan if stack == "dev" else prod_plan
    key_arn = one(plan, INSTANCE, "relational-primary").inputs["kmsKeyId"]
    for r in plan.resources:
        if r.type in (INSTANCE, CLUSTER) and "replicateSourceDb" not in r.inputs:
            assert r.inputs["storageEncrypted"] is True and r.inputs["kmsKeyId"] == key_arn, r.name
        if r.type in (INSTANCE, CLUSTER):
            assert r.inputs["deletionProtection"] is True, r.name
        if r.type == REDSHIFT:
            assert r.inputs["encrypted"] is True and r.inputs["kmsKeyId"] == key_arn
    key = one(plan, KMS_KEY, "stack-key").inputs
    assert key["enableKeyRotation"] is True


def test_a_configured_kms_key_replaces_the_stack_key(plan_with: Any) -> None:
    arn = "arn:aws:kms:us-east-1:123456789012:key/0b1f7c2e-1111-2222-3333-444455556666"
    plan = plan_with("dev", encryption={"kmsKeyArn": arn})
    assert of_type(plan, KMS_KEY) == []
    assert one(plan, INSTANCE, "relational-primary").inputs["kmsKeyId"] == arn


def test_default_tags_are_set_once_on_the_provider_every_aws_resource_uses(
    dev_plan: Plan, plan_with: Any
) -> None:
    provider = one(dev_plan, "pulumi:providers:aws", "dbtier-aws")
    tags = json.loads(provider.inputs["defaultTags"])["tags"]
    assert tags == {
        "Project": "dbtier",
        "Stack": "dev",
        "ManagedBy": "pulumi-dbtier",
        "Environment": "dev",
    }
    for r in dev_plan.resources:
        if r.custom and r.type.startswith("aws:"):
            assert r.provider.startswith(provider.urn + "::"), r.urn
    tagged = plan_with("dev", tags={"CostCenter": "42"})
    provider = one(tagged, "pulumi:providers:aws", "dbtier-aws")
    assert json.loads(provider.inputs["defaultTags"])["tags"]["CostCenter"] == "42"


def test_security_groups_open_only_engine_ports_to_the_allowed_networks(plan_with: Any) -> None:
    plan = plan_with("dev", network={"allowedCidrs": ["10.1.0.0/16", "10.2.0.0/16"]})
    rules = of_type(plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    assert {r.inputs["cidrIpv4"] for r in rules} == {"10.1.0.0/16", "10.2.0.0/16"}
    ports = {r.name.split("-")[1]: r.inputs["fromPort"] for r in rules}
    assert ports == {"relational": 3306, "aurora": 3306, "redis": 6379, "warehouse": 5439}
    assert all(r.inputs["fromPort"] == r.inputs["toPort"] for r in rules)
    # Databases start no connections; the warehouse's COPY/UNLOAD reach S3 and nothing else.
    (egress,) = of_type(plan, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
    assert egress.name == "network-warehouse-out-s3"
    assert (egress.inputs["fromPort"], egress.inputs["toPort"]) == (443, 443)
    assert egress.inputs["prefixListId"] == "pl-63a5400a"  # the region's S3 prefix list


VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"


def test_warehouse_reaches_s3_through_a_gateway_endpoint_on_every_route_table(
    dev_plan: Plan,
) -> None:
    # Enhanced VPC routing sends COPY through the VPC: a private warehouse needs the endpoint.
    endpoint = one(dev_plan, VPC_ENDPOINT, "network-s3")
    assert endpoint.inputs["serviceName"] == "com.amazonaws.us-east-1.s3"
    assert endpoint.inputs["vpcEndpointType"] == "Gateway"
    assert endpoint.inputs["routeTableIds"] == ["rtb-0a1b2c3d4e5f60718", "rtb-0b2c3d4e5f6071829"]
    assert endpoint.inputs["vpcId"] == "vpc-0a1b2c3d4e5f60718"


def test_dms_reaches_secrets_manager_through_a_private_endpoint_only(prod_plan: Plan) -> None:
    endpoint = one(prod_plan, VPC_ENDPOINT, "network-secretsmanager")
    assert endpoint.inputs["serviceName"] == "com.amazonaws.us-east-1.secretsmanager"
    assert endpoint.inputs["vpcEndpointType"] == "Interface"
    assert endpoint.inputs["privateDnsEnabled"] is True
    group = one(prod_plan, "aws:ec2/securityGroup:SecurityGroup", "network-secretsmanager-sg")
    dms = one(prod_plan, "aws:ec2/securityGroup:SecurityGroup", "network-dms-sg")
    assert group.urn in endpoint.property_dependencies["securityGroupIds"]
    from_dms = one(prod_plan, INGRESS, "network-secretsmanager-in-dms")
    assert dms.urn in from_dms.property_dependencies["referencedSecurityGroupId"]
    assert from_dms.inputs["fromPort"] == 443
    # DMS's HTTPS goes to the endpoint's group, no longer to the whole internet.
    out = [r for r in of_type(prod_plan, EGRESS) if r.name.startswith("network-dms-out-")]
    assert sorted(r.name for r in out) == [
        "network-dms-out-aurora",
        "network-dms-out-relational",
        "network-dms-out-secretsmanager",
    ]
    assert all("cidrIpv4" not in r.inputs for r in out)


def test_the_vpcs_own_endpoints_replace_the_stacks(plan_with: Any) -> None:
    plan = plan_with(
        "prod",
        network={
            "s3EndpointId": "vpce-0a1b2c3d4e5f60718",
            "secretsManagerEndpointId": "vpce-0b2c3d4e5f6071829",
        },
    )
    assert of_type(plan, VPC_ENDPOINT) == []
    assert not [
        r
        for r in of_type(plan, "aws:ec2/securityGroup:SecurityGroup")
        if "secretsmanager" in r.name
    ]
    s3 = one(plan, EGRESS, "network-warehouse-out-s3")
    assert s3.inputs["tags"] == {"dbtier:vpc-endpoint": "vpce-0a1b2c3d4e5f60718"}
    sm = one(plan, EGRESS, "network-dms-out-secretsmanager")
    assert sm.inputs["tags"] == {"dbtier:vpc-endpoint": "vpce-0b2c3d4e5f6071829"}
    assert sm.inputs["cidrIpv4"] == "172.31.0.0/16"  # the VPC's CIDR, not the internet


def test_a_malformed_endpoint_id_names_the_key(plan_with: Any) -> None:
    with pytest.raises(PlanError, match=r"dbtier:network\.s3EndpointId"):
        plan_with("dev", network={"s3EndpointId": "s3"})


def test_outputs_have_the_fixed_shape(dev_plan: Plan) -> None:
    outputs = dev_plan.outputs
    assert set(outputs["relational"]) == {
        "endpoint",
        "port",
        "readerEndpoints",
        "databaseName",
        "username",
        "password",
        "secretArn",
        "engine",
        "iamUser",
        "iamConnectArn",
        "iamConnectPolicy",
        "instanceIds",
    }
    assert set(outputs["aurora"]) == {
        "writerEndpoint",
        "readerEndpoint",
        "port",
        "databaseName",
        "username",
        "password",
        "secretArn",
        "engine",
        "iamUser",
        "iamConnectArn",
        "iamConnectPolicy",
        "clusterId",
    }
    assert set(outputs["warehouse"]) == {
        "endpoint",
        "port",
        "databaseName",
        "username",
        "password",
        "secretArn",
        "copyRoleArn",
        "copySources",
    }
    assert outputs["relational"]["endpoint"].endswith(".rds.amazonaws.com")
    assert ".cluster-ro-" in outputs["aurora"]["readerEndpoint"]
    # What the drills name in the RDS API and how they know a prod stack.
    assert outputs["relational"]["instanceIds"] == ["dbtier-dev-relational-primary"]
    assert outputs["aurora"]["clusterId"] == "dbtier-dev-aurora-cluster"
    assert outputs["stack"]["name"] == "dev"
    assert outputs["stack"]["tags"]["Stack"] == "dev"


def _parameters(plan: Plan, type_: str) -> dict[str, str]:
    return {p["name"]: p["value"] for p in one(plan, type_).inputs["parameters"]}


def test_rds_parameter_group_writes_every_exported_log(prod_plan: Plan) -> None:
    # log_output defaults to TABLE: the slow log would go to mysql.slow_log, not to CloudWatch.
    primary = one(prod_plan, "aws:rds/instance:Instance", "relational-primary")
    assert "audit" not in primary.inputs["enabledCloudwatchLogsExports"]
    assert "slowquery" in primary.inputs["enabledCloudwatchLogsExports"]
    params = _parameters(prod_plan, "aws:rds/parameterGroup:ParameterGroup")
    assert params["slow_query_log"] == "1"
    assert params["log_output"] == "FILE"


def test_aurora_mysql_cluster_parameters_write_the_audit_and_slow_logs(prod_plan: Plan) -> None:
    cluster = one(prod_plan, "aws:rds/cluster:Cluster")
    assert cluster.inputs["enabledCloudwatchLogsExports"] == ["audit", "error", "slowquery"]
    params = _parameters(prod_plan, "aws:rds/clusterParameterGroup:ClusterParameterGroup")
    assert params["server_audit_logging"] == "1"
    assert set(params["server_audit_events"].split(",")) == {"CONNECT", "QUERY_DCL", "QUERY_DDL"}
    assert (params["slow_query_log"], params["log_output"]) == ("1", "FILE")


def test_aurora_postgresql_needs_no_log_parameters(plan_with: Any) -> None:
    plan = plan_with("dev", aurora={"engine": "aurora-postgresql", "minCapacity": 0.5})
    params = _parameters(plan, "aws:rds/clusterParameterGroup:ClusterParameterGroup")
    assert params == {"rds.force_ssl": "1"}
