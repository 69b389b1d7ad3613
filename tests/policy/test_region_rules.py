"""The rules of a stack with a secondary region, over gRPC: a compliant two-region stack (a global
table, an Aurora Global Database, cross-region backups and a cross-region read replica, each
with its region's key and lag alarm) passes every one of them; each violating variant is reported
by its rule, on the resource named, and only there."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from preflight.plan import PlannedResource
from tests.policy.policy_fixtures import Pack, resource, with_inputs

pytestmark = pytest.mark.policy

HOME, EU = "us-east-1", "eu-west-1"
KEY_ARN = f"arn:aws:kms:{HOME}:123456789012:key/1111aaaa-11aa-11aa-11aa-111111111111"
EU_KEY_ARN = f"arn:aws:kms:{EU}:123456789012:key/2222bbbb-22bb-22bb-22bb-222222222222"
DB_ARN = f"arn:aws:rds:{HOME}:123456789012:db:db"
RULES = (
    "replica-customer-managed-key",
    "replica-point-in-time-recovery",
    "replica-deletion-protection",
    "stack-replication-lag-alarms",
    "deploy-key-region",
    "deploy-global-table-replicas",
    "deploy-global-database-version",
    "deploy-cross-region-backups",
)
CONFIG: dict[str, Any] = {"all": "mandatory"}
Stack = dict[str, PlannedResource]


def provider(name: str, region: str) -> PlannedResource:
    return resource("pulumi:providers:aws", name, {"region": region})


def on(p: PlannedResource, r: PlannedResource) -> PlannedResource:
    """`r` created by the provider `p` (the engine's reference: `urn::id`)."""
    return replace(r, provider=f"{p.urn}::{p.name}-id")


def alarm(name: str, metric: str, dims: dict[str, str], target: PlannedResource) -> PlannedResource:
    namespace = "AWS/DynamoDB" if metric == "ReplicationLatency" else "AWS/RDS"
    return resource(
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        name,
        {"metricName": metric, "namespace": namespace, "dimensions": dims},
        deps={"dimensions": [target]},
    )


def build() -> Stack:
    """name -> resource: a home region and eu-west-1, compliant with every rule of RULES."""
    r: Stack = {"home": provider("dbtier-aws", HOME), "eu": provider("dbtier-aws-eu-west-1", EU)}
    home, eu = r["home"], r["eu"]
    r["key"] = on(home, resource("aws:kms/key:Key", "stack-key", {"enableKeyRotation": True}))
    r["key-eu"] = on(
        eu, resource("aws:kms/key:Key", "stack-key-eu-west-1", {"enableKeyRotation": True})
    )
    replica = {
        "regionName": EU,
        "kmsKeyArn": EU_KEY_ARN,
        "pointInTimeRecovery": True,
        "deletionProtectionEnabled": True,
    }
    r["table"] = on(
        home,
        resource(
            "aws:dynamodb/table:Table",
            "orders",
            {
                "name": "orders",
                "billingMode": "PAY_PER_REQUEST",
                "streamEnabled": True,
                "streamViewType": "NEW_AND_OLD_IMAGES",
                "serverSideEncryption": {"enabled": True, "kmsKeyArn": KEY_ARN},
                "replicas": [replica],
            },
            deps={"serverSideEncryption": [r["key"]], "replicas": [r["key-eu"]]},
        ),
    )
    r["table-lag"] = on(
        home,
        alarm("orders-lag-eu", "ReplicationLatency", {"TableName": "orders", "ReceivingRegion": EU},
              r["table"]),
    )  # fmt: skip
    aurora = {"engine": "aurora-mysql", "engineVersion": "8.0.mysql_aurora.3.10.0"}
    r["global"] = on(
        home,
        resource(
            "aws:rds/globalCluster:GlobalCluster",
            "aurora-global",
            {"globalClusterIdentifier": "aurora-global", "storageEncrypted": True,
             "deletionProtection": True, **aurora},
        ),
    )  # fmt: skip
    r["primary"] = on(
        home,
        resource(
            "aws:rds/cluster:Cluster",
            "aurora",
            {"clusterIdentifier": "aurora", "globalClusterIdentifier": "aurora-global",
             "masterUsername": "admin", "kmsKeyId": KEY_ARN, **aurora},
            deps={"globalClusterIdentifier": [r["global"]], "kmsKeyId": [r["key"]]},
        ),
    )  # fmt: skip
    r["secondary"] = on(
        eu,
        resource(
            "aws:rds/cluster:Cluster",
            "aurora-eu-west-1",
            {"clusterIdentifier": "aurora-eu-west-1", "globalClusterIdentifier": "aurora-global",
             "kmsKeyId": EU_KEY_ARN, **aurora},
            deps={"globalClusterIdentifier": [r["global"]], "kmsKeyId": [r["key-eu"]]},
        ),
    )  # fmt: skip
    for metric in ("AuroraGlobalDBReplicationLag", "AuroraGlobalDBRPOLag"):
        r[metric] = on(
            eu,
            alarm(f"aurora-eu-{metric}", metric, {"DBClusterIdentifier": "aurora-eu-west-1"},
                  r["secondary"]),
        )  # fmt: skip
    r["db"] = on(
        home,
        resource("aws:rds/instance:Instance", "db",
                 {"identifier": "db", "engine": "postgres", "kmsKeyId": KEY_ARN},
                 deps={"kmsKeyId": [r["key"]]}),
    )  # fmt: skip
    r["backups"] = on(
        eu,
        resource(
            "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication",
            "db-backups-eu-west-1",
            {"sourceDbInstanceArn": DB_ARN, "kmsKeyId": EU_KEY_ARN, "retentionPeriod": 7},
            deps={"sourceDbInstanceArn": [r["db"]], "kmsKeyId": [r["key-eu"]]},
        ),
    )
    r["replica"] = on(
        eu,
        resource("aws:rds/instance:Instance", "db-eu-west-1",
                 {"identifier": "db-eu-west-1", "replicateSourceDb": DB_ARN,
                  "kmsKeyId": EU_KEY_ARN},
                 deps={"kmsKeyId": [r["key-eu"]]}),
    )  # fmt: skip
    r["replica-lag"] = on(
        eu, alarm("db-eu-lag", "ReplicaLag", {"DBInstanceIdentifier": "db-eu-west-1"}, r["replica"])
    )
    return r


def set_inputs(name: str, **changes: Any) -> Callable[[Stack], None]:
    def apply(r: Stack) -> None:
        r[name] = with_inputs(r[name], **changes)

    return apply


def set_replica(**changes: Any) -> Callable[[Stack], None]:
    def apply(r: Stack) -> None:
        (block,) = r["table"].inputs["replicas"]
        block = {k: v for k, v in {**block, **changes}.items() if v is not None}
        r["table"] = with_inputs(r["table"], replicas=[block])

    return apply


def drop(name: str) -> Callable[[Stack], None]:
    return lambda r: r.pop(name) and None


def home_key_for(name: str, key: str) -> Callable[[Stack], None]:
    def apply(r: Stack) -> None:
        deps = {**r[name].property_dependencies, key: [r["key"].urn]}
        r[name] = replace(
            with_inputs(r[name], **{key: KEY_ARN}),
            property_dependencies=deps,
            dependencies=sorted({u for us in deps.values() for u in us}),
        )

    return apply


def alarm_at_home(name: str) -> Callable[[Stack], None]:
    """The alarm `name` made by the home region's provider (where it sees no metric of the
    secondary region)."""

    def apply(r: Stack) -> None:
        r[name] = on(r["home"], r[name])

    return apply


def write_autoscaled(r: Stack) -> None:
    r["table"] = with_inputs(r["table"], billingMode="PROVISIONED")
    r["target"] = resource(
        "aws:appautoscaling/target:Target",
        "orders-write",
        {"scalableDimension": "dynamodb:table:WriteCapacityUnits", "resourceId": "table/orders"},
        deps={"resourceId": [r["table"]]},
    )


def from_primary(r: Stack) -> None:
    """The global database as ServerlessAurora makes it: from the running primary
    (`sourceDbClusterIdentifier`, engine and version the primary's), the primary not naming it."""
    r["global"] = replace(
        with_inputs(r["global"], engine=None, engineVersion=None,
                    sourceDbClusterIdentifier="arn:aws:rds:us-east-1:123456789012:cluster:aurora"),
        property_dependencies={"sourceDbClusterIdentifier": [r["primary"].urn]},
        dependencies=[r["primary"].urn],
    )  # fmt: skip
    r["primary"] = replace(
        with_inputs(r["primary"], globalClusterIdentifier=None),
        property_dependencies={"kmsKeyId": [r["key"].urn]},
        dependencies=[r["key"].urn],
    )


def from_primary_then(change: Callable[[Stack], None]) -> Callable[[Stack], None]:
    def apply(r: Stack) -> None:
        from_primary(r)
        change(r)

    return apply


VIOLATING: list[tuple[str, Callable[[Stack], None], str, str]] = [
    ("replica-customer-managed-key", set_replica(kmsKeyArn=None), "table", "key AWS owns"),
    ("replica-customer-managed-key", set_inputs("backups", kmsKeyId=None), "backups", "kmsKeyId"),
    ("replica-customer-managed-key", set_inputs("replica", kmsKeyId=None), "replica", "kmsKeyId"),
    ("replica-customer-managed-key", set_inputs("global", storageEncrypted=False), "global",
     "not encrypted"),
    ("replica-point-in-time-recovery", set_replica(pointInTimeRecovery=False), "table", "eu-west-1"),
    ("replica-deletion-protection", set_replica(deletionProtectionEnabled=False), "table",
     "eu-west-1"),
    ("replica-deletion-protection", set_inputs("global", deletionProtection=False), "global",
     "deletion protection off"),
    ("stack-replication-lag-alarms", drop("table-lag"), "table", "ReceivingRegion eu-west-1"),
    ("stack-replication-lag-alarms",
     set_inputs("table-lag", dimensions={"TableName": "orders", "ReceivingRegion": "us-west-2"}),
     "table", "replicates to eu-west-1"),
    ("stack-replication-lag-alarms", drop("AuroraGlobalDBRPOLag"), "secondary", "RPOLag"),
    ("stack-replication-lag-alarms", drop("replica-lag"), "replica", "ReplicaLag"),
    ("stack-replication-lag-alarms", alarm_at_home("replica-lag"), "replica",
     "no ReplicaLag alarm in its region (eu-west-1)"),
    ("deploy-key-region", home_key_for("replica", "kmsKeyId"), "replica",
     "eu-west-1 is encrypted with a KMS key of us-east-1"),
    ("deploy-key-region", home_key_for("secondary", "kmsKeyId"), "secondary",
     "eu-west-1 is encrypted with a KMS key of us-east-1"),
    ("deploy-key-region", home_key_for("backups", "kmsKeyId"), "backups", "key of us-east-1"),
    ("deploy-key-region", set_replica(kmsKeyArn=KEY_ARN), "table", "replica in eu-west-1"),
    ("deploy-global-table-replicas", set_replica(regionName=HOME), "table", "own region"),
    ("deploy-global-table-replicas", set_replica(regionName="cn-north-1"), "table", "partition"),
    ("deploy-global-table-replicas", set_inputs("table", streamViewType="KEYS_ONLY"), "table",
     "NEW_AND_OLD_IMAGES"),
    ("deploy-global-table-replicas", set_inputs("table", billingMode="PROVISIONED"), "table",
     "AutoScaled"),
    ("deploy-global-database-version",
     set_inputs("global", engineVersion="5.7.mysql_aurora.2.04.9"), "global", "2.07.0 or later"),
    ("deploy-global-database-version", set_inputs("secondary", region="ap-southeast-7"),
     "secondary", "not offered in ap-southeast-7"),
    ("deploy-global-database-version", set_inputs("secondary", backtrackWindow=3600), "secondary",
     "backtrack"),
    ("deploy-cross-region-backups", set_inputs("backups", region=HOME), "backups",
     "stack's own region"),
    # Made from its primary, the global cluster names no version: the secondary's is checked.
    ("deploy-global-database-version",
     from_primary_then(set_inputs("secondary", engineVersion="5.7.mysql_aurora.2.04.9")),
     "secondary", "2.07.0 or later"),
    ("stack-replication-lag-alarms", from_primary_then(drop("AuroraGlobalDBReplicationLag")),
     "secondary", "AuroraGlobalDBReplicationLag"),
    ("deploy-key-region", from_primary_then(home_key_for("secondary", "kmsKeyId")), "secondary",
     "eu-west-1 is encrypted with a KMS key of us-east-1"),
]  # fmt: skip

COMPLIANT: list[tuple[str, Callable[[Stack], None]]] = [
    ("two regions, every replica keyed, protected and watched", lambda r: None),
    ("provisioned table with write auto scaling", write_autoscaled),
    ("a global database made from its primary", from_primary),
    ("Aurora PostgreSQL 16 global database",
     lambda r: [set_inputs(n, engine="aurora-postgresql", engineVersion="16.4")(r)
                for n in ("global", "primary", "secondary")] and None),
]  # fmt: skip


def ours(pack: Pack, r: Stack) -> list[Any]:
    report = pack.run(list(r.values()), CONFIG)
    return [v for v in report.violations if v.policy in RULES]


@pytest.mark.parametrize(
    ("rule", "change", "where", "text"),
    VIOLATING,
    ids=[f"{c[0]}@{c[2]}:{c[3]}"[:80] for c in VIOLATING],
)
def test_each_violation_is_reported_by_its_rule_on_its_resource(
    pack: Pack, rule: str, change: Callable[[Stack], None], where: str, text: str
) -> None:
    r = build()
    change(r)
    found = [v for v in ours(pack, r) if v.policy == rule]
    assert [v.urn for v in found][:1] == [r[where].urn], [v.message for v in found]
    assert any(text in v.message for v in found), [v.message for v in found]
    assert all(v.level == "mandatory" for v in found)


@pytest.mark.parametrize(("case", "change"), COMPLIANT, ids=[c[0] for c in COMPLIANT])
def test_compliant_stacks_pass_every_region_rule(
    pack: Pack, case: str, change: Callable[[Stack], None]
) -> None:
    r = build()
    change(r)
    assert [(v.policy, v.message) for v in ours(pack, r)] == [], case


def test_a_single_region_stack_is_not_asked_for_replication_alarms(pack: Pack) -> None:
    r = build()
    for name in ("eu", "key-eu", "secondary", "backups", "replica", "replica-lag", "table-lag",
                 "AuroraGlobalDBReplicationLag", "AuroraGlobalDBRPOLag", "global"):  # fmt: skip
        r.pop(name)
    r["table"] = replace(
        with_inputs(r["table"], replicas=None),
        property_dependencies={"serverSideEncryption": [r["key"].urn]},
        dependencies=[r["key"].urn],
    )
    r["primary"] = replace(
        with_inputs(r["primary"], globalClusterIdentifier=None),
        property_dependencies={"kmsKeyId": [r["key"].urn]},
        dependencies=[r["key"].urn],
    )
    assert ours(pack, r) == []


def test_a_secondary_clusters_members_are_readers_and_its_backups_are_the_primarys(
    pack: Pack,
) -> None:
    """A secondary has no writer (stack-read-replicas counts its one instance as a reader) and
    no AWS Backup selection (the vault is the home region's; the primary is still asked)."""
    r = build()
    for cluster in ("primary", "secondary"):
        r[f"{cluster}-1"] = on(
            r["eu" if cluster == "secondary" else "home"],
            resource("aws:rds/clusterInstance:ClusterInstance", f"{cluster}-1",
                     {"clusterIdentifier": r[cluster].inputs["clusterIdentifier"]},
                     deps={"clusterIdentifier": [r[cluster]]}),
        )  # fmt: skip
    report = pack.run(list(r.values()), CONFIG)
    readers = {v.urn for v in report.violations if v.policy == "stack-read-replicas"}
    backups = {v.urn for v in report.violations if v.policy == "backup-stateful-resources-selected"}
    assert r["primary"].urn in readers and r["secondary"].urn not in readers
    assert r["primary"].urn in backups and r["secondary"].urn not in backups
