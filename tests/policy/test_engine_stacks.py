"""Each RDS engine's stack, dev-like and prod-like, through the policy and deployability passes
over gRPC with the stack's own policy config: no mandatory violation.

Dev-like: Pulumi.dev.yaml with `dbtier:relational.engine` set. Prod-like: Pulumi.prod.yaml with
the engine and what its edition allows (Multi-AZ, replicas), the migration reading it where DMS
can (SQL Server naming its database, Oracle left out: a migration needs generated credentials,
which AWS's Oracle rotation function cannot rotate over TLS), PostgreSQL into Aurora PostgreSQL.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from awsdata.rds_engines import ENGINES
from preflight.policy import PolicyReport, load_policy_config
from tests.policy.plans import shared_plan
from tests.policy.policy_fixtures import ROOT, Pack

pytestmark = pytest.mark.policy

ROTATED = {"rotationDays": 30}
# What each engine's prod-like relational tier changes in Pulumi.prod.yaml's.
PROD_LIKE: dict[str, dict[str, Any]] = {
    "mysql": {},
    "postgres": {},
    "mariadb": {"readReplicas": 1},
    "sqlserver-ex": {"instanceClass": "db.t3.xlarge", "multiAz": False, "readReplicas": 0},
    "sqlserver-web": {"instanceClass": "db.m6i.large", "readReplicas": 0},
    "sqlserver-se": {"instanceClass": "db.m6i.xlarge", "readReplicas": 0},
    "sqlserver-ee": {"instanceClass": "db.m6i.xlarge"},
    "oracle-se2": {
        "instanceClass": "db.m6i.large",
        "readReplicas": 0,
        "credentials": {"mode": "managed", **ROTATED},
    },
    "oracle-ee": {
        "instanceClass": "db.m6i.large",
        "readReplicas": 1,
        "licenseModel": "bring-your-own-license",
        "credentials": {"rotationDays": 0},
    },
}
# What a prod-like stack of the engine cannot avoid, and why (reported to the engines' owners):
# Oracle EE with a replica can neither rotate a generated password (the rotation function has
# no TLS) nor let RDS manage it (RDS refuses a managed password with replicas).
KNOWN: dict[tuple[str, str], set[str]] = {("oracle-ee", "prod"): {"database-secret-rotation"}}
VARIANTS = [(engine, variant) for engine in ENGINES for variant in ("dev", "prod")]


@cache
def stack_config(variant: str) -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / f"Pulumi.{variant}.yaml").read_text())["config"])


def overrides(engine: str, variant: str) -> dict[str, Any]:
    config = stack_config(variant)
    relational = {**(config.get("dbtier:relational") or {}), "engine": engine}
    if engine == "oracle-ee":
        relational["licenseModel"] = "bring-your-own-license"
    if variant == "dev":
        return {"dbtier:relational": relational}
    relational |= PROD_LIKE[engine]
    migration = dict(config["dbtier:migration"])
    if engine.startswith("sqlserver-"):
        migration["sourceDatabase"] = "appdb"  # RDS creates none on SQL Server
    if engine in ("sqlserver-ex", "sqlserver-web") or engine.startswith("oracle-"):
        migration["enabled"] = False
    out = {"dbtier:relational": relational, "dbtier:migration": migration}
    if engine == "postgres":
        aurora = config["dbtier:aurora"]
        out["dbtier:aurora"] = {**aurora, "engine": "aurora-postgresql", "backtrackHours": 0}
    return out


@pytest.fixture(scope="module")
def reports(pack: Pack) -> dict[tuple[str, str], PolicyReport]:
    configs = {
        v: load_policy_config(Path(ROOT / "policy" / "config" / f"{v}.json"))
        for v in ("dev", "prod")
    }
    return {
        (engine, variant): pack.run(
            shared_plan(variant, overrides=overrides(engine, variant)), configs[variant]
        )
        for engine, variant in VARIANTS
    }


@pytest.mark.parametrize(("engine", "variant"), VARIANTS)
def test_each_engine_passes_its_stacks_policy(
    reports: dict[tuple[str, str], PolicyReport], engine: str, variant: str
) -> None:
    violations = reports[engine, variant].violations
    mandatory = {v.policy: v.message for v in violations if v.level == "mandatory"}
    assert set(mandatory) == KNOWN.get((engine, variant), set()), mandatory


def test_the_prod_like_stacks_migrate_from_every_engine_dms_reads_but_oracle() -> None:
    migrating = {e for e in ENGINES if overrides(e, "prod")["dbtier:migration"]["enabled"]}
    assert migrating == {"mysql", "postgres", "mariadb", "sqlserver-se", "sqlserver-ee"}
