"""Deployability rules on what each RDS engine and edition has: Multi-AZ, IAM authentication,
storage, license models, the logs it exports, read replicas, and the Secrets Manager rotation
application that can rotate its password.

The facts are ``awsdata.rds_engines``' and the refusals ``awsdata.rds_engine_rules``', the same
functions config validation calls, so a stack the config accepts passes here; these rules catch
the plans that do not come from that config (a library user's, a hand-edited one).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource

from awsdata import rds_engine_rules
from awsdata.rds_engines import RDS_ENGINES

from ._common import Resource, Rule, RuleMeta, as_number, deps_of, prop
from .deploy_relations import (
    RDS_CLUSTER,
    RDS_INSTANCE,
    SECRET,
    SECRET_VERSION,
    engine_facts,
    instance_engine,
    known_str,
    linked,
    of_type,
    relation_meta,
    string_list,
)

ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"
SAR_STACK = "aws:serverlessrepository/cloudFormationStack:CloudFormationStack"
ROTATION_DOCS = "https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_available-rotation-templates.html"


def _engine(r: Resource) -> str | None:
    engine = known_str(r.get("engine"))
    return engine if engine in RDS_ENGINES else None


def engine_features(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    """Multi-AZ, IAM database authentication, storage and the license model only as the
    engine and edition offer them (CreateDBInstance refuses the rest).
    https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html"""
    engine = _engine(r)
    if engine is None:
        return  # a read replica (its source's engine) or not an RDS engine
    key = "dbtier:relational"
    if r.get("multiAz") is True and (problem := rds_engine_rules.multi_az_problem(engine)):
        yield f"'{r.name}': {problem} ({key}.multiAz)."
    iam = r.get("iamDatabaseAuthenticationEnabled")
    if iam is True and (problem := rds_engine_rules.iam_auth_problem(engine)):
        yield f"'{r.name}': {problem}; set {key}.iamAuth false."
    for field in ("allocatedStorage", "maxAllocatedStorage"):
        gib = as_number(r.get(field))
        if gib is not None and (problem := rds_engine_rules.storage_problem(engine, int(gib))):
            yield f"'{r.name}': {problem}; set {key}.{field}."
    # An absent model is RDS's default for the engine, which it accepts (that config asks for
    # bring-your-own explicitly is dbtier's rule, not AWS's).
    model = known_str(r.get("licenseModel"))
    if model and (problem := rds_engine_rules.license_problem(engine, model)):
        yield f"'{r.name}': {problem} ({key}.licenseModel)."


def log_exports(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    """Each exported log is one the engine writes (RDS refuses the others: "You cannot use
    the log types ... with engine ...").
    https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.Procedural.UploadtoCloudWatch.html"""
    engine = _engine(r)
    exports = string_list(r.get("enabledCloudwatchLogsExports"))
    if engine is None or not exports:
        return
    for log in exports:
        if problem := rds_engine_rules.log_export_problem(engine, log):
            yield f"'{r.name}': {problem}; set dbtier:relational.logExports."


def read_replicas(
    resources: Sequence[PolicyResource], _c: Mapping[str, Any]
) -> Iterator[tuple[str, str]]:
    """Read replicas only of engines and editions that have them, at most their maximum, and of
    Oracle only from a source of two or more vCPUs (``rds_engine_rules.replicas_problem``).
    https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.html"""
    instances = of_type(resources, RDS_INSTANCE)
    for primary in instances:
        engine = known_str(prop(primary.props, "engine"))
        if engine not in RDS_ENGINES or prop(primary.props, "replicateSourceDb") is not None:
            continue
        replicas = [
            r
            for r in instances
            if r is not primary and linked(r, "replicateSourceDb", [primary], "identifier")
        ]
        instance_class = known_str(prop(primary.props, "instanceClass")) or ""
        problem = rds_engine_rules.replicas_problem(engine or "", len(replicas), instance_class)
        if problem:
            yield (
                primary.urn,
                f"'{primary.name}' has {len(replicas)} read replicas: {problem}"
                " (dbtier:relational.readReplicas).",
            )


def _rotated_databases(
    rotation: PolicyResource, resources: Sequence[PolicyResource]
) -> list[PolicyResource]:
    """The databases whose connection a SecretRotation's secret holds: the RDS instances and
    clusters a version of that secret took its value from."""
    secrets = [d for d in deps_of(rotation, "secretId") if d.resource_type == SECRET]
    secrets = secrets or linked(rotation, "secretId", of_type(resources, SECRET), "arn", "name")
    databases = {d.urn: d for d in of_type(resources, RDS_INSTANCE, RDS_CLUSTER)}
    found: dict[str, PolicyResource] = {}
    for version in of_type(resources, SECRET_VERSION):
        if any(linked(version, "secretId", [s], "arn", "name") for s in secrets):
            for d in deps_of(version, "secretString"):
                if d.urn in databases:
                    found[d.urn] = databases[d.urn]
    return list(found.values())


def _application(rotation: PolicyResource, stacks: Sequence[PolicyResource]) -> str | None:
    """The name of the Serverless Application Repository application behind the rotation
    function (``...:applications/<name>``), when known."""
    for stack in linked(rotation, "rotationLambdaArn", stacks, "name"):
        application = known_str(prop(stack.props, "applicationId"))
        if application and "applications/" in application:
            return application.rsplit("applications/", 1)[1]
    return None


def rotation_application(
    resources: Sequence[PolicyResource], _c: Mapping[str, Any]
) -> Iterator[tuple[str, str]]:
    """A database secret is rotated by AWS's rotation application for that database's engine:
    another engine's function cannot log in to change the password, and every rotation fails.
    https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_available-rotation-templates.html"""
    instances = of_type(resources, RDS_INSTANCE)
    stacks = of_type(resources, SAR_STACK)
    for rotation in of_type(resources, ROTATION):
        application = _application(rotation, stacks)
        if application is None:
            continue
        for db in _rotated_databases(rotation, resources):
            if db.resource_type == RDS_INSTANCE:
                name = instance_engine(db, instances)[0]
            else:
                name = known_str(prop(db.props, "engine"))
            engine = engine_facts(name)
            if engine is not None and application != engine.rotation_app:
                yield (
                    rotation.urn,
                    f"'{rotation.name}' rotates the secret of '{db.name}' ({name}) with"
                    f" {application}, but {name}'s rotation application is"
                    f" {engine.rotation_app}: every rotation would fail"
                    " (the tiers pick it from dbtier:relational.engine / dbtier:aurora.engine).",
                )


def _meta(name: str, description: str, docs: str, fixes: tuple[str, ...], fix: str) -> RuleMeta:
    return relation_meta(name, description, docs, fixes, fix, resource_types=(RDS_INSTANCE,))


RULES: list[Rule] = [
    Rule(
        _meta(
            "deploy-rds-engine-features",
            "RDS instances ask only for what their engine and edition offer: Multi-AZ (not SQL"
            " Server Express), IAM authentication (MySQL, MariaDB, PostgreSQL), storage within"
            " the edition's limit, a license model it is sold under.",
            "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html",
            (
                "dbtier:relational.multiAz",
                "dbtier:relational.iamAuth",
                "dbtier:relational.allocatedStorage",
                "dbtier:relational.licenseModel",
            ),
            "turn off what the engine lacks, or choose an engine or edition that has it.",
        ),
        engine_features,
    ),
    Rule(
        _meta(
            "deploy-rds-log-exports",
            "RDS instances export only logs their engine writes (MySQL/MariaDB: audit, error,"
            " general, slowquery; PostgreSQL: postgresql, upgrade; SQL Server: agent, error;"
            " Oracle: alert, audit, listener, trace).",
            "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.Procedural.UploadtoCloudWatch.html",
            ("dbtier:relational.logExports",),
            "export only the engine's logs (the message lists them).",
        ),
        log_exports,
    ),
    Rule(
        relation_meta(
            "deploy-rds-read-replicas",
            "Read replicas only of engines and editions that have them (not SQL Server but"
            " Enterprise, not Oracle SE2), at most their maximum.",
            "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.html",
            ("dbtier:relational.readReplicas", "dbtier:relational.engine"),
            "set readReplicas 0, or an engine or edition with read replicas.",
        ),
        stack_check=read_replicas,
    ),
    Rule(
        relation_meta(
            "deploy-rotation-application",
            "A database secret is rotated by AWS's rotation application for its engine.",
            ROTATION_DOCS,
            ("dbtier:relational.engine", "dbtier:aurora.engine"),
            "rotate with the engine's application (SecretsManagerRDS<Engine>RotationSingleUser;"
            " the tiers pick it).",
        ),
        stack_check=rotation_application,
    ),
]
