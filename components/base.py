"""Helpers every component shares: child options (parent, protect), passwords, secrets, snapshots.

Tags are not here: they are the dbtier AWS provider's `default_tags` (see `stack.py`), which every
component's children inherit through their parent, so no constructor repeats them.
"""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws
import pulumi_random as random

# Characters each engine rejects in a master password (RDS: / @ " and space; ElastiCache AUTH
# additionally forbids most punctuation). `special` is what remains allowed.
RDS_PASSWORD_SPECIAL = "!#$%^&*()-_=+[]{}<>:?~"
REDSHIFT_PASSWORD_SPECIAL = "!#$%^&*()-_=+[]{}<>:?~"
ELASTICACHE_TOKEN_SPECIAL = "!&#$^<>-"
# The RDS CA every RDS and Aurora client verifies against; rds-ca-rsa2048-g1 is valid until 2061.
CA_CERT = "rds-ca-rsa2048-g1"


def assume_role_policy(service: str | list[str]) -> str:
    """A trust policy that lets the AWS service(s) `service` assume a role, and nothing else."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": service},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )


class DbtierComponent(pulumi.ComponentResource):
    """Base of every dbtier component: a stable type token and one way to make child options."""

    def __init__(
        self,
        kind: str,
        name: str,
        protect: bool,
        opts: pulumi.ResourceOptions | None,
    ) -> None:
        super().__init__(f"dbtier:components:{kind}", name, None, opts)
        self._prefix = name
        self._stateful_protect = protect

    def child(self, *, stateful: bool = False, **kwargs: object) -> pulumi.ResourceOptions:
        """Options for a child: parented here; `protect` when it holds data and the stack asks."""
        protect = self._stateful_protect if stateful else None
        return pulumi.ResourceOptions(parent=self, protect=protect, **kwargs)  # type: ignore[arg-type]

    def new_password(self, role: str, special: str, length: int = 32) -> random.RandomPassword:
        """A generated password with at least one upper, lower and digit (Redshift needs all three)."""
        return random.RandomPassword(
            f"{self._prefix}-{role}",
            length=length,
            special=True,
            override_special=special,
            min_upper=1,
            min_lower=1,
            min_numeric=1,
            opts=self.child(),
        )

    def snapshot_name(self, prefix: pulumi.Input[str]) -> pulumi.Output[str]:
        """A final-snapshot identifier unique per deployment, so destroy and re-create never clash."""
        suffix = random.RandomId(f"{self._prefix}-final-snapshot", byte_length=4, opts=self.child())
        return pulumi.Output.concat(prefix, "-final-", suffix.hex)

    def connection_secret(
        self,
        kms_key_arn: pulumi.Input[str],
        *,
        engine: str,
        host: pulumi.Input[str],
        port: pulumi.Input[int],
        username: pulumi.Input[str],
        password: pulumi.Input[str],
        dbname: pulumi.Input[str],
        extra: dict[str, pulumi.Input[str]] | None = None,
    ) -> aws.secretsmanager.Secret:
        """A KMS-encrypted Secrets Manager secret in the standard RDS secret JSON shape."""
        secret = aws.secretsmanager.Secret(
            f"{self._prefix}-secret",
            description=f"dbtier {self._prefix}: {engine} connection (host, port, username, password)",
            kms_key_id=kms_key_arn,
            recovery_window_in_days=7,
            opts=self.child(stateful=True),
        )
        fields: dict[str, pulumi.Input[object]] = {
            "engine": engine,
            "host": host,
            "port": port,
            "username": username,
            "password": password,
            "dbname": dbname,
            **(extra or {}),
        }
        aws.secretsmanager.SecretVersion(
            f"{self._prefix}-secret-value",
            secret_id=secret.id,
            secret_string=pulumi.Output.all(**fields)
            .apply(lambda v: json.dumps(v, sort_keys=True))
            .apply(pulumi.Output.secret),
            opts=self.child(),
        )
        return secret
