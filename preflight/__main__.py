"""`python -m preflight --stack NAME [--format text|json|sarif]`: plan a stack and check it offline.

Exit codes: 0 clean, 1 a mandatory policy violation, 2 a bad stack, config or usage,
130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from preflight.client import run_policy_report
from preflight.plan import PROJECT_DIR, PlanError, plan_stack
from preflight.policy import DEFAULT_PACK_DIR, PolicyPackError, default_config_path
from preflight.report import FORMATS, render


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m preflight",
        description="Plan a dbtier stack offline on mocks and check it with the policy pack.",
    )
    parser.add_argument("--stack", required=True, help="stack name: reads Pulumi.<stack>.yaml")
    parser.add_argument("--format", choices=FORMATS, default="text")
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

    stack_file = args.project_dir / f"Pulumi.{args.stack}.yaml"
    report = render(args.format, plan, policy, stack_file)
    try:
        _write(report, args.output)
    except OSError as exc:
        print(f"preflight: cannot write {args.output}: {exc.strerror}", file=sys.stderr)
        return 2
    return 1 if policy.mandatory else 0


if __name__ == "__main__":
    sys.exit(main())
