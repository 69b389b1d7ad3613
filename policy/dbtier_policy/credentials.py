"""Credential lifecycle rules: every database secret rotates, and a database whose password the
service manages is given no password by the program.

Rotation is a stack rule: a Secrets Manager secret is rotated when a SecretRotation's `secretId`
comes from it (checkov's CKV2_AWS_57 asks the same of a Terraform plan: a secret connected to an
`aws_secretsmanager_secret_rotation`). A secret the service manages (RDS, Aurora, Redshift) is not
a Secret resource of the stack: the service rotates it, on its default schedule or the one a
SecretRotation sets. No secret is exempt: the Redis AUTH token's, which no rotation function can
rotate (only `pulumi up` with `dbtier:redis.authTokenVersion`), is flagged like any other; RBAC
users (`dbtier:redis.users`) are how a cache gets passwords that Secrets Manager rotates.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource, Severity

from ._common import Resource, Rule, RuleMeta, as_number, deps_of, integer, is_unknown, prop

SECRET = "aws:secretsmanager/secret:Secret"
ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"
# Per database type: the input that makes the service manage the password, and the password
# inputs that then must be absent (AWS refuses them together: the provider's ConflictsWith).
MANAGED_PASSWORD_INPUTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "aws:rds/instance:Instance": ("manageMasterUserPassword", ("password", "passwordWo")),
    "aws:rds/cluster:Cluster": (
        "manageMasterUserPassword",
        ("masterPassword", "masterPasswordWo"),
    ),
    "aws:redshift/cluster:Cluster": (
        "manageMasterPassword",
        ("masterPassword", "masterPasswordWo"),
    ),
    "aws:redshiftserverless/namespace:Namespace": (
        "manageAdminPassword",
        ("adminUserPassword", "adminUserPasswordWo"),
    ),
}


def _key_hint(name: str) -> str:
    """The dbtier key that turns rotation on for a component's secret, when the name says."""
    part = name.split("-", 1)[0]
    if part in ("relational", "aurora", "warehouse"):
        return f" (dbtier:{part}.credentials.rotationDays)"
    if part == "redis":
        return " (dbtier:redis.users: RBAC users' passwords rotate, the AUTH token cannot)"
    return ""


def rotation_days(rotation: Mapping[str, Any]) -> float | None:
    """Days between rotations of a SecretRotation's inputs; None when unknown or not in days."""
    rules = prop(rotation, "rotationRules")
    if rules is None or is_unknown(rules):
        return None
    days = as_number(prop(rules, "automaticallyAfterDays"))
    if days is not None:
        return days
    expression = prop(rules, "scheduleExpression")
    if isinstance(expression, str) and not is_unknown(expression):
        found = re.fullmatch(r"rate\((\d+) days?\)", expression.strip())
        if found:
            return float(found.group(1))
    return None


def secrets_rotated(
    resources: Sequence[PolicyResource], config: Mapping[str, Any]
) -> Iterator[tuple[str, str]]:
    rotations = [r for r in resources if r.resource_type == ROTATION]
    rotated: dict[str, float | None] = {}
    for rotation in rotations:
        for source in deps_of(rotation, "secretId"):
            rotated[source.urn] = rotation_days(rotation.props)
    maximum = int(config["maximumDays"])
    for secret in resources:
        if secret.resource_type != SECRET:
            continue
        if secret.urn not in rotated:
            yield (
                secret.urn,
                f"Secret '{secret.name}' is never rotated: no SecretRotation names it, so its "
                f"password stays the one Pulumi generated{_key_hint(secret.name)}.",
            )
            continue
        days = rotated[secret.urn]
        if days is not None and days > maximum:
            yield (
                secret.urn,
                f"Secret '{secret.name}' rotates every {days:g} days; at most {maximum} required.",
            )


def managed_password_not_given(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    manage, password_inputs = MANAGED_PASSWORD_INPUTS[r.type]
    managed = r.get(manage)
    if is_unknown(managed) or managed is not True:
        return
    given = [name for name in password_inputs if r.get(name) is not None]
    if given:
        yield (
            f"'{r.name}' has {manage} on and a password input ({', '.join(given)}): the "
            "service owns the password, so the program must not hold one (AWS refuses both)."
        )


RULES: list[Rule] = [
    Rule(
        RuleMeta(
            name="database-secret-rotation",
            description="Every database secret is rotated by Secrets Manager, at most every "
            "maximumDays days.",
            severity=Severity.HIGH,
            category="secrets",
            remediation="set credentials.rotationDays (1-90) in dbtier:relational, dbtier:aurora "
            "and dbtier:warehouse, or credentials.mode managed; give dbtier:redis users "
            "(dbtier:redis.users, rotated every dbtier:redis.rotationDays) instead of the AUTH "
            "token.",
            resource_types=(SECRET, ROTATION),
            checkov=("CKV2_AWS_57", "CKV_AWS_304"),
            config={"maximumDays": integer(90, 1, "Longest rotation period allowed, days.")},
            docs="https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets.html",
            fixes=(
                "dbtier:relational.credentials.rotationDays",
                "dbtier:aurora.credentials.rotationDays",
                "dbtier:warehouse.credentials.rotationDays",
                "dbtier:redis.users",
                "dbtier:redis.rotationDays",
            ),
        ),
        stack_check=secrets_rotated,
    ),
    Rule(
        RuleMeta(
            name="database-managed-password-no-input",
            description="A database whose master password the service manages has no password "
            "input.",
            severity=Severity.HIGH,
            category="secrets",
            remediation="remove the password input (credentials.mode managed creates none).",
            resource_types=tuple(MANAGED_PASSWORD_INPUTS),
            docs="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html",
            fixes=(
                "dbtier:relational.credentials.mode",
                "dbtier:aurora.credentials.mode",
                "dbtier:warehouse.credentials.mode",
            ),
        ),
        managed_password_not_given,
    ),
]
