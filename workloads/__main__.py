"""Command line: ``python -m workloads <name> (--outputs FILE | --stack NAME) [--json] [-v]``.

Dispatches to one workload's ``cli`` module through ``WORKLOADS``. A module is imported only when
its workload is asked for, so one missing or broken workload never breaks the others. Every error
is one line on stderr with no traceback and no secret; exit codes: 0 ok, 1 a check failed, 2 bad
input or an unreachable endpoint, 130 interrupted (SIGINT), 143 terminated (SIGTERM).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
import traceback
from types import ModuleType

from contract import echo
from workloads.common import (
    EXIT_BAD_INPUT,
    EXIT_INTERRUPTED,
    EXIT_TERMINATED,
    RedactingFormatter,
    WorkloadError,
    load_outputs,
    log,
    one_line,
    outputs_from_stack,
    redact,
    stop_children,
)
from workloads.common.interrupts import (
    exit_code,
    handling,
    received,
    say_once,
    wait_for_threads,
)

WORKLOADS: dict[str, str] = {
    "relational": "workloads.relational.cli",
    "aurora-load": "workloads.aurora_load.cli",
    "warehouse": "workloads.warehouse.cli",
    "migration-check": "workloads.migration_check.cli",
    "binlog-retention": "workloads.migration_check.retention_cli",
    "dynamo": "workloads.dynamo.cli",
    "redis": "workloads.redis_workload.cli",
    "failover": "workloads.failover.cli",
    "restore-drill": "workloads.restore_drill.cli",
}

PROG = "python -m workloads"
MAX_MESSAGE = 600  # characters of an error message; user input in it is already cut shorter
THREAD_GRACE = 2.0  # seconds worker threads get to finish after an interrupt


def _error(name: str, message: str) -> None:
    # Secrets out first (a cut secret would no longer match), then escaped and cut to one line.
    line = echo(redact(one_line(message)), MAX_MESSAGE)
    sys.stderr.write(f"{PROG} {echo(name, 40)}: error: {line}\n")
    sys.stderr.flush()


def _stopped(code: int) -> str:
    return "terminated" if code == EXIT_TERMINATED else "interrupted"


def _interrupted(name: str, exc: KeyboardInterrupt) -> int:
    """The end of a run stopped by SIGINT or SIGTERM: children stopped, one line, 130 or 143.

    The workload's own ``finally`` blocks have run by now (each bounded). Worker threads blocked
    in a network call cannot be interrupted: when one is still running after a short grace, the
    process exits at once rather than wait for its timeout.
    """
    code = exit_code(exc)
    stop_children()
    say_once(lambda: _error(name, _stopped(code)))
    if not wait_for_threads(THREAD_GRACE):
        sys.stdout.flush()
        os._exit(code)
    return code


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
    # The handlers are the run's: a caller in a long-lived process gets its own back.
    with handling(lambda code: _error(name, _stopped(code))):
        return _run(name, rest, verbose)


def _run(name: str, rest: list[str], verbose: bool) -> int:
    try:
        module = load_workload(name)
        parser = build_parser(name, module)
        try:
            args = parser.parse_args(rest)
        except SystemExit as exc:  # argparse already printed its one-line usage error
            return int(exc.code or 0)
        _configure_logging(args.verbose)
        outputs = load_outputs(args.outputs) if args.outputs else outputs_from_stack(args.stack)
        code = int(module.run(args, outputs))
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM as workloads.common.Terminated
        return _interrupted(name, exc)
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, no secret
        signal_seen = received()
        if signal_seen is not None:  # a driver turned the interrupt into an error of its own
            return _interrupted(name, signal_seen)
        if isinstance(exc, WorkloadError):
            _error(name, str(exc))
            return exc.exit_code
        if verbose:
            sys.stderr.write(redact(traceback.format_exc()))
        detail = echo(one_line(exc), 200)
        _error(name, f"unexpected {type(exc).__name__}: {detail} (run with -v for details)")
        return EXIT_BAD_INPUT
    signal_seen = received()  # a workload that swallowed the interrupt still stops as one
    return code if signal_seen is None else _interrupted(name, signal_seen)


def _exit(code: int) -> None:
    """End the process with ``code``. A run stopped by a signal has already cleaned up and said
    its line; it skips the interpreter's shutdown, where a driver thread still inside C code
    (hiredis, the MySQL client) can crash the process after the fact (seen: SIGSEGV on SIGTERM)."""
    if code in (EXIT_INTERRUPTED, EXIT_TERMINATED):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    _exit(main())
