"""Helpers for the library and component package tests: a Python program run on the shared mocks,
the component provider run as the engine runs it, and the registrations of both side by side.

The provider is started the way the engine starts a plugin (`python -m dbtier.provider
<engine-address>`, the port read from its first line of stdout); the test serves the engine's
two gRPC services it calls back: the Engine (logs) and the ResourceMonitor of a Construct, which
is the preflight's recording monitor on the same mocks a Python program runs on. So both sides
of a comparison are recorded at the same boundary, as the engine would receive them.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import (
    engine_pb2,
    engine_pb2_grpc,
    provider_pb2,
    provider_pb2_grpc,
    resource_pb2,
    resource_pb2_grpc,
)

from preflight import sdk
from preflight.mocks import DEFAULT_REGION, DbtierMocks
from preflight.plan import PlannedResource, RecordingMonitor

ROOT = Path(__file__).resolve().parents[2]
PROJECT = "shop"
STACK = "dev"
STARTUP_TIMEOUT_S = 60.0
CALL_TIMEOUT_S = 60.0


def snake_args(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A stack file's config object as args: its camelCase keys in snake_case, nested objects and
    lists of objects too (a map's own keys, like attribute names, are not settings: pass those
    objects under `keep`)."""
    return {_snake(k): _snake_value(k, v) for k, v in raw.items()}


_MAPS = {"attributes", "parameters", "tags"}


def _snake(key: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in key)


def _snake_value(key: str, value: Any) -> Any:
    if key in _MAPS:
        return value
    if isinstance(value, Mapping):
        return snake_args(value)
    if isinstance(value, list):
        return [snake_args(v) if isinstance(v, Mapping) else v for v in value]
    return value


# ---------------------------------------------------------------------------------------------
# A Python program on the mocks
# ---------------------------------------------------------------------------------------------


def run_program(
    program: Callable[[], None], project: str = PROJECT, stack: str = STACK
) -> list[PlannedResource]:
    """Every registration `program` makes, under the shared mocks, as the engine receives it."""
    mocks = DbtierMocks(region=DEFAULT_REGION)
    monitor = RecordingMonitor(mocks)
    sdk.install_mocks(
        mocks,
        monitor,
        project=project,
        stack=stack,
        config={"aws:region": DEFAULT_REGION},
        secret_keys=[],
        logger=logging.getLogger("dbtier.tests.program"),
    )
    sdk.run_program(program)
    return [r for r in monitor.recorded if r.type != "pulumi:pulumi:Stack"]


def below(resources: list[PlannedResource], type_: str, name: str) -> list[PlannedResource]:
    """The resources registered under the component `type_` `name`, at any depth."""
    (root,) = [r for r in resources if r.type == type_ and r.name == name]
    found, parents = [], {root.urn}
    for r in resources:
        if r.parent in parents:
            found.append(r)
            parents.add(r.urn)
    return found


def shape(resources: list[PlannedResource]) -> list[tuple[str, str, dict[str, Any]]]:
    """What the engine is asked to create, without where in the tree it sits: (type, name,
    inputs), sorted."""
    return sorted(((r.type, r.name, r.inputs) for r in resources), key=lambda t: (t[0], t[1]))


# ---------------------------------------------------------------------------------------------
# The engine's side of a Construct
# ---------------------------------------------------------------------------------------------


class _Monitor(RecordingMonitor):
    """The recording monitor with the URNs of the project and stack a Construct names."""

    def __init__(self, project: str, stack: str) -> None:
        super().__init__(DbtierMocks(region=DEFAULT_REGION))
        self.project, self.stack = project, stack
        self.aliases: dict[str, list[Any]] = {}

    def RegisterResource(self, request: Any) -> Any:
        self.aliases[self.make_urn(request.parent, request.type, request.name)] = list(
            request.aliases
        )
        return super().RegisterResource(request)

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        if parent:
            type_ = parent.split("::")[2].rsplit("$", maxsplit=1)[-1] + "$" + type_
        return f"urn:pulumi:{self.stack}::{self.project}::{type_}::{name}"


class MonitorService(resource_pb2_grpc.ResourceMonitorServicer):
    """The ResourceMonitor gRPC service in front of a fresh recording monitor per Construct."""

    def __init__(self) -> None:
        self.monitor = _Monitor(PROJECT, STACK)
        self._lock = threading.Lock()

    def reset(self, project: str, stack: str) -> _Monitor:
        self.monitor = _Monitor(project, stack)
        return self.monitor

    def _call(self, method: str, request: Any) -> Any:
        with self._lock:
            return getattr(self.monitor, method)(request)

    def SupportsFeature(self, request: Any, context: Any) -> Any:
        answer = self._call("SupportsFeature", request)
        return resource_pb2.SupportsFeatureResponse(hasSupport=answer.hasSupport)

    def GetDeploymentInfo(self, request: Any, context: Any) -> Any:
        return self._call("GetDeploymentInfo", request)

    def RegisterResource(self, request: Any, context: Any) -> Any:
        return self._call("RegisterResource", request)

    def RegisterResourceOutputs(self, request: Any, context: Any) -> Any:
        return self._call("RegisterResourceOutputs", request)

    def Invoke(self, request: Any, context: Any) -> Any:
        return self._call("Invoke", request)

    def RegisterPackage(self, request: Any, context: Any) -> Any:
        return self._call("RegisterPackage", request)

    def SignalAndWaitForShutdown(self, request: Any, context: Any) -> Any:
        return empty_pb2.Empty()


class EngineService(engine_pb2_grpc.EngineServicer):
    """The Engine gRPC service: what the provider logs."""

    def __init__(self) -> None:
        self.logs: list[str] = []

    def Log(self, request: Any, context: Any) -> Any:
        self.logs.append(request.message)
        return empty_pb2.Empty()

    def GetRootResource(self, request: Any, context: Any) -> Any:
        return engine_pb2.GetRootResourceResponse(urn="")

    def SetRootResource(self, request: Any, context: Any) -> Any:
        return engine_pb2.SetRootResourceResponse()


def struct(values: Mapping[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(dict(values))
    return message


class ProviderHost:
    """The component provider in a subprocess, and the engine services it talks to."""

    def __init__(self) -> None:
        self.engine = EngineService()
        self.monitors = MonitorService()
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
        engine_pb2_grpc.add_EngineServicer_to_server(self.engine, self.server)
        resource_pb2_grpc.add_ResourceMonitorServicer_to_server(self.monitors, self.server)
        self.port = self.server.add_insecure_port("127.0.0.1:0")
        self.proc: subprocess.Popen[bytes] | None = None
        self.channel: grpc.Channel | None = None
        self.stub: provider_pb2_grpc.ResourceProviderStub | None = None

    def start(self) -> None:
        self.server.start()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "dbtier.provider", f"127.0.0.1:{self.port}"],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        line: list[bytes] = []
        reader = threading.Thread(target=lambda: line.append(self.proc.stdout.readline()))  # type: ignore[union-attr]
        reader.daemon = True
        reader.start()
        reader.join(STARTUP_TIMEOUT_S)
        first = line[0].decode().strip() if line else ""
        if not first.isdigit():
            self.stop()
            raise RuntimeError(f"the provider did not print its port (got {first!r})")
        self.channel = grpc.insecure_channel(f"127.0.0.1:{first}")
        grpc.channel_ready_future(self.channel).result(timeout=STARTUP_TIMEOUT_S)
        self.stub = provider_pb2_grpc.ResourceProviderStub(self.channel)

    def stop(self) -> None:
        if self.channel is not None:
            self.channel.close()
        if self.proc is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
            for stream in (self.proc.stdout, self.proc.stderr):
                if stream is not None:
                    stream.close()
        self.server.stop(0)

    def schema(self) -> str:
        assert self.stub is not None
        return str(self.stub.GetSchema(provider_pb2.GetSchemaRequest()).schema)

    def construct(
        self,
        type_: str,
        name: str,
        inputs: Mapping[str, Any],
        *,
        providers: Mapping[str, str] | None = None,
        dependencies: Mapping[str, list[str]] | None = None,
        project: str = PROJECT,
        stack: str = STACK,
    ) -> tuple[Any, list[PlannedResource]]:
        """Construct `type_` `name` from `inputs` (plain JSON, as a program's SDK sends them;
        `dependencies`: the resources an input's value came from); the response and what the
        provider registered for it."""
        assert self.stub is not None
        monitor = self.monitors.reset(project, stack)
        for ref in (providers or {}).values():
            # The engine answers the provider's lookup of a provider the program registered.
            urn, id_ = ref.rsplit("::", 1)
            monitor.resources[urn] = monitor.ResourceRegistration(urn, id_, {})
        request = provider_pb2.ConstructRequest(
            project=project,
            stack=stack,
            organization="organization",
            type=type_,
            name=name,
            inputs=struct(inputs),
            dryRun=True,
            parallel=4,
            monitorEndpoint=f"127.0.0.1:{self.port}",
            providers=dict(providers or {}),
            inputDependencies={
                key: provider_pb2.ConstructRequest.PropertyDependencies(urns=urns)
                for key, urns in (dependencies or {}).items()
            },
        )
        response = self.stub.Construct(request, timeout=CALL_TIMEOUT_S)
        return response, monitor.recorded


@contextlib.contextmanager
def provider_host() -> Iterator[ProviderHost]:
    host = ProviderHost()
    try:
        host.start()
        yield host
    finally:
        host.stop()
