"""Benchmark of the preflight's policy pass (not a test).

    .venv/bin/python -m bench.bench_preflight [--tables 1000] [--skip-tables] [--repeats 3]
                                              [--memo on,off]

Measures: (1) the policy pass per resource over gRPC, one call in flight vs. concurrent calls,
for growing synthetic plans (linearity); (2) the whole preflight (plan on mocks + policy pass) for
the prod stack; (3) the whole preflight for a stack of N DynamoDB tables, each with a stream
processor, built through the real DynamoTable component. Each is run with the pack's per-call
memo on (``DBTIER_POLICY_MEMO=1``, as the preflight starts it) and off (the stock SDK, as
``pulumi preview`` runs it), as ``--memo`` says. Every figure is the median of ``--repeats`` runs
(min and max alongside); the machine is shared and noisy, so compare figures taken in the same run.
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import replace
from pathlib import Path

from preflight.client import PolicyPackProcess, analyze_plan, pack_environment
from preflight.plan import Plan, plan_stack
from preflight.policy import DEFAULT_PACK_DIR, PolicyReport, load_policy_config
from tests.policy.baseline import build
from tests.policy.policy_fixtures import make_plan

ROOT = Path(__file__).resolve().parents[1]

CONFIG = {"all": "mandatory"}


def synthetic_plan(n: int) -> Plan:
    base = list(build().values())
    resources = []
    i = 0
    while len(resources) < n:
        for r in base:
            resources.append(replace(r, urn=f"{r.urn}-{i}", name=f"{r.name}-{i}"))
        i += 1
    return make_plan(resources[:n])


def policy_pass(sizes: list[int], repeats: int = 3, memo: bool = True) -> None:
    print(
        f"policy pass over gRPC (Analyze per resource + one AnalyzeStack), memo {_on(memo)}, "
        f"median of {repeats}"
    )
    print(
        f"{'resources':>10} {'in flight':>10} {'total s':>9} {'ms/resource':>12} {'min-max ms':>14}"
    )
    env = pack_environment(make_plan([]), memo=memo)
    with PolicyPackProcess(DEFAULT_PACK_DIR, env) as pack:
        analyze_plan(pack, synthetic_plan(50), CONFIG)  # warm up
        for n in sizes:
            plan = synthetic_plan(n)
            for in_flight in (1, 16):
                runs = [
                    _timed(lambda: analyze_plan(pack, plan, CONFIG, max_in_flight=in_flight))  # noqa: B023
                    for _ in range(repeats)
                ]
                mid = statistics.median(runs)
                spread = f"{min(runs) / n * 1000:.2f}-{max(runs) / n * 1000:.2f}"
                print(f"{n:>10} {in_flight:>10} {mid:>9.3f} {mid / n * 1000:>12.3f} {spread:>14}")


def _on(memo: bool) -> str:
    return "on" if memo else "off"


def _timed(fn: object) -> float:
    start = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - start


def _policy_report(plan: Plan, stack: str, memo: bool) -> PolicyReport:
    """What the preflight's run_policy_report does, with the memo as asked."""
    config = load_policy_config(ROOT / "policy" / "config" / f"{stack}.json")
    with PolicyPackProcess(DEFAULT_PACK_DIR, pack_environment(plan, memo=memo)) as pack:
        return analyze_plan(pack, plan, config)


def whole_preflight(
    stack: str, overrides: dict | None = None, label: str = "", repeats: int = 1, memo: bool = True
) -> None:
    plans, policies, totals = [], [], []
    for _ in range(repeats):
        start = time.perf_counter()
        plan = plan_stack(stack, config_overrides=overrides)
        planned = time.perf_counter()
        report = _policy_report(plan, stack, memo)
        end = time.perf_counter()
        plans.append(planned - start)
        policies.append(end - planned)
        totals.append(end - start)
        resources = len(plan.resources)
        del plan

    def show(runs: list[float]) -> str:
        mid = statistics.median(runs)
        return f"{mid:.2f} s" + (f" ({min(runs):.2f}-{max(runs):.2f})" if len(runs) > 1 else "")

    print(
        f"{label or stack}, memo {_on(memo)}: {resources} resources, median of {repeats}: "
        f"plan {show(plans)}, "
        f"policy {show(policies)} (incl. pack start), total {show(totals)}, "
        f"{len(report.violations)} violations ({len(report.mandatory)} mandatory)"
    )


def tables_overrides(n: int) -> dict:
    tables = [
        {
            "name": f"t{i:04d}",
            "hashKey": "pk",
            "rangeKey": "sk",
            "attributes": {"pk": "S", "sk": "S"},
            "stream": "NEW_AND_OLD_IMAGES",
            "streamProcessor": True,
        }
        for i in range(n)
    ]
    return {
        "dbtier:dynamo": {"enabled": True, "tables": tables},
        "dbtier:relational": {"enabled": False},
        "dbtier:aurora": {"enabled": False},
        "dbtier:warehouse": {"enabled": False},
        "dbtier:redis": {"enabled": False},
        "dbtier:migration": {"enabled": False},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tables", type=int, default=1000)
    parser.add_argument("--skip-tables", action="store_true")
    parser.add_argument("--sizes", default="250,1000,4000")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--memo", default="on,off", help="pack memo settings to measure, in order: on, off or both"
    )
    args = parser.parse_args()
    memos = [m.strip() == "on" for m in args.memo.split(",")]
    sizes = [int(s) for s in args.sizes.split(",")]
    for memo in memos:
        policy_pass(sizes, args.repeats, memo)
    for memo in memos:
        whole_preflight("prod", repeats=args.repeats, memo=memo)
    if not args.skip_tables:
        for n in sorted({args.tables // 4, args.tables}):
            label = f"dev + {n} tables with processors"
            for memo in memos:
                whole_preflight("dev", tables_overrides(n), label, args.repeats, memo)


if __name__ == "__main__":
    main()
