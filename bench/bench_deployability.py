"""Benchmark of the deployability pass (not a test): the prod preflight with it and without it.

    .venv/bin/python -m bench.bench_deployability [--stack prod] [--rounds 7]

Each round runs the whole preflight twice as a user runs it (a fresh ``python -m preflight``,
so the catalog's data loads count), alternating the order: once as shipped, once with
``DBTIER_DEPLOYABILITY=off``, which leaves the deployability rules out of the pack and the catalog
checks out of config validation, with the stack's policy config minus those rules. Prints the
median wall time of each and the pass's share; the budget is +50 %.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dbtier_policy.registry import RULES

ROOT = Path(__file__).resolve().parents[1]
BUDGET = 0.50


def config_without_deployability(stack: str) -> Path:
    """The stack's policy config without the deployability rules' entries."""
    config = json.loads((ROOT / "policy" / "config" / f"{stack}.json").read_text())
    names = {r.meta.name for r in RULES if r.meta.category == "deployability"}
    kept = {k: v for k, v in config.items() if k not in names}
    path = Path(tempfile.mkdtemp(prefix="dbtier-bench-")) / f"{stack}.json"
    path.write_text(json.dumps(kept))
    return path


def preflight(stack: str, on: bool, off_config: Path) -> float:
    env = dict(os.environ)
    args = [sys.executable, "-m", "preflight", "--stack", stack, "--format", "json"]
    if not on:
        env["DBTIER_DEPLOYABILITY"] = "off"
        args += ["--policy-config", str(off_config)]
    began = time.perf_counter()
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(
            f"preflight ({'on' if on else 'off'}) exited {done.returncode}: {done.stderr[-500:]}"
        )
    violations = json.loads(done.stdout)["violations"]
    found = [v["policy"] for v in violations if v.get("category") == "deployability"]
    if found:
        raise SystemExit(f"the {stack} stack has deployability findings: {found}")
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", default="prod")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    off_config = config_without_deployability(args.stack)
    preflight(args.stack, True, off_config)  # warm the file cache once
    times: dict[bool, list[float]] = {True: [], False: []}
    for i in range(args.rounds):
        order = (True, False) if i % 2 == 0 else (False, True)
        for on in order:
            times[on].append(preflight(args.stack, on, off_config))
    on, off = statistics.median(times[True]), statistics.median(times[False])
    share = on / off - 1
    load = os.getloadavg()[0]
    print(f"preflight --stack {args.stack}, median of {args.rounds} rounds (load {load:.1f})")
    for label, values in (("pass on", times[True]), ("pass off", times[False])):
        print(
            f"  {label:9} {statistics.median(values):6.2f} s  "
            f"(min {min(values):.2f}, max {max(values):.2f})"
        )
    print(
        f"  the deployability pass adds {share:+.0%} (budget {BUDGET:+.0%}):"
        f" {'within' if share <= BUDGET else 'OVER'} budget"
    )


if __name__ == "__main__":
    main()
