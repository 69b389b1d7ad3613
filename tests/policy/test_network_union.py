"""The ingress-union rule over gRPC: a database security group may not open public addresses,
however the ranges are split across rules (issue 11: `[0.0.0.0/1, 128.0.0.0/1]` walked around
the 0.0.0.0/0 check). The prod plan passes; each case splits public space over the relational
group's ingress rules and expects exactly this rule to report that group."""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from ipaddress import ip_network
from typing import Any

import pytest
from dbtier_policy.network import public_addresses

from preflight.plan import Plan
from tests.policy.plans import shared_plan
from tests.policy.policy_fixtures import Pack
from tests.unit.test_private_ranges import INSIDE, OUTSIDE

pytestmark = pytest.mark.policy

RULE = "security-group-ingress-union-private"
RULE_NAME = "network-relational-in-vpc"
CONFIG: dict[str, Any] = {"all": "mandatory"}


@cache
def planned(stack: str) -> Plan:
    return shared_plan(stack)


def with_ranges(plan: Plan, *ranges: str) -> Plan:
    """The plan with the relational group's VPC rule replaced by one rule per range."""
    resources = list(plan.resources)
    old = next(r for r in resources if r.name == RULE_NAME)
    at = resources.index(old)
    rules = []
    for i, cidr in enumerate(ranges):
        inputs = {k: v for k, v in old.inputs.items() if k not in ("cidrIpv4", "cidrIpv6")}
        inputs["cidrIpv6" if ":" in cidr else "cidrIpv4"] = cidr
        name = f"{RULE_NAME}{i}"
        rules.append(replace(old, urn=old.urn.replace(RULE_NAME, name), name=name, inputs=inputs))
    resources[at : at + 1] = rules
    return replace(plan, resources=resources)


def hits(pack: Pack, plan: Plan) -> list[tuple[str, str]]:
    report = pack.run(plan, CONFIG)
    return [(v.urn.rsplit("::", 1)[-1], v.message) for v in report.violations if v.policy == RULE]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_stacks_open_no_public_address(pack: Pack, stack: str) -> None:
    assert hits(pack, planned(stack)) == []


@pytest.mark.parametrize(
    "ranges",
    [
        ("0.0.0.0/1", "128.0.0.0/1"),
        ("10.0.0.0/8", "0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/1"),
        ("3.0.0.0/8",),
        ("::/1", "8000::/1"),
        ("fd00::/8", "2000::/3"),
        # one address just outside each private block (tests/unit/test_private_ranges.py)
        tuple(str(ip_network(a)) for a in OUTSIDE),
    ],
)
def test_a_split_public_range_is_reported_on_its_group(pack: Pack, ranges: tuple[str]) -> None:
    found = hits(pack, with_ranges(planned("prod"), *ranges))
    assert len(found) == 1, found
    urn_name, message = found[0]
    assert urn_name == "network-relational-sg"
    assert "public" in message and "dbtier:network.allowedCidrs" in message


@pytest.mark.parametrize(
    "ranges",
    [
        ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"),
        ("100.64.0.0/10", "fd00::/8"),
        tuple(str(ip_network(a)) for a in INSIDE),
    ],
)
def test_private_ranges_pass(pack: Pack, ranges: tuple[str]) -> None:
    assert hits(pack, with_ranges(planned("prod"), *ranges)) == []


def test_public_addresses_counts_the_union_not_the_items() -> None:
    import ipaddress

    halves = [ipaddress.ip_network("0.0.0.0/1"), ipaddress.ip_network("128.0.0.0/1")]
    overlapping = [*halves, ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("64.0.0.0/2")]
    assert public_addresses(halves) == public_addresses(overlapping)
    assert public_addresses([ipaddress.ip_network("10.0.0.0/8")]) == (0, 0)
    assert public_addresses([ipaddress.ip_network("3.0.0.0/8")]) == (2**24, 0)
