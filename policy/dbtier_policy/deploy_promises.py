"""Deployability rules on what AWS accepts and then does not keep: a backup vault subscribed to
events AWS Backup no longer sends (it accepts them and is silent), and an RDS or Aurora engine
version pinned to a minor that automatic minor upgrades move past (the next update then asks
RDS for a downgrade, which it refuses).

Facts come from ``awsdata.backup`` and ``awsdata.rds_engines``. The version rule reads the
resource's ``ignoreChanges`` option, which the engine passes to the pack with each resource
(``AnalyzerResourceOptions.ignoreChanges``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource

from awsdata import backup
from awsdata.rds_engines import pins_minor

from ._common import Resource, Rule, deps_of, is_false, prop
from .deploy_relations import RDS_CLUSTER, RDS_INSTANCE, known_str, of_type, relation_meta

NOTIFICATIONS = "aws:backup/vaultNotifications:VaultNotifications"
RDS_CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
AUTO_MINOR_DOCS = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_UpgradeDBInstance.Upgrading.html#USER_UpgradeDBInstance.Upgrading.AutoMinorVersionUpgrades"


def deprecated_vault_events(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    events = r.get("backupVaultEvents")
    if not isinstance(events, list):
        return
    deprecated = sorted({e for e in events if isinstance(e, str)} & backup.DEPRECATED_VAULT_EVENTS)
    if deprecated:
        yield (
            f"Backup vault notifications '{r.name}' subscribe to {', '.join(deprecated)}, which"
            " AWS Backup no longer sends: those jobs notify nobody."
        )


def pinned_minor_versions(
    resources: Sequence[PolicyResource], _c: Mapping[str, Any]
) -> Iterator[tuple[str, str]]:
    """An RDS instance, Aurora cluster or cluster instance whose engineVersion names a minor,
    with automatic minor upgrades on (AWS's default) and engineVersion not ignored."""
    members = of_type(resources, RDS_CLUSTER_INSTANCE)
    for r in of_type(resources, RDS_INSTANCE, RDS_CLUSTER, RDS_CLUSTER_INSTANCE):
        engine = known_str(prop(r.props, "engine"))
        version = known_str(prop(r.props, "engineVersion"))
        if engine is None or version is None or not pins_minor(engine, version):
            continue
        if "engineVersion" in (r.opts.ignore_changes or ()):
            continue
        if not _upgrades_minor(r, members):
            continue
        yield (
            r.urn,
            f"'{r.name}' pins engineVersion {version} with automatic minor upgrades on: once AWS"
            " upgrades it, the next update asks RDS to go back to it, which RDS refuses.",
        )


def _upgrades_minor(r: PolicyResource, members: Sequence[PolicyResource]) -> bool:
    """Whether AWS upgrades `r`'s minor version on its own: its autoMinorVersionUpgrade (on
    unless set false); an Aurora cluster takes its instances' setting (it has none of its own),
    on while any of them has it on, or when none is known."""
    if r.resource_type != RDS_CLUSTER:
        return not is_false(prop(r.props, "autoMinorVersionUpgrade"))
    mine = [m for m in members if r.urn in {d.urn for d in deps_of(m, "clusterIdentifier")}]
    return not mine or any(not is_false(prop(m.props, "autoMinorVersionUpgrade")) for m in mine)


RULES: list[Rule] = [
    Rule(
        relation_meta(
            "deploy-backup-vault-events",
            "Backup vault notifications subscribe only to events AWS Backup still sends (not"
            " the deprecated BACKUP_JOB_FAILED, RESTORE_JOB_FAILED and the like).",
            backup.VAULT_EVENTS_DOCS,
            ("dbtier:alarms.enabled", "dbtier:backup.enabled"),
            "subscribe to BACKUP_JOB_COMPLETED, COPY_JOB_FAILED and RESTORE_JOB_COMPLETED and"
            " filter the subscription on the State attribute (the Backup component does).",
            resource_types=(NOTIFICATIONS,),
        ),
        deprecated_vault_events,
    ),
    Rule(
        relation_meta(
            "deploy-rds-pinned-minor-version",
            "An RDS instance or Aurora cluster with automatic minor upgrades either gives its"
            " major version only or ignores changes to engineVersion.",
            AUTO_MINOR_DOCS,
            (
                "dbtier:relational.engineVersion",
                "dbtier:aurora.engineVersion",
                "dbtier:relational.autoMinorVersionUpgrade",
            ),
            "give the major version alone where RDS takes one (MySQL 8.4, MariaDB 11.4), or"
            " ignore_changes=['engineVersion'] (RelationalTier and ServerlessAurora set it), or"
            " turn autoMinorVersionUpgrade off.",
        ),
        stack_check=pinned_minor_versions,
    ),
]
