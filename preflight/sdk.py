"""The Pulumi SDK internals the preflight relies on, and nothing else.

Running a program with no engine needs parts of the Python SDK that are not public API: the mock
resource monitor that ``pulumi.runtime.set_mocks`` talks to (subclassed to record registrations),
the runtime's global settings (reset so that several plans can run in one process), the runner
that wraps a program in its root stack resource, the synchronous await the SDK's own test
helpers use, and the stack-trace collector the runner turns off (no engine reads its traces).
Talking to a policy pack needs the analyzer protocol's generated gRPC modules. Every other
preflight module reaches these through here, and tests/unit/test_preflight_sdk.py pins them
to the SDK version in requirements.txt, so an SDK upgrade that moves them fails one test that
names what moved.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import pulumi
from pulumi.runtime import mocks as _mocks
from pulumi.runtime import resource as _resource
from pulumi.runtime import settings as _settings
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc, source_pb2
from pulumi.runtime.stack import run_in_stack
from pulumi.runtime.sync_await import _sync_await

MockMonitor = _mocks.MockMonitor
"""The monitor ``set_mocks`` installs; its ``RegisterResource`` answers from a ``Mocks``."""

__all__ = ["MockMonitor", "analyzer_pb2", "analyzer_pb2_grpc", "install_mocks", "run_program"]


def install_mocks(
    mocks: pulumi.runtime.Mocks,
    monitor: MockMonitor,
    *,
    project: str,
    stack: str,
    config: dict[str, str],
    secret_keys: list[str],
    logger: logging.Logger,
) -> None:
    """Point the SDK's global runtime at ``monitor`` for a preview of ``project``/``stack``.

    Whatever an earlier plan in this process left behind (pending registrations, stack outputs,
    the root stack) is cleared first, so each plan starts as a fresh program run would.
    """
    pulumi.runtime.set_all_config(config, secret_keys)
    _settings.SETTINGS.rpc_manager.clear()
    _settings.SETTINGS.outputs.clear()
    _mocks.set_mocks(
        mocks, project=project, stack=stack, preview=True, logger=logger, monitor=monitor
    )
    # set_mocks registers a root stack of its own; the program gets a fresh one, as under the engine.
    _settings.ROOT.set(None)


def _no_stack_trace() -> source_pb2.StackTrace:
    return source_pb2.StackTrace()


def run_program(program: Callable[[], None]) -> None:
    """Run ``program`` inside its root stack resource and wait for every registration it makes.

    For each registration the SDK walks the Python stack and reads the source line of every frame
    (``_get_stack_trace``) so that the engine can point at the code that declared a resource; no
    engine reads them here, and the mocks and the plan drop them, so the walk (a sixth of a plan's
    CPU) is skipped while the program runs.
    """
    stack_trace = _resource._get_stack_trace
    _resource._get_stack_trace = _no_stack_trace
    try:
        _sync_await(run_in_stack(program))
    finally:
        _resource._get_stack_trace = stack_trace
        _settings.ROOT.set(None)
