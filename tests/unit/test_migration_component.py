"""Migration (DMS) on mocks: service roles first, a private encrypted instance, endpoints that
read their credentials from Secrets Manager over TLS, a task that is created but not started."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from components.migration.shape import table_mappings
from preflight.plan import Plan, PlanError
from tests.unit.conftest import of_type, one

INSTANCE = "aws:dms/replicationInstance:ReplicationInstance"
ENDPOINT = "aws:dms/endpoint:Endpoint"
TASK = "aws:dms/replicationTask:ReplicationTask"
SUBNETS = "aws:dms/replicationSubnetGroup:ReplicationSubnetGroup"
ROLE = "aws:iam/role:Role"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
COMPONENT = "dbtier:components:Migration"
PARAMS = "aws:rds/parameterGroup:ParameterGroup"


def endpoints(plan: Plan) -> dict[str, Any]:
    return {e.inputs["endpointType"]: e for e in of_type(plan, ENDPOINT)}


def test_dev_has_no_migration(dev_plan: Plan) -> None:
    for type_ in (INSTANCE, ENDPOINT, TASK, SUBNETS):
        assert of_type(dev_plan, type_) == []
    assert "migration" not in dev_plan.outputs
    names = {r.name for r in of_type(dev_plan, "aws:ec2/securityGroup:SecurityGroup")}
    assert "network-dms-sg" not in names


def test_prod_lists_instance_endpoints_and_task(prod_plan: Plan) -> None:
    assert len(of_type(prod_plan, INSTANCE)) == 1
    assert set(endpoints(prod_plan)) == {"source", "target"}
    assert len(of_type(prod_plan, TASK)) == 1
    out = prod_plan.outputs["migration"]
    assert set(out) == {
        "replicationInstanceArn",
        "taskArn",
        "sourceEndpointArn",
        "targetEndpointArn",
    }
    assert out["taskArn"].startswith("arn:aws:dms:us-east-1:123456789012:task:")


def test_replication_instance_is_private_encrypted_and_multi_az_in_prod(prod_plan: Plan) -> None:
    instance = one(prod_plan, INSTANCE)
    inputs = instance.inputs
    assert inputs["publiclyAccessible"] is False
    assert inputs["kmsKeyArn"].startswith("arn:aws:kms:")
    assert inputs["multiAz"] is True
    assert inputs["replicationInstanceClass"] == "dms.r6i.large"
    assert inputs["autoMinorVersionUpgrade"] is True
    sg = one(prod_plan, "aws:ec2/securityGroup:SecurityGroup", "network-dms-sg")
    assert sg.urn in instance.property_dependencies["vpcSecurityGroupIds"]
    assert one(prod_plan, SUBNETS).urn in instance.property_dependencies["replicationSubnetGroupId"]


def test_service_roles_have_their_fixed_names_and_come_first(prod_plan: Plan) -> None:
    roles = {r.inputs.get("name"): r for r in of_type(prod_plan, ROLE)}
    assert {"dms-vpc-role", "dms-cloudwatch-logs-role"} <= set(roles)
    policies = {
        a.inputs["policyArn"].rsplit("/", 1)[-1]: a
        for a in of_type(prod_plan, ATTACHMENT)
        if a.name.startswith("migration-")
    }
    assert set(policies) == {"AmazonDMSVPCManagementRole", "AmazonDMSCloudWatchLogsRole"}
    needs_roles = {r.urn for r in roles.values() if r.inputs.get("name", "").startswith("dms-")}
    needs_roles |= {a.urn for a in policies.values()}
    for dependent in (one(prod_plan, INSTANCE), one(prod_plan, SUBNETS)):
        assert needs_roles <= set(dependent.dependencies)


def test_service_roles_only_when_asked(plan_with: Callable[..., Plan]) -> None:
    plan = plan_with("prod", migration={"enabled": True})
    names = {r.inputs.get("name") for r in of_type(plan, ROLE)}
    assert not names & {"dms-vpc-role", "dms-cloudwatch-logs-role"}
    assert len(of_type(plan, INSTANCE)) == 1


def test_endpoints_read_credentials_from_the_components_secrets(prod_plan: Plan) -> None:
    eps = endpoints(prod_plan)
    secrets = prod_plan.outputs
    assert eps["source"].inputs["secretsManagerArn"] == secrets["relational"]["secretArn"]
    assert eps["target"].inputs["secretsManagerArn"] == secrets["aurora"]["secretArn"]
    access_role = one(prod_plan, ROLE, "migration-secrets-role")
    for endpoint in eps.values():
        inputs = endpoint.inputs
        assert inputs["secretsManagerAccessRoleArn"].startswith("arn:aws:iam::123456789012:role/")
        assert access_role.urn in endpoint.property_dependencies["secretsManagerAccessRoleArn"]
        for plaintext in ("password", "username", "serverName", "port"):
            assert plaintext not in inputs, f"{endpoint.name} has a {plaintext} input"
        assert inputs["sslMode"] == "require"
        assert inputs["kmsKeyArn"].startswith("arn:aws:kms:")


def test_endpoint_engines_are_mysql_to_aurora(prod_plan: Plan) -> None:
    eps = endpoints(prod_plan)
    assert eps["source"].inputs["engineName"] == "mysql"
    assert eps["target"].inputs["engineName"] == "aurora"


def test_access_role_reads_exactly_the_two_secrets(prod_plan: Plan) -> None:
    role = one(prod_plan, ROLE, "migration-secrets-role")
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]
    assert trust["Principal"] == {"Service": "dms.us-east-1.amazonaws.com"}
    policy = json.loads(one(prod_plan, ROLE_POLICY, "migration-secrets-policy").inputs["policy"])
    by_action = {s["Action"]: s for s in policy["Statement"]}
    assert set(by_action) == {"secretsmanager:GetSecretValue", "kms:Decrypt"}
    assert sorted(by_action["secretsmanager:GetSecretValue"]["Resource"]) == sorted(
        [prod_plan.outputs["relational"]["secretArn"], prod_plan.outputs["aurora"]["secretArn"]]
    )
    key_arn = by_action["kms:Decrypt"]["Resource"]
    assert key_arn.startswith("arn:aws:kms:") and key_arn != "*"


def test_task_is_full_load_and_cdc_not_started_with_logging_and_validation(
    prod_plan: Plan,
) -> None:
    task = one(prod_plan, TASK).inputs
    assert task["migrationType"] == "full-load-and-cdc"
    assert task["startReplicationTask"] is False
    settings = json.loads(task["replicationTaskSettings"])
    assert settings["Logging"]["EnableLogging"] is True
    assert settings["ValidationSettings"]["EnableValidation"] is True
    assert settings["FullLoadSettings"]["TargetTablePrepMode"] == "TRUNCATE_BEFORE_LOAD"
    rules = json.loads(task["tableMappings"])["rules"]
    assert [(r["rule-action"], r["object-locator"]) for r in rules] == [
        ("include", {"schema-name": "appdb", "table-name": "%"})
    ]


def test_table_mappings_include_then_exclude_with_unique_ids() -> None:
    rules = json.loads(table_mappings(["appdb.%", "crm.users"], ["appdb.tmp_%"]))["rules"]
    assert [r["rule-id"] for r in rules] == ["1", "2", "3"]
    assert [r["rule-action"] for r in rules] == ["include", "include", "exclude"]
    assert rules[2]["object-locator"] == {"schema-name": "appdb", "table-name": "tmp_%"}
    assert all(r["rule-type"] == "selection" for r in rules)


def test_task_wires_the_instance_and_both_endpoints(prod_plan: Plan) -> None:
    task = one(prod_plan, TASK)
    eps = endpoints(prod_plan)
    assert one(prod_plan, INSTANCE).urn in task.property_dependencies["replicationInstanceArn"]
    assert eps["source"].urn in task.property_dependencies["sourceEndpointArn"]
    assert eps["target"].urn in task.property_dependencies["targetEndpointArn"]


def test_source_database_writes_row_binlogs_for_cdc(prod_plan: Plan, dev_plan: Plan) -> None:
    def params(plan: Plan) -> dict[str, str]:
        group = one(plan, PARAMS, "relational-params").inputs
        return {p["name"]: p["value"] for p in group["parameters"]}

    assert params(prod_plan)["binlog_format"] == "ROW"
    assert params(prod_plan)["binlog_checksum"] == "NONE"
    assert "binlog_format" not in params(dev_plan)


def test_dms_network_reaches_only_source_and_target(prod_plan: Plan) -> None:
    names = {r.name for r in prod_plan.resources}
    assert {"network-relational-in-dms", "network-aurora-in-dms"} <= names
    # The Migration component owns the only replication subnet group.
    assert [s.name for s in of_type(prod_plan, SUBNETS)] == ["migration-subnets"]


def test_every_child_is_parented_to_the_migration(prod_plan: Plan) -> None:
    component = one(prod_plan, COMPONENT)
    children = [r for r in prod_plan.resources if r.parent == component.urn]
    assert {r.type for r in children} >= {INSTANCE, ENDPOINT, TASK, SUBNETS, ROLE}
    assert all(r.name.startswith("migration-") for r in children)
    for type_ in (INSTANCE, ENDPOINT, TASK):
        assert all(r.parent == component.urn for r in of_type(prod_plan, type_))


def test_aurora_postgresql_target_names_its_database(plan_with: Callable[..., Plan]) -> None:
    plan = plan_with(
        "prod",
        aurora={"engine": "aurora-postgresql", "minCapacity": 0.5, "maxCapacity": 4},
    )
    target = endpoints(plan)["target"].inputs
    assert target["engineName"] == "aurora-postgresql"
    assert target["databaseName"] == "appdb"
    assert "extraConnectionAttributes" not in target


def test_a_postgresql_source_into_aurora_postgresql_decodes_its_wal(
    plan_with: Callable[..., Plan],
) -> None:
    plan = plan_with(
        "prod",
        relational={"engine": "postgres", "instanceClass": "db.m7g.large"},
        aurora={"engine": "aurora-postgresql", "minCapacity": 0.5, "maxCapacity": 4},
    )
    source, target = (endpoints(plan)[role].inputs for role in ("source", "target"))
    assert source["engineName"] == "postgres"
    assert source["databaseName"] == "appdb"
    assert source["postgresSettings"] == {
        "pluginName": "test-decoding",
        "heartbeatEnable": True,
        "mapBooleanAsBoolean": True,
    }
    assert target["postgresSettings"] == {"mapBooleanAsBoolean": True}
    # The source writes the logical replication DMS reads.
    group = one(plan, PARAMS, "relational-params").inputs
    assert {p["name"]: p["value"] for p in group["parameters"]}["rds.logical_replication"] == "1"


def test_a_sql_server_source_reads_the_database_migration_names(
    plan_with: Callable[..., Plan],
) -> None:
    plan = plan_with(
        "prod",
        relational={"engine": "sqlserver-se", "instanceClass": "db.m6i.xlarge"},
        migration={"enabled": True, "sourceDatabase": "sales"},
    )
    source = endpoints(plan)["source"].inputs
    assert (source["engineName"], source["databaseName"]) == ("sqlserver", "sales")
    assert source["sslMode"] == "require"


@pytest.mark.parametrize(
    ("relational", "migration", "message"),
    [
        ({"engine": "sqlserver-web"}, {}, "dbtier:relational.engine sqlserver-web cannot be"),
        ({"engine": "sqlserver-se"}, {}, "dbtier:migration.sourceDatabase is required"),
        ({"engine": "mariadb"}, {"sourceCertificateArn": "arn:aws:dms:us-east-1:123456789012:cert:X"}, "only for an Oracle source"),
    ],
)  # fmt: skip
def test_a_pair_dms_does_not_migrate_is_refused_naming_the_key(
    plan_with: Callable[..., Plan],
    relational: dict[str, Any],
    migration: dict[str, Any],
    message: str,
) -> None:
    with pytest.raises(PlanError, match=message):
        plan_with(
            "dev",
            relational={**relational, "instanceClass": "db.m6i.large"},
            migration={"enabled": True, **migration},
        )
