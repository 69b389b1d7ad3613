"""Rules for what a stack keeps in its secondary regions (`dbtier:regions`): every replica and
secondary encrypted with a customer managed key, kept recoverable (point-in-time recovery) and
protected from deletion, and, as a stack rule, watched: every replication to another region has
a lag alarm.

A replica is a DynamoDB global table replica (declared on the table as `replicas[]`, or a
TableReplica resource of the replica region's provider), an Aurora Global Database (the global
cluster and each secondary cluster), a cross-region RDS read replica (`replicateSourceDb` an
ARN) or cross-region automated backups. The region a resource is in is its own `region` input
when it has one (every resource of pulumi-aws 7 may name one), else its provider's.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource, Severity

from ._common import (
    Resource,
    Rule,
    RuleMeta,
    deps_of,
    is_off,
    is_unknown,
    prop,
    provider_region,
)
from .deploy_alarms import series
from .deploy_relations import known_str, linked, of_type

TABLE = "aws:dynamodb/table:Table"
TABLE_REPLICA = "aws:dynamodb/tableReplica:TableReplica"
GLOBAL_CLUSTER = "aws:rds/globalCluster:GlobalCluster"
CLUSTER = "aws:rds/cluster:Cluster"
INSTANCE = "aws:rds/instance:Instance"
BACKUPS_REPLICATION = (
    "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication"
)
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"

GLOBAL_TABLES_DOCS = (
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/globaltables-security.html"
)
GLOBAL_DB_MONITORING_DOCS = "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-monitoring.html"


def replicas(r: Resource | PolicyResource) -> list[Mapping[str, Any]]:
    """A table's `replicas` blocks, known ones only."""
    props = r.props
    value = prop(props, "replicas", default=[])
    return [b for b in value if isinstance(b, Mapping)] if isinstance(value, list) else []


def region_of(r: PolicyResource) -> str | None:
    """The region a resource of a stack is created in: its `region` input, else its provider's."""
    return known_str(prop(r.props, "region")) or provider_region(r.provider)


def replica_regions(table: PolicyResource, resources: Sequence[PolicyResource]) -> list[str]:
    """The regions a table is replicated to: its `replicas` blocks', then its TableReplica
    resources' (linked by `globalTableArn`), repeats kept."""
    regions = [str(b.get("regionName")) for b in replicas(table)]
    return regions + [
        region
        for replica in of_type(resources, TABLE_REPLICA)
        if linked(replica, "globalTableArn", [table], "arn", "name")
        if (region := region_of(replica))
    ]


def is_cross_region_replica(r: Resource | PolicyResource) -> bool:
    """An RDS instance replicating a source named by ARN: RDS needs the ARN only across regions."""
    source = known_str(prop(r.props, "replicateSourceDb"))
    return source is not None and source.startswith("arn:")


def replica_keys(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    if r.type == TABLE:
        for block in replicas(r):
            key = block.get("kmsKeyArn")
            if not is_unknown(key) and not key:
                yield (
                    f"DynamoDB table '{r.name}': its replica in {block.get('regionName')} has no"
                    " kmsKeyArn (DynamoDB encrypts it with a key AWS owns)."
                )
    elif r.type == TABLE_REPLICA and is_off(r.get("kmsKeyArn")):
        yield f"DynamoDB table replica '{r.name}' has no kmsKeyArn (a key AWS owns encrypts it)."
    elif r.type == GLOBAL_CLUSTER and is_off(r.get("storageEncrypted")):
        if not r.get("sourceDbClusterIdentifier"):
            yield f"Aurora global cluster '{r.name}' is not encrypted (storageEncrypted off)."
    elif r.type in (INSTANCE, BACKUPS_REPLICATION) and is_off(r.get("kmsKeyId")):
        if r.type == BACKUPS_REPLICATION:
            yield (
                f"Cross-region automated backups '{r.name}' name no kmsKeyId of their"
                " destination region."
            )
        elif is_cross_region_replica(r):
            yield f"Cross-region read replica '{r.name}' names no kmsKeyId of its own region."


def _table_replicas_off(r: Resource, key: str, what: str) -> Iterator[str]:
    """A global table's replica blocks (aws.dynamodb.Table `replicas`) with setting `key` off."""
    for block in replicas(r):
        if is_off(block.get(key)):
            yield (
                f"DynamoDB table '{r.name}': its replica in {block.get('regionName')} has"
                f" {what} off."
            )


def replica_pitr(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    if r.type == TABLE:
        yield from _table_replicas_off(r, "pointInTimeRecovery", "point-in-time recovery")
    elif is_off(r.get("pointInTimeRecovery")):
        yield f"DynamoDB table replica '{r.name}' has point-in-time recovery off."


def replica_deletion_protection(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    if r.type == TABLE:
        yield from _table_replicas_off(r, "deletionProtectionEnabled", "deletion protection")
    elif r.type == TABLE_REPLICA and is_off(r.get("deletionProtectionEnabled")):
        yield f"DynamoDB table replica '{r.name}' has deletion protection off."
    elif r.type == GLOBAL_CLUSTER and is_off(r.get("deletionProtection")):
        yield f"Aurora global cluster '{r.name}' has deletion protection off."


def _alarms_on(
    alarms: Sequence[PolicyResource], metric: str, target: PolicyResource, dimension: str, name: str
) -> list[Mapping[str, Any]]:
    """The dimensions of each alarm series on `metric` whose `dimension` names `target`: by the
    alarm's dependency on it, or by the known value of its input `name`. A single metric or a
    metric-math alarm (FILL) alike."""
    found: list[Mapping[str, Any]] = []
    for alarm in alarms:
        depends = any(d.urn == target.urn for d in deps_of(alarm))
        for _, metric_name, dims in series(alarm.props):
            value = known_str(dims.get(dimension))
            if metric_name == metric and (
                depends or (value is not None and value == prop(target.props, name))
            ):
                found.append(dims)
    return found


def global_secondaries(resources: Sequence[PolicyResource]) -> list[PolicyResource]:
    """Aurora clusters that are secondaries of a global database: linked to a global cluster,
    with no master user of their own (a secondary takes the primary's)."""
    globals_ = of_type(resources, GLOBAL_CLUSTER)
    return [
        c
        for c in of_type(resources, CLUSTER)
        if linked(c, "globalClusterIdentifier", globals_, "globalClusterIdentifier")
        and prop(c.props, "masterUsername") is None
        and prop(c.props, "manageMasterUserPassword") is None
    ]


def replication_alarms(
    resources: Sequence[PolicyResource], _c: Mapping[str, Any]
) -> Iterator[tuple[str, str]]:
    """Each replication to another region has its lag alarm: ReplicationLatency per replica
    region of a table (AWS/DynamoDB publishes it in the table's region, by ReceivingRegion),
    AuroraGlobalDBReplicationLag and AuroraGlobalDBRPOLag per secondary cluster, ReplicaLag
    per cross-region read replica."""
    alarms = of_type(resources, ALARM)
    tables = of_type(resources, TABLE)
    for table in tables:
        regions = replica_regions(table, resources)
        watched = {
            dims.get("ReceivingRegion")
            for dims in _alarms_on(alarms, "ReplicationLatency", table, "TableName", "name")
        }
        for region in regions:
            if region not in watched:
                yield (
                    table.urn,
                    f"DynamoDB table '{table.name}' replicates to {region} with no"
                    " ReplicationLatency alarm (ReceivingRegion "
                    f"{region}).",
                )
    for cluster in global_secondaries(resources):
        for metric in ("AuroraGlobalDBReplicationLag", "AuroraGlobalDBRPOLag"):
            if not _alarms_on(alarms, metric, cluster, "DBClusterIdentifier", "clusterIdentifier"):
                yield (
                    cluster.urn,
                    f"Aurora secondary cluster '{cluster.name}' has no {metric} alarm.",
                )
    for replica in of_type(resources, INSTANCE):
        if not is_cross_region_replica(replica):
            continue
        # RDS publishes a replica's ReplicaLag in the replica's region, and an alarm sees only
        # its own region's metrics: one elsewhere never fires.
        home = region_of(replica)
        there = [a for a in alarms if home is None or region_of(a) in (None, home)]
        if not _alarms_on(there, "ReplicaLag", replica, "DBInstanceIdentifier", "identifier"):
            yield (
                replica.urn,
                f"Cross-region read replica '{replica.name}' has no ReplicaLag alarm in its"
                f" region ({home}).",
            )


RULES: list[Rule] = [
    Rule(
        RuleMeta(
            name="replica-customer-managed-key",
            description="Every replica in another region (DynamoDB global table replicas, an"
            " Aurora global cluster, cross-region read replicas and automated backups) is"
            " encrypted with a customer managed key.",
            severity=Severity.HIGH,
            category="encryption",
            remediation="give each replica its region's key (components.regions makes one per"
            " dbtier:regions entry; the table's replicas[].kmsKeyArn, the replica's kmsKeyId).",
            resource_types=(TABLE, TABLE_REPLICA, GLOBAL_CLUSTER, INSTANCE, BACKUPS_REPLICATION),
            docs=GLOBAL_TABLES_DOCS,
            fixes=("dbtier:regions",),
        ),
        replica_keys,
    ),
    Rule(
        RuleMeta(
            name="replica-point-in-time-recovery",
            description="Every DynamoDB global table replica has point-in-time recovery on.",
            severity=Severity.MEDIUM,
            category="backup",
            remediation="set pointInTimeRecovery on every replica (DynamoTable copies the"
            " table's dbtier:dynamo.tables[].pointInTimeRecovery to its replicas).",
            resource_types=(TABLE, TABLE_REPLICA),
            fixes=("dbtier:dynamo.tables[].pointInTimeRecovery",),
        ),
        replica_pitr,
    ),
    Rule(
        RuleMeta(
            name="replica-deletion-protection",
            description="Every DynamoDB global table replica and Aurora global cluster has"
            " deletion protection on.",
            severity=Severity.HIGH,
            category="protection",
            remediation="set deletionProtection on the table (its replicas follow) and on"
            " dbtier:aurora (the global cluster follows).",
            resource_types=(TABLE, TABLE_REPLICA, GLOBAL_CLUSTER),
            fixes=("dbtier:dynamo.tables[].deletionProtection", "dbtier:aurora.deletionProtection"),
        ),
        replica_deletion_protection,
    ),
    Rule(
        RuleMeta(
            name="stack-replication-lag-alarms",
            description="Every replication to another region has a lag alarm: DynamoDB"
            " ReplicationLatency per replica region, AuroraGlobalDBReplicationLag and"
            " AuroraGlobalDBRPOLag per secondary cluster, ReplicaLag per cross-region replica.",
            severity=Severity.MEDIUM,
            category="availability",
            remediation="turn dbtier:alarms on: each part alarms on its replication lag to each"
            " of dbtier:regions.",
            docs=GLOBAL_DB_MONITORING_DOCS,
            fixes=("dbtier:alarms.enabled",),
        ),
        stack_check=replication_alarms,
    ),
]
