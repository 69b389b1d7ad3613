"""Credentials on mocks: every mode x engine x rotation setting creates the right resources, the
secret ARN is exported for every database, and each new config key is validated by name."""

from __future__ import annotations

from typing import Any

import pytest

from components.base import INITIAL_STAGE, exclude_characters
from components.settings import ConfigError
from components.stack_config import parse
from preflight import plan as plan_module
from preflight.plan import Plan, PlanError
from tests.unit.conftest import is_secret, of_type, one

SECRET = "aws:secretsmanager/secret:Secret"
VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"
SAR = "aws:serverlessrepository/cloudFormationStack:CloudFormationStack"
PASSWORD = "random:index/randomPassword:RandomPassword"
SG = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"

# (stack key, config overrides, database type, password input, managed input, managed secret)
ENGINES: dict[str, tuple[str, dict[str, Any], str, str, str]] = {
    "relational": ("relational", {}, "aws:rds/instance:Instance", "password", "manageMasterUserPassword"),
    "aurora-mysql": ("aurora", {"minCapacity": 0.5}, "aws:rds/cluster:Cluster", "masterPassword", "manageMasterUserPassword"),
    "aurora-postgresql": ("aurora", {"engine": "aurora-postgresql", "minCapacity": 0.5}, "aws:rds/cluster:Cluster", "masterPassword", "manageMasterUserPassword"),
    "warehouse-provisioned": ("warehouse", {"mode": "provisioned"}, "aws:redshift/cluster:Cluster", "masterPassword", "manageMasterPassword"),
    "warehouse-serverless": ("warehouse", {"mode": "serverless"}, "aws:redshiftserverless/namespace:Namespace", "adminUserPassword", "manageAdminPassword"),
}  # fmt: skip
ROTATION_APP = {
    "relational": "SecretsManagerRDSMySQLRotationSingleUser",
    "aurora-mysql": "SecretsManagerRDSMySQLRotationSingleUser",
    "aurora-postgresql": "SecretsManagerRDSPostgreSQLRotationSingleUser",
    "warehouse-provisioned": "SecretsManagerRedshiftRotationSingleUser",
    "warehouse-serverless": "SecretsManagerRedshiftRotationSingleUser",
}


def plan_for(engine: str, mode: str, days: int) -> Plan:
    key, extra, *_ = ENGINES[engine]
    creds = {"credentials": {"mode": mode, "rotationDays": days}}
    return plan_module.plan_stack("dev", config_overrides={f"dbtier:{key}": {**extra, **creds}})


def database(plan: Plan, engine: str) -> dict[str, Any]:
    key, _, type_, *_ = ENGINES[engine]
    return next(r.inputs for r in of_type(plan, type_) if r.name.startswith(key))


@pytest.mark.parametrize("engine", ENGINES)
def test_generated_with_rotation_deploys_awss_function_and_never_rewrites_the_password(
    engine: str, ignore_changes: dict[str, list[str]]
) -> None:
    key, _, _, password_input, managed_input = ENGINES[engine]
    plan = plan_for(engine, "generated", 30)
    db = database(plan, engine)
    assert is_secret(db[password_input]) and managed_input not in db
    app = one(plan, SAR, f"{key}-rotation-function").inputs
    assert app["applicationId"] == (
        f"arn:aws:serverlessrepo:us-east-1:297356227824:applications/{ROTATION_APP[engine]}"
    )
    assert app["semanticVersion"] == "1.1.671"
    assert set(app["capabilities"]) == {"CAPABILITY_IAM", "CAPABILITY_RESOURCE_POLICY"}
    params = app["parameters"]
    assert params["endpoint"] == "https://secretsmanager.us-east-1.amazonaws.com"
    assert params["functionName"] == f"dbtier-dev-{key}-rotation"
    assert params["kmsKeyArn"].startswith("arn:aws:kms:")
    assert params["vpcSubnetIds"].count("subnet-") == 3
    rotation_sg = one(plan, SG, f"network-{key}-rotation-sg")
    assert params["vpcSecurityGroupIds"].startswith("sg-")
    assert "/" in params["excludeCharacters"] and "@" in params["excludeCharacters"]
    rotation = one(plan, ROTATION, f"{key}-rotation").inputs
    assert (
        rotation["rotationLambdaArn"]
        == f"arn:aws:lambda:us-east-1:123456789012:function:dbtier-dev-{key}-rotation"
    )
    assert rotation["rotationRules"] == {"automaticallyAfterDays": 30}
    assert rotation["rotateImmediately"] is False
    assert rotation["secretId"] == one(plan, SECRET, f"{key}-secret").inputs.get(
        "arn", rotation["secretId"]
    )
    # Pulumi never puts back an old password: not on the database, not in the secret.
    db_name = next(r.name for r in of_type(plan, ENGINES[engine][2]) if r.name.startswith(key))
    # (Aurora's pinned minor version is ignored too: tests/unit/test_version_drift.py.)
    assert ignore_changes[db_name][0] == password_input
    assert set(ignore_changes[f"{key}-secret-value"]) == {"secretString", "versionStages"}
    assert one(plan, VERSION, f"{key}-secret-value").inputs["versionStages"] == [
        "AWSCURRENT",
        INITIAL_STAGE,
    ]
    assert rotation_sg is not None


@pytest.mark.parametrize("engine", ["relational", "aurora-postgresql", "warehouse-serverless"])
def test_the_rotation_function_reaches_only_its_database_and_secrets_manager(engine: str) -> None:
    key = ENGINES[engine][0]
    plan = plan_for(engine, "generated", 30)
    port = {"relational": 3306, "aurora-postgresql": 5432, "warehouse-serverless": 5439}[engine]
    sgs = {r.name: r.urn for r in of_type(plan, SG)}
    out = [r for r in of_type(plan, EGRESS) if r.name.startswith(f"network-{key}-rotation-out")]
    assert {r.name for r in out} == {
        f"network-{key}-rotation-out-db",
        f"network-{key}-rotation-out-secretsmanager",
    }
    to_db = one(plan, EGRESS, f"network-{key}-rotation-out-db").inputs
    assert (to_db["fromPort"], to_db["toPort"]) == (port, port)
    to_sm = one(plan, EGRESS, f"network-{key}-rotation-out-secretsmanager").inputs
    assert to_sm["fromPort"] == 443 and "cidrIpv4" not in to_sm
    db_in = one(plan, INGRESS, f"network-{key}-in-rotation").inputs
    assert db_in["fromPort"] == port and "referencedSecurityGroupId" in db_in
    one(plan, INGRESS, f"network-secretsmanager-in-{key}-rotation")
    one(plan, "aws:ec2/vpcEndpoint:VpcEndpoint", "network-secretsmanager")
    assert f"network-{key}-rotation-sg" in sgs


@pytest.mark.parametrize("engine", ENGINES)
def test_generated_without_rotation_has_no_rotation_and_pulumi_owns_the_secret(
    engine: str, ignore_changes: dict[str, list[str]]
) -> None:
    key = ENGINES[engine][0]
    plan = plan_for(engine, "generated", 0)
    assert of_type(plan, ROTATION) == [] and of_type(plan, SAR) == []
    assert [r.name for r in of_type(plan, SG) if "rotation" in r.name] == []
    assert ignore_changes[f"{key}-secret-value"] == []
    assert is_secret(plan.outputs[key]["password"])


@pytest.mark.parametrize("days", [0, 30])
@pytest.mark.parametrize("engine", ENGINES)
def test_managed_mode_gives_no_password_and_exports_the_services_secret(
    engine: str, days: int
) -> None:
    key, _, _, password_input, managed_input = ENGINES[engine]
    plan = plan_for(engine, "managed", days)
    db = database(plan, engine)
    assert db[managed_input] is True
    assert password_input not in db
    kms_input = {
        "manageMasterUserPassword": "masterUserSecretKmsKeyId",
        "manageMasterPassword": "masterPasswordSecretKmsKeyId",
        "manageAdminPassword": "adminPasswordSecretKmsKeyId",
    }[managed_input]
    assert db[kms_input].startswith("arn:aws:kms:")
    assert [r.name for r in of_type(plan, PASSWORD) if r.name.startswith(key)] == []
    assert [r.name for r in of_type(plan, SECRET) if r.name.startswith(key)] == []
    assert of_type(plan, SAR) == []
    exported = plan.outputs[key]
    assert "password" not in exported
    assert "!" in exported["secretArn"] and exported["secretArn"].startswith(
        "arn:aws:secretsmanager:"
    )
    rotations = of_type(plan, ROTATION)
    if days:
        rotation = one(plan, ROTATION, f"{key}-rotation").inputs
        assert rotation["secretId"] == exported["secretArn"]
        assert rotation["rotationRules"] == {"scheduleExpression": "rate(30 days)"}
        assert "rotationLambdaArn" not in rotation and rotation["rotateImmediately"] is False
    else:
        assert rotations == []


def test_every_database_exports_its_secret_arn_and_dynamo_has_none(prod_plan: Plan) -> None:
    outputs = prod_plan.outputs
    for section in ("relational", "aurora", "warehouse", "redis"):
        assert outputs[section]["secretArn"].startswith("arn:aws:secretsmanager:"), section
    assert "secretArn" not in outputs["dynamo"]


def test_prod_rotates_every_database_every_30_days_and_dev_none(
    dev_plan: Plan, prod_plan: Plan
) -> None:
    assert {r.name: r.inputs["rotationRules"] for r in of_type(prod_plan, ROTATION)} == {
        f"{k}-rotation": {"automaticallyAfterDays": 30}
        for k in ("relational", "aurora", "warehouse", "redis-app")
    }
    assert of_type(dev_plan, ROTATION) == []


def test_redis_token_version_makes_a_new_token_and_the_strategy_is_sent() -> None:
    plan = plan_module.plan_stack(
        "dev",
        config_overrides={
            "dbtier:redis": {"authTokenVersion": 2, "authTokenUpdateStrategy": "ROTATE"}
        },
    )
    token = one(plan, PASSWORD, "redis-auth-token").inputs
    assert token["keepers"] == {"authTokenVersion": "2"}
    group = one(plan, "aws:elasticache/replicationGroup:ReplicationGroup").inputs
    assert group["authTokenUpdateStrategy"] == "ROTATE"


def test_redis_token_version_1_keeps_an_existing_token(dev_plan: Plan) -> None:
    token = one(dev_plan, PASSWORD, "redis-auth-token").inputs
    assert "keepers" not in token
    group = one(dev_plan, "aws:elasticache/replicationGroup:ReplicationGroup").inputs
    assert "authTokenUpdateStrategy" not in group


def test_exclude_characters_are_the_punctuation_the_password_does_not_use() -> None:
    assert exclude_characters("!#$") == "\"%&'()*+,-./:;<=>?@[\\]^_`{|}~"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"dbtier:relational": {"credentials": {"mode": "vault"}}}, r"dbtier:relational\.credentials\.mode must be one of generated, managed"),
        ({"dbtier:aurora": {"credentials": {"rotationDays": 1001}}}, r"dbtier:aurora\.credentials\.rotationDays must be between 0 and 1000"),
        ({"dbtier:warehouse": {"credentials": {"rotationDays": -1}}}, r"dbtier:warehouse\.credentials\.rotationDays must be between 0 and 1000"),
        ({"dbtier:warehouse": {"credentials": {"rotationDays": "often"}}}, r"dbtier:warehouse\.credentials\.rotationDays must be an integer"),
        ({"dbtier:aurora": {"credentials": {"mode": "managed", "rotationDays": 1000}}}, r"dbtier:aurora\.credentials\.rotationDays must be between 0 and 999 in managed mode"),
        ({"dbtier:relational": {"credentials": {"rotation": 30}}}, r"dbtier:relational\.credentials\.rotation is not a known setting"),
        ({"dbtier:relational": {"credentials": "managed"}}, r"dbtier:relational\.credentials must be an object"),
        ({"dbtier:relational": {"readReplicas": 1, "credentials": {"mode": "managed"}}}, r"dbtier:relational\.credentials\.mode managed is not offered: RDS cannot create read replicas"),
        ({"dbtier:migration": {"enabled": True}, "dbtier:aurora": {"credentials": {"mode": "managed"}}}, r"dbtier:aurora\.credentials\.mode managed is not offered: DMS endpoints"),
        ({"dbtier:migration": {"enabled": True}, "dbtier:relational": {"credentials": {"mode": "managed"}}}, r"dbtier:relational\.credentials\.mode managed is not offered: DMS"),
        ({"dbtier:redis": {"authTokenVersion": 0}}, r"dbtier:redis\.authTokenVersion must be between 1 and"),
        ({"dbtier:redis": {"authTokenUpdateStrategy": "DELETE"}}, r"dbtier:redis\.authTokenUpdateStrategy must be one of ROTATE, SET"),
    ],
)  # fmt: skip
def test_every_credentials_key_is_validated_by_name(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as error:
        parse(raw)
    assert "\n" not in str(error.value)


def test_credentials_defaults_and_a_full_value() -> None:
    cfg = parse({})
    assert (cfg.relational.credentials.mode, cfg.relational.credentials.rotation_days) == (
        "generated",
        0,
    )
    cfg = parse({"dbtier:aurora": {"credentials": {"mode": "managed", "rotationDays": 7}}})
    assert cfg.aurora.credentials.managed and cfg.aurora.credentials.rotates
    assert not cfg.aurora.credentials.rotation_function


def test_a_bad_credentials_value_stops_the_plan_naming_the_key() -> None:
    with pytest.raises(PlanError, match=r"dbtier:warehouse\.credentials\.mode"):
        plan_module.plan_stack(
            "dev", config_overrides={"dbtier:warehouse": {"credentials": {"mode": "x"}}}
        )
