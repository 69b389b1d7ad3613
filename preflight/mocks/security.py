"""KMS keys, IAM roles and Secrets Manager (secrets, rotations, and the rotation applications
deployed from the Serverless Application Repository)."""

from __future__ import annotations

from typing import Any

from preflight.mocks.account import (
    ACCOUNT_ID,
    Account,
    Builder,
    grouped_uuid,
    hexdigits,
    ident,
    named,
)


def _kms_key(m: Account, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    key_id = grouped_uuid(name)
    return key_id, {"keyId": key_id, "arn": m.arn("kms", f"key/{key_id}")}


def _iam_role(m: Account, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    role = i.get("name") or ident(name)
    return role, {
        "name": role,
        "arn": f"arn:aws:iam::{ACCOUNT_ID}:role/{role}",
        "uniqueId": "AROA" + hexdigits(name, 17).upper(),
    }


def _secret(m: Account, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    arn = m.arn("secretsmanager", f"secret:{ident(name)}-{hexdigits(name, 6)}")
    return arn, {"arn": arn, "name": i.get("name") or ident(name)}


def _secret_rotation(m: Account, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    return str(i.get("secretId") or ident(name)), {"rotationEnabled": True}


def _sar_stack(m: Account, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    """A Serverless Application Repository stack: a CloudFormation stack named serverlessrepo-*;
    AWS's rotation applications output the function's ARN."""
    stack = f"serverlessrepo-{i.get('name') or ident(name)}"
    stack_id = m.arn(
        "cloudformation", f"stack/{stack}/{hexdigits(name, 8)}-{hexdigits(name + 's', 4)}"
    )
    function = (i.get("parameters") or {}).get("functionName") or ident(name)
    return stack_id, {
        "name": i.get("name") or ident(name),
        "outputs": {"RotationLambdaARN": m.arn("lambda", f"function:{function}")},
    }


BUILDERS: dict[str, Builder] = {
    "aws:kms/key:Key": _kms_key,
    "aws:kms/alias:Alias": named("kms", "", "name"),
    "aws:iam/role:Role": _iam_role,
    "aws:secretsmanager/secret:Secret": _secret,
    "aws:secretsmanager/secretRotation:SecretRotation": _secret_rotation,
    "aws:serverlessrepository/cloudFormationStack:CloudFormationStack": _sar_stack,
}
