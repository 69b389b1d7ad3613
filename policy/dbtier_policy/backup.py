"""AWS Backup rules: every stateful resource is in a backup selection, the vault that holds
the recovery points is encrypted with a customer-managed key, and, in a stack with alarms, the
vault reports failed jobs to an SNS topic.

A selection covers a resource when its ``resources`` input depends on that resource (the engine's
property dependencies: the ARN is an Output, unknown at preview, but the graph is known), or when
one of its known ARNs or ARN patterns names it by its identifier.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from fnmatch import fnmatchcase
from typing import Any

from pulumi_policy import PolicyResource, Severity

from awsdata import backup

from ._common import Resource, Rule, RuleMeta, deps_of, is_off, is_unknown, prop
from .deploy_relations import TOPIC, linked, of_type
from .regions import global_secondaries

SELECTION = "aws:backup/selection:Selection"
VAULT = "aws:backup/vault:Vault"
NOTIFICATIONS = "aws:backup/vaultNotifications:VaultNotifications"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
RDS_INSTANCE = "aws:rds/instance:Instance"

# What must be backed up, and how its ARN names it: (service, resource part before the name,
# the input holding the name). RDS read replicas are left out: they copy the primary's data.
STATEFUL: dict[str, tuple[str, str, str]] = {
    RDS_INSTANCE: ("rds", "db:", "identifier"),
    "aws:rds/cluster:Cluster": ("rds", "cluster:", "clusterIdentifier"),
    "aws:dynamodb/table:Table": ("dynamodb", "table/", "name"),
    "aws:redshift/cluster:Cluster": ("redshift", "cluster:", "clusterIdentifier"),
    # AWS Backup's `Redshift Serverless` type; the ARN names the namespace by its id, an output.
    "aws:redshiftserverless/namespace:Namespace": (
        "redshift-serverless",
        "namespace/",
        "namespaceId",
    ),
}
SELECTION_DOCS = "https://docs.aws.amazon.com/aws-backup/latest/devguide/assigning-resources.html"
# The vault events AWS Backup still sends that carry a failed job (awsdata.backup).
FAILURE_EVENTS = frozenset(backup.FAILURE_EVENTS)


def _names(pattern: str, service: str, kind: str, name: str) -> bool:
    """Whether the ARN (or ARN pattern, with * wildcards) `pattern` names `kind name` of
    `service` in any region and account."""
    if pattern == "*":
        return True
    parts = pattern.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return False
    return fnmatchcase(service, parts[2]) and fnmatchcase(f"{kind}{name}", parts[5])


def stateful_in_selection(
    resources: Sequence[PolicyResource], _c: Mapping[str, Any]
) -> Iterator[tuple[str, str]]:
    selected: set[str] = set()
    patterns: list[str] = []
    for selection in (r for r in resources if r.resource_type == SELECTION):
        selected.update(dep.urn for dep in deps_of(selection, "resources"))
        items = prop(selection.props, "resources", default=[])
        if isinstance(items, list):
            patterns += [i for i in items if isinstance(i, str) and not is_unknown(i)]
    if "*" in patterns:
        return  # every resource of the account, whatever its identifier
    # A global database's secondary holds the primary's data, in a region the stack's vault
    # (AWS Backup is regional) cannot select: the primary's backups cover it.
    selected.update(c.urn for c in global_secondaries(resources))
    for r in resources:
        spec = STATEFUL.get(r.resource_type)
        if spec is None or r.urn in selected:
            continue
        if r.resource_type == RDS_INSTANCE and prop(r.props, "replicateSourceDb") is not None:
            continue  # a read replica (or unknown whether it is one)
        service, kind, key = spec
        name = prop(r.props, key)
        known = isinstance(name, str) and not is_unknown(name)
        if known and any(_names(p, service, kind, name) for p in patterns):
            continue
        yield r.urn, f"'{r.name}' ({r.resource_type}) is in no AWS Backup selection."


def vault_customer_managed_key(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    if is_off(r.get("kmsKeyArn")):
        yield (
            f"Backup vault '{r.name}' has no kmsKeyArn: its recovery points use the AWS-managed "
            "aws/backup key."
        )


def vault_failures_notified(
    resources: Sequence[PolicyResource], _c: Mapping[str, Any]
) -> Iterator[tuple[str, str]]:
    """In a stack with alarms, each backup vault sends every job-failure event to an SNS topic:
    a failed backup is otherwise seen only by someone who opens the AWS Backup console."""
    if not of_type(resources, ALARM):
        return
    notifications = of_type(resources, NOTIFICATIONS)
    topics = of_type(resources, TOPIC)
    for vault in of_type(resources, VAULT):
        missing = set(FAILURE_EVENTS)
        mine = [
            n
            for n in notifications
            if vault.urn in {v.urn for v in linked(n, "backupVaultName", [vault], "name")}
        ]
        for n in mine:
            events = prop(n.props, "backupVaultEvents")
            topic = prop(n.props, "snsTopicArn")
            sends = linked(n, "snsTopicArn", topics, "arn", "name") or (
                isinstance(topic, str) and topic.startswith("arn:") and ":sns:" in topic
            )
            if sends and isinstance(events, list):
                missing -= set(events)
        if missing:
            # Report what to change: the vault's notifications when it has some, else the vault.
            target = mine[0] if mine else vault
            yield (
                target.urn,
                f"Backup vault '{vault.name}' sends no {', '.join(sorted(missing))} events to an"
                " SNS topic: failed backups reach nobody.",
            )


RULES: list[Rule] = [
    Rule(
        RuleMeta(
            name="backup-stateful-resources-selected",
            description="Every RDS primary, Aurora cluster, DynamoDB table, Redshift cluster and "
            "Redshift Serverless namespace is in an AWS Backup selection.",
            severity=Severity.HIGH,
            category="backup",
            remediation="set dbtier:backup.enabled to true: its selection lists every database "
            "of the stack.",
            checkov=("CKV2_AWS_8",),
            docs=SELECTION_DOCS,
            fixes=("dbtier:backup.enabled",),
        ),
        stack_check=stateful_in_selection,
    ),
    Rule(
        RuleMeta(
            name="backup-vault-customer-managed-key",
            description="AWS Backup vaults are encrypted with the stack's customer-managed key.",
            severity=Severity.HIGH,
            category="encryption",
            remediation="set kmsKeyArn to the stack key (dbtier:encryption.kmsKeyArn).",
            resource_types=(VAULT,),
            checkov=("CKV_AWS_166",),
            docs="https://docs.aws.amazon.com/aws-backup/latest/devguide/encryption.html",
            fixes=("dbtier:encryption.kmsKeyArn",),
        ),
        vault_customer_managed_key,
    ),
    Rule(
        RuleMeta(
            name="backup-vault-failure-notifications",
            description="In a stack with alarms, each AWS Backup vault sends its backup, copy "
            "and restore job failures to an SNS topic.",
            severity=Severity.MEDIUM,
            category="backup",
            remediation="enable dbtier:alarms (with dbtier:backup): the vault then notifies the "
            "alarm topic of BACKUP_JOB_COMPLETED, COPY_JOB_FAILED and RESTORE_JOB_COMPLETED, its"
            " subscription filtered to failed States.",
            docs=backup.NOTIFICATIONS_DOCS,
            fixes=("dbtier:alarms.enabled", "dbtier:backup.enabled"),
        ),
        stack_check=vault_failures_notified,
    ),
]
