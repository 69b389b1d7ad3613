"""The AWS Backup rules through the real gRPC path: every RDS primary, Aurora cluster, DynamoDB
table, Redshift cluster and Redshift Serverless namespace is in a backup selection (by the selection's dependencies, as in a
real preview where ARNs are unknown, or by a known ARN or ARN pattern), read replicas are not
required, the rule is mandatory with prod's config and advisory with dev's; a vault without
a customer-managed key is reported; and in a stack with alarms, a vault that does not send its
job failures to an SNS topic is reported."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from preflight.plan import PlannedResource
from tests.policy.baseline import BACKED_UP, build
from tests.policy.policy_fixtures import ROOT, Pack, with_inputs

pytestmark = pytest.mark.policy

RULE = "backup-stateful-resources-selected"
VAULT_RULE = "backup-vault-customer-managed-key"
NOTIFY_RULE = "backup-vault-failure-notifications"
ALL: dict[str, Any] = {"all": "mandatory"}
# The baseline's databases by the ARNs AWS would give them (identifiers from baseline.py).
ARNS = {
    "primary": "arn:aws:rds:us-east-1:123456789012:db:db-primary",
    "cluster": "arn:aws:rds:us-east-1:123456789012:cluster:aurora",
    "table": "arn:aws:dynamodb:us-east-1:123456789012:table/orders",
    "warehouse": "arn:aws:redshift:us-east-1:123456789012:cluster:warehouse",
}


def config(stack: str) -> dict[str, Any]:
    return json.loads((ROOT / "policy" / "config" / f"{stack}.json").read_text())  # type: ignore[no-any-return]


def flagged(
    pack: Pack, resources: dict[str, PlannedResource], cfg: dict[str, Any] | None = None
) -> dict[str, str]:
    """URN -> level of every violation of the selection rule."""
    report = pack.run(list(resources.values()), cfg or ALL)
    return {v.urn: v.level for v in report.violations if v.policy == RULE}


def selection_of(resources: dict[str, PlannedResource], arns: list[str]) -> PlannedResource:
    """The baseline's selection listing known `arns`, with no dependency on any database."""
    selection = with_inputs(resources["selection"], resources=arns)
    return replace(
        selection,
        property_dependencies={"planId": [resources["plan"].urn]},
        dependencies=[resources["plan"].urn],
    )


def test_a_selection_that_depends_on_every_database_is_compliant(pack: Pack) -> None:
    # The baseline's selection lists unknown ARNs (a real preview): its dependencies count.
    assert flagged(pack, build()) == {}


@pytest.mark.parametrize(("stack", "level"), [("prod", "mandatory"), ("dev", "advisory")])
def test_without_a_selection_every_database_but_the_replica_is_reported(
    pack: Pack, stack: str, level: str
) -> None:
    resources = build()
    del resources["selection"]
    found = flagged(pack, resources, config(stack))
    assert found == {resources[name].urn: level for name in BACKED_UP}
    assert resources["replica"].urn not in found


def test_a_database_the_selection_does_not_depend_on_is_reported(pack: Pack) -> None:
    resources = build()
    selection = resources["selection"]
    kept = [resources[name] for name in ("primary", "cluster", "warehouse", "namespace")]
    resources["selection"] = replace(
        selection,
        property_dependencies={
            **selection.property_dependencies,
            "resources": [r.urn for r in kept],
        },
    )
    assert flagged(pack, resources) == {resources["table"].urn: "mandatory"}


def test_known_arns_name_the_databases(pack: Pack) -> None:
    resources = build()
    resources["selection"] = selection_of(resources, [ARNS["primary"], ARNS["table"]])
    uncovered = {"cluster", "warehouse", "namespace"}
    assert set(flagged(pack, resources)) == {resources[name].urn for name in uncovered}


@pytest.mark.parametrize(
    ("patterns", "uncovered"),
    [
        (["*"], set()),
        (["arn:aws:rds:*:*:db:*"], {"cluster", "table", "warehouse", "namespace"}),
        (
            ["arn:aws:rds:*:*:cluster:*", "arn:aws:*:*:*:table/ord*"],
            {"primary", "warehouse", "namespace"},
        ),
        # Another database's ARN does not cover this one.
        (["arn:aws:rds:us-east-1:123456789012:db:db-other"], set(BACKED_UP)),
    ],
)
def test_arn_patterns(pack: Pack, patterns: list[str], uncovered: set[str]) -> None:
    resources = build()
    resources["selection"] = selection_of(resources, patterns)
    assert set(flagged(pack, resources)) == {resources[name].urn for name in uncovered}


def test_a_vault_without_a_customer_key_is_reported_and_with_one_is_not(pack: Pack) -> None:
    resources = build()
    assert [
        v for v in pack.run(list(resources.values()), ALL).violations if v.policy == VAULT_RULE
    ] == []
    resources["vault"] = with_inputs(resources["vault"], kmsKeyArn=None)
    found = [
        v
        for v in pack.run(list(resources.values()), config("dev")).violations
        if v.policy == VAULT_RULE
    ]
    # Encryption: mandatory even in dev.
    assert [(v.urn, v.level) for v in found] == [(resources["vault"].urn, "mandatory")]
    assert "aws/backup" in found[0].message and "Fix:" in found[0].message


# --- job failures reach someone ------------------------------------------------------------------


def notify_flagged(
    pack: Pack, resources: dict[str, PlannedResource], cfg: dict[str, Any] | None = None
) -> dict[str, str]:
    report = pack.run(list(resources.values()), cfg or ALL)
    return {v.urn: v.level for v in report.violations if v.policy == NOTIFY_RULE}


def test_a_vault_notifying_the_alarm_topic_of_every_failure_is_compliant(pack: Pack) -> None:
    assert notify_flagged(pack, build(), config("prod")) == {}


@pytest.mark.parametrize(("stack", "level"), [("prod", "mandatory"), ("dev", "advisory")])
def test_a_vault_without_notifications_is_reported(pack: Pack, stack: str, level: str) -> None:
    resources = build()
    del resources["vault-notifications"]
    found = [
        v
        for v in pack.run(list(resources.values()), config(stack)).violations
        if v.policy == NOTIFY_RULE
    ]
    assert [(v.urn, v.level) for v in found] == [(resources["vault"].urn, level)]
    assert "BACKUP_JOB_COMPLETED, COPY_JOB_FAILED, RESTORE_JOB_COMPLETED" in found[0].message
    assert "dbtier:alarms" in found[0].message


def test_a_missing_failure_event_is_named(pack: Pack) -> None:
    resources = build()
    resources["vault-notifications"] = with_inputs(
        resources["vault-notifications"],
        # RESTORE_JOB_FAILED is deprecated: it does not stand for RESTORE_JOB_COMPLETED.
        backupVaultEvents=["BACKUP_JOB_COMPLETED", "COPY_JOB_FAILED", "RESTORE_JOB_FAILED"],
    )
    report = pack.run(list(resources.values()), ALL)
    (violation,) = [v for v in report.violations if v.policy == NOTIFY_RULE]
    assert violation.urn == resources["vault-notifications"].urn
    assert "sends no RESTORE_JOB_COMPLETED events" in violation.message


def test_notifications_of_another_vault_do_not_count(pack: Pack) -> None:
    resources = build()
    resources["vault-notifications"] = replace(
        with_inputs(resources["vault-notifications"], backupVaultName="other-vault"),
        property_dependencies={"snsTopicArn": [resources["alarms-topic"].urn]},
        dependencies=[resources["alarms-topic"].urn],
    )
    assert notify_flagged(pack, resources) == {resources["vault"].urn: "mandatory"}


def test_notifications_to_no_topic_do_not_count(pack: Pack) -> None:
    resources = build()
    resources["vault-notifications"] = replace(
        with_inputs(resources["vault-notifications"], snsTopicArn="nowhere"),
        property_dependencies={"backupVaultName": [resources["vault"].urn]},
        dependencies=[resources["vault"].urn],
    )
    found = notify_flagged(pack, resources)
    assert found == {resources["vault-notifications"].urn: "mandatory"}


def test_a_vault_named_by_a_literal_and_a_topic_arn_is_compliant(pack: Pack) -> None:
    resources = build()
    resources["vault-notifications"] = replace(
        resources["vault-notifications"], property_dependencies={}, dependencies=[]
    )
    assert notify_flagged(pack, resources) == {}


def test_without_alarms_the_rule_asks_nothing(pack: Pack) -> None:
    # No alarm, no topic anyone watches: backups alone (dev) are not required to notify.
    resources = {
        k: r
        for k, r in build().items()
        if k != "vault-notifications" and r.type != "aws:cloudwatch/metricAlarm:MetricAlarm"
    }
    assert notify_flagged(pack, resources) == {}
