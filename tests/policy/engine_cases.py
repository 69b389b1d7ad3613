"""Builders of the per-engine policy cases (tests/policy/test_engine_rules.py): an RDS instance of
any engine with its parameter and option groups, its replicas, a DMS task reading it, its
secret's rotation. Every resource is named after its case, so all the cases fit in one plan.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from awsdata import families, rds_engine_rules
from awsdata.rds_engines import ORACLE_SSL, RDS_ENGINES, option_group_version
from preflight.plan import PlannedResource
from tests.policy.policy_fixtures import resource

INSTANCE = "aws:rds/instance:Instance"
CLUSTER = "aws:rds/cluster:Cluster"
PARAMS = "aws:rds/parameterGroup:ParameterGroup"
CLUSTER_PARAMS = "aws:rds/clusterParameterGroup:ClusterParameterGroup"
OPTIONS = "aws:rds/optionGroup:OptionGroup"
ENDPOINT = "aws:dms/endpoint:Endpoint"
TASK = "aws:dms/replicationTask:ReplicationTask"
SECRET = "aws:secretsmanager/secret:Secret"
SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"
SAR_STACK = "aws:serverlessrepository/cloudFormationStack:CloudFormationStack"
PROVIDER = "pulumi:providers:aws"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
DMS_INSTANCE = "aws:dms/replicationInstance:ReplicationInstance"
PROVIDER_ID = "7d7d2f0e-0000-4000-8000-000000000002"
CERT = "arn:aws:dms:us-east-1:123456789012:cert:RDSCAWALLET"
SECRET_STRING = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}


@dataclass(frozen=True)
class Case:
    """One engine's plan for one rule: ``violates`` says whether the rule must report it."""

    policy: str
    name: str
    violates: bool
    resources: Sequence[PlannedResource] = field(default_factory=tuple)
    """The case's resources; the first is the one the rule reports."""
    text: str = ""
    """What a violation's message must say (the key or fact it names)."""


def version(engine: str) -> str:
    """The version a RelationalTier of ``engine`` gets by default (offered by RDS)."""
    return rds_engine_rules.default_version(engine)


def linked(r: PlannedResource, **deps: PlannedResource) -> PlannedResource:
    """``r`` with each input named in ``deps`` coming from that resource."""
    more = {key: [d.urn] for key, d in deps.items()}
    property_dependencies = {**r.property_dependencies, **more}
    every = sorted({u for urns in property_dependencies.values() for u in urns})
    return replace(r, property_dependencies=property_dependencies, dependencies=every)


def params_group(name: str, family: str, params: Mapping[str, str]) -> PlannedResource:
    entries = [{"name": k, "value": v} for k, v in params.items()]
    return resource(PARAMS, name, {"name": name, "family": family, "parameters": entries})


def engine_params(engine: str, **extra: str) -> dict[str, str]:
    """What RelationalTier puts in ``engine``'s parameter group: TLS and its default logs'
    parameters (and ``extra``)."""
    e = RDS_ENGINES[engine]
    params = dict(e.tls_parameters)
    for log in e.default_logs:
        params |= e.logs[log].parameters
    return params | extra


def option_group(name: str, engine: str, *options: str) -> PlannedResource:
    return resource(
        OPTIONS,
        name,
        {
            "name": name,
            "engineName": engine,
            "majorEngineVersion": option_group_version(engine, version(engine)),
            "options": [{"optionName": o} for o in options],
        },
    )


def instance(name: str, engine: str, **inputs: Any) -> PlannedResource:
    """A bare ``engine`` instance at its default version (``inputs`` add or override; None
    removes one)."""
    base: dict[str, Any] = {"identifier": name, "engine": engine, "engineVersion": version(engine)}
    merged = {k: v for k, v in {**base, **inputs}.items() if v is not None}
    return resource(INSTANCE, name, merged)


def database(
    name: str,
    engine: str,
    *,
    params: Mapping[str, str] | None = None,
    options: Sequence[str] | None = None,
    **inputs: Any,
) -> list[PlannedResource]:
    """An ``engine`` instance with a parameter group of ``params`` (default: RelationalTier's;
    an empty mapping: no group at all) and, when ``options`` is given, an option group with
    them (Oracle: the SSL option when None)."""
    e = RDS_ENGINES[engine]
    extra: list[PlannedResource] = []
    links: dict[str, PlannedResource] = {}
    group_params = engine_params(engine) if params is None else params
    if params is None or params:
        family = families.parameter_group_family(engine, version(engine)) or engine
        group = params_group(f"{name}-params", family, group_params)
        inputs = {"parameterGroupName": group.name, **inputs}
        extra.append(group)
        links["parameterGroupName"] = group
    if options is None and e.tls_option is not None:
        options = [ORACLE_SSL.name]
    if options is not None:
        group = option_group(f"{name}-options", engine, *options)
        inputs = {"optionGroupName": group.name, **inputs}
        extra.append(group)
        links["optionGroupName"] = group
    return [linked(instance(name, engine, **inputs), **links), *extra]


def replica(name: str, source: PlannedResource, **inputs: Any) -> PlannedResource:
    base = {"identifier": name, "replicateSourceDb": source.inputs["identifier"], **inputs}
    return linked(resource(INSTANCE, name, base), replicateSourceDb=source)


def db_secret(name: str, db: PlannedResource) -> tuple[PlannedResource, PlannedResource]:
    """A Secrets Manager secret and the version whose value came from ``db`` (its host)."""
    secret = resource(SECRET, f"{name}-secret", {"name": f"{name}-secret"})
    value = linked(
        resource(
            SECRET_VERSION,
            f"{name}-secret-value",
            {"secretId": f"{name}-secret", "secretString": {**SECRET_STRING, "value": "{}"}},
        ),
        secretId=secret,
        secretString=db,
    )
    return secret, value


def dms_source(
    name: str, db: PlannedResource, engine_name: str, migration: str = "full-load-and-cdc"
) -> list[PlannedResource]:
    """A DMS source endpoint (``engine_name``) reading ``db`` through its secret, and a task."""
    secret, value = db_secret(name, db)
    endpoint = linked(
        resource(
            ENDPOINT,
            f"{name}-endpoint",
            {"endpointType": "source", "engineName": engine_name, "sslMode": "require"},
        ),
        secretsManagerArn=secret,
    )
    task = linked(
        resource(TASK, f"{name}-task", {"migrationType": migration}),
        sourceEndpointArn=endpoint,
    )
    return [endpoint, secret, value, task]


def rotation(name: str, db: PlannedResource, application: str) -> list[PlannedResource]:
    """The rotation of ``db``'s secret by a function of the ``application`` SAR application."""
    secret, value = db_secret(name, db)
    app = resource(
        SAR_STACK,
        f"{name}-function",
        {
            "name": f"{name}-function",
            "applicationId": f"arn:aws:serverlessrepo:us-east-1:297356227824:applications/{application}",
        },
    )
    rotation = linked(
        resource(
            ROTATION,
            f"{name}-rotation",
            {
                "secretId": f"{name}-secret",
                "rotationLambdaArn": f"arn:aws:lambda:us-east-1:123456789012:function:{name}-function",
                "rotationRules": {"automaticallyAfterDays": 30},
            },
        ),
        secretId=secret,
        rotationLambdaArn=app,
    )
    return [rotation, secret, value, app]


def dms_path(name: str, db: PlannedResource, engine_name: str, port: int) -> list[PlannedResource]:
    """A DMS task reading ``db`` whose replication instance's security group reaches the
    database's group on ``port`` (ingress on the database's, egress on the instance's); ``db``
    comes back last, in that group."""
    dms_sg, db_sg = (
        resource(SECURITY_GROUP, f"{name}-{role}-sg", {"name": f"{name}-{role}-sg"})
        for role in ("dms", "db")
    )
    replication = linked(
        resource(DMS_INSTANCE, f"{name}-dms", {"replicationInstanceId": f"{name}-dms"}),
        vpcSecurityGroupIds=dms_sg,
    )
    rules = [
        linked(
            resource(
                f"aws:vpc/securityGroup{kind}Rule:SecurityGroup{kind}Rule",
                f"{name}-{kind.lower()}",
                {"ipProtocol": "tcp", "fromPort": port, "toPort": port, "description": kind},
            ),
            securityGroupId=on,
            referencedSecurityGroupId=peer,
        )
        for kind, on, peer in (("Ingress", db_sg, dms_sg), ("Egress", dms_sg, db_sg))
    ]
    grouped = linked(db, vpcSecurityGroupIds=db_sg)
    endpoint, *source = dms_source(name, grouped, engine_name)
    task = linked(source[-1], replicationInstanceArn=replication)
    return [endpoint, *source[:-1], task, replication, dms_sg, db_sg, *rules, grouped]


REGION_PROVIDER = resource(PROVIDER, "aws-us-east-1", {"region": "us-east-1"})


def in_region(resources: Sequence[PlannedResource]) -> list[PlannedResource]:
    """``resources`` deployed by ``REGION_PROVIDER`` (us-east-1): the catalog rules that ask
    what a region offers skip resources whose provider names none."""
    ref = f"{REGION_PROVIDER.urn}::{PROVIDER_ID}"
    return [replace(r, provider=ref) for r in resources]
