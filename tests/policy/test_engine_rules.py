"""The rules that know every RDS engine, over gRPC: for each rule issue 18 changed, a violating
and a compliant case per engine. Every case's resources go into ONE plan that the pack analyses
once (a single round trip); each test then reads the verdicts of its own rule on its own cases.

A case is a handful of synthetic resources named after it (its database, the groups it links);
the resource a rule should report is the case's first. Other rules report plenty on these bare
resources: each test looks only at the rule it is about.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pytest

from preflight.plan import PlannedResource
from preflight.policy import PolicyReport
from tests.policy.policy_fixtures import Pack, resource

pytestmark = pytest.mark.policy

CERT = "arn:aws:dms:us-east-1:123456789012:cert:RDSCAWALLET"
ENDPOINT = "aws:dms/endpoint:Endpoint"


@dataclass(frozen=True)
class Case:
    """One engine's plan for one rule: ``violates`` says whether the rule must report it."""

    policy: str
    name: str
    violates: bool
    resources: Sequence[PlannedResource] = field(default_factory=tuple)
    """The case's resources; the first is the one the rule reports."""
    text: str = ""
    """What a violation's message must say (the key or fact it names)."""


def endpoint(
    name: str, engine: str, mode: str | None, certificate: bool = False
) -> PlannedResource:
    inputs: dict[str, Any] = {"endpointType": "source", "engineName": engine}
    if mode is not None:
        inputs["sslMode"] = mode
    if certificate:
        inputs["certificateArn"] = CERT
    return resource(ENDPOINT, name, inputs)


def ssl_case(
    engine: str, mode: str | None, violates: bool, cert: bool = False, text: str = ""
) -> Case:
    name = f"ssl-{engine}-{mode or 'unset'}{'-cert' if cert else ''}"
    return Case("dms-endpoint-ssl", name, violates, (endpoint(name, engine, mode, cert),), text)


CASES: list[Case] = [
    # Every endpoint engine: encrypted in a mode DMS offers it, or not encrypted at all.
    ssl_case("mysql", "require", False),
    ssl_case("mysql", None, True, text="unencrypted"),
    ssl_case("mariadb", "require", False),
    ssl_case("mariadb", "none", True, text="unencrypted"),
    ssl_case("aurora", "require", False),
    ssl_case("aurora", "verify-full", True, text="certificateArn"),
    ssl_case("postgres", "require", False),
    ssl_case("postgres", "verify-full", False, cert=True),
    ssl_case("aurora-postgresql", "require", False),
    ssl_case("aurora-postgresql", "verify-ca", True, text="needs the CA imported"),
    ssl_case("sqlserver", "require", False),
    ssl_case("sqlserver", "verify-ca", True, cert=True, text="no sslMode verify-ca on sqlserver"),
    ssl_case("oracle", "verify-ca", False, cert=True),
    ssl_case("oracle", "require", True, text="only verify-ca"),
    ssl_case("oracle", "verify-ca", True, text="certificateArn"),
]


@cache
def _resources() -> tuple[PlannedResource, ...]:
    names = [c.name for c in CASES]
    assert len(names) == len(set(names)), "case names must be unique"
    return tuple(r for case in CASES for r in case.resources)


@pytest.fixture(scope="module")
def report(pack: Pack) -> PolicyReport:
    return pack.run(list(_resources()))


def _cases(policy: str) -> list[Case]:
    return [c for c in CASES if c.policy == policy]


POLICIES = sorted({c.policy for c in CASES})


@pytest.mark.parametrize("policy", POLICIES)
def test_each_engine_violates_or_complies_as_its_case_says(
    report: PolicyReport, policy: str
) -> None:
    cases = _cases(policy)
    urns = {c.resources[0].urn: c for c in cases}
    hits = [v for v in report.violations if v.policy == policy and v.urn in urns]
    reported = {urns[v.urn].name for v in hits}
    assert reported == {c.name for c in cases if c.violates}
    for v in hits:
        case = urns[v.urn]
        assert case.text in v.message, (case.name, v.message)
        assert v.level == "mandatory" and "Fix:" in v.message


@pytest.mark.parametrize("policy", POLICIES)
def test_each_rule_has_a_violating_and_a_compliant_case(policy: str) -> None:
    cases = _cases(policy)
    assert any(c.violates for c in cases) and any(not c.violates for c in cases)
