"""The rotation of a password user's secret: a Lambda that runs `lambdas.elasticache_user_rotation`
for that one secret and user, and the Secrets Manager schedule that calls it.

AWS's rotation functions for RDS and Redshift come from the Serverless Application Repository
(`DbtierComponent.rotate_with_function`); the one for ElastiCache users is not published there,
so the component deploys the handler itself, signed (`components.signing`): one signed package
per component, one function per user with a role limited to its secret and its user. The
function calls only AWS APIs (Secrets Manager, ElastiCache), never the cache, so it runs outside
the VPC and needs no network path to the nodes.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pulumi
import pulumi_aws as aws

from components.base import DbtierComponent, assume_role_policy, rotation_function_name
from components.functions import (
    LAMBDA_ARCHITECTURE,
    LAMBDA_RUNTIME,
    XRAY_WRITE_ACTIONS,
    SignedCode,
    signed_code,
)
from components.logs import lambda_log_group
from components.redis.users_shape import (
    ROTATION_TIMEOUT_SECONDS,
    UserPlan,
    rotation_environment,
    rotation_policy,
)

_HANDLER_SPEC = importlib.util.find_spec("lambdas.elasticache_user_rotation")
assert _HANDLER_SPEC is not None and _HANDLER_SPEC.origin is not None
HANDLER_FILE = Path(_HANDLER_SPEC.origin)
HANDLER = f"{HANDLER_FILE.stem}.handler"
UNSIGNED_KEY = f"unsigned/{HANDLER_FILE.stem}.zip"
# Secrets Manager calls one step at a time and waits for it: one execution is all a user needs.
RESERVED_CONCURRENCY = 1


def rotation_package(
    owner: DbtierComponent, name: str, kms_key_arn: pulumi.Input[str]
) -> SignedCode:
    """The handler, packaged alone and signed once for every user's function (`{name}-rotation-*`)."""
    code = pulumi.AssetArchive({HANDLER_FILE.name: pulumi.FileAsset(str(HANDLER_FILE))})
    return signed_code(
        owner,
        f"{name}-rotation",
        name=f"{name}-rotation",
        description=f"dbtier {name}: ElastiCache user rotation, code signed by its profile",
        code=code,
        unsigned_key=UNSIGNED_KEY,
        kms_key_arn=kms_key_arn,
    )


def user_rotation(
    owner: DbtierComponent,
    name: str,
    plan: UserPlan,
    *,
    secret: aws.secretsmanager.Secret,
    user: aws.elasticache.User,
    package: SignedCode,
    kms_key_arn: pulumi.Input[str],
    log_retention_days: int,
    days: int,
    depends_on: list[pulumi.Resource],
) -> aws.secretsmanager.SecretRotation:
    """Rotate `secret` (of user `plan`) every `days` with its own function; `depends_on`: the
    secret's first version and the user, which the function's test step reads."""
    prefix = f"{name}-{plan.role}-rotation"
    function_name = rotation_function_name(f"{name}-{plan.role}")
    (logs,) = owner.aws_log_groups(
        {f"{plan.role}-rotation": lambda_log_group(function_name)}, log_retention_days, kms_key_arn
    )
    role = aws.iam.Role(
        f"{prefix}-role",
        description=f"dbtier {name}: rotates the password of ElastiCache user {plan.user_name}",
        assume_role_policy=assume_role_policy("lambda.amazonaws.com"),
        opts=owner.child(),
    )
    policy = aws.iam.RolePolicy(
        f"{prefix}-policy",
        role=role.id,
        policy=pulumi.Output.all(secret.arn, user.arn, logs.arn, kms_key_arn).apply(
            lambda v: rotation_policy(v[0], v[1], v[2], v[3], XRAY_WRITE_ACTIONS)
        ),
        opts=owner.child(),
    )
    function = aws.lambda_.Function(
        f"{prefix}-function",
        name=function_name,
        description=f"dbtier {name}: Secrets Manager rotation of user {plan.user_name}",
        runtime=LAMBDA_RUNTIME,
        architectures=[LAMBDA_ARCHITECTURE],
        handler=HANDLER,
        s3_bucket=package.s3_bucket,
        s3_key=package.s3_key,
        code_signing_config_arn=package.config_arn,
        role=role.arn,
        timeout=ROTATION_TIMEOUT_SECONDS,
        environment={"variables": secret.arn.apply(lambda arn: rotation_environment(arn, plan))},
        # The environment is encrypted with the stack key.
        kms_key_arn=kms_key_arn,
        logging_config={"log_format": "JSON", "log_group": logs.name},
        tracing_config={"mode": "Active"},
        reserved_concurrent_executions=RESERVED_CONCURRENCY,
        # The role must carry its permissions before Lambda validates the function.
        opts=owner.child(depends_on=[policy, logs]),
    )
    account = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=owner))
    invoke = aws.lambda_.Permission(
        f"{prefix}-invoke",
        action="lambda:InvokeFunction",
        function=function.name,
        principal="secretsmanager.amazonaws.com",
        # The account only, not the secret: AWS's advice for rotation functions (a SourceArn
        # condition would also tie the function to the secret's ARN, which the env already does).
        source_account=account.account_id,
        opts=owner.child(),
    )
    return aws.secretsmanager.SecretRotation(
        f"{prefix}",
        secret_id=secret.id,
        rotation_lambda_arn=function.arn,
        rotation_rules={"automatically_after_days": days},
        # Only the function's test step runs now; the first rotation comes on schedule.
        rotate_immediately=False,
        opts=owner.child(depends_on=[*depends_on, invoke]),
    )
