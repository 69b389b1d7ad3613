"""Every rule, through the real gRPC path: the baseline stack is clean, and one mutation of one
resource produces exactly that rule's violation, on that resource, at the configured level."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from baseline import KEY_ARN, build, secret
from policy_fixtures import Pack, with_inputs

from policy.registry import RULES

pytestmark = pytest.mark.policy

CONFIG: dict[str, Any] = {"all": "mandatory", "stack-database-alarms": {"requireAlarms": True}}
U = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

# (policy, resource in the baseline, input changes; None removes an input)
CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("rds-instance-storage-encrypted", "primary", {"storageEncrypted": False}),
    ("rds-cluster-storage-encrypted", "cluster", {"storageEncrypted": None}),
    ("rds-instance-customer-managed-key", "primary", {"kmsKeyId": None}),
    ("rds-cluster-customer-managed-key", "cluster", {"kmsKeyId": None}),
    ("rds-not-publicly-accessible", "primary", {"publiclyAccessible": True}),
    ("rds-not-publicly-accessible", "reader", {"publiclyAccessible": True}),
    ("rds-instance-deletion-protection", "primary", {"deletionProtection": False}),
    ("rds-cluster-deletion-protection", "cluster", {"deletionProtection": False}),
    ("rds-final-snapshot", "primary", {"skipFinalSnapshot": True}),
    ("rds-final-snapshot", "cluster", {"finalSnapshotIdentifier": None}),
    ("rds-backup-retention", "primary", {"backupRetentionPeriod": 0}),
    ("rds-backup-retention", "cluster", {"backupRetentionPeriod": 3}),
    ("rds-instance-multi-az", "primary", {"multiAz": False}),
    ("rds-instance-iam-auth", "primary", {"iamDatabaseAuthenticationEnabled": False}),
    ("rds-cluster-iam-auth", "cluster", {"iamDatabaseAuthenticationEnabled": None}),
    ("rds-instance-log-exports", "primary", {"enabledCloudwatchLogsExports": []}),
    ("rds-cluster-log-exports", "cluster", {"enabledCloudwatchLogsExports": None}),
    ("rds-performance-insights", "primary", {"performanceInsightsEnabled": False}),
    ("rds-performance-insights-cmk", "writer", {"performanceInsightsKmsKeyId": None}),
    ("rds-enhanced-monitoring", "primary", {"monitoringInterval": 0}),
    ("rds-auto-minor-version-upgrade", "primary", {"autoMinorVersionUpgrade": False}),
    ("rds-instance-copy-tags-to-snapshot", "primary", {"copyTagsToSnapshot": False}),
    ("rds-cluster-copy-tags-to-snapshot", "cluster", {"copyTagsToSnapshot": None}),
    ("rds-modern-ca-certificate", "primary", {"caCertIdentifier": "rds-ca-2019"}),
    (
        "rds-parameter-group-requires-tls",
        "pg",
        {"parameters": [{"name": "require_secure_transport", "value": "0"}]},
    ),
    ("rds-parameter-group-requires-tls", "cpg", {"parameters": []}),
    ("dynamodb-point-in-time-recovery", "table", {"pointInTimeRecovery": {"enabled": False}}),
    ("dynamodb-customer-managed-key", "table", {"serverSideEncryption": {"enabled": True}}),
    ("dynamodb-deletion-protection", "table", {"deletionProtectionEnabled": False}),
    ("elasticache-at-rest-encryption", "redis", {"atRestEncryptionEnabled": False}),
    ("elasticache-customer-managed-key", "redis", {"kmsKeyId": None}),
    ("elasticache-in-transit-encryption", "redis", {"transitEncryptionEnabled": False}),
    ("elasticache-in-transit-encryption", "redis", {"transitEncryptionMode": "preferred"}),
    ("elasticache-auth", "redis", {"authToken": None}),
    ("elasticache-snapshot-retention", "redis", {"snapshotRetentionLimit": 0}),
    ("elasticache-multi-az-failover", "redis", {"multiAzEnabled": False}),
    ("elasticache-multi-az-failover", "redis", {"numCacheClusters": 1}),
    ("elasticache-auto-minor-version-upgrade", "redis", {"autoMinorVersionUpgrade": False}),
    ("elasticache-log-delivery", "redis", {"logDeliveryConfigurations": []}),
    ("redshift-cluster-encrypted", "warehouse", {"encrypted": False}),
    ("redshift-customer-managed-key", "warehouse", {"kmsKeyId": None}),
    ("redshift-customer-managed-key", "namespace", {"kmsKeyId": None}),
    ("redshift-not-publicly-accessible", "warehouse", {"publiclyAccessible": True}),
    ("redshift-not-publicly-accessible", "workgroup", {"publiclyAccessible": True}),
    (
        "redshift-require-ssl",
        "redshift-params",
        {"parameters": [{"name": "require_ssl", "value": "false"}]},
    ),
    ("redshift-enhanced-vpc-routing", "warehouse", {"enhancedVpcRouting": False}),
    ("redshift-snapshot-retention", "warehouse", {"automatedSnapshotRetentionPeriod": 0}),
    ("redshift-final-snapshot", "warehouse", {"skipFinalSnapshot": True}),
    ("redshift-version-upgrade", "warehouse", {"allowVersionUpgrade": False}),
    ("redshift-in-vpc", "warehouse", {"clusterSubnetGroupName": None}),
    ("redshift-serverless-audit-logs", "namespace", {"logExports": ["userlog"]}),
    ("redshift-non-default-database-name", "warehouse", {"databaseName": "dev"}),
    ("dms-instance-not-publicly-accessible", "dms", {"publiclyAccessible": True}),
    ("dms-instance-customer-managed-key", "dms", {"kmsKeyArn": None}),
    ("dms-instance-multi-az", "dms", {"multiAz": False}),
    ("dms-instance-auto-minor-version-upgrade", "dms", {"autoMinorVersionUpgrade": False}),
    ("dms-endpoint-customer-managed-key", "endpoint", {"kmsKeyArn": None}),
    ("dms-endpoint-ssl", "endpoint", {"sslMode": "none"}),
    ("dms-endpoint-uses-secrets-manager", "endpoint", {"secretsManagerArn": None}),
    ("dms-task-logging-and-validation", "task", {"replicationTaskSettings": "{}"}),
    ("kms-key-rotation", "key", {"enableKeyRotation": False}),
    ("kms-key-enabled", "key", {"isEnabled": False}),
    ("kms-key-deletion-window", "key", {"deletionWindowInDays": 0}),
    (
        "kms-key-policy-no-wildcard-principal",
        "key",
        {
            "policy": '{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, '
            '"Action": "kms:*", "Resource": "*"}]}'
        },
    ),
    ("secretsmanager-customer-managed-key", "secret", {"kmsKeyId": None}),
    ("secretsmanager-recovery-window", "secret", {"recoveryWindowInDays": 0}),
    ("sqs-queue-encrypted", "queue", {"kmsMasterKeyId": None, "sqsManagedSseEnabled": False}),
    ("sqs-queue-customer-managed-key", "queue", {"kmsMasterKeyId": None}),
    ("sns-topic-encrypted", "topic", {"kmsMasterKeyId": None}),
    ("cloudwatch-log-group-customer-managed-key", "logs", {"kmsKeyId": None}),
    ("cloudwatch-log-group-retention", "logs", {"retentionInDays": None}),
    ("stream-processor-failure-handling", "mapping", {"maximumRetryAttempts": -1}),
    ("stream-processor-failure-handling", "mapping", {"destinationConfig": None}),
    (
        "security-group-no-public-ingress",
        "sg",
        {
            "ingress": [
                {"fromPort": 3306, "toPort": 3306, "cidrBlocks": ["0.0.0.0/0"], "description": "x"}
            ]
        },
    ),
    ("security-group-no-public-ingress", "sg-rule", {"cidrIpv4": "0.0.0.0/0"}),
    ("security-group-rule-description", "sg-rule", {"description": None}),
    ("supported-engine-version", "primary", {"engineVersion": "5.7.44"}),
    ("supported-engine-version", "redis", {"engineVersion": "6.2"}),
    ("allowed-instance-class", "primary", {"instanceClass": "db.m4.large"}),
    ("stack-kms-keys-in-use-rotate", "key", {"enableKeyRotation": False}),
    ("stack-no-plaintext-secrets", "primary", {"password": "hunter2hunter2"}),
    ("stack-no-plaintext-secrets", "redis", {"authToken": secret("literal-token-in-code")}),
]


def _mutated(target: str, changes: dict[str, Any]) -> tuple[list[Any], str]:
    resources = build()
    changed = with_inputs(resources[target], **changes)
    if "password" in changes or "authToken" in changes:
        # A literal typed into the program: its value did not come from any resource.
        deps = dict(changed.property_dependencies)
        deps.pop("password", None)
        deps.pop("authToken", None)
        changed = replace(changed, property_dependencies=deps)
    resources[target] = changed
    return list(resources.values()), changed.urn


def test_baseline_stack_is_clean(pack: Pack) -> None:
    report = pack.run(list(build().values()), CONFIG)
    assert report.violations == ()


def test_every_rule_has_a_violating_case() -> None:
    covered = {policy for policy, _, _ in CASES} | {
        "stack-stateful-resources-protected",
        "stack-database-alarms",
        "stack-read-replicas",
        "redshift-audit-logging",
    }
    assert {rule.meta.name for rule in RULES} == covered


@pytest.mark.parametrize(
    ("policy", "target", "changes"), CASES, ids=[f"{c[0]}:{c[1]}" for c in CASES]
)
def test_rule_reports_the_mutated_resource(
    pack: Pack, policy: str, target: str, changes: dict[str, Any]
) -> None:
    resources, target_urn = _mutated(target, changes)
    report = pack.run(resources, CONFIG)
    hits = [v for v in report.violations if v.policy == policy]
    assert hits, f"{policy} did not fire; got {[v.policy for v in report.violations]}"
    assert {v.urn for v in hits} == {target_urn}
    assert all(v.level == "mandatory" for v in hits)
    assert all("Fix:" in v.message for v in hits)


def test_advisory_level_from_config(pack: Pack) -> None:
    resources, target_urn = _mutated("primary", {"multiAz": False})
    report = pack.run(resources, {"all": "mandatory", "rds-instance-multi-az": "advisory"})
    assert [(v.policy, v.level, v.urn) for v in report.violations] == [
        ("rds-instance-multi-az", "advisory", target_urn)
    ]


def test_disabled_rule_reports_nothing(pack: Pack) -> None:
    resources, _ = _mutated("primary", {"multiAz": False})
    report = pack.run(resources, {"all": "mandatory", "rds-instance-multi-az": "disabled"})
    assert report.violations == ()


def test_threshold_from_config(pack: Pack) -> None:
    resources, target_urn = _mutated("primary", {"backupRetentionPeriod": 7})
    config = {"all": "mandatory", "rds-backup-retention": {"minimumDays": 14}}
    hits = [v for v in pack.run(resources, config).violations if v.policy == "rds-backup-retention"]
    assert {v.urn for v in hits} >= {target_urn}
    assert "at least 14" in hits[0].message


def test_stateful_resource_without_protect(pack: Pack) -> None:
    resources = build()
    resources["table"] = replace(resources["table"], protect=False)
    report = pack.run(list(resources.values()), CONFIG)
    assert [(v.policy, v.urn) for v in report.violations] == [
        ("stack-stateful-resources-protected", resources["table"].urn)
    ]


def test_database_without_alarm(pack: Pack) -> None:
    resources = build()
    del resources["alarm-redis"]
    report = pack.run(list(resources.values()), CONFIG)
    assert [(v.policy, v.urn) for v in report.violations] == [
        ("stack-database-alarms", resources["redis"].urn)
    ]
    # Alarms are only required when the config says so.
    relaxed = {"all": "mandatory", "stack-database-alarms": {"requireAlarms": False}}
    assert pack.run(list(resources.values()), relaxed).violations == ()


def test_alarm_matched_by_literal_dimension(pack: Pack) -> None:
    resources = build()
    alarm = resources["alarm-redis"]
    resources["alarm-redis"] = replace(
        with_inputs(alarm, dimensions={"ReplicationGroupId": "cache"}),
        property_dependencies={},
        dependencies=[],
    )
    assert pack.run(list(resources.values()), CONFIG).violations == ()


def test_primary_without_replica_and_cluster_without_reader(pack: Pack) -> None:
    resources = build()
    del resources["replica"], resources["alarm-replica"], resources["reader"]
    report = pack.run(list(resources.values()), CONFIG)
    assert sorted((v.policy, v.urn) for v in report.violations) == sorted(
        [
            ("stack-read-replicas", resources["primary"].urn),
            ("stack-read-replicas", resources["cluster"].urn),
        ]
    )


def test_redshift_without_audit_logging(pack: Pack) -> None:
    resources = build()
    del resources["redshift-logging"]
    report = pack.run(list(resources.values()), CONFIG)
    assert [(v.policy, v.urn) for v in report.violations] == [
        ("redshift-audit-logging", resources["warehouse"].urn)
    ]


def test_unknown_values_are_not_violations(pack: Pack) -> None:
    resources = build()
    resources["primary"] = with_inputs(
        resources["primary"],
        storageEncrypted=U,
        kmsKeyId=U,
        publiclyAccessible=U,
        backupRetentionPeriod=U,
        password=U,
    )
    resources["table"] = with_inputs(
        resources["table"], serverSideEncryption={"enabled": U, "kmsKeyArn": U}
    )
    resources["key"] = with_inputs(resources["key"], enableKeyRotation=U)
    report = pack.run(list(resources.values()), CONFIG)
    assert report.violations == ()


def test_read_replica_is_not_flagged_for_encryption(pack: Pack) -> None:
    resources = build()
    assert "storageEncrypted" not in resources["replica"].inputs
    assert "kmsKeyId" not in resources["replica"].inputs
    report = pack.run([resources["replica"]], {"all": "mandatory"})
    assert not [v for v in report.violations if "encrypt" in v.policy or "key" in v.policy]


def test_key_arn_constant_is_an_arn() -> None:
    assert KEY_ARN.startswith("arn:aws:kms:")
