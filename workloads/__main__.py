"""Command line: ``python -m workloads <name> (--outputs FILE | --stack NAME) [--json] [-v]``.

Dispatches to one workload's ``cli`` module through ``WORKLOADS``. A module is imported only when
its workload is asked for, so one missing or broken workload never breaks the others. Every error
is one line on stderr with no traceback and no secret; exit codes: 0 ok, 1 a check failed, 2 bad
input or an unreachable endpoint, 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
import traceback
from types import ModuleType

from workloads.common import (
    EXIT_BAD_INPUT,
    EXIT_INTERRUPTED,
    RedactingFormatter,
    WorkloadError,
    load_outputs,
    log,
    one_line,
    outputs_from_stack,
    redact,
)

WORKLOADS: dict[str, str] = {
    "relational": "workloads.relational.cli",
    "aurora-load": "workloads.aurora_load.cli",
    "warehouse": "workloads.warehouse.cli",
    "migration-check": "workloads.migration_check.cli",
    "dynamo": "workloads.dynamo.cli",
    "redis": "workloads.redis_workload.cli",
}

PROG = "python -m workloads"


def _error(name: str, message: str) -> None:
    sys.stderr.write(f"{PROG} {name}: error: {redact(one_line(message))}\n")
    sys.stderr.flush()


def load_workload(name: str) -> ModuleType:
    """Import the CLI module of workload ``name``; a WorkloadError when it is unknown or absent."""
    module_path = WORKLOADS.get(name)
    if module_path is None:
        raise WorkloadError(f"unknown workload {name!r}; choose one of: {', '.join(WORKLOADS)}")
    try:
        return importlib.import_module(module_path)
    except ModuleNotFoundError as exc:
        if exc.name is not None and f"{module_path}.".startswith(f"{exc.name}."):
            raise WorkloadError(
                f"workload {name!r} is not available in this installation "
                f"(module {module_path} not found)"
            ) from None
        raise WorkloadError(
            f"workload {name!r} is not available: it needs the missing module {exc.name!r}"
        ) from None
    except ImportError as exc:
        raise WorkloadError(f"workload {name!r} is not available: {one_line(exc)}") from None


def _top_level_help() -> str:
    lines = [
        f"usage: {PROG} <workload> (--outputs FILE | --stack NAME) [--json] [-v] [options]",
        "",
        "Exercise each database of a dbtier stack through its stack outputs.",
        "",
        "workloads:",
    ]
    for name in WORKLOADS:
        try:
            summary = str(getattr(load_workload(name), "HELP", "")).strip().splitlines()[0]
        except (WorkloadError, IndexError):
            summary = "(not available)"
        lines.append(f"  {name:<16} {summary}")
    lines += ["", f"`{PROG} <workload> --help` lists a workload's options."]
    return "\n".join(lines)


def build_parser(name: str, module: ModuleType) -> argparse.ArgumentParser:
    """The parser of one workload: the common options, then the workload's own."""
    parser = argparse.ArgumentParser(
        prog=f"{PROG} {name}",
        description=getattr(module, "HELP", None),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--outputs",
        metavar="FILE",
        help="JSON of `pulumi stack output --json --show-secrets`",
    )
    source.add_argument(
        "--stack", metavar="NAME", help="read the outputs of this stack with the pulumi CLI"
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="log each step on stderr (secrets redacted)"
    )
    module.add_arguments(parser)
    return parser


def _configure_logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter("%(asctime)s %(name)s: %(message)s", "%H:%M:%S"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    log.setLevel(logging.INFO if verbose else logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    """Parse, load the outputs, run one workload; return the exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or args_list[0] in {"-h", "--help"}:
        sys.stdout.write(_top_level_help() + "\n")
        return 0 if args_list else EXIT_BAD_INPUT
    name, rest = args_list[0], args_list[1:]
    verbose = "-v" in rest or "--verbose" in rest
    try:
        module = load_workload(name)
        parser = build_parser(name, module)
        try:
            args = parser.parse_args(rest)
        except SystemExit as exc:  # argparse already printed its one-line usage error
            return int(exc.code or 0)
        _configure_logging(args.verbose)
        outputs = load_outputs(args.outputs) if args.outputs else outputs_from_stack(args.stack)
        return int(module.run(args, outputs))
    except WorkloadError as exc:
        _error(name, str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        _error(name, "interrupted")
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, no secret
        if verbose:
            sys.stderr.write(redact(traceback.format_exc()))
        _error(name, f"unexpected {type(exc).__name__}: {exc} (run with -v for details)")
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
