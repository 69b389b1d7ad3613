"""The policy half of the preflight: run the real policy pack over a plan, the way the engine does.

The Pulumi engine runs a Python policy pack as ``python -m pulumi.policy <engine-address> .`` in the
pack directory (``pulumi.policy``'s ``__main__`` runs the pack's ``__main__.py``, whose
``PolicyPack(...)`` starts a gRPC Analyzer server and prints its port as the first line of
stdout). The stack's config reaches the pack through ``PULUMI_CONFIG`` (a JSON object of
``"project:key" -> string``), with ``PULUMI_PROJECT``, ``PULUMI_STACK``, ``PULUMI_DRY_RUN`` and
``PULUMI_ORGANIZATION``. The engine then calls GetAnalyzerInfo, Configure (the policy config with
schema defaults applied and an explicit level for every policy, since proto3's zero value reads as
advisory), ConfigureStack, Analyze once per resource and AnalyzeStack once. This module does the
same, so ``pulumi preview --policy-pack policy --policy-pack-config policy/config/<stack>.json``
and ``python -m preflight --stack <stack>`` report the same violations.

No engine runs here, so the engine-address argument is a placeholder: the Python SDK parses it but
only logs through it, and with no engine configured ``pulumi.log`` writes to stderr instead.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

import grpc
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from preflight.plan import Plan, PlannedResource

Level = Literal["mandatory", "advisory", "remediate", "disabled"]

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_PACK_DIR = PROJECT_DIR / "policy"
ENGINE_ADDRESS_PLACEHOLDER = "127.0.0.1:0"
STARTUP_TIMEOUT_S = 60.0
CALL_TIMEOUT_S = 120.0
# Analyze calls kept in flight: enough to keep the pack's 4 server threads busy while this side
# serializes the next requests, bounded so a 10,000-resource plan does not queue everything.
MAX_IN_FLIGHT = 16
_MAX_ENV_CONFIG = 120_000
_GRPC_OPTIONS = [("grpc.max_receive_message_length", 400 * 1024 * 1024)]

_LEVEL_TO_PROTO: dict[str, int] = {
    "advisory": analyzer_pb2.ADVISORY,
    "mandatory": analyzer_pb2.MANDATORY,
    "remediate": analyzer_pb2.REMEDIATE,
    "disabled": analyzer_pb2.DISABLED,
}
_PROTO_TO_LEVEL: dict[int, Level] = {
    analyzer_pb2.ADVISORY: "advisory",
    analyzer_pb2.MANDATORY: "mandatory",
    analyzer_pb2.REMEDIATE: "remediate",
    analyzer_pb2.DISABLED: "disabled",
}
_SEVERITY: dict[int, str] = {
    analyzer_pb2.POLICY_SEVERITY_UNSPECIFIED: "",
    analyzer_pb2.POLICY_SEVERITY_LOW: "low",
    analyzer_pb2.POLICY_SEVERITY_MEDIUM: "medium",
    analyzer_pb2.POLICY_SEVERITY_HIGH: "high",
    analyzer_pb2.POLICY_SEVERITY_CRITICAL: "critical",
}


class PolicyPackError(Exception):
    """The pack could not be started, configured or run (a preflight usage/config error: exit 2)."""


@dataclass(frozen=True)
class Violation:
    """One policy violation on one resource (or on the stack)."""

    policy: str
    level: Level
    severity: str
    urn: str
    message: str
    description: str = ""
    remediation: str = ""
    tags: tuple[str, ...] = ()
    pack: str = ""
    pack_version: str = ""

    def as_json(self) -> dict[str, str]:
        """The fixed JSON shape of DESIGN.md."""
        return {
            "policy": self.policy,
            "level": self.level,
            "severity": self.severity,
            "urn": self.urn,
            "message": self.message,
        }


@dataclass(frozen=True)
class PolicyInfo:
    """What GetAnalyzerInfo says about one policy."""

    name: str
    description: str
    level: Level
    severity: str
    remediation: str
    tags: tuple[str, ...]
    config_schema: Mapping[str, Any]
    stack_policy: bool


@dataclass(frozen=True)
class PolicyReport:
    """Everything one run of the pack produced."""

    pack: str
    version: str
    policies: tuple[PolicyInfo, ...]
    violations: tuple[Violation, ...]
    config: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def mandatory(self) -> list[Violation]:
        return [v for v in self.violations if v.level in ("mandatory", "remediate")]


# ---------------------------------------------------------------------------------------------
# Policy config (the --policy-pack-config file)
# ---------------------------------------------------------------------------------------------


def load_policy_config(path: Path | None) -> dict[str, Any]:
    """Read a ``--policy-pack-config`` JSON file; an absent path means no config."""
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError as exc:
        raise PolicyPackError(f"policy config {path} does not exist") from exc
    except json.JSONDecodeError as exc:
        raise PolicyPackError(f"policy config {path} is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise PolicyPackError(f"policy config {path} must be a JSON object")
    return data


def _level(value: Any, where: str) -> Level:
    if value not in _LEVEL_TO_PROTO:
        raise PolicyPackError(
            f"{where}: enforcement level must be one of {', '.join(_LEVEL_TO_PROTO)} (got {value!r})"
        )
    level: Level = value
    return level


def resolve_config(
    policies: Sequence[PolicyInfo], config: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    """Per policy: its explicit enforcement level and its properties with schema defaults.

    Precedence, as in the Pulumi CLI: the policy's own entry, then ``"all"``, then the level the
    pack declares. Unknown policy names are an error, so a typo cannot silently relax a rule.
    """
    known = {p.name for p in policies}
    unknown = sorted(set(config) - known - {"all"})
    if unknown:
        raise PolicyPackError(f"policy config names unknown policies: {', '.join(unknown)}")
    default_level = _level(config["all"], "all") if "all" in config else None
    resolved: dict[str, dict[str, Any]] = {}
    for policy in policies:
        entry = config.get(policy.name)
        properties = {
            key: schema["default"]
            for key, schema in policy.config_schema.get("properties", {}).items()
            if isinstance(schema, Mapping) and "default" in schema
        }
        level: Level = default_level or policy.level
        if isinstance(entry, str):
            level = _level(entry, policy.name)
        elif isinstance(entry, Mapping):
            if "enforcementLevel" in entry:
                level = _level(entry["enforcementLevel"], policy.name)
            schema_props = policy.config_schema.get("properties", {})
            for key, value in entry.items():
                if key == "enforcementLevel":
                    continue
                if key not in schema_props:
                    raise PolicyPackError(f"{policy.name}: unknown config property {key!r}")
                properties[key] = value
        elif entry is not None:
            raise PolicyPackError(f"{policy.name}: config must be a level or an object")
        resolved[policy.name] = {"level": level, "properties": properties}
    return resolved


# ---------------------------------------------------------------------------------------------
# Requests
# ---------------------------------------------------------------------------------------------


def _struct(value: Mapping[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(value)
    return struct


def _options(resource: PlannedResource) -> analyzer_pb2.AnalyzerResourceOptions:
    return analyzer_pb2.AnalyzerResourceOptions(protect=resource.protect, parent=resource.parent)


class _Providers:
    """Provider resources by reference (``urn::id``), for the requests' provider field."""

    def __init__(self, plan: Plan) -> None:
        self._by_urn = {r.urn: r for r in plan.resources if r.type.startswith("pulumi:providers:")}
        self._cache: dict[str, analyzer_pb2.AnalyzerProviderResource | None] = {}

    def get(self, ref: str) -> analyzer_pb2.AnalyzerProviderResource | None:
        if not ref:
            return None
        if ref not in self._cache:
            urn = ref.rsplit("::", 1)[0]
            provider = self._by_urn.get(urn)
            self._cache[ref] = (
                analyzer_pb2.AnalyzerProviderResource(
                    type=provider.type,
                    properties=_struct(provider.inputs),
                    urn=provider.urn,
                    name=provider.name,
                )
                if provider is not None
                else None
            )
        return self._cache[ref]


def analyze_request(
    resource: PlannedResource, providers: _Providers | None = None
) -> analyzer_pb2.AnalyzeRequest:
    request = analyzer_pb2.AnalyzeRequest(
        type=resource.type,
        properties=_struct(resource.inputs),
        urn=resource.urn,
        name=resource.name,
        options=_options(resource),
    )
    provider = providers.get(resource.provider) if providers else None
    if provider is not None:
        request.provider.CopyFrom(provider)
    return request


def analyze_stack_request(plan: Plan) -> analyzer_pb2.AnalyzeStackRequest:
    providers = _Providers(plan)
    resources = []
    for r in plan.resources:
        resource = analyzer_pb2.AnalyzerResource(
            type=r.type,
            properties=_struct(r.inputs),
            urn=r.urn,
            name=r.name,
            options=_options(r),
            parent=r.parent,
            dependencies=list(r.dependencies),
            propertyDependencies={
                key: analyzer_pb2.AnalyzerPropertyDependencies(urns=list(urns))
                for key, urns in r.property_dependencies.items()
            },
        )
        provider = providers.get(r.provider)
        if provider is not None:
            resource.provider.CopyFrom(provider)
        resources.append(resource)
    return analyzer_pb2.AnalyzeStackRequest(resources=resources)


def configure_request(
    resolved: Mapping[str, Mapping[str, Any]],
) -> analyzer_pb2.ConfigureAnalyzerRequest:
    request = analyzer_pb2.ConfigureAnalyzerRequest()
    for name, entry in resolved.items():
        config = analyzer_pb2.PolicyConfig(enforcementLevel=_LEVEL_TO_PROTO[entry["level"]])  # type: ignore[arg-type]
        config.properties.update(entry["properties"])
        request.policyConfig[name].CopyFrom(config)
    return request


# ---------------------------------------------------------------------------------------------
# The pack process
# ---------------------------------------------------------------------------------------------


def pack_environment(plan: Plan, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment the engine gives a policy pack for this stack."""
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
    return env


class PolicyPackProcess:
    """A running policy pack: ``with PolicyPackProcess(pack_dir, env) as pack: pack.stub...``.

    Leaving the block (normally, on an exception, or on Ctrl-C) stops the pack: SIGINT first,
    which the SDK turns into ``server.stop(0)``, then SIGTERM and SIGKILL if it lingers. The pack
    runs in its own session so a Ctrl-C in the terminal reaches only the preflight, which then
    stops the pack in one place, here.
    """

    def __init__(
        self, pack_dir: Path, env: Mapping[str, str], python: str = sys.executable
    ) -> None:
        self.pack_dir = pack_dir
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
        )
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
                + self._stderr_tail()
            )
        return int(first)

    def _stderr_tail(self, limit: int = 4000) -> str:
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
        if proc is not None and proc.poll() is None:
            for sig, wait in ((signal.SIGINT, 5.0), (signal.SIGTERM, 3.0), (signal.SIGKILL, 3.0)):
                with contextlib.suppress(ProcessLookupError):
                    proc.send_signal(sig)
                try:
                    proc.wait(timeout=wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        if proc is not None and proc.stdout is not None:
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
                f"policy pack {method} failed: {exc.details()}{self._stderr_tail()}"
            ) from exc


# ---------------------------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------------------------


def policy_infos(info: analyzer_pb2.AnalyzerInfo) -> tuple[PolicyInfo, ...]:
    return tuple(
        PolicyInfo(
            name=p.name,
            description=p.description,
            level=_PROTO_TO_LEVEL.get(p.enforcementLevel, "advisory"),
            severity=_SEVERITY.get(p.severity, ""),
            remediation=p.remediation_steps,
            tags=tuple(p.tags),
            config_schema=json_format.MessageToDict(p.configSchema),
            stack_policy=p.policy_type == analyzer_pb2.POLICY_TYPE_STACK,
        )
        for p in info.policies
    )


def _violations(
    response: analyzer_pb2.AnalyzeResponse,
    default_urn: str,
    infos: Mapping[str, PolicyInfo],
) -> Iterator[Violation]:
    for d in response.diagnostics:
        info = infos.get(d.policyName)
        message = d.message
        # The SDK prefixes the message with the policy description; the report shows it apart.
        if d.description and message.startswith(d.description):
            message = message[len(d.description) :].lstrip("\n") or d.description
        yield Violation(
            policy=d.policyName,
            level=_PROTO_TO_LEVEL.get(d.enforcementLevel, "advisory"),
            severity=_SEVERITY.get(d.severity, "") or (info.severity if info else ""),
            urn=d.urn or default_urn,
            message=message,
            description=d.description,
            remediation=info.remediation if info else "",
            tags=info.tags if info else (),
            pack=d.policyPackName,
            pack_version=d.policyPackVersion,
        )


def stack_urn(plan: Plan) -> str:
    for r in plan.resources:
        if r.type == "pulumi:pulumi:Stack":
            return r.urn
    return (
        f"urn:pulumi:{plan.stack}::{plan.project}::pulumi:pulumi:Stack::{plan.project}-{plan.stack}"
    )


def analyze_plan(
    pack: PolicyPackProcess,
    plan: Plan,
    config: Mapping[str, Any],
    *,
    max_in_flight: int = MAX_IN_FLIGHT,
) -> PolicyReport:
    """GetAnalyzerInfo, Configure, ConfigureStack, Analyze for each resource, AnalyzeStack."""
    info = pack.call("GetAnalyzerInfo", empty_pb2.Empty())
    infos = policy_infos(info)
    by_name = {p.name: p for p in infos}
    resolved = resolve_config(infos, config)
    pack.call("Configure", configure_request(resolved))
    with contextlib.suppress(PolicyPackError):  # older SDKs do not implement it
        pack.call(
            "ConfigureStack",
            analyzer_pb2.AnalyzerStackConfigureRequest(
                stack=plan.stack, project=plan.project, dry_run=True, config=plan.config
            ),
        )

    violations: list[Violation] = []
    providers = _Providers(plan)
    assert pack.stub is not None
    analyze = pack.stub.Analyze
    # grpc futures are not concurrent.futures; a semaphore bounds the calls in flight and the
    # done-callbacks hand finished calls back in whatever order the pack answers them.
    slots = threading.BoundedSemaphore(max_in_flight)
    finished: list[tuple[PlannedResource, Any]] = []
    calls: list[Any] = []

    def on_done(resource: PlannedResource) -> Any:
        def callback(fut: Any) -> None:
            finished.append((resource, fut))
            slots.release()

        return callback

    try:
        for resource in plan.resources:
            slots.acquire()
            fut = analyze.future(analyze_request(resource, providers), timeout=CALL_TIMEOUT_S)
            calls.append(fut)
            fut.add_done_callback(on_done(resource))
        for _ in range(max_in_flight):
            slots.acquire()
    finally:
        for fut in calls:
            fut.cancel()
    for resource, fut in finished:
        try:
            response = fut.result()
        except grpc.RpcError as exc:
            raise PolicyPackError(
                f"policy pack Analyze failed on {resource.urn}: {exc.details()}"
                f"{pack._stderr_tail()}"
            ) from exc
        violations.extend(_violations(response, resource.urn, by_name))

    response = pack.call("AnalyzeStack", analyze_stack_request(plan))
    violations.extend(_violations(response, stack_urn(plan), by_name))
    violations = [v for v in violations if v.level != "disabled"]
    violations.sort(key=lambda v: (v.urn, v.policy, v.message))
    return PolicyReport(
        pack=info.name,
        version=info.version,
        policies=infos,
        violations=tuple(violations),
        config=resolved,
    )


def run_policy_report(
    plan: Plan,
    pack_dir: Path = DEFAULT_PACK_DIR,
    config_path: Path | None = None,
) -> PolicyReport:
    """Start the pack, run it over ``plan`` with the policy config at ``config_path``, stop it."""
    config = load_policy_config(config_path)
    with PolicyPackProcess(pack_dir, pack_environment(plan)) as pack:
        return analyze_plan(pack, plan, config)


def run_policy_pack(plan: Plan, pack_dir: Path, config_path: Path | None) -> list[Violation]:
    """The violations the pack reports for ``plan`` (the preflight's entry point)."""
    return list(run_policy_report(plan, pack_dir, config_path).violations)


def default_config_path(stack: str, pack_dir: Path = DEFAULT_PACK_DIR) -> Path | None:
    """``policy/config/<stack>.json`` when it exists; otherwise the pack's own levels apply."""
    path = pack_dir / "config" / f"{stack}.json"
    return path if path.is_file() else None


def text_lines(violations: Sequence[Violation]) -> list[str]:
    """Violations grouped by resource, for the text report."""
    if not violations:
        return ["Policy violations: none"]
    lines = [f"Policy violations: {len(violations)}"]
    by_urn: dict[str, list[Violation]] = {}
    for v in violations:
        by_urn.setdefault(v.urn, []).append(v)
    for urn, group in by_urn.items():
        lines.append(f"  {urn}")
        for v in group:
            severity = f" {v.severity}" if v.severity else ""
            lines.append(f"    [{v.level}{severity}] {v.policy}: {v.message}")
    mandatory = sum(1 for v in violations if v.level in ("mandatory", "remediate"))
    lines.append(f"  {mandatory} mandatory, {len(violations) - mandatory} advisory")
    return lines


__all__ = [
    "PolicyInfo",
    "PolicyPackError",
    "PolicyPackProcess",
    "PolicyReport",
    "Violation",
    "analyze_plan",
    "default_config_path",
    "load_policy_config",
    "resolve_config",
    "run_policy_pack",
    "run_policy_report",
    "text_lines",
]
