"""The Backup component on mocks (dev: off, nothing created; prod: an encrypted, locked vault, a
plan with a daily and a weekly rule, a selection of every stateful ARN, restore testing, job
failures sent to the alarm topic; copy when asked) and `dbtier:backup` config validation: every
field's bad value is refused with one message naming its key."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import botocore.session
import pytest

from awsdata import backup
from components.alarms.shape import topic_policy
from components.backup.schedule import check_cron
from components.stack_config import ConfigError, parse
from preflight.plan import Plan, PlannedResource
from tests.unit.conftest import of_type, one

VAULT = "aws:backup/vault:Vault"
PLAN = "aws:backup/plan:Plan"
SELECTION = "aws:backup/selection:Selection"
LOCK = "aws:backup/vaultLockConfiguration:VaultLockConfiguration"
TESTING_PLAN = "aws:backup/restoreTestingPlan:RestoreTestingPlan"
TESTING_SELECTION = "aws:backup/restoreTestingSelection:RestoreTestingSelection"
NOTIFICATIONS = "aws:backup/vaultNotifications:VaultNotifications"
TOPIC = "aws:sns/topic:Topic"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
NAMESPACE = "aws:redshiftserverless/namespace:Namespace"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
FAILURES_TOPIC = "alarms-failures-topic"
# Events AWS Backup still sends that carry a failed job (BACKUP_JOB_FAILED and
# RESTORE_JOB_FAILED are deprecated: AWS accepts them and sends nothing).
FAILURES = ["BACKUP_JOB_COMPLETED", "COPY_JOB_FAILED", "RESTORE_JOB_COMPLETED"]
ALARMS = {"enabled": True, "email": "oncall@example.com"}
# The enum PutBackupVaultNotifications takes, old values included (botocore's model).
BACKUP_VAULT_EVENTS = (
    botocore.session.get_session().get_service_model("backup").shape_for("BackupVaultEvent").enum
)
COPY_VAULT = "arn:aws:backup:us-west-2:123456789012:backup-vault:dbtier-prod-dr"


def stateful(plan: Plan) -> set[str]:
    """URNs of every resource AWS Backup must cover: RDS primaries (not replicas), Aurora
    clusters, DynamoDB tables, provisioned Redshift clusters and Redshift Serverless
    namespaces."""
    return {
        r.urn
        for type_ in (
            "aws:rds/instance:Instance",
            "aws:rds/cluster:Cluster",
            "aws:dynamodb/table:Table",
            "aws:redshift/cluster:Cluster",
            NAMESPACE,
        )
        for r in of_type(plan, type_)
        if "replicateSourceDb" not in r.inputs
    }


def covered_arns(selection: PlannedResource) -> set[str]:
    """URNs a restore testing selection's `protectedResourceArns` come from."""
    return set(selection.property_dependencies.get("protectedResourceArns", []))


def covered(selection: PlannedResource) -> set[str]:
    """URNs the selection's `resources` come from (the ARNs are those resources' outputs)."""
    return set(selection.property_dependencies.get("resources", []))


def test_dev_has_no_backup_resources(dev_plan: Plan) -> None:
    assert [r.name for r in dev_plan.resources if r.type.startswith("aws:backup/")] == []


def test_prod_vault_is_encrypted_with_the_stack_key_and_protected(prod_plan: Plan) -> None:
    vault = one(prod_plan, VAULT)
    key = one(prod_plan, "aws:kms/key:Key")
    assert vault.property_dependencies["kmsKeyArn"] == [key.urn]
    assert vault.inputs["kmsKeyArn"].startswith("arn:aws:kms:us-east-1:")
    assert vault.inputs["name"] == "dbtier-prod"
    assert vault.inputs["forceDestroy"] is False
    assert vault.protect


def test_prod_plan_has_a_daily_and_a_weekly_rule_with_their_retention(prod_plan: Plan) -> None:
    rules = {r["ruleName"]: r for r in one(prod_plan, PLAN).inputs["rules"]}
    assert set(rules) == {"daily", "weekly"}
    assert rules["daily"]["schedule"] == "cron(0 10 ? * * *)"  # Pulumi.prod.yaml
    assert rules["daily"]["lifecycle"] == {"deleteAfter": 35}
    assert rules["weekly"]["schedule"] == "cron(0 12 ? * SUN *)"  # Pulumi.prod.yaml
    assert rules["weekly"]["lifecycle"] == {"deleteAfter": 365}  # Pulumi.prod.yaml
    assert all(r["targetVaultName"] == "dbtier-prod" for r in rules.values())
    assert all("copyActions" not in r for r in rules.values())


def test_prod_selection_covers_every_stateful_resource_and_no_replica(prod_plan: Plan) -> None:
    selection = one(prod_plan, SELECTION)
    expected = stateful(prod_plan)
    assert len(expected) == 4  # relational primary, aurora cluster, redshift cluster, one table
    # The engine sees the selection's ARNs come from exactly those resources (the policy rule
    # relies on it), and each ARN is the kind of ARN AWS Backup takes.
    assert covered(selection) == expected
    arns = selection.inputs["resources"]
    assert len(arns) == 4 and all(arn.startswith("arn:aws:") for arn in arns)
    assert {arn.split(":")[2] for arn in arns} == {"rds", "dynamodb", "redshift"}
    replicas = [
        r.urn
        for r in of_type(prod_plan, "aws:rds/instance:Instance")
        if "replicateSourceDb" in r.inputs
    ]
    assert len(replicas) == 2 and not set(replicas) & covered(selection)
    assert selection.property_dependencies["planId"] == [one(prod_plan, PLAN).urn]


def test_prod_role_has_aws_backups_managed_policies(prod_plan: Plan) -> None:
    role = next(r for r in of_type(prod_plan, "aws:iam/role:Role") if r.name == "backup-role")
    assert "backup.amazonaws.com" in role.inputs["assumeRolePolicy"]
    attached = {
        r.inputs["policyArn"]
        for r in of_type(prod_plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if r.name.startswith("backup-role-")
    }
    assert attached == {
        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
    }
    assert one(prod_plan, SELECTION).property_dependencies["iamRoleArn"] == [role.urn]


def test_prod_vault_lock_is_governance_mode(prod_plan: Plan) -> None:
    lock = one(prod_plan, LOCK)
    assert lock.inputs["backupVaultName"] == "dbtier-prod"
    assert (lock.inputs["minRetentionDays"], lock.inputs["maxRetentionDays"]) == (7, 400)
    assert "changeableForDays" not in lock.inputs  # governance: no grace time, removable
    assert lock.protect


def test_prod_restore_testing_tests_each_supported_type(prod_plan: Plan) -> None:
    testing = one(prod_plan, TESTING_PLAN)
    vault = one(prod_plan, VAULT)
    assert testing.inputs["name"] == "dbtier_prod"
    assert testing.property_dependencies["recoveryPointSelection"] == [vault.urn]
    selections = {
        r.inputs["protectedResourceType"]: r for r in of_type(prod_plan, TESTING_SELECTION)
    }
    assert set(selections) == {"RDS", "Aurora", "DynamoDB"}
    tested = {u for s in selections.values() for u in covered_arns(s)}
    redshift = {r.urn for r in of_type(prod_plan, "aws:redshift/cluster:Cluster")}
    assert tested == stateful(prod_plan) - redshift


def test_compliance_lock_and_copy(plan_with: Callable[..., Plan]) -> None:
    plan = plan_with(
        "prod",
        backup={
            "enabled": True,
            "copyTo": COPY_VAULT,
            "vaultLock": {"enabled": True, "mode": "compliance", "changeableForDays": 7},
        },
    )
    assert one(plan, LOCK).inputs["changeableForDays"] == 7
    for rule in one(plan, PLAN).inputs["rules"]:
        assert rule["copyActions"] == [
            {
                "destinationVaultArn": COPY_VAULT,
                "lifecycle": {"deleteAfter": rule["lifecycle"]["deleteAfter"]},
            }
        ]
    assert of_type(plan, TESTING_PLAN) == []  # restore testing off unless asked


def test_serverless_warehouse_namespace_is_selected(plan_with: Callable[..., Plan]) -> None:
    plan = plan_with("dev", backup={"enabled": True, "restoreTesting": {"enabled": True}})
    selection = one(plan, SELECTION)
    namespace = one(plan, NAMESPACE)
    assert covered(selection) == stateful(plan)
    assert len(covered(selection)) == 4  # primary, aurora cluster, table, namespace
    assert namespace.urn in covered(selection)
    (arn,) = [a for a in selection.inputs["resources"] if ":redshift-serverless:" in a]
    assert arn.startswith("arn:aws:redshift-serverless:us-east-1:") and ":namespace/" in arn
    assert of_type(plan, LOCK) == []
    # Restore testing takes no Redshift type: the namespace is backed up, not restore tested.
    tested = {u for s in of_type(plan, TESTING_SELECTION) for u in covered_arns(s)}
    assert tested and namespace.urn not in tested
    assert {s.inputs["protectedResourceType"] for s in of_type(plan, TESTING_SELECTION)} == {
        "RDS",
        "Aurora",
        "DynamoDB",
    }


def test_prod_vault_sends_job_failures_to_the_failures_topic(prod_plan: Plan) -> None:
    notifications = one(prod_plan, NOTIFICATIONS)
    vault, topic = one(prod_plan, VAULT), one(prod_plan, TOPIC, FAILURES_TOPIC)
    assert topic.inputs["kmsMasterKeyId"].startswith("arn:aws:kms:")
    assert notifications.inputs["backupVaultEvents"] == FAILURES
    assert notifications.inputs["backupVaultName"] == "dbtier-prod"
    assert notifications.property_dependencies["backupVaultName"] == [vault.urn]
    assert notifications.property_dependencies["snsTopicArn"] == [topic.urn]


def test_prod_backup_notifications_use_only_events_aws_sends_with_a_failed_state_filter(
    prod_plan: Plan,
) -> None:
    events = one(prod_plan, NOTIFICATIONS).inputs["backupVaultEvents"]
    assert not set(events) & backup.DEPRECATED_VAULT_EVENTS
    assert set(events) <= set(BACKUP_VAULT_EVENTS)
    subscription = one(prod_plan, SUBSCRIPTION, "alarms-failures-email")
    assert subscription.property_dependencies["topic"] == [
        one(prod_plan, TOPIC, FAILURES_TOPIC).urn
    ]
    assert (
        subscription.inputs["endpoint"]
        == one(prod_plan, SUBSCRIPTION, "alarms-email").inputs["endpoint"]
    )
    assert subscription.inputs["filterPolicyScope"] == "MessageAttributes"
    policy = json.loads(subscription.inputs["filterPolicy"])
    # What reaches the email: a backup or restore that ended in failure.
    assert passes(policy, {"EventType": "BACKUP_JOB", "State": "FAILED"})
    assert passes(policy, {"EventType": "RESTORE_JOB", "State": "FAILED"})
    assert passes(policy, {"EventType": "BACKUP_JOB", "State": "EXPIRED"})
    assert passes(policy, {"EventType": "COPY_JOB", "State": "PARTIAL"})
    assert passes(policy, {"EventType": "COPY_JOB"})  # a failure event without a State
    assert not passes(policy, {"EventType": "BACKUP_JOB", "State": "COMPLETED"})
    assert not passes(policy, {"EventType": "RESTORE_JOB", "State": "COMPLETED"})


def test_prod_alarms_reach_an_unfiltered_subscription(prod_plan: Plan) -> None:
    """A CloudWatch alarm's notification carries no attributes, which no filter policy lets
    through: the alarm topic's email has none, and every alarm notifies that topic."""
    alarm_topic = one(prod_plan, TOPIC, "alarms-topic")
    subscription = one(prod_plan, SUBSCRIPTION, "alarms-email")
    assert subscription.property_dependencies["topic"] == [alarm_topic.urn]
    assert "filterPolicy" not in subscription.inputs
    assert not passes(json.loads(one(prod_plan, SUBSCRIPTION, "alarms-failures-email").inputs[
        "filterPolicy"
    ]), {})  # fmt: skip
    for alarm in of_type(prod_plan, "aws:cloudwatch/metricAlarm:MetricAlarm"):
        assert alarm.property_dependencies["alarmActions"] == [alarm_topic.urn]


def passes(policy: dict[str, list[Any]], attributes: dict[str, str]) -> bool:
    """Whether SNS delivers a message with string `attributes` under a MessageAttributes filter
    `policy` (the operators the stack uses: exact strings and {"exists": bool}). A message with
    no attributes matches no policy: {"exists": false} "only matches if at least one attribute
    is present" (https://docs.aws.amazon.com/sns/latest/dg/attribute-key-matching.html)."""
    if not attributes:
        return False

    def matches(condition: Any, name: str) -> bool:
        if isinstance(condition, dict):
            return (name in attributes) == condition["exists"]
        return attributes.get(name) == condition

    return all(any(matches(c, name) for c in allowed) for name, allowed in policy.items())


def test_prod_failures_topic_policy_lets_backup_publish(prod_plan: Plan) -> None:
    topic = one(prod_plan, TOPIC, FAILURES_TOPIC)
    policy = one(prod_plan, TOPIC_POLICY)
    assert policy.property_dependencies["arn"] == [topic.urn]
    statements = {s["Sid"]: s for s in json.loads(policy.inputs["policy"])["Statement"]}
    topic_arn = one(prod_plan, NOTIFICATIONS).inputs["snsTopicArn"]
    assert topic_arn.startswith("arn:aws:sns:us-east-1:")
    account = statements["AccountOwnsTopic"]["Principal"]["AWS"]
    assert statements["AccountOwnsTopic"]["Resource"] == topic_arn
    assert "CloudwatchPublishes" not in statements  # alarms go to the alarm topic
    for sid, service in (("BackupPublishes", "backup.amazonaws.com"),):
        assert statements[sid]["Principal"] == {"Service": service}
        assert statements[sid]["Action"] == "sns:Publish"
        assert statements[sid]["Resource"] == topic_arn
        assert statements[sid]["Condition"] == {"StringEquals": {"aws:SourceAccount": account}}


def test_prod_key_policy_lets_backup_use_the_topics_key(prod_plan: Plan) -> None:
    key = one(prod_plan, "aws:kms/key:Key")
    statements = {s["Sid"]: s for s in json.loads(key.inputs["policy"])["Statement"]}
    backup = statements["BackupPublishesToEncryptedTopic"]
    assert backup["Principal"] == {"Service": "backup.amazonaws.com"}
    assert backup["Action"] == ["kms:Decrypt", "kms:GenerateDataKey*"]
    assert set(backup["Condition"]["StringEquals"]) == {"aws:SourceAccount"}


def test_backups_without_alarms_notify_nobody_and_keep_the_default_topic_policy(
    plan_with: Callable[..., Plan],
) -> None:
    plan = plan_with("dev", backup={"enabled": True})
    assert of_type(plan, NOTIFICATIONS) == [] and of_type(plan, TOPIC) == []
    alarms_only = plan_with("dev", alarms=ALARMS)
    assert of_type(alarms_only, TOPIC_POLICY) == []  # no Backup publishing: SNS's default
    assert "filterPolicy" not in one(alarms_only, SUBSCRIPTION).inputs  # alarms alone: all pass
    assert len(of_type(alarms_only, TOPIC)) == 1  # no failures topic without Backup
    both = plan_with("dev", alarms=ALARMS, backup={"enabled": True})
    assert one(both, NOTIFICATIONS).inputs["backupVaultEvents"] == FAILURES
    assert len(of_type(both, TOPIC_POLICY)) == 1


# --- config -------------------------------------------------------------------------------------


def test_defaults() -> None:
    cfg = parse({}).backup
    assert not cfg.enabled and cfg.copy_to is None
    assert not cfg.vault_lock.enabled and not cfg.restore_testing.enabled
    assert (cfg.daily.retention_days, cfg.weekly.retention_days) == (35, 90)


BAD: list[tuple[dict[str, Any], str]] = [
    ({"enabled": "yes"}, r"dbtier:backup\.enabled must be true or false"),
    ({"daily": []}, r"dbtier:backup\.daily must be an object"),
    ({"daily": {"schedule": "rate(1 day)"}}, r"dbtier:backup\.daily\.schedule must be cron\("),
    ({"daily": {"schedule": "cron(0 6 * * *)"}}, r"daily\.schedule must be cron\("),
    ({"weekly": {"schedule": "cron(0 6 * * SUN *)"}}, r"weekly\.schedule: exactly one of"),
    (
        {"daily": {"schedule": "cron(*/5 * ? * * *)"}},
        r"daily\.schedule: the minute .* once an hour",
    ),
    ({"daily": {"retentionDays": 0}}, r"daily\.retentionDays must be between 1 and 36500"),
    ({"weekly": {"retentionDays": 36501}}, r"weekly\.retentionDays must be between"),
    (
        {"weekly": {"retentionDays": 100, "coldStorageAfterDays": 30}},
        r"weekly\.retentionDays must be at least coldStorageAfterDays \+ 90",
    ),
    ({"daily": {"coldStorageAfterDays": 0}}, r"daily\.coldStorageAfterDays must be between"),
    (
        {"daily": {"startWindowMinutes": 30}},
        r"daily\.startWindowMinutes must be between 60 and 52560000 \(got 30\)",
    ),
    (
        {"weekly": {"startWindowMinutes": 52_560_001}},
        r"weekly\.startWindowMinutes must be between 60 and 52560000",
    ),
    ({"daily": {"completionWindowMinutes": 0}}, r"daily\.completionWindowMinutes must be >= 1"),
    ({"daily": {"completionWindowMinutes": "8h"}}, r"completionWindowMinutes must be an integer"),
    ({"daily": {"retention": 7}}, r"dbtier:backup\.daily\.retention is not a known setting"),
    ({"vaultLock": {"enabled": 1}}, r"vaultLock\.enabled must be true or false"),
    ({"vaultLock": {"mode": "strict"}}, r"vaultLock\.mode must be one of governance, compliance"),
    ({"vaultLock": {"minRetentionDays": 0}}, r"vaultLock\.minRetentionDays must be between"),
    ({"vaultLock": {"maxRetentionDays": 40000}}, r"vaultLock\.maxRetentionDays must be between"),
    (
        {"vaultLock": {"mode": "compliance", "changeableForDays": 2}},
        r"vaultLock\.changeableForDays must be between 3",
    ),
    ({"vaultLock": {"changeableForDays": 5}}, r"changeableForDays applies to mode compliance"),
    (
        {"vaultLock": {"minRetentionDays": 30, "maxRetentionDays": 10}},
        r"vaultLock\.minRetentionDays must be <= maxRetentionDays",
    ),
    (
        {"vaultLock": {"enabled": True, "minRetentionDays": 40}},
        r"dbtier:backup\.daily\.retentionDays must be within dbtier:backup\.vaultLock's 40-3650",
    ),
    (
        {"vaultLock": {"enabled": True, "maxRetentionDays": 60}},
        r"dbtier:backup\.weekly\.retentionDays must be within",
    ),
    ({"copyTo": "dbtier-dr"}, r"dbtier:backup\.copyTo must be an AWS Backup vault ARN"),
    (
        {"copyTo": "arn:aws:backup:us-west-2:123456789012:vault:dr"},
        r"copyTo must be an AWS Backup vault ARN",
    ),
    (
        {"copyTo": "arn:aws:backup:us-east-1:123456789012:backup-vault:dr"},
        r"copyTo must be a vault in another region than the stack's us-east-1",
    ),
    (
        {"copyTo": "arn:aws-cn:backup:cn-north-1:123456789012:backup-vault:dr"},
        r"copyTo must be a vault in the stack's partition aws",
    ),
    ({"restoreTesting": {"enabled": "on"}}, r"restoreTesting\.enabled must be true or false"),
    ({"restoreTesting": {"schedule": "weekly"}}, r"restoreTesting\.schedule must be cron\("),
    ({"restoreTesting": {"selectionWindowDays": 366}}, r"selectionWindowDays must be between 1"),
    ({"restoreTesting": {"startWindowHours": 0}}, r"startWindowHours must be between 1 and 168"),
    ({"vault": "x"}, r"dbtier:backup\.vault is not a known setting"),
]


@pytest.mark.parametrize(("raw", "message"), BAD, ids=[m[:40] for _, m in BAD])
def test_bad_backup_config_is_refused_naming_the_key(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse({"dbtier:backup": raw}, region="us-east-1")


def test_vault_name_is_checked_against_aws_rules() -> None:
    # RDS identifiers (built from the stack name too) are shorter: leave those parts out.
    no_rds = {"dbtier:relational": {"enabled": False}, "dbtier:aurora": {"enabled": False}}
    with pytest.raises(ConfigError, match=r"dbtier:backup.*AWS Backup vault name"):
        parse({**no_rds, "dbtier:backup": {"enabled": True}}, stack="x" * 45)
    parse({**no_rds, "dbtier:backup": {"enabled": False}}, stack="x" * 45)  # no vault: no name


def test_aws_window_bounds_are_accepted() -> None:
    # AWS's own bounds: a start window up to 100 years; a completion window of any length and
    # shorter than the start window (they count from different moments).
    rule = parse(
        {
            "dbtier:backup": {
                "daily": {"startWindowMinutes": 52_560_000, "completionWindowMinutes": 120}
            }
        }
    ).backup.daily
    assert (rule.start_window_minutes, rule.completion_window_minutes) == (52_560_000, 120)
    weekly = parse(
        {"dbtier:backup": {"weekly": {"startWindowMinutes": 480, "completionWindowMinutes": 60}}}
    ).backup.weekly
    assert (weekly.start_window_minutes, weekly.completion_window_minutes) == (480, 60)


@pytest.mark.parametrize(
    "schedule",
    [
        "cron(0 6 ? * * *)",
        "cron(30 1,13 ? * MON-FRI *)",
        "cron(0 5 1 * ? *)",
        "cron(0 */6 ? * * *)",
        "cron(0 5 L * ? *)",
        "cron(0 5 15W * ? *)",
        "cron(0 5 ? * 6L *)",
        "cron(0 5 ? * 2#1 *)",
        "cron(0 5 29 FEB ? *)",
        "cron(0 5 1 jan ? *)",
        "cron(0 5 1 * ? 2026-2199)",
    ],
)
def test_valid_schedules(schedule: str) -> None:
    check_cron("k", schedule)


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        ("cron(0 25 ? * * *)", "the hours field is not a value, range or step of 0-23"),
        ("cron(0 6 0 * ? *)", "the day-of-month field"),
        ("cron(0 6 ? 13 * *)", "the month field is not a value, range or step of 1-12 or JAN-DEC"),
        ("cron(0 6 ? * 8 *)", "the day-of-week field"),
        ("cron(0 6 ? * 1-9 *)", "the day-of-week field"),
        ("cron(0 6 ? * */0 *)", "the day-of-week field"),
        ("cron(0 6 ? * * 2200)", "the year field"),
        ("cron(Hunter2pass 6 ? * * *)", "the minutes field"),
        ("cron(*/5 6 ? * * *)", "the minute must be one number 0-59"),
        ("cron(0 6 * * * *)", "exactly one of day-of-month and day-of-week must be ?"),
        ("cron(0 6 ? * * * *)", "must be cron(minutes hours"),
        ("cron(0 6 31 2 ? *)", "no month it names has that day: it would never run"),
        ("cron(0 6 30 FEB,APR ? *)", None),  # April has a 30th: that one runs
        ("cron(0 6 ? * * 1999)", "every year it names has passed: it would never run"),
        # Only ASCII: fields split by a no-break space, or a full-width digit (which int() and
        # str.isdigit() take), are not cron to AWS.
        ("cron(0\u00a06 ? * * *)", "must be cron(minutes hours"),
        ("cron(\uff10 6 ? * * *)", "must be cron(minutes hours"),
        ("cron(0 \u0666 ? * * *)", "must be cron(minutes hours"),
    ],
)
def test_schedules_aws_refuses_or_that_never_run(schedule: str, message: str | None) -> None:
    if message is None:
        check_cron("dbtier:backup.daily.schedule", schedule)
        return
    with pytest.raises(ConfigError, match=re.escape(message)) as err:
        check_cron("dbtier:backup.daily.schedule", schedule)
    assert str(err.value).startswith("dbtier:backup.daily.schedule")
    assert "Hunter2pass" not in str(err.value)


def test_topic_policy_restates_the_account_and_adds_each_publisher() -> None:
    arn = "arn:aws:sns:us-east-1:123456789012:alarms"
    doc = json.loads(topic_policy(arn, "123456789012", ["backup.amazonaws.com"]))
    by_sid = {s["Sid"]: s for s in doc["Statement"]}
    assert list(by_sid) == ["AccountOwnsTopic", "BackupPublishes"]  # CloudWatch: the alarm topic
    assert by_sid["AccountOwnsTopic"]["Principal"] == {"AWS": "123456789012"}
    assert "sns:Publish" in by_sid["AccountOwnsTopic"]["Action"]
    assert all(s["Resource"] == arn for s in doc["Statement"])
    # Only the account's own events: no other account's vault can publish through AWS Backup.
    condition = {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    assert by_sid["BackupPublishes"]["Condition"] == condition
    assert "Condition" not in by_sid["AccountOwnsTopic"]
