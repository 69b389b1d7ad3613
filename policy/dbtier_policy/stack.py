"""Stack rules: checks that need more than one resource.

They match resources by the dependency graph the engine sends with AnalyzeStack (a resource's
``dependencies`` and ``property_dependencies``), not by names: names are computed at plan time
and are unknown in a real preview, while the graph is always known. A known literal value that
names the other resource (an alarm's dimension, a replica's source identifier) is accepted as a
second way to match, for resources wired by name rather than by Output.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource, Severity

from awsdata.rds_engines import RDS_ENGINES

from ._common import (
    Rule,
    RuleMeta,
    boolean,
    deps_of,
    integer,
    is_unknown,
    prop,
    string_list,
)
from .regions import global_secondaries

KMS_KEY = "aws:kms/key:Key"
KMS_ALIAS = "aws:kms/alias:Alias"
RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword"
METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
RDS_INSTANCE = "aws:rds/instance:Instance"
RDS_CLUSTER = "aws:rds/cluster:Cluster"
RDS_CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
REDSHIFT_CLUSTER = "aws:redshift/cluster:Cluster"
REDSHIFT_LOGGING = "aws:redshift/logging:Logging"

DEFAULT_STATEFUL = [
    RDS_INSTANCE,
    RDS_CLUSTER,
    "aws:dynamodb/table:Table",
    "aws:elasticache/replicationGroup:ReplicationGroup",
    REDSHIFT_CLUSTER,
    "aws:redshiftserverless/namespace:Namespace",
    KMS_KEY,
    "aws:secretsmanager/secret:Secret",
]

# Inputs that carry a credential, per resource type.
SECRET_INPUTS: dict[str, tuple[str, ...]] = {
    RDS_INSTANCE: ("password",),
    RDS_CLUSTER: ("masterPassword",),
    REDSHIFT_CLUSTER: ("masterPassword",),
    "aws:redshiftserverless/namespace:Namespace": ("adminUserPassword",),
    "aws:elasticache/replicationGroup:ReplicationGroup": ("authToken",),
    "aws:dms/endpoint:Endpoint": ("password",),
    "aws:secretsmanager/secretVersion:SecretVersion": ("secretString",),
}
GENERATED_SECRET_SOURCES = [RANDOM_PASSWORD, "aws:secretsmanager/secretVersion:SecretVersion"]

# Database resource types that must have at least one alarm, and the inputs that name them.
ALARMED: dict[str, tuple[str, ...]] = {
    RDS_INSTANCE: ("identifier",),
    RDS_CLUSTER: ("clusterIdentifier",),
    "aws:dynamodb/table:Table": ("name",),
    "aws:elasticache/replicationGroup:ReplicationGroup": ("replicationGroupId",),
    REDSHIFT_CLUSTER: ("clusterIdentifier",),
    "aws:dms/replicationInstance:ReplicationInstance": ("replicationInstanceId",),
}


def _known_names(r: PolicyResource, keys: Iterable[str]) -> set[str]:
    names = set()
    for key in keys:
        value = prop(r.props, key)
        if isinstance(value, str) and value and not is_unknown(value):
            names.add(value)
    return names


def _refers_to(r: PolicyResource, target: PolicyResource, key: str | None = None) -> bool:
    return any(dep.urn == target.urn for dep in deps_of(r, key))


def _linked(r: PolicyResource, target: PolicyResource, key: str, target_key: str) -> bool:
    """Whether `r`'s input `key` names `target`: through a dependency on it, or as the known
    value of `target`'s `target_key` (a name typed into config)."""
    return _refers_to(r, target, key) or prop(r.props, key) in _known_names(target, (target_key,))


def _replica_sets(
    resources: Sequence[PolicyResource],
) -> Iterator[tuple[PolicyResource, list[PolicyResource]]]:
    """Each RDS primary (an instance that replicates nothing) with the instances replicating it."""
    instances = [r for r in resources if r.resource_type == RDS_INSTANCE]
    for primary in instances:
        if prop(primary.props, "replicateSourceDb") is not None:
            continue
        yield (
            primary,
            [
                r
                for r in instances
                if r is not primary and _linked(r, primary, "replicateSourceDb", "identifier")
            ],
        )


def _cluster_members(
    resources: Sequence[PolicyResource],
) -> Iterator[tuple[PolicyResource, list[PolicyResource]]]:
    """Each Aurora cluster with its instances (writer and readers)."""
    instances = [r for r in resources if r.resource_type == RDS_CLUSTER_INSTANCE]
    for cluster in (r for r in resources if r.resource_type == RDS_CLUSTER):
        yield (
            cluster,
            [m for m in instances if _linked(m, cluster, "clusterIdentifier", "clusterIdentifier")],
        )


def kms_keys_in_use_rotate(
    resources: Sequence[PolicyResource], _c: Mapping[str, Any]
) -> Iterator[tuple[str, str]]:
    keys = {r.urn: r for r in resources if r.resource_type == KMS_KEY}
    users: dict[str, list[str]] = {}
    for r in resources:
        if r.resource_type in (KMS_KEY, KMS_ALIAS):
            continue
        for dep in deps_of(r):
            if dep.urn in keys:
                users.setdefault(dep.urn, []).append(r.name)
    for urn, names in users.items():
        key = keys[urn]
        rotation = prop(key.props, "enableKeyRotation")
        spec = prop(key.props, "customerMasterKeySpec")
        if is_unknown(rotation) or (
            not is_unknown(spec) and spec not in (None, "SYMMETRIC_DEFAULT")
        ):
            continue
        if not rotation:
            shown = ", ".join(sorted(names)[:5]) + (" ..." if len(names) > 5 else "")
            yield (
                urn,
                (
                    f"KMS key '{key.name}' encrypts {len(names)} resources ({shown}) and does not "
                    "rotate."
                ),
            )


def stateful_protected(
    resources: Sequence[PolicyResource], c: Mapping[str, Any]
) -> Iterator[tuple[str, str]]:
    stateful = set(c["statefulTypes"])
    for r in resources:
        if r.resource_type in stateful and not r.opts.protect:
            yield r.urn, f"'{r.name}' ({r.resource_type}) holds state and is not protected."


def no_plaintext_secrets(
    resources: Sequence[PolicyResource], c: Mapping[str, Any]
) -> Iterator[tuple[str, str]]:
    sources = set(c["generatedSecretTypes"])
    for r in resources:
        for key in SECRET_INPUTS.get(r.resource_type, ()):
            value = prop(r.props, key)
            if value is None or value == "" or is_unknown(value):
                continue  # absent, or computed by another resource at update time
            if any(dep.resource_type in sources for dep in deps_of(r, key)):
                continue
            yield (
                r.urn,
                (
                    f"'{r.name}' sets {key} to a literal: it is in the program or stack file in "
                    "plain text."
                ),
            )


def database_alarms(
    resources: Sequence[PolicyResource], c: Mapping[str, Any]
) -> Iterator[tuple[str, str]]:
    if not c["requireAlarms"]:
        return
    # Indexed once, so the check is linear in resources (a stack of a thousand tables has
    # thousands of alarms): what any alarm depends on, and every known dimension value.
    watched_urns: set[str] = set()
    dimension_values: set[str] = set()
    for alarm in resources:
        if alarm.resource_type != METRIC_ALARM:
            continue
        watched_urns.update(dep.urn for dep in deps_of(alarm))
        dims = prop(alarm.props, "dimensions", default={})
        if isinstance(dims, Mapping):
            dimension_values.update(
                v for v in dims.values() if isinstance(v, str) and not is_unknown(v)
            )
    for r in resources:
        keys = ALARMED.get(r.resource_type)
        if keys is None:
            continue
        watched = r.urn in watched_urns or bool(_known_names(r, keys) & dimension_values)
        if not watched:
            yield r.urn, f"'{r.name}' ({r.resource_type}) has no CloudWatch alarm."


def read_replicas(
    resources: Sequence[PolicyResource], c: Mapping[str, Any]
) -> Iterator[tuple[str, str]]:
    for primary, replicas in _replica_sets(resources):
        engine = RDS_ENGINES.get(str(prop(primary.props, "engine")))
        wanted = int(c["minimumReplicas"])
        if engine is not None:
            # An edition without replicas (SQL Server but Enterprise, Oracle SE2) cannot have
            # them (deploy-rds-read-replicas), nor more than its maximum.
            wanted = min(wanted, engine.max_replicas)
        if len(replicas) < wanted:
            yield (
                primary.urn,
                (
                    f"RDS instance '{primary.name}' has {len(replicas)} read replicas; at least "
                    f"{wanted} required."
                ),
            )
    # A global database's secondary cluster has no writer: every member is a reader.
    secondaries = {c.urn for c in global_secondaries(resources)}
    for cluster, members in _cluster_members(resources):
        readers = len(members) if cluster.urn in secondaries else max(len(members) - 1, 0)
        if readers < int(c["minimumAuroraReaders"]):
            yield (
                cluster.urn,
                (
                    f"Aurora cluster '{cluster.name}' has {readers} readers; at least "
                    f"{c['minimumAuroraReaders']} required."
                ),
            )


def _zone(r: PolicyResource) -> str | None:
    """A known availabilityZone input; None when absent (AWS picks) or unknown."""
    value = prop(r.props, "availabilityZone")
    return value if isinstance(value, str) and value and not is_unknown(value) else None


def replica_placement(
    resources: Sequence[PolicyResource], _c: Mapping[str, Any]
) -> Iterator[tuple[str, str]]:
    """Replicas of one primary cannot fail together: each is Multi-AZ, or the single-AZ ones sit
    in distinct zones; Aurora readers are not all in the writer's zone (an instance without a
    zone is wherever RDS put it: no guarantee, so it counts as unplaced).
    https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZ.html
    https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.AuroraHighAvailability.html
    """
    for primary, replicas in _replica_sets(resources):
        single = [r for r in replicas if prop(r.props, "multiAz") is not True]
        if is_unknown_any(single, "multiAz") or is_unknown_any(single, "availabilityZone"):
            continue
        unplaced = [r.name for r in single if _zone(r) is None]
        zones = [z for r in single if (z := _zone(r)) is not None]
        if unplaced and len(single) > 1:
            yield (
                primary.urn,
                f"Read replicas {unplaced} of '{primary.name}' are single-AZ with no zone: they may"
                " share one and fail together. Set dbtier:relational.replicaMultiAz true or"
                " dbtier:relational.replicaAvailabilityZones.",
            )
        elif len(set(zones)) < len(zones):
            yield (
                primary.urn,
                f"Read replicas of '{primary.name}' share an Availability Zone ({sorted(zones)}):"
                " one zone outage takes them together. List distinct zones in"
                " dbtier:relational.replicaAvailabilityZones, or set replicaMultiAz true.",
            )
    for cluster, mine in _cluster_members(resources):
        if len(mine) < 2 or is_unknown_any(mine, "availabilityZone"):
            continue
        # The writer is the instance in promotion tier 0 (ServerlessAurora's convention; AWS
        # makes the first instance created the writer).
        writer = min(mine, key=lambda m: int(prop(m.props, "promotionTier", default=1) or 0))
        readers = [m for m in mine if m is not writer]
        home = _zone(writer)
        if home is None or all(_zone(m) in (None, home) for m in readers):
            yield (
                cluster.urn,
                f"Aurora cluster '{cluster.name}': no reader is placed outside the writer's"
                f" Availability Zone ({home or 'unplaced'}): a zone outage leaves no reader to"
                " fail over to. Place readers in other zones of the DB subnet group.",
            )


def is_unknown_any(rs: Sequence[PolicyResource], key: str) -> bool:
    return any(is_unknown(prop(r.props, key)) for r in rs)


def redshift_audit_logging(
    resources: Sequence[PolicyResource], _c: Mapping[str, Any]
) -> Iterator[tuple[str, str]]:
    loggings = [r for r in resources if r.resource_type == REDSHIFT_LOGGING]
    for cluster in (r for r in resources if r.resource_type == REDSHIFT_CLUSTER):
        names = _known_names(cluster, ("clusterIdentifier",))
        if not any(
            _refers_to(lg, cluster) or prop(lg.props, "clusterIdentifier") in names
            for lg in loggings
        ):
            yield cluster.urn, f"Redshift cluster '{cluster.name}' has no audit logging."


RULES: list[Rule] = [
    Rule(
        RuleMeta(
            name="stack-kms-keys-in-use-rotate",
            description="Every KMS key that encrypts a resource of the stack rotates.",
            severity=Severity.HIGH,
            category="encryption",
            remediation="set enableKeyRotation=true on the key named, or point "
            "dbtier:encryption.kmsKeyArn at a key that rotates.",
        ),
        stack_check=kms_keys_in_use_rotate,
    ),
    Rule(
        RuleMeta(
            name="stack-stateful-resources-protected",
            description="Every stateful resource (databases, tables, caches, warehouses, keys, "
            "secrets) has Pulumi's protect option.",
            severity=Severity.HIGH,
            category="protection",
            remediation="set dbtier:protect to true in the stack file.",
            config={
                "statefulTypes": string_list(
                    DEFAULT_STATEFUL, "Resource types that hold state and must be protected."
                )
            },
        ),
        stack_check=stateful_protected,
    ),
    Rule(
        RuleMeta(
            name="stack-no-plaintext-secrets",
            description="No password or token input is a literal: each comes from a generated "
            "secret (RandomPassword) or Secrets Manager.",
            severity=Severity.CRITICAL,
            category="secrets",
            remediation="remove the literal; let the component generate the credential "
            "(pulumi_random.RandomPassword) and keep it in Secrets Manager.",
            config={
                "generatedSecretTypes": string_list(
                    GENERATED_SECRET_SOURCES,
                    "Resource types a credential input may be derived from.",
                )
            },
        ),
        stack_check=no_plaintext_secrets,
    ),
    Rule(
        RuleMeta(
            name="stack-database-alarms",
            description="When the config requires alarms, every database has at least one "
            "CloudWatch alarm watching it.",
            severity=Severity.MEDIUM,
            category="logging",
            remediation="set dbtier:alarms.enabled to true (and dbtier:alarms.email).",
            config={"requireAlarms": boolean(False, "Require alarms on every database.")},
        ),
        stack_check=database_alarms,
    ),
    Rule(
        RuleMeta(
            name="stack-read-replicas",
            description="RDS primaries have read replicas (on engines and editions that have"
            " them) and Aurora clusters have readers.",
            severity=Severity.MEDIUM,
            category="availability",
            remediation="raise dbtier:relational.readReplicas and dbtier:aurora.readers.",
            config={
                "minimumReplicas": integer(1, 0, "Read replicas per RDS primary."),
                "minimumAuroraReaders": integer(1, 0, "Readers per Aurora cluster."),
            },
        ),
        stack_check=read_replicas,
    ),
    Rule(
        RuleMeta(
            name="stack-replica-placement",
            description="Read replicas of one primary are Multi-AZ or in distinct Availability"
            " Zones, and Aurora readers are not all in the writer's zone.",
            severity=Severity.MEDIUM,
            category="availability",
            remediation="set dbtier:relational.replicaMultiAz (or replicaAvailabilityZones);"
            " ServerlessAurora places readers in the subnet group's other zones.",
            checkov=("CKV_AWS_157",),
            docs="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ReadRepl.html",
        ),
        stack_check=replica_placement,
    ),
    Rule(
        RuleMeta(
            name="redshift-audit-logging",
            description="Redshift clusters have audit logging.",
            severity=Severity.MEDIUM,
            category="logging",
            remediation="keep the Warehouse's aws.redshift.Logging resource (connection, user "
            "and user-activity logs).",
            checkov=("CKV_AWS_71",),
        ),
        stack_check=redshift_audit_logging,
    ),
]
