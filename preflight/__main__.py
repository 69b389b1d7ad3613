"""`python -m preflight --stack NAME [--format text|json|sarif|tfplan]`: plan a stack and check it offline.

Exit codes: 0 clean, 1 a mandatory policy violation, 2 a bad stack, config, argument or environment
(one line on stderr naming the file, key or argument), 3 an internal error of the preflight itself
(a bug: one line, no traceback), 130 interrupted (SIGINT), 143 terminated (SIGTERM). The policy
pack's process is stopped on every one of these paths.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import stat
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from contract.echo import echo
from preflight.client import kill_policy_packs, run_policy_report
from preflight.plan import PROJECT_DIR, PlanError, plan_stack
from preflight.policy import DEFAULT_PACK_DIR, PolicyPackError, default_config_path
from preflight.report import FORMATS, render
from preflight.stackfile import StackFileError, validate_stack_name
from preflight.yamlfile import decode

EXIT_CLEAN = 0
EXIT_MANDATORY = 1
EXIT_INPUT = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143  # 128 + SIGTERM, what a shell reports for a process SIGTERM stopped

MESSAGE_LIMIT = 500
"""Longest line printed on stderr: a last-resort bound on messages that repeat user input."""
POLICY_CONFIG_LIMIT = 1 << 20
PATH_LIMIT = 200


class UsageError(Exception):
    """A command-line argument that cannot be used; the message names the argument."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m preflight",
        description="Plan a dbtier stack offline on mocks and check it with the policy pack.",
        epilog="exit codes: 0 clean, 1 mandatory violation, 2 bad input or environment, "
        "3 internal error, 130 interrupted, 143 terminated",
    )
    parser.add_argument("--stack", required=True, help="stack name: reads Pulumi.<stack>.yaml")
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument("--output", help="write the report to this file instead of stdout")
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


def one_line(message: object) -> str:
    """The last guard before stderr: one line, no control characters, at most MESSAGE_LIMIT."""
    return echo(str(message), MESSAGE_LIMIT)


def _say(message: object) -> None:
    print(f"preflight: {one_line(message)}", file=sys.stderr)


def _shown(path: Path | str) -> str:
    return echo(str(path), PATH_LIMIT)


def check_args(args: argparse.Namespace) -> None:
    """Refuse unusable arguments before any work, each with one line naming the argument."""
    try:
        validate_stack_name(args.stack)
    except StackFileError as exc:
        raise UsageError(f"--stack: {exc}") from None
    project_dir: Path = args.project_dir
    if not project_dir.exists():
        raise UsageError(f"--project-dir {_shown(project_dir)}: no such directory")
    if not project_dir.is_dir():
        raise UsageError(f"--project-dir {_shown(project_dir)} is not a directory")
    if args.output is not None:
        args.output = _check_output(args.output)
    if args.policy_config is not None:
        _check_policy_config(args.policy_config)


def _check_output(raw: str) -> Path:
    if not raw.strip():
        raise UsageError("--output is empty; give the report's file name")
    output = Path(raw)
    if output.is_dir():
        raise UsageError(f"--output {_shown(output)} is a directory; give a file name")
    parent = output.parent
    if not parent.exists():
        raise UsageError(f"--output {_shown(output)}: directory {_shown(parent)} does not exist")
    if not parent.is_dir():
        raise UsageError(f"--output {_shown(output)}: {_shown(parent)} is not a directory")
    return output


def _check_policy_config(path: Path) -> None:
    """A directory, a device or a non-UTF-8 file is refused here; a missing file or bad JSON is
    refused with its own message by preflight.policy."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise UsageError(f"--policy-config {_shown(path)}: {exc.strerror}") from None
    if stat.S_ISDIR(info.st_mode):
        raise UsageError(f"--policy-config {_shown(path)} is a directory, not a JSON file")
    if not stat.S_ISREG(info.st_mode):
        raise UsageError(f"--policy-config {_shown(path)} is not a regular file")
    if info.st_size > POLICY_CONFIG_LIMIT:
        raise UsageError(f"--policy-config {_shown(path)} is larger than 1 MiB")
    try:
        decode(path.read_bytes(), "it")
    except StackFileError as exc:
        raise UsageError(f"--policy-config {_shown(path)}: {exc}") from None
    except OSError as exc:
        raise UsageError(f"--policy-config {_shown(path)}: {exc.strerror}") from None


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    # Write beside the target and rename, so a failure never leaves a half-written report.
    tmp = output.with_name(f".{output.name}.tmp")
    _partial.append(tmp)
    try:
        tmp.write_text(text)
        tmp.replace(output)
    finally:
        tmp.unlink(missing_ok=True)
        _partial.remove(tmp)


@dataclass
class _Progress:
    pack_started: bool = False


_partial: list[Path] = []
"""A report being written beside its target (removed if a signal ends the run)."""


def _stop_now(signum: int, frame: FrameType | None) -> None:
    """SIGINT or SIGTERM: kill the policy pack, say so in one line, and exit at once.

    Not by raising into whatever the main thread is doing: an exception that lands inside gRPC's
    channel code can leave one of its locks held, and closing the channel then waits forever
    (seen with SIGTERM mid-Analyze). Nothing is left to save: the report is written only at the
    end, atomically, and a half-written temporary file is removed here.
    """
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)  # a second signal must not cut this short
    stopped = kill_policy_packs()
    for path in list(_partial):
        with contextlib.suppress(OSError):
            path.unlink()
    what = "terminated (SIGTERM)" if signum == signal.SIGTERM else "interrupted"
    line = f"preflight: {what}{'; the policy pack was stopped' if stopped else ''}\n"
    with contextlib.suppress(OSError):
        os.write(sys.stderr.fileno(), line.encode())
    os._exit(EXIT_TERMINATED if signum == signal.SIGTERM else EXIT_INTERRUPTED)


@contextlib.contextmanager
def _signals_stop() -> Iterator[None]:
    """SIGINT (Ctrl-C) and SIGTERM (`timeout`, `kill`, a CI cancel) end the run through
    `_stop_now`, and the pack with it. Only where handlers can be set (the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, _stop_now) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def main(argv: list[str] | None = None) -> int:
    progress = _Progress()
    try:
        with _signals_stop():
            return _run(_parser().parse_args(argv), progress)
    except KeyboardInterrupt:  # raised in-process (a test, an embedding caller), not by SIGINT
        stopped = "; the policy pack was stopped" if progress.pack_started else ""
        _say(f"interrupted{stopped}")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # Whoever read stdout went away (`| head`): nothing more can be shown there.
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        _say("cannot write the report: stdout was closed")
        return EXIT_INPUT
    except MemoryError:
        _say("internal error: out of memory")
        return EXIT_INTERNAL
    except Exception as exc:  # noqa: BLE001 -- the last guard: a bug is one line, no traceback
        _say(f"internal error: {type(exc).__name__}: {echo(str(exc), 200)}")
        return EXIT_INTERNAL


def _run(args: argparse.Namespace, progress: _Progress) -> int:
    try:
        check_args(args)
    except UsageError as exc:
        _say(exc)
        return EXIT_INPUT
    try:
        plan = plan_stack(args.stack, args.project_dir)
    except PlanError as exc:
        _say(exc)
        return EXIT_INPUT
    for warning in plan.warnings:
        _say(f"warning: {warning}")

    config_path = args.policy_config or default_config_path(args.stack, args.policy_pack)
    progress.pack_started = True
    try:
        policy = run_policy_report(plan, args.policy_pack, config_path)
    except PolicyPackError as exc:
        _say(exc)
        return EXIT_INPUT
    progress.pack_started = False  # stopped already: a signal from here on interrupts no pack

    stack_file = args.project_dir / f"Pulumi.{args.stack}.yaml"
    report = render(args.format, plan, policy, stack_file)
    try:
        _write(report, args.output)
    except OSError as exc:
        if isinstance(exc, BrokenPipeError):
            raise
        _say(f"cannot write {_shown(args.output)}: {exc.strerror}")
        return EXIT_INPUT
    return EXIT_MANDATORY if policy.mandatory else EXIT_CLEAN


if __name__ == "__main__":
    sys.exit(main())
