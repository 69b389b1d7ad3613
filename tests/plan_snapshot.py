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


def _shown(value: Any) -> str:
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= 120 else text[:119] + "…"


def _changes(path: str, old: Any, new: Any) -> list[str]:
    """One line per leaf that differs: ``path: old -> new`` (or added / removed)."""
    if isinstance(old, dict) and isinstance(new, dict):
        lines = []
        for key in sorted(old.keys() | new.keys()):
            where = f"{path}.{key}" if path else str(key)
            if key not in new:
                lines.append(f"{where}: removed (was {_shown(old[key])})")
            elif key not in old:
                lines.append(f"{where}: added {_shown(new[key])}")
            else:
                lines += _changes(where, old[key], new[key])
        return lines
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        return [
            line
            for i, (o, n) in enumerate(zip(old, new, strict=True))
            for line in _changes(f"{path}[{i}]", o, n)
        ]
    return [] if old == new else [f"{path}: {_shown(old)} -> {_shown(new)}"]


def diff(snapshot: dict[str, Any], plan: dict[str, Any]) -> list[str]:
    """What changed from the stored snapshot to the plan, one readable line per change: the
    resources added and removed by URN, then each changed input of a kept resource by its path,
    then the outputs and violations. Empty when they are equal."""
    old = {r["urn"]: r for r in snapshot["resources"]}
    new = {r["urn"]: r for r in plan["resources"]}
    lines = [f"+ {urn}" for urn in new if urn not in old]
    lines += [f"- {urn}" for urn in old if urn not in new]
    for urn in new.keys() & old.keys():
        lines += [f"~ {urn}: {change}" for change in _changes("", old[urn], new[urn])]
    rest = ({k: v for k, v in doc.items() if k != "resources"} for doc in (snapshot, plan))
    lines += [f"~ {change}" for change in _changes("", *rest)]
    return sorted(lines, key=lambda line: ("+-~".index(line[0]), line))


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
        elif changes := diff(stored(stack), plan):
            print(
                f"{stack}: differs from tests/fixtures/plans/{stack}.json ({len(changes)} changes)"
            )
            print("\n".join(f"  {line}" for line in changes))
            status = 1
        else:
            print(f"{stack}: identical ({len(plan['resources'])} resources)")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
