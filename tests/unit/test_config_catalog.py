"""Config validation and the policy pack agree on versions, classes and node types.

Both ask ``awsdata`` (its per-service modules); these tests enumerate what cfn-lint's data lists
(and values it does not) and check that the config accepts a value exactly when the pack's version
and class rules (the deployability ones and the version/class policy ones, with the default policy
config) accept the resource the component would plan from it. Then one test per new config error.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest
from dbtier_policy import deploy_catalog, engines
from dbtier_policy._common import Resource, Rule, run_check

from awsdata import dms, elasticache, rds, support
from components.aurora.config import parse_aurora
from components.migration.config import parse_migration
from components.redis.config import parse_redis
from components.relational.config import parse_relational
from components.settings import ConfigError
from components.stack_config import parse
from components.warehouse.config import parse_warehouse

REGION = "us-east-1"
RULES: dict[str, Rule] = {r.meta.name: r for r in (*deploy_catalog.RULES, *engines.RULES)}


def pack_accepts(type_: str, props: dict[str, Any], *rules: str, region: str = REGION) -> bool:
    resource = Resource(type=type_, urn=f"urn:{type_}", name="x", props=props, region=region)
    for name in rules:
        rule = RULES[name]
        assert rule.check is not None
        if run_check(rule.meta, rule.check, resource, {}):
            return False
    return True


def config_accepts(parser: Any, raw: dict[str, Any], region: str = REGION) -> bool:
    try:
        parser(raw, region)
    except ConfigError:
        return False
    return True


def disagreements(pairs: Iterable[tuple[str, bool, bool]]) -> list[str]:
    return [f"{v}: config {c}, pack {p}" for v, c, p in pairs if c != p]


BOGUS_VERSIONS = ["8.1", "8.4.99", "9.0", "5.7", "8.0", "8.4", "8", "17", "16.7", "13.23"]


def test_mysql_versions_agree() -> None:
    versions = [*rds.rds_versions("mysql"), *BOGUS_VERSIONS]
    rows = [
        (
            v,
            config_accepts(parse_relational, {"engineVersion": v, "instanceClass": "db.m7g.large"}),
            pack_accepts(
                "aws:rds/instance:Instance",
                {"engine": "mysql", "engineVersion": v, "instanceClass": "db.m7g.large"},
                "deploy-rds-engine-version",
                "supported-engine-version",
                "deploy-rds-instance-class",
            ),
        )
        for v in versions
    ]
    assert disagreements(rows) == []
    assert {v for v, ok, _ in rows if ok} >= {"8.4", "8.4.7"}
    assert not any(ok for v, ok, _ in rows if v.startswith("8.0"))


@pytest.mark.parametrize("engine", ["aurora-mysql", "aurora-postgresql"])
def test_aurora_versions_agree(engine: str) -> None:
    versions = [*rds.rds_versions(engine, cluster=True), *BOGUS_VERSIONS]
    versions += ["8.0.mysql_aurora.3.99.0", "8.0.mysql_aurora.3.11.0"]
    rows = []
    for v in versions:
        props = {"engine": engine, "engineVersion": v}
        rows.append(
            (
                v,
                config_accepts(parse_aurora, {"engine": engine, "engineVersion": v}),
                pack_accepts(
                    "aws:rds/cluster:Cluster",
                    props,
                    "deploy-rds-engine-version",
                    "supported-engine-version",
                )
                and pack_accepts(
                    "aws:rds/clusterInstance:ClusterInstance",
                    {**props, "instanceClass": "db.serverless"},
                    "deploy-aurora-instance-class",
                ),
            )
        )
    assert disagreements(rows) == []
    assert any(ok for _, ok, _ in rows)


@pytest.mark.parametrize("region", ["us-east-1", "af-south-1", "ca-west-1"])
def test_rds_classes_agree(region: str) -> None:
    classes = sorted(rds._regional_classes("mysql", "us-east-1") or ())
    classes += ["db.serverless", "db.m7g.huge", "db.m1.small"]
    rows = [
        (
            c,
            config_accepts(
                parse_relational, {"instanceClass": c, "performanceInsights": False}, region
            ),
            pack_accepts(
                "aws:rds/instance:Instance",
                {"engine": "mysql", "engineVersion": "8.4", "instanceClass": c},
                "deploy-rds-instance-class",
                "allowed-instance-class",
                region=region,
            ),
        )
        for c in classes
    ]
    assert disagreements(rows) == []


def test_performance_insights_agrees_for_every_class() -> None:
    classes = sorted(rds._regional_classes("mysql", REGION) or ())
    current = [c for c in classes if support.generation_problem("rds", c) is None]
    rows = [
        (
            c,
            config_accepts(parse_relational, {"instanceClass": c, "performanceInsights": True}),
            pack_accepts(
                "aws:rds/instance:Instance",
                {"engine": "mysql", "instanceClass": c, "performanceInsightsEnabled": True},
                "deploy-performance-insights-class",
                "deploy-rds-instance-class",
            ),
        )
        for c in current
    ]
    assert disagreements(rows) == []
    assert not dict((c, ok) for c, ok, _ in rows)["db.t4g.micro"]


def test_elasticache_versions_and_node_types_agree() -> None:
    rows = []
    for engine in ("redis", "valkey"):
        for v in [*elasticache.elasticache_versions(engine), "7.3", "8.5", "6.x", "9.9"]:
            rows.append(
                (
                    f"{engine} {v}",
                    config_accepts(parse_redis, {"engine": engine, "engineVersion": v}),
                    pack_accepts(
                        "aws:elasticache/replicationGroup:ReplicationGroup",
                        {"engine": engine, "engineVersion": v},
                        "deploy-elasticache-engine-version",
                        "supported-engine-version",
                    ),
                )
            )
    for region in ("us-east-1", "me-central-1"):
        for node_type in sorted(elasticache.elasticache_node_types("us-east-1") or ()):
            if node_type.startswith(("cache.t1.", "cache.t2.", "cache.m3.")):
                continue  # refused earlier by config as lacking encryption at rest
            rows.append(
                (
                    f"{node_type} {region}",
                    config_accepts(parse_redis, {"nodeType": node_type}, region),
                    pack_accepts(
                        "aws:elasticache/replicationGroup:ReplicationGroup",
                        {"nodeType": node_type},
                        "deploy-elasticache-node-type",
                        "allowed-instance-class",
                        region=region,
                    ),
                )
            )
    assert disagreements(rows) == []


def test_redshift_node_types_and_counts_agree() -> None:
    rows = []
    for node_type in ("ra3.large", "ra3.xlplus", "ra3.4xlarge", "ra3.16xlarge"):
        for nodes in (1, 2, 16, 17, 32, 33, 128):
            raw = {"mode": "provisioned", "nodeType": node_type, "nodes": nodes}
            rows.append(
                (
                    f"{node_type} x{nodes}",
                    config_accepts(parse_warehouse, raw),
                    pack_accepts(
                        "aws:redshift/cluster:Cluster",
                        {"nodeType": node_type, "numberOfNodes": nodes},
                        "deploy-redshift-node-type",
                        "deploy-redshift-node-count",
                        "allowed-instance-class",
                    ),
                )
            )
    assert disagreements(rows) == []


def test_dms_classes_agree() -> None:
    classes = [*sorted(dms.DMS_CLASSES), "dms.t3.nano", "dms.c7i.large", "dms.r7i.large"]
    rows = [
        (
            c,
            config_accepts(parse_migration, {"enabled": True, "instanceClass": c}),
            pack_accepts(
                "aws:dms/replicationInstance:ReplicationInstance",
                {"replicationInstanceClass": c},
                "deploy-dms-instance-class",
                "allowed-instance-class",
            ),
        )
        for c in classes
    ]
    assert disagreements(rows) == []


# ---------------------------------------------------------------------------------------------
# The new config errors, each naming its key
# ---------------------------------------------------------------------------------------------

BAD: list[tuple[dict[str, Any], str | None, str]] = [
    ({"dbtier:relational": {"performanceInsights": True}}, REGION,
     "dbtier:relational.performanceInsights: Performance Insights is not offered for MySQL on db.t4g.micro"),
    ({"dbtier:relational": {"engineVersion": "8.1"}}, REGION,
     "dbtier:relational.engineVersion: MySQL 8.1 is not offered by RDS (offered: 8.4 or 8.4.5"),
    ({"dbtier:relational": {"engineVersion": "8.4.3"}}, REGION,
     "dbtier:relational.engineVersion: MySQL 8.4.3 is deprecated"),
    ({"dbtier:relational": {"engineVersion": "8.0.46"}}, REGION,
     "dbtier:relational.engineVersion: MySQL 8.0.46 is outside standard support (supported: 8.4)"),
    ({"dbtier:relational": {"instanceClass": "db.serverless"}}, REGION,
     "dbtier:relational.instanceClass: db.serverless is not offered for MySQL 8.4 in us-east-1"),
    ({"dbtier:relational": {"instanceClass": "db.m5.large"}}, REGION,
     "dbtier:relational.instanceClass: db.m5.large is not a current-generation rds class"),
    ({}, "ca-west-1",
     "dbtier:relational.instanceClass: db.t4g.micro is not offered for MySQL 8.4 in ca-west-1"),
    ({"dbtier:aurora": {"engineVersion": "8.0.mysql_aurora.3.99.0"}}, REGION,
     "dbtier:aurora.engineVersion: Aurora MySQL 8.0.mysql_aurora.3.99.0 is not offered"),
    ({"dbtier:aurora": {"engine": "aurora-postgresql", "engineVersion": "13.23"}}, REGION,
     "dbtier:aurora.engineVersion: Aurora PostgreSQL 13.23 is outside standard support"),
    ({"dbtier:aurora": {"engineVersion": "8.0.mysql_aurora.3.04.4", "minCapacity": 0,
                        "secondsUntilAutoPause": 600}}, REGION,
     "dbtier:aurora.minCapacity: 0 needs auto-pause"),
    ({"dbtier:redis": {"engine": "valkey", "engineVersion": "8.5"}}, REGION,
     "dbtier:redis.engineVersion: Valkey 8.5 is not offered by ElastiCache"),
    ({"dbtier:redis": {"nodeType": "cache.t4g.nano"}}, REGION,
     "dbtier:redis.nodeType: cache.t4g.nano is not offered by ElastiCache in us-east-1"),
    ({}, "me-central-1", "dbtier:redis.nodeType: cache.t4g.micro is not offered"),
    ({"dbtier:warehouse": {"nodeType": "ra3.4xlarge", "nodes": 1}}, REGION,
     "dbtier:warehouse.nodes: ra3.4xlarge clusters take 2 to 32 nodes (got 1)"),
    ({"dbtier:migration": {"enabled": True, "instanceClass": "dms.t3.nano"}}, REGION,
     "dbtier:migration.instanceClass: dms.t3.nano is not a DMS replication instance class"),
    ({}, "us-east-9", "aws:region: 'us-east-9' is not an AWS region"),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "region", "message"), BAD, ids=[m[:70] for *_, m in BAD])
def test_catalog_errors_name_the_key(raw: dict[str, Any], region: str | None, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse(raw, region=region)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_performance_insights_defaults_to_what_the_class_supports() -> None:
    assert parse({}, region=REGION).relational.performance_insights is False
    big = parse({"dbtier:relational": {"instanceClass": "db.m7g.large"}}, region=REGION)
    assert big.relational.performance_insights is True
    off = parse(
        {"dbtier:relational": {"instanceClass": "db.m7g.large", "performanceInsights": False}},
        region=REGION,
    )
    assert off.relational.performance_insights is False


def test_a_disabled_part_is_not_checked_against_the_region() -> None:
    cfg = parse({"dbtier:redis": {"enabled": False}}, region="me-central-1")
    assert cfg.redis.enabled is False


def test_the_region_is_kept_for_the_provider() -> None:
    assert parse({}, region="eu-west-1").region == "eu-west-1"
