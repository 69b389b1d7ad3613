"""The prod stack with a secondary region (and with a cross-region read replica), planned on the mocks and judged by the real pack under
prod's policy config: no violation of any rule, security or deployability; and the same stack
with the replication alarms off is reported by stack-replication-lag-alarms."""

from __future__ import annotations

from pathlib import Path

import pytest

from preflight.client import run_policy_report
from preflight.plan import plan_stack
from tests.unit.test_regions_plan import prod_far_config, prod_variant

pytestmark = pytest.mark.policy

ROOT = Path(__file__).resolve().parents[2]
REGIONS = prod_variant(["eu-west-1"])


@pytest.mark.parametrize(
    "overrides", [REGIONS, prod_far_config()], ids=["regions", "cross-region replica and backups"]
)
def test_prod_with_a_secondary_region_passes_every_rule(overrides: dict[str, object]) -> None:
    plan = plan_stack("prod", config_overrides=overrides)
    assert any(p.name == "dbtier-aws-eu-west-1" for p in plan.resources)
    report = run_policy_report(plan, ROOT / "policy", ROOT / "policy/config/prod.json")
    assert [(v.policy, v.message) for v in report.violations] == []


def test_prod_with_a_secondary_region_and_no_alarms_misses_the_lag_alarms() -> None:
    plan = plan_stack("prod", config_overrides={**REGIONS, "dbtier:alarms": {"enabled": False}})
    report = run_policy_report(plan, ROOT / "policy", ROOT / "policy/config/prod.json")
    lag = [v for v in report.violations if v.policy == "stack-replication-lag-alarms"]
    assert lag and all(v.level == "mandatory" for v in lag)
    assert "replicates to eu-west-1 with no ReplicationLatency alarm" in lag[0].message
