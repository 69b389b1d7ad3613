"""Mutation test on the real prod plan: the unchanged plan passes the prod policy config, and each
single security-relevant change makes a mandatory violation on the resource that was changed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from preflight.plan import Plan, PlannedResource
from preflight.policy import PolicyReport, load_policy_config
from tests.policy.plans import shared_plan
from tests.policy.policy_fixtures import Pack, with_inputs

pytestmark = pytest.mark.policy

PROD_CONFIG = load_policy_config(Path(__file__).resolve().parents[2] / "policy/config/prod.json")
OPEN = "0.0.0.0/0"
Mutation = Callable[[PlannedResource], PlannedResource]


@pytest.fixture(scope="module")
def prod() -> Plan:
    return shared_plan("prod")


@pytest.fixture(scope="module")
def prod_report(pack: Pack, prod: Plan) -> PolicyReport:
    return pack.run(prod, PROD_CONFIG)


def _set(**changes: Any) -> Mutation:
    return lambda r: with_inputs(r, **changes)


def _literal(key: str) -> Mutation:
    """The credential typed into the program: a literal with no resource behind it."""

    def mutate(r: PlannedResource) -> PlannedResource:
        deps = {k: v for k, v in r.property_dependencies.items() if k != key}
        return replace(with_inputs(r, **{key: "Sup3rSecretLiteral"}), property_dependencies=deps)

    return mutate


def _unprotect(r: PlannedResource) -> PlannedResource:
    return replace(r, protect=False)


def _params(name: str, value: str) -> Mutation:
    def mutate(r: PlannedResource) -> PlannedResource:
        params = [p for p in r.inputs.get("parameters", []) if p.get("name") != name]
        return with_inputs(r, parameters=[*params, {"name": name, "value": value}])

    return mutate


# (label, resource type, resource name suffix, mutation, policy expected)
MUTATIONS: list[tuple[str, str, str, Mutation, str]] = [
    (
        "rds encryption off",
        "aws:rds/instance:Instance",
        "primary",
        _set(storageEncrypted=False),
        "rds-instance-storage-encrypted",
    ),
    (
        "rds customer key removed",
        "aws:rds/instance:Instance",
        "primary",
        _set(kmsKeyId=None),
        "rds-instance-customer-managed-key",
    ),
    (
        "rds public",
        "aws:rds/instance:Instance",
        "primary",
        _set(publiclyAccessible=True),
        "rds-not-publicly-accessible",
    ),
    (
        "rds replica public",
        "aws:rds/instance:Instance",
        "replica-1",
        _set(publiclyAccessible=True),
        "rds-not-publicly-accessible",
    ),
    (
        "rds deletion protection off",
        "aws:rds/instance:Instance",
        "primary",
        _set(deletionProtection=False),
        "rds-instance-deletion-protection",
    ),
    (
        "rds skip final snapshot",
        "aws:rds/instance:Instance",
        "primary",
        _set(skipFinalSnapshot=True),
        "rds-final-snapshot",
    ),
    (
        "rds backups 0",
        "aws:rds/instance:Instance",
        "primary",
        _set(backupRetentionPeriod=0),
        "rds-backup-retention",
    ),
    (
        "rds single-AZ",
        "aws:rds/instance:Instance",
        "primary",
        _set(multiAz=False),
        "rds-instance-multi-az",
    ),
    (
        "rds IAM auth off",
        "aws:rds/instance:Instance",
        "primary",
        _set(iamDatabaseAuthenticationEnabled=False),
        "rds-instance-iam-auth",
    ),
    (
        "rds no log exports",
        "aws:rds/instance:Instance",
        "primary",
        _set(enabledCloudwatchLogsExports=[]),
        "rds-instance-log-exports",
    ),
    (
        "rds plaintext password",
        "aws:rds/instance:Instance",
        "primary",
        _literal("password"),
        "stack-no-plaintext-secrets",
    ),
    (
        "rds protect off",
        "aws:rds/instance:Instance",
        "primary",
        _unprotect,
        "stack-stateful-resources-protected",
    ),
    (
        "rds TLS off",
        "aws:rds/parameterGroup:ParameterGroup",
        "params",
        _params("require_secure_transport", "0"),
        "rds-parameter-group-requires-tls",
    ),
    (
        "aurora encryption off",
        "aws:rds/cluster:Cluster",
        "cluster",
        _set(storageEncrypted=False),
        "rds-cluster-storage-encrypted",
    ),
    (
        "aurora customer key removed",
        "aws:rds/cluster:Cluster",
        "cluster",
        _set(kmsKeyId=None),
        "rds-cluster-customer-managed-key",
    ),
    (
        "aurora deletion protection off",
        "aws:rds/cluster:Cluster",
        "cluster",
        _set(deletionProtection=False),
        "rds-cluster-deletion-protection",
    ),
    (
        "aurora backups 0",
        "aws:rds/cluster:Cluster",
        "cluster",
        _set(backupRetentionPeriod=0),
        "rds-backup-retention",
    ),
    (
        "aurora IAM auth off",
        "aws:rds/cluster:Cluster",
        "cluster",
        _set(iamDatabaseAuthenticationEnabled=False),
        "rds-cluster-iam-auth",
    ),
    (
        "aurora plaintext password",
        "aws:rds/cluster:Cluster",
        "cluster",
        _literal("masterPassword"),
        "stack-no-plaintext-secrets",
    ),
    (
        "aurora protect off",
        "aws:rds/cluster:Cluster",
        "cluster",
        _unprotect,
        "stack-stateful-resources-protected",
    ),
    (
        "aurora writer public",
        "aws:rds/clusterInstance:ClusterInstance",
        "writer",
        _set(publiclyAccessible=True),
        "rds-not-publicly-accessible",
    ),
    (
        "aurora TLS off",
        "aws:rds/clusterParameterGroup:ClusterParameterGroup",
        "cluster-params",
        _params("require_secure_transport", "OFF"),
        "rds-parameter-group-requires-tls",
    ),
    (
        "redshift encryption off",
        "aws:redshift/cluster:Cluster",
        "cluster",
        _set(encrypted=False),
        "redshift-cluster-encrypted",
    ),
    (
        "redshift customer key removed",
        "aws:redshift/cluster:Cluster",
        "cluster",
        _set(kmsKeyId=None),
        "redshift-customer-managed-key",
    ),
    (
        "redshift public",
        "aws:redshift/cluster:Cluster",
        "cluster",
        _set(publiclyAccessible=True),
        "redshift-not-publicly-accessible",
    ),
    (
        "redshift skip final snapshot",
        "aws:redshift/cluster:Cluster",
        "cluster",
        _set(skipFinalSnapshot=True),
        "redshift-final-snapshot",
    ),
    (
        "redshift snapshots 0",
        "aws:redshift/cluster:Cluster",
        "cluster",
        _set(automatedSnapshotRetentionPeriod=0),
        "redshift-snapshot-retention",
    ),
    (
        "redshift plaintext password",
        "aws:redshift/cluster:Cluster",
        "cluster",
        _literal("masterPassword"),
        "stack-no-plaintext-secrets",
    ),
    (
        "redshift SSL off",
        "aws:redshift/parameterGroup:ParameterGroup",
        "params",
        _params("require_ssl", "false"),
        "redshift-require-ssl",
    ),
    (
        "kms rotation off",
        "aws:kms/key:Key",
        "key",
        _set(enableKeyRotation=False),
        "kms-key-rotation",
    ),
    (
        "secret customer key removed",
        "aws:secretsmanager/secret:Secret",
        "secret",
        _set(kmsKeyId=None),
        "secretsmanager-customer-managed-key",
    ),
    (
        "ingress from the internet",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "relational-in-vpc",
        _set(cidrIpv4=OPEN),
        "security-group-no-public-ingress",
    ),
    (
        "dynamodb PITR off",
        "aws:dynamodb/table:Table",
        "",
        _set(pointInTimeRecovery={"enabled": False}),
        "dynamodb-point-in-time-recovery",
    ),
    (
        "dynamodb AWS-owned key",
        "aws:dynamodb/table:Table",
        "",
        _set(serverSideEncryption={"enabled": False}),
        "dynamodb-customer-managed-key",
    ),
    (
        "dynamodb deletion protection off",
        "aws:dynamodb/table:Table",
        "",
        _set(deletionProtectionEnabled=False),
        "dynamodb-deletion-protection",
    ),
    (
        "redis TLS off",
        "aws:elasticache/replicationGroup:ReplicationGroup",
        "",
        _set(transitEncryptionEnabled=False),
        "elasticache-in-transit-encryption",
    ),
    (
        "redis at-rest off",
        "aws:elasticache/replicationGroup:ReplicationGroup",
        "",
        _set(atRestEncryptionEnabled=False),
        "elasticache-at-rest-encryption",
    ),
    (
        "redis snapshots 0",
        "aws:elasticache/replicationGroup:ReplicationGroup",
        "",
        _set(snapshotRetentionLimit=0),
        "elasticache-snapshot-retention",
    ),
    (
        "redis plaintext token",
        "aws:elasticache/replicationGroup:ReplicationGroup",
        "",
        _literal("authToken"),
        "stack-no-plaintext-secrets",
    ),
    (
        "dms instance public",
        "aws:dms/replicationInstance:ReplicationInstance",
        "",
        _set(publiclyAccessible=True),
        "dms-instance-not-publicly-accessible",
    ),
    (
        "dms endpoint SSL off",
        "aws:dms/endpoint:Endpoint",
        "",
        _set(sslMode="none"),
        "dms-endpoint-ssl",
    ),
    (
        "dms endpoint plaintext password",
        "aws:dms/endpoint:Endpoint",
        "",
        _set(password="Sup3rSecretLiteral", secretsManagerArn=None),
        "dms-endpoint-uses-secrets-manager",
    ),
]


def _target(plan: Plan, type_: str, suffix: str) -> PlannedResource | None:
    # The first by URN: registration order varies between runs, the choice must not.
    matches = [r for r in plan.resources if r.type == type_ and r.name.endswith(suffix)]
    return min(matches, key=lambda r: r.urn, default=None)


def test_prod_plan_is_clean_under_prod_config(prod: Plan, prod_report: PolicyReport) -> None:
    assert prod.by_type("aws:cloudwatch/metricAlarm:MetricAlarm"), "prod must plan its alarms"
    assert [(v.policy, v.urn) for v in prod_report.mandatory] == []


def test_enough_mutations_apply_to_the_prod_plan(prod: Plan) -> None:
    applicable = [m for m in MUTATIONS if _target(prod, m[1], m[2]) is not None]
    assert len(applicable) == len(MUTATIONS) >= 25


@pytest.mark.parametrize(
    ("label", "type_", "suffix", "mutate", "policy"), MUTATIONS, ids=[m[0] for m in MUTATIONS]
)
def test_mutation_gives_a_mandatory_violation_on_the_resource(
    pack: Pack,
    prod: Plan,
    prod_report: PolicyReport,
    label: str,
    type_: str,
    suffix: str,
    mutate: Mutation,
    policy: str,
) -> None:
    target = _target(prod, type_, suffix)
    assert target is not None, f"the prod plan has no {type_} named *{suffix}"
    resources = [mutate(r) if r.urn == target.urn else r for r in prod.resources]
    report = pack.run(replace(prod, resources=resources), PROD_CONFIG)
    before = {(v.policy, v.urn) for v in prod_report.violations}
    new = [v for v in report.mandatory if (v.policy, v.urn) not in before]
    assert (policy, target.urn) in {(v.policy, v.urn) for v in new}, (
        f"{label}: expected {policy} on {target.urn}; new mandatory: "
        f"{[(v.policy, v.urn) for v in new]}"
    )


@pytest.mark.parametrize(
    ("overrides", "type_", "policy"),
    [
        pytest.param(
            {"dbtier:protect": False},
            "aws:rds/instance:Instance",
            "stack-stateful-resources-protected",
            id="dbtier:protect false",
        ),
        pytest.param(
            {
                "dbtier:relational": {
                    "instanceClass": "db.m7g.large",
                    "multiAz": True,
                    "readReplicas": 2,
                    "backupRetentionDays": 14,
                    "deletionProtection": False,
                }
            },
            "aws:rds/instance:Instance",
            "rds-instance-deletion-protection",
            id="relational deletion protection off",
        ),
        pytest.param(
            {
                "dbtier:relational": {
                    "instanceClass": "db.m7g.large",
                    "multiAz": False,
                    "readReplicas": 0,
                    "backupRetentionDays": 14,
                }
            },
            "aws:rds/instance:Instance",
            "stack-read-replicas",
            id="relational single-AZ without replicas",
        ),
    ],
)
def test_config_mutation_gives_a_mandatory_violation(
    pack: Pack, overrides: dict[str, Any], type_: str, policy: str
) -> None:
    plan = shared_plan("prod", overrides=overrides)
    report = pack.run(plan, PROD_CONFIG)
    urns = {r.urn for r in plan.by_type(type_)}
    assert any(v.policy == policy and v.urn in urns for v in report.mandatory), (
        f"expected {policy} on a {type_}; mandatory: {[(v.policy, v.urn) for v in report.mandatory]}"
    )
