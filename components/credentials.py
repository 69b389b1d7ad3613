"""`credentials` inside `dbtier:relational`, `dbtier:aurora` and `dbtier:warehouse`: who owns the
master password and how often Secrets Manager rotates it.

- `generated` (default): pulumi-random makes the initial password, the component keeps it in its
  connection secret, and with `rotationDays > 0` AWS's rotation function for the engine rotates
  it; from then on the secret, not Pulumi, owns the password.
- `managed`: the service (RDS, Aurora, Redshift) creates and rotates the master password in a
  secret of its own; no password is in Pulumi's inputs, state or outputs.

Parsed once here into a frozen `CredentialsConfig`; each database's config parser reads it with
`parse_credentials(fields)` and adds the checks only it can make (`managed_refused`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from components.settings import ConfigError, Fields
from contract.fielddoc import doc

MODES = ("generated", "managed")
# RotationRules.AutomaticallyAfterDays is 1-1000 (Secrets Manager API reference,
# RotationRulesType: https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_RotationRulesType.html);
# a managed secret's schedule is a rate() expression, whose maximum is 999 days
# (https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_schedule.html).
MAX_ROTATION_DAYS = 1000
MAX_MANAGED_ROTATION_DAYS = 999


@dataclass(frozen=True)
class CredentialsConfig:
    mode: Literal["generated", "managed"] = field(
        default="generated",
        metadata=doc(
            "generated: pulumi-random's initial password, kept in the component's secret;"
            " managed: the service creates and rotates the password in a secret of its own.",
            rule="managed is refused with RDS read replicas and while dbtier:migration is enabled",
            aws="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html#rds-secrets-manager-limitations",
        ),
    )
    rotation_days: int = field(
        default=0,
        metadata=doc(
            "Days between Secrets Manager rotations; 0 turns rotation off.",
            lo=0,
            hi=MAX_ROTATION_DAYS,
            rule="at most 999 in managed mode (a rate() schedule)",
            aws=(
                "https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_RotationRulesType.html",
                "https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_schedule.html",
            ),
        ),
    )

    @property
    def managed(self) -> bool:
        return self.mode == "managed"

    @property
    def rotates(self) -> bool:
        """Rotation on, in either mode."""
        return self.rotation_days > 0

    @property
    def rotation_function(self) -> bool:
        """Rotation by AWS's rotation function (a Lambda the component deploys): generated mode."""
        return self.rotates and not self.managed


def parse_credentials(parent: Fields) -> CredentialsConfig:
    """The `credentials` field of a database's config object (`parent`)."""
    d = CredentialsConfig()
    f = parent.obj("credentials")
    mode = f.choice("mode", d.mode, MODES)
    days = f.integer("rotationDays", d.rotation_days, 0, MAX_ROTATION_DAYS)
    f.done()
    cfg = CredentialsConfig(mode=mode, rotation_days=days)
    if cfg.managed and days > MAX_MANAGED_ROTATION_DAYS:
        raise ConfigError(
            f"{f.key}.rotationDays must be between 0 and {MAX_MANAGED_ROTATION_DAYS} in managed"
            f" mode (a rate() schedule; got {days})"
        )
    return cfg


def managed_refused(key: str, creds: CredentialsConfig, reason: str | None) -> None:
    """Refuse managed mode where AWS does not offer it: `reason` says why (None: offered)."""
    if creds.managed and reason:
        raise ConfigError(f"{key}.credentials.mode managed is not offered: {reason}")


# RDS cannot create a read replica of a source whose master password Secrets Manager manages
# (every engine but SQL Server):
# https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html#rds-secrets-manager-limitations
READ_REPLICA_REASON = (
    "RDS cannot create read replicas of a database whose master password Secrets Manager"
    " manages; set readReplicas 0 or mode generated"
)
# A DMS endpoint's secret must hold the connection (host, port, username, password):
# https://docs.aws.amazon.com/dms/latest/userguide/security_iam_secretsmanager.html
# A managed master secret holds only username and password.
MIGRATION_REASON = (
    "DMS endpoints read host, port, username and password from the secret, and a managed secret"
    " holds only username and password; use mode generated while dbtier:migration is enabled"
)
