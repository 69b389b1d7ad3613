"""The memo of policy/dbtier_policy/_sdk_memo.py: per call and per argument, installed only when the
preflight asks for it, and never changing what the pack reports."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from dbtier_policy import _sdk_memo

from preflight.client import PolicyPackProcess, pack_environment
from preflight.plan import Plan
from preflight.policy import DEFAULT_PACK_DIR, load_policy_config
from tests.policy.baseline import CASES, build
from tests.policy.plans import shared_plan
from tests.policy.policy_fixtures import Pack, make_plan, with_inputs

pytestmark = pytest.mark.policy


def test_install_applies_to_the_pinned_sdk() -> None:
    # If a new pulumi_policy changes its internals, install() becomes a no-op (slower, not
    # different); this test says so instead of letting the pack silently lose its fast path.
    assert _sdk_memo.install() is True


def test_memo_only_inside_a_call_and_per_argument_object() -> None:
    calls: list[Any] = []

    @_sdk_memo.memoized
    def convert(value: dict[str, Any], *rest: Any) -> dict[str, Any]:
        calls.append(value)
        return dict(value)

    first, second = {"a": 1}, {"a": 1}
    assert convert(first) is not convert(first)  # no call in progress: no memo
    assert len(calls) == 2

    @_sdk_memo.call_scope
    def one_call() -> list[dict[str, Any]]:
        return [convert(first), convert(first), convert(second), convert(first, True)]

    a, b, c, d = one_call()
    assert a is b  # same argument object: converted once
    assert c is not a and c == a  # an equal but different object is converted on its own
    assert d is not a  # extra arguments are never memoized
    assert len(calls) == 2 + 3
    assert convert(first) is not a  # the memo ends with the call


def test_preflight_asks_for_the_memo_and_the_engine_does_not() -> None:
    plan = make_plan([])
    assert pack_environment(plan)[_sdk_memo.ENV_VAR] == "1"
    assert _sdk_memo.ENV_VAR not in pack_environment(plan, {_sdk_memo.ENV_VAR: "1"}, memo=False)


@pytest.mark.parametrize(
    ("env", "installed"),
    [
        pytest.param({_sdk_memo.ENV_VAR: "1"}, True, id="DBTIER_POLICY_MEMO=1 installs"),
        pytest.param({}, False, id="unset leaves the SDK alone"),
        pytest.param({_sdk_memo.ENV_VAR: "0"}, False, id="DBTIER_POLICY_MEMO=0 leaves it alone"),
    ],
)
def test_pack_entry_point_installs_the_memo_only_on_request(
    env: dict[str, str], installed: bool
) -> None:
    # Run the pack's __main__ as the engine does (in policy/, by path), with the server stubbed.
    probe = (
        "import runpy, pulumi_policy\n"
        "pulumi_policy.PolicyPack = lambda **kwargs: print(len(kwargs['policies']))\n"
        "runpy.run_path('.', run_name='__main__')\n"
        "from dbtier_policy import _sdk_memo\n"
        "print(_sdk_memo._state['installed'])\n"
    )
    base = {k: v for k, v in os.environ.items() if k != _sdk_memo.ENV_VAR}
    run = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=DEFAULT_PACK_DIR,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    policies, memo = run.stdout.split()
    assert int(policies) > 0
    assert memo == str(installed)


@pytest.fixture(scope="module")
def stock_pack() -> Iterator[Pack]:
    """A second pack that runs the stock SDK, as under `pulumi preview`."""
    env = pack_environment(make_plan([]), memo=False)
    with PolicyPackProcess(DEFAULT_PACK_DIR, env) as process:
        yield Pack(process)


def _many_violations() -> Plan:
    """The baseline with every single-rule mutation of the rule tests applied at once."""
    resources = build()
    for _, target, changes in CASES:
        resources[target] = with_inputs(resources[target], **changes)
    return make_plan(list(resources.values()))


@pytest.mark.parametrize("case", ["prod plan", "every rule violated"])
def test_stock_sdk_reports_exactly_what_the_memo_reports(
    pack: Pack, stock_pack: Pack, case: str
) -> None:
    if case == "prod plan":
        plan = shared_plan("prod")
        config = load_policy_config(DEFAULT_PACK_DIR / "config" / "prod.json")
    else:
        plan = _many_violations()
        config = {"all": "mandatory", "stack-database-alarms": {"requireAlarms": True}}
    with_memo = pack.run(plan, config)
    stock = stock_pack.run(plan, config)
    assert stock.violations == with_memo.violations
    if case == "every rule violated":
        assert len({v.policy for v in stock.violations}) >= 60
