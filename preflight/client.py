"""Run the real policy pack over a plan, the way the Pulumi engine does.

The engine runs a Python policy pack as ``python -m pulumi.policy <engine-address> .`` in the pack
directory (``pulumi.policy``'s ``__main__`` runs the pack's ``__main__.py``, whose
``PolicyPack(...)`` starts a gRPC Analyzer server and prints its port as the first line of
stdout). The stack's config reaches the pack through ``PULUMI_CONFIG`` (a JSON object of
``"project:key" -> string``), with ``PULUMI_PROJECT``, ``PULUMI_STACK``, ``PULUMI_DRY_RUN`` and
``PULUMI_ORGANIZATION``. The engine then calls GetAnalyzerInfo, Configure, ConfigureStack,
Analyze once per resource and AnalyzeStack once. This module does the same, so ``pulumi preview
--policy-pack policy --policy-pack-config policy/config/<stack>.json`` and ``python -m preflight
--stack <stack>`` report the same violations.

No engine runs here, so the engine-address argument is a placeholder: the Python SDK parses it but
only logs through it, and with no engine configured ``pulumi.log`` writes to stderr instead.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

import grpc
from dbtier_policy._sdk_memo import ENV_VAR as MEMO_ENV_VAR
from google.protobuf import empty_pb2

from preflight import analyzer
from preflight.plan import Plan, PlannedResource
from preflight.policy import (
    DEFAULT_PACK_DIR,
    PolicyPackError,
    PolicyReport,
    Violation,
    load_policy_config,
    resolve_config,
)
from preflight.sdk import analyzer_pb2_grpc

ENGINE_ADDRESS_PLACEHOLDER = "127.0.0.1:0"
STARTUP_TIMEOUT_S = 60.0
CALL_TIMEOUT_S = 120.0
# Analyze calls kept in flight: enough to keep the pack's 4 server threads busy while this side
# serializes the next requests, bounded so a 10,000-resource plan does not queue everything.
MAX_IN_FLIGHT = 16
_MAX_ENV_CONFIG = 120_000
_GRPC_OPTIONS = [("grpc.max_receive_message_length", 400 * 1024 * 1024)]


def pack_environment(
    plan: Plan, base: Mapping[str, str] | None = None, *, memo: bool = True
) -> dict[str, str]:
    """The environment the engine gives a policy pack for this stack.

    ``memo`` also asks the dbtier pack to convert each resource once per call rather than once
    per policy (``DBTIER_POLICY_MEMO=1``, see ``policy/dbtier_policy/_sdk_memo.py``); the engine
    does not set it, so under ``pulumi preview`` the pack runs the stock SDK.
    """
    env = dict(os.environ if base is None else base)
    config = dict(plan.config)
    # Linux caps one environment string at 128 KiB (MAX_ARG_STRLEN); a stack with a thousand
    # tables exceeds it. The engine would fail the same way; here the largest values are left
    # out (the pack's rules read resources, not stack config) so the run can go on.
    while len(json.dumps(config)) > _MAX_ENV_CONFIG and config:
        largest = max(config, key=lambda k: len(config[k]))
        print(
            f"preflight: warning: {largest} left out of PULUMI_CONFIG (too large)", file=sys.stderr
        )
        del config[largest]
    env.update(
        {
            "PULUMI_CONFIG": json.dumps(config),
            "PULUMI_PROJECT": plan.project,
            "PULUMI_STACK": plan.stack,
            "PULUMI_DRY_RUN": "true",
            "PULUMI_ORGANIZATION": env.get("PULUMI_ORGANIZATION", "organization"),
            "PYTHONUNBUFFERED": "1",
        }
    )
    if memo:
        env[MEMO_ENV_VAR] = "1"
    else:
        env.pop(MEMO_ENV_VAR, None)
    return env


_PR_SET_PDEATHSIG = 1
_prctl = None
if sys.platform == "linux":
    with contextlib.suppress(OSError, AttributeError):
        _prctl = ctypes.CDLL(None, use_errno=True).prctl  # resolved here, not in the child


def _die_with_parent() -> None:
    """In the pack's process before exec: the kernel kills it if the preflight dies, even by
    SIGKILL, when no cleanup can run. Only a C call through a function resolved in the parent."""
    if _prctl is not None:
        _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


_LIVE_GROUPS: set[int] = set()
"""Process groups of the packs running now, for `kill_policy_packs` (a signal handler)."""


def kill_policy_packs() -> int:
    """SIGKILL every running pack's process group at once; how many there were.

    For a signal handler that is about to end the process: nothing here waits, takes a lock or
    talks gRPC (unwinding through gRPC's channel from a signal can deadlock on its locks).
    """
    groups = list(_LIVE_GROUPS)
    for pgid in groups:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)
    return len(groups)


def _stop_group(proc: subprocess.Popen[bytes]) -> None:
    """Stop the pack and everything it started (its own process group, as it leads a session):
    SIGINT first, which the SDK turns into ``server.stop(0)``, then SIGKILL. Never raises, and
    ends with the group killed, so no process of the pack outlives the preflight."""
    pgid = proc.pid
    for sig, wait in ((signal.SIGINT, 2.0), (signal.SIGTERM, 1.0)):
        if proc.poll() is not None:
            break
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=wait)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)  # whatever is left of the group, the leader included
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=3.0)


class PolicyPackProcess:
    """A running policy pack: ``with PolicyPackProcess(pack_dir, env) as pack: pack.stub...``.

    Leaving the block (normally, on an exception, on Ctrl-C or SIGTERM) stops the pack's whole
    process group: SIGINT first, which the SDK turns into ``server.stop(0)``, then SIGTERM and
    SIGKILL. The pack runs in its own session so a Ctrl-C in the terminal reaches only the
    preflight, which then stops the pack in one place, here; and it dies with the preflight
    (``PR_SET_PDEATHSIG``) when the preflight is killed outright.
    """

    def __init__(
        self,
        pack_dir: Path,
        env: Mapping[str, str],
        python: str = sys.executable,
        *,
        remember_answers: bool = False,
    ) -> None:
        self.pack_dir = pack_dir
        # With remember_answers, analyze_plan keeps this process's Analyze and AnalyzeStack
        # answers by request (and the Configure and ConfigureStack requests before it) and does
        # not ask again: the pack's rules are pure functions of those requests. For a caller that
        # runs one pack over many near-identical plans (the test suite's session pack: prod with
        # one change, 243 resources of which 242 it has seen); a preflight asks each once anyway.
        self.answers: dict[bytes, Any] | None = {} if remember_answers else None
        self._env = dict(env)
        self._python = python
        self._proc: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        self.channel: grpc.Channel | None = None
        self.stub: analyzer_pb2_grpc.AnalyzerStub | None = None
        self.port = 0

    def __enter__(self) -> PolicyPackProcess:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        if not (self.pack_dir / "PulumiPolicy.yaml").is_file():
            raise PolicyPackError(f"{self.pack_dir} is not a policy pack (no PulumiPolicy.yaml)")
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed in stop())
        self._proc = subprocess.Popen(
            [self._python, "-u", "-m", "pulumi.policy", ENGINE_ADDRESS_PLACEHOLDER, "."],
            cwd=self.pack_dir,
            env=self._env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            start_new_session=True,
            preexec_fn=_die_with_parent,  # noqa: PLW1509 -- one prctl call, no locks
        )
        _LIVE_GROUPS.add(self._proc.pid)
        self.port = self._read_port()
        self.channel = grpc.insecure_channel(f"127.0.0.1:{self.port}", options=_GRPC_OPTIONS)
        try:
            grpc.channel_ready_future(self.channel).result(timeout=STARTUP_TIMEOUT_S)
        except grpc.FutureTimeoutError as exc:
            raise PolicyPackError(f"policy pack did not accept connections on {self.port}") from exc
        self.stub = analyzer_pb2_grpc.AnalyzerStub(self.channel)

    def _read_port(self) -> int:
        assert self._proc is not None and self._proc.stdout is not None
        line: list[bytes] = []
        reader = threading.Thread(target=lambda: line.append(self._proc.stdout.readline()))  # type: ignore[union-attr]
        reader.daemon = True
        reader.start()
        reader.join(STARTUP_TIMEOUT_S)
        first = line[0].decode(errors="replace").strip() if line else ""
        if not first.isdigit():
            self._proc.poll()
            raise PolicyPackError(
                "policy pack did not start"
                + (f" (exit {self._proc.returncode})" if self._proc.returncode is not None else "")
                + (f": {first}" if first else "")
                + self.stderr_tail()
            )
        return int(first)

    def stderr_tail(self, limit: int = 4000) -> str:
        """The end of what the pack wrote to stderr, on a new line; "" when it wrote nothing."""
        if self._stderr is None:
            return ""
        with contextlib.suppress(OSError, ValueError):
            self._stderr.seek(0)
            text = self._stderr.read().decode(errors="replace").strip()
            if text:
                return "\n" + text[-limit:]
        return ""

    def stop(self) -> None:
        if self.channel is not None:
            self.channel.close()
            self.channel = None
        proc, self._proc = self._proc, None
        if proc is not None:
            _stop_group(proc)
            _LIVE_GROUPS.discard(proc.pid)
            if proc.stdout is not None:
                proc.stdout.close()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def call(self, method: str, request: Any) -> Any:
        assert self.stub is not None
        try:
            return getattr(self.stub, method)(request, timeout=CALL_TIMEOUT_S)
        except grpc.RpcError as exc:
            raise PolicyPackError(
                f"policy pack {method} failed: {exc.details()}{self.stderr_tail()}"
            ) from exc


def analyze_plan(
    pack: PolicyPackProcess,
    plan: Plan,
    config: Mapping[str, Any],
    *,
    max_in_flight: int = MAX_IN_FLIGHT,
) -> PolicyReport:
    """GetAnalyzerInfo, Configure, ConfigureStack, Analyze for each resource, AnalyzeStack."""
    info = pack.call("GetAnalyzerInfo", empty_pb2.Empty())
    infos = analyzer.policy_infos(info)
    by_name = {p.name: p for p in infos}
    resolved = resolve_config(infos, config)
    configure = analyzer.configure_request(resolved)
    configure_stack = analyzer.configure_stack_request(plan)
    pack.call("Configure", configure)
    with contextlib.suppress(PolicyPackError):  # older SDKs do not implement it
        pack.call("ConfigureStack", configure_stack)
    answers = pack.answers
    setting = _digest(configure, configure_stack)

    violations: list[Violation] = []
    providers = analyzer.Providers(plan)
    assert pack.stub is not None
    analyze = pack.stub.Analyze
    # grpc futures are not concurrent.futures; a semaphore bounds the calls in flight and the
    # done-callbacks hand finished calls back in whatever order the pack answers them.
    slots = threading.BoundedSemaphore(max_in_flight)
    finished: list[tuple[PlannedResource, bytes, Any]] = []
    known: list[tuple[PlannedResource, Any]] = []
    calls: list[Any] = []

    def on_done(resource: PlannedResource, key: bytes) -> Any:
        def callback(fut: Any) -> None:
            finished.append((resource, key, fut))
            slots.release()

        return callback

    try:
        for resource in plan.resources:
            request = analyzer.analyze_request(resource, providers)
            key = b"" if answers is None else _digest(setting, request)
            if answers is not None and key in answers:
                known.append((resource, answers[key]))
                continue
            slots.acquire()
            fut = analyze.future(request, timeout=CALL_TIMEOUT_S)
            calls.append(fut)
            fut.add_done_callback(on_done(resource, key))
        for _ in range(max_in_flight):
            slots.acquire()
    finally:
        for fut in calls:
            fut.cancel()
    for resource, key, fut in finished:
        try:
            response = fut.result()
        except grpc.RpcError as exc:
            raise PolicyPackError(
                f"policy pack Analyze failed on {resource.urn}: {exc.details()}{pack.stderr_tail()}"
            ) from exc
        if answers is not None:
            answers[key] = response
        known.append((resource, response))
    for resource, response in known:
        violations.extend(analyzer.violations(response, resource.urn, by_name))

    stack_request = analyzer.analyze_stack_request(plan)
    key = b"" if answers is None else _digest(setting, stack_request)
    if answers is not None and key in answers:
        response = answers[key]
    else:
        response = pack.call("AnalyzeStack", stack_request)
        if answers is not None:
            answers[key] = response
    violations.extend(analyzer.violations(response, analyzer.stack_urn(plan), by_name))
    violations = [v for v in violations if v.level != "disabled"]
    violations.sort(key=lambda v: (v.urn, v.policy, v.message))
    return PolicyReport(
        pack=info.name,
        version=info.version,
        policies=infos,
        violations=tuple(violations),
        config=resolved,
    )


def _digest(*parts: Any) -> bytes:
    """A key for requests (protobuf messages, or digests of them): equal for equal requests."""
    h = hashlib.blake2b(digest_size=20)
    for part in parts:
        data = part if isinstance(part, bytes) else part.SerializeToString(deterministic=True)
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.digest()


def run_policy_report(
    plan: Plan,
    pack_dir: Path = DEFAULT_PACK_DIR,
    config_path: Path | None = None,
) -> PolicyReport:
    """Start the pack, run it over ``plan`` with the policy config at ``config_path``, stop it."""
    config = load_policy_config(config_path)
    with PolicyPackProcess(pack_dir, pack_environment(plan)) as pack:
        return analyze_plan(pack, plan, config)
