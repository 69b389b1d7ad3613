"""Plan snapshots: the preflight JSON of each stack, normalized so that only content counts.

The engine registers resources concurrently, so their order in the preflight JSON varies from
run to run; a snapshot sorts resources by URN and violations by (policy, urn) so two plans
compare equal exactly when they hold the same resources with the same inputs. Refresh the
stored snapshots after an intended change with `python -m tests.plan_snapshot --update`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOTS = ROOT / "tests" / "fixtures" / "plans"
STACKS = ("dev", "prod")


def normalize(report: dict[str, Any]) -> dict[str, Any]:
    """The preflight JSON with resources and violations in a stable order.

    Asset paths are made relative to the repository, so a clone elsewhere plans the same.
    """
    report = json.loads(json.dumps(report).replace(json.dumps(str(ROOT))[1:-1], "<repo>"))
    return {
        **report,
        "resources": sorted(report["resources"], key=lambda r: r["urn"]),
        "violations": sorted(report["violations"], key=lambda v: (v["policy"], v["urn"])),
    }


def current(stack: str) -> dict[str, Any]:
    """Run the preflight of `stack` as a user would and return its normalized JSON."""
    proc = subprocess.run(
        [sys.executable, "-m", "preflight", "--stack", stack, "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"preflight --stack {stack} exited {proc.returncode}: {proc.stderr}")
    return normalize(json.loads(proc.stdout))


def stored(stack: str) -> dict[str, Any]:
    return json.loads((SNAPSHOTS / f"{stack}.json").read_text())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="rewrite the stored snapshots")
    args = parser.parse_args()
    status = 0
    for stack in STACKS:
        plan = current(stack)
        if args.update:
            SNAPSHOTS.mkdir(parents=True, exist_ok=True)
            (SNAPSHOTS / f"{stack}.json").write_text(json.dumps(plan, indent=1) + "\n")
            print(f"{stack}: {len(plan['resources'])} resources stored")
        elif plan != stored(stack):
            print(f"{stack}: differs from tests/fixtures/plans/{stack}.json")
            status = 1
        else:
            print(f"{stack}: identical ({len(plan['resources'])} resources)")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
