"""`python -m preflight --stack NAME [--format text|json|sarif]`: plan a stack and check it offline.

Exit codes: 0 clean, 1 a mandatory policy violation, 2 a bad stack, config or usage.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from preflight.plan import (
    PROJECT_DIR,
    Plan,
    PlanError,
    mask_secrets,
    output_lines,
    plan_stack,
    tree_lines,
)
from preflight.policy import (
    DEFAULT_PACK_DIR,
    PolicyPackError,
    default_config_path,
    run_policy_report,
    text_lines,
)
from preflight.sarif import to_sarif


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m preflight",
        description="Plan a dbtier stack offline on mocks and check it with the policy pack.",
    )
    parser.add_argument("--stack", required=True, help="stack name: reads Pulumi.<stack>.yaml")
    parser.add_argument("--format", choices=("text", "json", "sarif"), default="text")
    parser.add_argument(
        "--output", type=Path, help="write the report to this file instead of stdout"
    )
    parser.add_argument(
        "--project-dir", type=Path, default=PROJECT_DIR, help="directory holding Pulumi.yaml"
    )
    parser.add_argument(
        "--policy-pack", type=Path, default=DEFAULT_PACK_DIR, help="policy pack directory"
    )
    parser.add_argument(
        "--policy-config",
        type=Path,
        help="policy config (--policy-pack-config format); default policy/config/<stack>.json",
    )
    return parser


def plan_json(plan: Plan) -> dict[str, Any]:
    """The plan in DESIGN.md's fixed JSON shape (violations are added by the policy pass)."""
    return {
        "stack": plan.stack,
        "resources": [
            {
                "urn": r.urn,
                "type": r.type,
                "name": r.name,
                "parent": r.parent,
                "inputs": mask_secrets(r.inputs),
                "protect": r.protect,
            }
            for r in plan.resources
        ],
        "outputs": mask_secrets(plan.outputs),
        "violations": [],
    }


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    # Write beside the target and rename, so a failure never leaves a half-written report.
    tmp = output.with_name(f".{output.name}.tmp")
    try:
        tmp.write_text(text)
        tmp.replace(output)
    finally:
        tmp.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    try:
        return _run(_parser().parse_args(argv))
    except KeyboardInterrupt:
        print("preflight: interrupted", file=sys.stderr)
        return 130


def _run(args: argparse.Namespace) -> int:
    try:
        plan = plan_stack(args.stack, args.project_dir)
    except PlanError as exc:
        print(f"preflight: {exc}", file=sys.stderr)
        return 2
    for warning in plan.warnings:
        print(f"preflight: warning: {warning}", file=sys.stderr)

    config_path = args.policy_config or default_config_path(args.stack, args.policy_pack)
    try:
        policy = run_policy_report(plan, args.policy_pack, config_path)
    except PolicyPackError as exc:
        print(f"preflight: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("preflight: interrupted; the policy pack was stopped", file=sys.stderr)
        return 130

    if args.format == "json":
        document = plan_json(plan)
        document["violations"] = [v.as_json() for v in policy.violations]
        report = json.dumps(document, indent=2) + "\n"
    elif args.format == "sarif":
        stack_file = args.project_dir / f"Pulumi.{args.stack}.yaml"
        sarif = to_sarif(
            policy.violations,
            stack=args.stack,
            stack_file=stack_file,
            policies=policy.policies,
            tool_version=policy.version,
        )
        report = json.dumps(sarif, indent=2) + "\n"
    else:
        lines = [f"Previewing stack {plan.project}-{plan.stack} (offline, on mocks)", ""]
        lines += tree_lines(plan)
        lines += [
            "",
            *output_lines(plan.outputs),
            "",
            f"Resources: {len(plan.resources)} to create",
            "",
            *text_lines(policy.violations),
        ]
        report = "\n".join(lines) + "\n"
    try:
        _write(report, args.output)
    except OSError as exc:
        print(f"preflight: cannot write {args.output}: {exc.strerror}", file=sys.stderr)
        return 2
    return 1 if policy.mandatory else 0


if __name__ == "__main__":
    sys.exit(main())
