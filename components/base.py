"""Helpers every component shares: child options (parent, protect), passwords, secrets, snapshots,
and credential rotation (AWS's rotation function for a generated password, or the schedule of a
secret the service manages).

Tags are not here: they are the dbtier AWS provider's `default_tags` (see `stack.py`), which every
component's children inherit through their parent, so no constructor repeats them.
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from awsdata.families import parameter_group_family
from awsdata.rds_engines import RDS_ENGINES
from components.credentials import CredentialsConfig
from components.logs import lambda_log_group
from contract import export_fields, exported

# Characters each engine rejects in a master password (RDS: / @ " and space, Oracle & and '
# too, see awsdata.rds_engines; ElastiCache AUTH additionally forbids most punctuation).
# `special` is what remains allowed.
RDS_PASSWORD_SPECIAL = RDS_ENGINES["mysql"].password_special
REDSHIFT_PASSWORD_SPECIAL = "!#$%^&*()-_=+[]{}<>:?~"
ELASTICACHE_TOKEN_SPECIAL = "!&#$^<>-"

# AWS's single-user rotation functions, published in the Serverless Application Repository, by
# the `engine` of the secret JSON they rotate, at the version the AWS CDK pins
# (aws-cdk-lib/aws-secretsmanager/lib/secret-rotation.ts): pinned, because "latest" changes
# under a running stack. Single-user: the master secret is the only user dbtier creates.
# The RDS engines' come from `awsdata.rds_engines` (the secret JSON's engine -> its template):
# https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_available-rotation-templates.html
ROTATION_APPS = {
    **{e.json_engine: e.rotation_app for e in RDS_ENGINES.values()},
    "redshift": "SecretsManagerRedshiftRotationSingleUser",
}
ROTATION_APP_VERSION = "1.1.671"
# Where AWS publishes those applications, per partition (same CDK source).
ROTATION_APP_PUBLISHERS = {
    "aws": "us-east-1:297356227824",
    "aws-cn": "cn-north-1:193023089310",
    "aws-us-gov": "us-gov-west-1:023102451235",
}
# A custom staging label on the version Pulumi writes: Secrets Manager deletes versions without
# labels after two rotations, and the provider would then re-create the tracked version as
# AWSCURRENT with the initial password (terraform-provider-aws#37302). The label keeps it.
INITIAL_STAGE = "DBTIER_INITIAL"
# An output's annotation, as written (`pulumi.Output[str] | None`) or evaluated.
_OUTPUT = re.compile(r"\bOutput\[")


def exclude_characters(special: str) -> str:
    """What the rotation function must not put in a password: the punctuation outside `special`
    (the characters the component's own generated passwords use)."""
    return "".join(c for c in string.punctuation if c not in special)


def rotation_function_name(prefix: str) -> str:
    """The rotation Lambda's name: per project, stack and database, within Lambda's 64."""
    return f"{pulumi.get_project()}-{pulumi.get_stack()}-{prefix}-rotation"[:64]


@dataclass(frozen=True)
class RotationAccess:
    """The network a database's rotation function runs in (from `DatabaseNetwork`)."""

    security_group_id: pulumi.Input[str]
    """The function's own group: egress to the database port and Secrets Manager only."""
    subnet_ids: pulumi.Input[list[str]]
    """The database's subnets."""
    depends_on: Sequence[pulumi.Resource] = ()
    """The paths it needs (endpoint, rules): rotation is tested only once they exist."""


class RotatingArgs(Protocol):
    """What a component's args give a rotation function: the stack key, the network it runs
    in (None when the stack gave none) and its log retention."""

    @property
    def kms_key_arn(self) -> pulumi.Input[str]: ...
    @property
    def rotation(self) -> RotationAccess | None: ...
    @property
    def log_retention_days(self) -> int: ...


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


def output_names(component: type) -> tuple[str, ...]:
    """A component's outputs: the attributes its class and its bases annotate as `pulumi.Output`,
    base classes first, in the order written. The annotations are the one list (they document
    each output, and Pulumi's component schema is read from them); `register_outputs` is derived
    from it."""
    names: dict[str, None] = {}
    for klass in reversed(component.__mro__):
        for name, annotation in vars(klass).get("__annotations__", {}).items():
            if _OUTPUT.search(annotation if isinstance(annotation, str) else repr(annotation)):
                names[name] = None
    return tuple(names)


class DbtierComponent(pulumi.ComponentResource):
    """Base of every dbtier component: a stable type token and one way to make child options.

    A part of the stack names its export section (`CONTRACT`, a `contract` dataclass): its
    `outputs()` is that section built from the same-named attributes, so an export field is
    declared once, in the contract, and read off the component."""

    CONTRACT: ClassVar[type | None] = None

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
        self._secret_value: aws.secretsmanager.SecretVersion | None = None

    def publish(self) -> None:
        """`register_outputs` with every annotated output: the constructor's last line."""
        self.register_outputs({name: getattr(self, name) for name in output_names(type(self))})

    def outputs(self) -> dict[str, object]:
        """The stack's export of this part: each field of `CONTRACT` that a deployed stack
        exports, from the attribute of the same name (None leaves an optional one out)."""
        if self.CONTRACT is None:
            raise TypeError(f"{type(self).__name__} exports nothing (no CONTRACT)")
        return exported(
            self.CONTRACT, **{name: getattr(self, name) for name in export_fields(self.CONTRACT)}
        )

    def child(self, *, stateful: bool = False, **kwargs: object) -> pulumi.ResourceOptions:
        """Options for a child: parented here; `protect` when it holds data and the stack asks."""
        protect = self._stateful_protect if stateful else None
        return pulumi.ResourceOptions(parent=self, protect=protect, **kwargs)  # type: ignore[arg-type]

    def service_role(
        self,
        resource_name: str,
        trust_policy: pulumi.Input[str],
        managed_policies: Mapping[str, pulumi.Input[str]],
        /,
        **role_args: Any,
    ) -> tuple[aws.iam.Role, list[aws.iam.RolePolicyAttachment]]:
        """A child role `resource_name` that a service assumes (`trust_policy`, see `assume_role_policy`)
        with AWS managed policies attached: `managed_policies` maps each attachment's child
        name to the policy ARN. `role_args` go to the role (its physical name, description)."""
        role = aws.iam.Role(
            resource_name, assume_role_policy=trust_policy, opts=self.child(), **role_args
        )
        attachments = [
            aws.iam.RolePolicyAttachment(
                attachment, role=role.name, policy_arn=policy_arn, opts=self.child()
            )
            for attachment, policy_arn in managed_policies.items()
        ]
        return role, attachments

    def monitoring_role(self, interval: int) -> aws.iam.Role | None:
        """The role RDS Enhanced Monitoring publishes OS metrics with, when `interval` is not 0
        (RDS instances and Aurora cluster instances share one per component)."""
        if not interval:
            return None
        role, _ = self.service_role(
            f"{self._prefix}-monitoring-role",
            assume_role_policy("monitoring.rds.amazonaws.com"),
            {
                f"{self._prefix}-monitoring-policy": (
                    "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
                )
            },
        )
        return role

    def new_password(
        self,
        role: str,
        special: str,
        length: int = 32,
        keepers: dict[str, str] | None = None,
    ) -> random.RandomPassword:
        """A generated password with at least one upper, lower and digit (Redshift needs all three);
        a change of `keepers` generates a new one."""
        return random.RandomPassword(
            f"{self._prefix}-{role}",
            length=length,
            special=True,
            override_special=special,
            min_upper=1,
            min_lower=1,
            min_numeric=1,
            keepers=keepers,
            opts=self.child(),
        )

    def aws_log_groups(
        self,
        groups: Mapping[str, str],
        retention_days: int,
        kms_key_arn: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> list[aws.cloudwatch.LogGroup]:
        """Log groups AWS would create on first write (`groups`: role -> AWS's name, see
        `components.logs`), made first with that retention and key (`opts`: in another region)."""
        return [
            aws.cloudwatch.LogGroup(
                f"{self._prefix}-{role}-logs",
                name=log_name,
                retention_in_days=retention_days,
                kms_key_id=kms_key_arn,
                opts=opts or self.child(),
            )
            for role, log_name in groups.items()
        ]

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
        rotated: bool = False,
    ) -> aws.secretsmanager.Secret:
        """A KMS-encrypted Secrets Manager secret in the standard RDS secret JSON shape. `rotated`:
        a rotation function owns the value after the first write, so Pulumi never writes it again
        (a changed JSON would be a new AWSCURRENT version with an old password), and the version
        it wrote keeps a label of its own (INITIAL_STAGE)."""
        fields = dict(engine=engine, host=host, port=port, username=username, password=password)
        description = f"dbtier {self._prefix}: {engine} connection (host, port, username, password)"
        secret, self._secret_value = self.json_secret(
            "",
            description,
            kms_key_arn,
            {**fields, "dbname": dbname, **(extra or {})},
            rotated=rotated,
        )
        return secret

    def json_secret(
        self,
        role: str,
        description: str,
        kms_key_arn: pulumi.Input[str],
        fields: Mapping[str, pulumi.Input[object]],
        *,
        rotated: bool = False,
        aliases: Sequence[pulumi.Alias] = (),
    ) -> tuple[aws.secretsmanager.Secret, aws.secretsmanager.SecretVersion]:
        """A KMS-encrypted secret of `fields` as JSON and its first version, `{prefix}-{role}-secret`
        (`-value`); `rotated`: see `connection_secret`; `aliases`: the secret's earlier names."""
        name = f"{self._prefix}-{role}-secret" if role else f"{self._prefix}-secret"
        secret = aws.secretsmanager.Secret(
            name,
            description=description,
            kms_key_id=kms_key_arn,
            recovery_window_in_days=7,
            opts=self.child(stateful=True, aliases=list(aliases) or None),
        )
        version = aws.secretsmanager.SecretVersion(
            f"{name}-value",
            secret_id=secret.id,
            secret_string=pulumi.Output.all(**fields)
            .apply(lambda v: json.dumps(v, sort_keys=True))
            .apply(pulumi.Output.secret),
            version_stages=["AWSCURRENT", INITIAL_STAGE] if rotated else None,
            opts=self.child(ignore_changes=["secretString", "versionStages"] if rotated else None),
        )
        return secret, version

    def rotate_with_function(
        self,
        secret: aws.secretsmanager.Secret,
        args: RotatingArgs,
        *,
        engine: str,
        special: str,
        days: int,
        depends_on: Sequence[pulumi.Resource],
    ) -> aws.secretsmanager.SecretRotation:
        """Rotate `secret` every `days` with AWS's rotation function for `engine` (the secret's
        JSON `engine`), deployed from the Serverless Application Repository into the database's
        subnets with the security group of `args.rotation`.

        The application's template makes the function's role (Secrets Manager actions on secrets
        that name this function as their rotator, the VPC's network interfaces, the stack key)
        and Secrets Manager's permission to invoke it. Its log group (Lambda's default name) is
        created first, with `args.log_retention_days` and the stack key.
        """
        if args.rotation is None:
            raise ValueError(f"{type(args).__name__}.rotation is required to rotate")
        access, kms_key_arn = args.rotation, args.kms_key_arn
        log_retention_days = args.log_retention_days
        invoke = pulumi.InvokeOutputOptions(parent=self)
        partition = aws.get_partition_output(opts=invoke)
        region = aws.get_region_output(opts=invoke).region
        app = ROTATION_APPS[engine]
        function_name = rotation_function_name(self._prefix)
        logs = self.aws_log_groups(
            {"rotation-function": lambda_log_group(function_name)}, log_retention_days, kms_key_arn
        )
        application = aws.serverlessrepository.CloudFormationStack(
            f"{self._prefix}-rotation-function",
            name=function_name,
            application_id=partition.partition.apply(
                lambda p: (
                    f"arn:{p}:serverlessrepo:{ROTATION_APP_PUBLISHERS.get(p, ROTATION_APP_PUBLISHERS['aws'])}"
                    f":applications/{app}"
                )
            ),
            semantic_version=ROTATION_APP_VERSION,
            capabilities=["CAPABILITY_IAM", "CAPABILITY_RESOURCE_POLICY"],
            parameters={
                # The regional name: the VPC's Secrets Manager endpoint answers it (private DNS).
                "endpoint": pulumi.Output.format(
                    "https://secretsmanager.{0}.{1}", region, partition.dns_suffix
                ),
                "functionName": function_name,
                "vpcSubnetIds": pulumi.Output.from_input(access.subnet_ids).apply(",".join),
                "vpcSecurityGroupIds": access.security_group_id,
                "kmsKeyArn": kms_key_arn,
                "excludeCharacters": exclude_characters(special),
            },
            opts=self.child(depends_on=[*access.depends_on, *logs]),
        )
        return aws.secretsmanager.SecretRotation(
            f"{self._prefix}-rotation",
            secret_id=secret.id,
            rotation_lambda_arn=application.outputs.apply(lambda o: o["RotationLambdaARN"]),
            rotation_rules={"automatically_after_days": days},
            # Only the function's test step runs now (it proves the network and permissions);
            # the first rotation comes on schedule, so the exported initial password works
            # until then.
            rotate_immediately=False,
            opts=self.child(depends_on=[*filter(None, [self._secret_value]), *depends_on]),
        )

    def rotate_managed(
        self, secret_arn: pulumi.Input[str], days: int, depends_on: Sequence[pulumi.Resource]
    ) -> aws.secretsmanager.SecretRotation:
        """The schedule of a secret the service manages (no function: the service rotates it).

        A rate() expression, as the service stores it (an `automatically_after_days` would read
        back as a schedule expression and differ on every update); not rotated on creation or on
        a schedule change. `depends_on`: the database instance, or AWS re-applies its default
        schedule when it finishes creating it (pulumi-aws SecretRotation docs).
        """
        return aws.secretsmanager.SecretRotation(
            f"{self._prefix}-rotation",
            secret_id=secret_arn,
            rotation_rules={"schedule_expression": f"rate({days} days)"},
            rotate_immediately=False,
            opts=self.child(depends_on=list(depends_on)),
        )

    def rds_master_secret(
        self,
        args: RotatingArgs,
        creds: CredentialsConfig,
        password: random.RandomPassword | None,
        *,
        master_user_secrets: pulumi.Output[Any],
        engine: str,
        host: pulumi.Input[str],
        port: pulumi.Input[int],
        username: str,
        dbname: str,
        extra: dict[str, pulumi.Input[str]],
        depends_on: Sequence[pulumi.Resource],
        special: str = RDS_PASSWORD_SPECIAL,
    ) -> pulumi.Output[str]:
        """The ARN of the secret holding an RDS instance's or Aurora cluster's master password,
        rotated as `creds` says: RDS's own secret (`master_user_secrets`) when it manages the
        password (`password` None), else the component's connection secret of the generated
        `password` (of `special` characters), rotated by AWS's function for `engine` (the
        secret JSON's), which keeps to the same characters. `depends_on`:
        the instance rotation needs first (RDS re-applies its default schedule to a managed
        secret, and a rotation function cannot log in, until it exists)."""
        if password is None:
            arn = master_user_secrets.apply(lambda s: s[0].secret_arn)
            if creds.rotates:
                self.rotate_managed(arn, creds.rotation_days, depends_on)
            return arn
        secret = self.connection_secret(
            args.kms_key_arn,
            engine=engine,
            host=host,
            port=port,
            username=username,
            password=password.result,
            dbname=dbname,
            extra=extra,
            rotated=creds.rotation_function,
        )
        if creds.rotation_function:
            self.rotate_with_function(
                secret,
                args,
                engine=engine,
                special=special,
                days=creds.rotation_days,
                depends_on=depends_on,
            )
        return secret.arn


def family_of(engine: str, engine_version: str) -> str:
    """The parameter group family AWS requires for a version, from AWS's data (`awsdata.families`), which the pack checks too.

    Config validation has already accepted the version, so `awsdata` always knows its family.
    """
    family = parameter_group_family(engine, engine_version)
    if family is None:
        raise ValueError(f"no parameter group family known for {engine} {engine_version}")
    return family
