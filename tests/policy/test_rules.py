"""Every rule, through the real gRPC path: the baseline stack is clean, and one mutation of one
resource produces exactly that rule's violation, on that resource, at the configured level."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from dbtier_policy.registry import RULES

from tests.policy.baseline import CASES, build
from tests.policy.policy_fixtures import Pack, with_inputs
from tests.policy.test_deploy_catalog import CATALOG_CASES

pytestmark = pytest.mark.policy

CONFIG: dict[str, Any] = {"all": "mandatory", "stack-database-alarms": {"requireAlarms": True}}
U = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


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
    covered = (
        {policy for policy, _, _ in CASES}
        | {policy for policy, *_ in CATALOG_CASES}
        | {
            "stack-stateful-resources-protected",
            "stack-database-alarms",
            "stack-read-replicas",
            "redshift-audit-logging",
            "database-secret-rotation",  # a stack rule: tests/policy/test_credentials_rules.py
            "security-group-ingress-union-private",  # a stack rule: test_network_union.py
            "backup-stateful-resources-selected",  # a stack rule: test_backup_rules.py
            "redshift-copy-role-scoped-s3",  # a stack rule: test_access_rules.py
            "stack-replica-placement",  # a stack rule: test_replica_placement.py
            "deploy-lambda-signed-code",  # a stack rule: test_deploy_signing.py
            "deploy-rds-pinned-minor-version",  # reads ignoreChanges: test_promise_rules.py
            # ElastiCache users and serverless caches: test_elasticache_rules.py, on real plans
            "elasticache-password-users-rotated",
            "elasticache-serverless-customer-managed-key",
            "elasticache-serverless-snapshot-retention",
            "deploy-elasticache-user-groups",
            "deploy-elasticache-iam-user-name",
            "deploy-elasticache-serverless-limits",
            # Secondary regions: test_region_rules.py, on a two-region stack with providers
            "replica-customer-managed-key",
            "replica-point-in-time-recovery",
            "replica-deletion-protection",
            "stack-replication-lag-alarms",
            "deploy-key-region",
            "deploy-global-table-replicas",
            "deploy-global-database-version",
            "deploy-cross-region-backups",
        }
    )
    assert {rule.meta.name for rule in RULES} == covered


def _case_id(policy: str, target: str, changes: dict[str, Any]) -> str:
    """``policy@target:input=value,...``: the rule expected, the resource and what was changed."""
    changed = ",".join(f"{k}={'removed' if v is None else v}" for k, v in changes.items())
    return f"{policy}@{target}:{changed}"[:120]


@pytest.mark.parametrize(("policy", "target", "changes"), CASES, ids=[_case_id(*c) for c in CASES])
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
    # The baseline keeps 7 days of backups on the RDS primary and on the Aurora cluster.
    resources = build()
    config = {"all": "mandatory", "rds-backup-retention": {"minimumDays": 14}}
    report = pack.run(list(resources.values()), config)
    assert sorted((v.policy, v.urn) for v in report.violations) == sorted(
        ("rds-backup-retention", resources[name].urn) for name in ("primary", "cluster")
    )
    assert all("at least 14" in v.message for v in report.violations)


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


def test_read_replica_is_not_flagged_for_what_it_inherits(pack: Pack) -> None:
    # A replica sets no encryption, key, backups or final snapshot: it takes its source's; nor
    # a Database Insights mode, which CreateDBInstanceReadReplica does not support.
    replica = build()["replica"]
    assert replica.inputs.get("databaseInsightsMode") is None
    report = pack.run([replica], {"all": "mandatory"})
    inherited = {
        "rds-instance-storage-encrypted",
        "rds-instance-customer-managed-key",
        "rds-backup-retention",
        "rds-final-snapshot",
        "rds-database-insights",
    }
    assert [v.policy for v in report.violations if v.policy in inherited] == []
    # The same inputs on a primary are violations: the replica is exempt, not the rules blind.
    primary = replace(with_inputs(replica, replicateSourceDb=None), property_dependencies={})
    flagged = {v.policy for v in pack.run([primary], {"all": "mandatory"}).violations}
    assert inherited <= flagged
