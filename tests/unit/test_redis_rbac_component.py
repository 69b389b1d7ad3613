"""RedisCluster with RBAC users and as a serverless cache, planned on the mocks: prod's users
(a rotated password user, an IAM user, the default user off) in a group attached to the
replication group instead of a token; the user secret in the shape of AWS's rotation template;
the signed rotation function; the exports; a serverless variant with its alarms."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from components.redis.users_config import OFF
from components.redis.users_shape import exclude_characters
from preflight.plan import Plan, PlanError, plan_stack
from tests.unit.conftest import is_secret, of_type, one

GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
SERVERLESS = "aws:elasticache/serverlessCache:ServerlessCache"
USER = "aws:elasticache/user:User"
USER_GROUP = "aws:elasticache/userGroup:UserGroup"
PASSWORD = "random:index/randomPassword:RandomPassword"
SECRET = "aws:secretsmanager/secret:Secret"
SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"
FUNCTION = "aws:lambda/function:Function"
PERMISSION = "aws:lambda/permission:Permission"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
USERS = [
    {"name": "app"},
    {"name": "reporting", "access": "read-only", "keyPrefix": "reports:", "auth": "iam"},
]


@pytest.fixture(scope="module")
def serverless_plan() -> Plan:
    """dev with a serverless Valkey cache, usage limits, and alarms on."""
    return plan_stack(
        "dev",
        config_overrides={
            "dbtier:redis": json.dumps(
                {
                    "mode": "serverless",
                    "engine": "valkey",
                    "users": USERS,
                    "maxDataStorageGb": 10,
                    "maxEcpuPerSecond": 5000,
                }
            ),
            "dbtier:alarms": json.dumps({"enabled": True, "email": "oncall@example.com"}),
        },
    )


def test_prod_attaches_a_user_group_instead_of_a_token(prod_plan: Plan) -> None:
    group = one(prod_plan, GROUP).inputs
    assert "authToken" not in group
    users_group = one(prod_plan, USER_GROUP).inputs
    assert group["userGroupIds"] == [users_group["userGroupId"]] == ["dbtier-prod-redis"]
    assert users_group["engine"] == "redis"
    users = {u.name: u.inputs for u in of_type(prod_plan, USER)}
    assert set(users) == {"redis-app-user", "redis-reporting-user", "redis-default-user"}
    assert sorted(users_group["userIds"]) == sorted(u["userId"] for u in users.values())
    default = users["redis-default-user"]
    assert (default["userName"], default["accessString"]) == ("default", OFF)
    assert default["authenticationMode"] == {"type": "no-password-required"}
    assert "redis-auth-token" not in {p.name for p in of_type(prod_plan, PASSWORD)}


def test_password_user_gets_a_generated_password_and_iam_user_none(prod_plan: Plan) -> None:
    app = one(prod_plan, USER, "redis-app-user").inputs
    assert app["userName"] == "app" and app["userId"] == "dbtier-prod-redis-app"
    mode = app["authenticationMode"]
    assert mode["type"] == "password" and all(is_secret(p) for p in mode["passwords"])
    reporting = one(prod_plan, USER, "redis-reporting-user").inputs
    assert reporting["userName"] == reporting["userId"] == "dbtier-prod-redis-reporting"
    assert reporting["authenticationMode"] == {"type": "iam"}
    assert reporting["accessString"].startswith("on ~reports:* &reports:* -@all +@read")


def test_user_secret_holds_the_shape_the_rotation_template_reads(prod_plan: Plan) -> None:
    secret = one(prod_plan, SECRET, "redis-app-secret")
    assert secret.protect is True and secret.inputs["kmsKeyId"].startswith("arn:aws:kms:")
    version = one(prod_plan, SECRET_VERSION, "redis-app-secret-value").inputs
    assert is_secret(version["secretString"])
    assert version["versionStages"] == ["AWSCURRENT", "DBTIER_INITIAL"]
    value = json.loads(version["secretString"]["value"])
    assert value["username"] == "app"
    assert (
        value["user_arn"] == "arn:aws:elasticache:us-east-1:123456789012:user:dbtier-prod-redis-app"
    )
    assert len(value["password"]) == 64
    assert value["host"].startswith("master.dbtier-prod-redis.") and value["port"] == 6379
    assert (value["engine"], value["tls"]) == ("redis", "true")
    # No AUTH-token secret in RBAC mode: every secret of the component belongs to a user.
    assert "redis-secret" not in {s.name for s in of_type(prod_plan, SECRET)}


def test_rotation_owns_the_password_after_the_first_write(
    ignore_changes: dict[str, list[str]],
) -> None:
    plan_stack("prod")  # planned again with the option recorder on
    assert ignore_changes["redis-app-secret-value"] == ["secretString", "versionStages"]
    assert ignore_changes["redis-app-user"] == ["authenticationMode.passwords"]
    assert ignore_changes["redis-reporting-user"] == []


def test_rotation_runs_a_signed_function_limited_to_its_secret_and_user(prod_plan: Plan) -> None:
    rotation = one(prod_plan, ROTATION, "redis-app-rotation")
    function = one(prod_plan, FUNCTION, "redis-app-rotation-function")
    assert function.urn in rotation.property_dependencies["rotationLambdaArn"]
    assert (
        one(prod_plan, SECRET, "redis-app-secret").urn in rotation.property_dependencies["secretId"]
    )
    rotation = rotation.inputs
    assert rotation["rotationRules"] == {"automaticallyAfterDays": 30}
    assert rotation["rotateImmediately"] is False
    inputs = function.inputs
    assert inputs["handler"] == "elasticache_user_rotation.handler"
    assert inputs["s3Key"].startswith("signed/") and inputs["codeSigningConfigArn"]
    assert inputs["kmsKeyArn"].startswith("arn:aws:kms:")
    assert inputs["tracingConfig"] == {"mode": "Active"}
    assert inputs["reservedConcurrentExecutions"] == 1
    assert inputs["timeout"] == 900
    env = inputs["environment"]["variables"]
    assert env["USER_NAME"] == "app" and ":secret:redis-app-secret" in env["SECRET_ARN"]
    assert env["EXCLUDE_CHARACTERS"] == exclude_characters()
    assert "vpcConfig" not in inputs  # it calls AWS APIs only
    policy = json.loads(one(prod_plan, ROLE_POLICY, "redis-app-rotation-policy").inputs["policy"])
    user = next(s for s in policy["Statement"] if s["Sid"] == "SetThisUsersPassword")
    assert user["Resource"].endswith(":user:dbtier-prod-redis-app")
    invoke = one(prod_plan, PERMISSION, "redis-app-rotation-invoke").inputs
    assert invoke["principal"] == "secretsmanager.amazonaws.com"
    assert invoke["sourceAccount"] == "123456789012"


def test_prod_exports_users_and_the_password_users_secret(prod_plan: Plan) -> None:
    out = prod_plan.outputs["redis"]
    assert "authToken" not in out
    assert out["username"] == "app" and ":secret:redis-app-secret" in out["secretArn"]
    assert out["clusterMode"] is False and out["cacheName"] == "dbtier-prod-redis"
    assert out["region"] == "us-east-1" and "serverless" not in out
    app, reporting = out["users"]["app"], out["users"]["reporting"]
    assert app == {
        "username": "app",
        "userId": "dbtier-prod-redis-app",
        "auth": "password",
        "secretArn": out["secretArn"],
    }
    policy = json.loads(reporting["connectPolicy"])
    (statement,) = policy["Statement"]
    assert statement["Action"] == "elasticache:Connect"
    assert [r.split(":")[5] for r in statement["Resource"]] == ["replicationgroup", "user"]


def test_serverless_cache_is_encrypted_placed_and_limited(serverless_plan: Plan) -> None:
    assert of_type(serverless_plan, GROUP) == []
    cache = one(serverless_plan, SERVERLESS)
    inputs = cache.inputs
    assert cache.protect is False  # dev
    assert (inputs["engine"], inputs["majorEngineVersion"]) == ("valkey", "8")
    assert inputs["kmsKeyId"].startswith("arn:aws:kms:")
    assert inputs["userGroupId"] == "dbtier-dev-redis"
    assert len(inputs["subnetIds"]) >= 2 and len(inputs["securityGroupIds"]) == 1
    assert inputs["cacheUsageLimits"] == {
        "dataStorage": {"unit": "GB", "maximum": 10},
        "ecpuPerSeconds": [{"maximum": 5000}],
    }
    assert (inputs["dailySnapshotTime"], inputs["snapshotRetentionLimit"]) == ("03:00", 1)
    assert not of_type(serverless_plan, "aws:elasticache/parameterGroup:ParameterGroup")


def test_serverless_exports_a_cluster_with_tls(serverless_plan: Plan) -> None:
    out = serverless_plan.outputs["redis"]
    assert out["clusterMode"] is True and out["serverless"] is True and out["tls"] is True
    assert out["primaryEndpoint"].endswith(".serverless.use1.cache.amazonaws.com")
    assert out["port"] == 6379 and out["username"] == "app"
    assert set(out["users"]) == {"app", "reporting"}
    resource = json.loads(out["users"]["reporting"]["connectPolicy"])["Statement"][0]["Resource"]
    assert resource[0].split(":")[5] == "serverlesscache"


def test_serverless_alarms_watch_throttling_and_the_limits(serverless_plan: Plan) -> None:
    alarms = {
        a.name: a.inputs
        for a in of_type(serverless_plan, ALARM)
        if a.name.startswith("alarms-redis")
    }
    metrics = {a["metricName"]: a for a in alarms.values()}
    assert set(metrics) == {
        "ThrottledCmds",
        "Evictions",
        "CurrConnections",
        "BytesUsedForCache",
        "ElastiCacheProcessingUnits",
    }
    assert all(a["dimensions"] == {"clusterId": "dbtier-dev-redis"} for a in metrics.values())
    assert metrics["BytesUsedForCache"]["threshold"] == 10 * 10**9 * 0.8
    ecpu = metrics["ElastiCacheProcessingUnits"]
    assert (ecpu["period"], ecpu["threshold"]) == (60, 5000 * 60 * 0.8)


def test_a_serverless_plan_passes_config_validation_only_with_users(
    plan_with: Callable[..., Plan],
) -> None:
    with pytest.raises(PlanError, match="users is required with mode serverless"):
        plan_with("dev", redis={"mode": "serverless"})


def test_a_dev_like_stack_with_users_is_the_same_users_unprotected() -> None:
    plan = plan_stack("dev", config_overrides={"dbtier:redis": json.dumps({"users": USERS})})
    group = one(plan, GROUP)
    assert group.inputs["numCacheClusters"] == 1 and "authToken" not in group.inputs
    assert group.inputs["userGroupIds"] == ["dbtier-dev-redis"]
    assert group.inputs["authTokenUpdateStrategy"] == "DELETE"  # a dev stack with a token moves
    assert one(plan, SECRET, "redis-app-secret").protect is False
    assert one(plan, ROTATION, "redis-app-rotation").inputs["rotationRules"] == {
        "automaticallyAfterDays": 30
    }
    assert {u.inputs["userId"] for u in of_type(plan, USER)} == {
        "dbtier-dev-redis-app",
        "dbtier-dev-redis-reporting",
        "dbtier-dev-redis-default",
    }
