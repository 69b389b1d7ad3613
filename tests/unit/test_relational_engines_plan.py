"""Each RDS engine's RelationalTier on the mocks, in a dev-like and a prod-like variant: its
resources and their key inputs (engine, version, class, license, database, TLS parameter or
option, log exports and groups, IAM auth, replicas, Multi-AZ, port, secret, rotation, alarms).

One plan per engine and variant, shared by the module; the other parts are off (the relational
tier is what differs), alarms on in the prod-like variant so the engine's alarms are planned.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from awsdata import rds_engine_rules, rds_engines
from preflight.plan import SECRET_SIG, Plan, PlannedResource, plan_stack

INSTANCE = "aws:rds/instance:Instance"
PARAMS = "aws:rds/parameterGroup:ParameterGroup"
OPTIONS = "aws:rds/optionGroup:OptionGroup"
RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
SECRET_VALUE = "aws:secretsmanager/secretVersion:SecretVersion"
ROTATION_APP = "aws:serverlessrepository/cloudFormationStack:CloudFormationStack"
OFF = {key: {"enabled": False} for key in ("aurora", "warehouse", "dynamo", "redis")}
BYOL = {"licenseModel": "bring-your-own-license"}
ROTATES = {"credentials": {"rotationDays": 30}}
MANAGED = {"credentials": {"mode": "managed", "rotationDays": 30}}
PROD_SIZE = {"allocatedStorage": 100, "maxAllocatedStorage": 1000, "backupRetentionDays": 14}
# Prod-like: Multi-AZ and replicas where the edition has them, rotation or an RDS-managed
# password (Oracle's rotation function cannot reach a TLS-only Oracle; RDS refuses a managed
# password with replicas on every engine but SQL Server).
PROD: dict[str, dict[str, Any]] = {
    "mysql": {"instanceClass": "db.m7g.large", "multiAz": True, "readReplicas": 2, **ROTATES},
    "postgres": {"instanceClass": "db.m7g.large", "multiAz": True, "readReplicas": 2, **ROTATES},
    "mariadb": {"instanceClass": "db.m7g.large", "multiAz": True, "readReplicas": 1, **ROTATES},
    "sqlserver-ex": {"instanceClass": "db.t3.xlarge", **ROTATES},
    "sqlserver-web": {"instanceClass": "db.m6i.large", "multiAz": True, **ROTATES},
    "sqlserver-se": {"instanceClass": "db.m6i.xlarge", "multiAz": True, **ROTATES},
    "sqlserver-ee": {
        "instanceClass": "db.m6i.xlarge",
        "multiAz": True,
        "readReplicas": 2,
        **MANAGED,
    },
    "oracle-se2": {"instanceClass": "db.m6i.large", "multiAz": True, **MANAGED},
    "oracle-ee": {"instanceClass": "db.m6i.large", "multiAz": True, "readReplicas": 1, **BYOL},
}
VARIANTS = [(engine, variant) for engine in rds_engines.ENGINES for variant in ("dev", "prod")]


def relational_config(engine: str, variant: str) -> dict[str, Any]:
    own = BYOL if engine == "oracle-ee" else {}
    if variant == "dev":
        return {"engine": engine, **own}
    return {"engine": engine, **own, **PROD_SIZE, **PROD[engine]}


@pytest.fixture(scope="module")
def plans() -> dict[tuple[str, str], Plan]:
    """Every engine's dev-like and prod-like plan, made once for the module."""
    out = {}
    for engine, variant in VARIANTS:
        overrides: dict[str, Any] = {f"dbtier:{k}": v for k, v in OFF.items()}
        overrides["dbtier:relational"] = relational_config(engine, variant)
        if variant == "prod":
            overrides |= {"dbtier:migration": {"enabled": False}, "dbtier:backup": None}
        out[engine, variant] = plan_stack(variant, config_overrides=overrides)
    return out


def named(plan: Plan, type_: str, name: str) -> PlannedResource:
    found = [r for r in plan.by_type(type_) if r.name == name]
    assert len(found) == 1, f"expected one {type_} {name}"
    return found[0]


def unwrap(value: Any) -> Any:
    return value["value"] if isinstance(value, dict) and SECRET_SIG in value else value


@pytest.mark.parametrize(("engine", "variant"), VARIANTS)
def test_instances_per_engine(
    plans: dict[tuple[str, str], Plan], engine: str, variant: str
) -> None:
    plan, e = plans[engine, variant], rds_engines.engine(engine)
    raw = relational_config(engine, variant)
    primary = named(plan, INSTANCE, "relational-primary").inputs
    assert primary["engine"] == engine
    assert primary["engineVersion"] == rds_engine_rules.default_version(engine)
    assert primary["instanceClass"] == raw.get(
        "instanceClass", rds_engine_rules.default_class(engine, primary["engineVersion"])
    )
    assert primary.get("licenseModel") == (
        raw.get("licenseModel", e.default_license) if e.family in ("sqlserver", "oracle") else None
    )
    assert primary.get("dbName") == e.default_database
    assert primary["multiAz"] is raw.get("multiAz", False)
    assert primary["iamDatabaseAuthenticationEnabled"] is e.iam_auth
    assert primary["enabledCloudwatchLogsExports"] == list(e.default_logs)
    assert primary["storageEncrypted"] is True and primary["publiclyAccessible"] is False
    replicas = [r for r in plan.by_type(INSTANCE) if r.name.startswith("relational-replica-")]
    assert len(replicas) == raw.get("readReplicas", 0)
    assert all(r.inputs["replicateSourceDb"] for r in replicas)
    groups = {r.inputs["name"] for r in plan.by_type(LOG_GROUP)}
    for log in e.default_logs:
        assert f"/aws/rds/instance/{primary['identifier']}/{log}" in groups


@pytest.mark.parametrize(("engine", "variant"), VARIANTS)
def test_tls_the_engines_way(plans: dict[tuple[str, str], Plan], engine: str, variant: str) -> None:
    plan, e = plans[engine, variant], rds_engines.engine(engine)
    params = named(plan, PARAMS, "relational-params").inputs
    assert params["family"].startswith(engine)
    values = {p["name"]: p["value"] for p in params.get("parameters", [])}
    assert e.tls_parameters.items() <= values.items()
    primary = named(plan, INSTANCE, "relational-primary").inputs
    ports = {
        r.inputs["fromPort"]
        for r in plan.by_type(RULE)
        if r.name.startswith("network-relational-in-")
    }
    assert ports == {e.client_port}
    if e.family == "oracle":
        option = named(plan, OPTIONS, "relational-options").inputs
        assert (option["engineName"], option["majorEngineVersion"]) == (engine, "19")
        assert [(o["optionName"], o["port"]) for o in option["options"]] == [("SSL", 2484)]
        assert primary["optionGroupName"]
    else:
        assert plan.by_type(OPTIONS) == [] and "optionGroupName" not in primary


@pytest.mark.parametrize(("engine", "variant"), VARIANTS)
def test_outputs_and_secret(plans: dict[tuple[str, str], Plan], engine: str, variant: str) -> None:
    plan, e = plans[engine, variant], rds_engines.engine(engine)
    out = plan.outputs["relational"]
    assert out["engine"] == engine
    assert out["port"] == e.client_port
    assert out["databaseName"] == (e.default_database or "master")
    assert ("iamConnectPolicy" in out) is e.iam_auth
    managed = PROD[engine].get("credentials", {}).get("mode") == "managed" and variant == "prod"
    if not managed:
        secret = json.loads(
            unwrap(named(plan, SECRET_VALUE, "relational-secret-value").inputs["secretString"])
        )
        assert secret["engine"] == e.json_engine
        assert secret["port"] == e.client_port
        assert secret["dbname"] == (e.default_database or "master")
        assert len(unwrap(out["password"])) == e.password_length


@pytest.mark.parametrize("engine", rds_engines.ENGINES)
def test_prod_rotation_and_alarms(plans: dict[tuple[str, str], Plan], engine: str) -> None:
    plan, e = plans[engine, "prod"], rds_engines.engine(engine)
    apps = [r.inputs["applicationId"] for r in plan.by_type(ROTATION_APP)]
    credentials = PROD[engine].get("credentials", {})
    if credentials.get("rotationDays") and credentials.get("mode") != "managed":
        assert [a.rsplit("/", 1)[1] for a in apps] == [e.rotation_app]
    else:
        assert apps == []
    metrics = {
        r.inputs["metricName"]
        for r in plan.by_type(ALARM)
        if r.name.startswith("alarms-relational-")
    }
    assert {"CPUUtilization", "FreeStorageSpace", "FreeableMemory"} <= metrics
    assert ("MaximumUsedTransactionIDs" in metrics) is (engine == "postgres")
    assert ("SwapUsage" in metrics) is (e.family == "oracle")
    assert ("DatabaseConnections" in metrics) is (e.family != "sqlserver")
    assert ("ReplicaLag" in metrics) is bool(PROD[engine].get("readReplicas"))


def test_postgres_read_by_dms_has_logical_replication_and_a_slot_alarm() -> None:
    plan = plan_stack(
        "prod", config_overrides={"dbtier:relational": relational_config("postgres", "prod")}
    )
    values = {
        p["name"]: p["value"] for p in named(plan, PARAMS, "relational-params").inputs["parameters"]
    }
    assert values["rds.logical_replication"] == "1"
    metrics = {r.inputs.get("metricName") for r in plan.by_type(ALARM)}
    assert "ReplicationSlotDiskUsage" in metrics
