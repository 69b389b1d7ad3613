"""A pinned minor version and automatic minor upgrades do not fight: the RDS instance, Aurora
cluster and its instances ignore engineVersion when the configured version names a minor and
AWS upgrades minors; a major version alone (which the provider matches as a prefix of the
running one) and a stack without automatic upgrades keep the version managed."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from awsdata.rds_engines import pins_minor
from components.rds_shape import ignored_version
from preflight.plan import Plan
from tests.unit.conftest import of_type, one

INSTANCE = "aws:rds/instance:Instance"
CLUSTER = "aws:rds/cluster:Cluster"
CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"


@pytest.mark.parametrize(
    ("engine", "version", "pinned"),
    [
        ("mysql", "8.4", False),
        ("mysql", "8.4.7", True),
        ("mariadb", "11.4", False),
        ("mariadb", "11.4.8", True),
        ("postgres", "17", False),
        ("postgres", "17.11", True),
        ("sqlserver-se", "16.00", False),
        ("sqlserver-se", "16.00.4215.2.v1", True),
        ("oracle-se2", "19", False),
        ("oracle-se2", "19.0.0.0.ru-2025-07.rur-2025-07.r1", True),
        ("aurora-mysql", "8.0", False),
        ("aurora-mysql", "8.0.mysql_aurora.3.10.0", True),
        ("aurora-postgresql", "16", False),
        ("aurora-postgresql", "16.8", True),
        ("neptune", "1.3.2.1", False),  # not an engine known here: not judged
    ],
)
def test_which_versions_pin_a_minor(engine: str, version: str, pinned: bool) -> None:
    assert pins_minor(engine, version) is pinned
    assert ignored_version(engine, version, True) == (["engineVersion"] if pinned else [])
    assert ignored_version(engine, version, False) == []


def test_prod_aurora_ignores_its_pinned_version_and_the_mysql_major_does_not(
    prod_plan: Plan,
) -> None:
    cluster = one(prod_plan, CLUSTER)
    assert cluster.inputs["engineVersion"] == "8.0.mysql_aurora.3.10.0"
    assert "engineVersion" in cluster.ignore_changes
    members = of_type(prod_plan, CLUSTER_INSTANCE)
    assert members and all(m.ignore_changes == ["engineVersion"] for m in members)
    primary = one(prod_plan, INSTANCE, "relational-primary")
    assert primary.inputs["engineVersion"] == "8.4"  # the major only: nothing to ignore
    assert "engineVersion" not in primary.ignore_changes


def test_a_pinned_postgres_minor_is_ignored_only_with_automatic_upgrades(
    plan_with: Callable[..., Plan],
) -> None:
    pinned = {"engine": "postgres", "engineVersion": "17.11"}
    plan = plan_with("dev", relational=pinned)
    assert one(plan, INSTANCE).ignore_changes == ["engineVersion"]
    plan = plan_with("dev", relational={**pinned, "autoMinorVersionUpgrade": False})
    assert one(plan, INSTANCE).ignore_changes == []
    # MySQL's default is its major alone (8.4): a minor given in config is ignored the same way.
    plan = plan_with("dev", relational={"engineVersion": "8.4.7"})
    assert one(plan, INSTANCE).ignore_changes == ["engineVersion"]
