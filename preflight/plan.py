"""Plan a stack offline: run the Pulumi program on the shared mocks and record what it registers.

The recording is taken from the resource monitor's side of the gRPC boundary, so every input is
exactly what the engine would receive: camelCase names, secrets in Pulumi's secret envelope,
values unknown at preview as Pulumi's unknown sentinel.
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import runpy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from google.protobuf import json_format

from components.stack_config import ConfigError, parse
from preflight import sdk, stackfile
from preflight.mocks import DEFAULT_REGION, DbtierMocks
from preflight.policy import PROJECT_DIR

SECRET_SIG = "4dabf18193072939515e22adb298388d"
SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
STACK_TYPE = "pulumi:pulumi:Stack"


class PlanError(Exception):
    """The stack cannot be planned: a missing or malformed stack file, a bad config value."""


@dataclass(frozen=True)
class PlannedResource:
    urn: str
    type: str
    name: str
    parent: str
    inputs: dict[str, Any]
    protect: bool
    custom: bool
    provider: str
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    ignore_changes: list[str] = field(default_factory=list)
    """The resource option, passed on to the pack as the engine does (a rule may read it)."""


@dataclass
class Plan:
    stack: str
    project: str
    config: dict[str, str]
    resources: list[PlannedResource]
    outputs: dict[str, Any]
    warnings: list[str] = field(default_factory=list)

    def by_type(self, type_: str) -> list[PlannedResource]:
        return [r for r in self.resources if r.type == type_]

    def get(self, urn: str) -> PlannedResource:
        return next(r for r in self.resources if r.urn == urn)


# ---------------------------------------------------------------------------------------------
# Stack files
# ---------------------------------------------------------------------------------------------


def _config_string(value: Any) -> str:
    """Config as the engine passes it to a program: strings as is, the rest as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value)


def stack_config(stack: str, project_dir: Path) -> tuple[str, dict[str, str], list[str]]:
    """The project name, the stack's full config (project defaults then stack values), secret keys.

    Both files go through preflight/stackfile.py (known keys) and preflight/yamlfile.py (limits,
    strict YAML); a project default that is not a valid setting is blamed on Pulumi.yaml, not on
    the stack file.
    """
    try:
        project = stackfile.load_project(project_dir)
        for key, value in project.config.items():
            if key.startswith(f"{project.name}:"):
                try:
                    parse({key: value})
                except ConfigError as exc:
                    raise PlanError(f"Pulumi.yaml: {exc}") from None
        stack_file = stackfile.load_stack(project_dir, stack, project.name)
    except stackfile.StackFileError as exc:
        raise PlanError(str(exc)) from None
    return project.name, stackfile.merged_config(project, stack_file), list(stack_file.secret_keys)


# ---------------------------------------------------------------------------------------------
# Recording monitor
# ---------------------------------------------------------------------------------------------


def _to_json(struct: Any) -> Any:
    return _ints(json_format.MessageToDict(struct))


def _ints(value: Any) -> Any:
    """protobuf Structs carry every number as a double; show whole numbers as integers."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _ints(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_ints(v) for v in value]
    return value


class RecordingMonitor(sdk.MockMonitor):
    """A mock resource monitor that keeps every registration request as the engine receives it."""

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.recorded: list[PlannedResource] = []
        self.stack_outputs: dict[str, Any] = {}

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        urn = self.make_urn(request.parent, request.type, request.name)
        if self.recorded and self.recorded[0].urn == urn:
            return response  # the root stack that set_mocks registers before the program's own
        self.recorded.append(
            PlannedResource(
                urn=urn,
                type=request.type,
                name=request.name,
                parent=request.parent,
                inputs=_to_json(request.object),
                protect=bool(request.protect),
                custom=bool(request.custom),
                provider=request.provider,
                dependencies=list(request.dependencies),
                property_dependencies={
                    k: list(v.urns) for k, v in request.propertyDependencies.items()
                },
                ignore_changes=list(request.ignoreChanges),
            )
        )
        return response

    def RegisterResourceOutputs(self, request: Any) -> Any:
        if request.urn.split("::")[2] == STACK_TYPE:
            self.stack_outputs = _to_json(request.outputs)
        return super().RegisterResourceOutputs(request)


class _Diagnostics(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


# ---------------------------------------------------------------------------------------------
# Planning
# ---------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _no_automatic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector's automatic runs while the program registers resources.

    A plan keeps every resource, its Outputs, futures and source positions alive until the
    program ends (~100 KB per resource), and almost none of it is garbage before then; yet the
    collector's automatic runs keep traversing that growing heap, and they took more than half of
    the planning time of a 1,000-table stack (and made it grow faster than the resource count).
    Reference counting still frees what is not in a cycle; cycles left by the run are collected
    by the collector's next automatic run after this block.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def plan_stack(
    stack: str,
    project_dir: Path | None = None,
    config_overrides: Mapping[str, Any] | None = None,
) -> Plan:
    """Run the program of `project_dir` for `stack` on the mocks; raise PlanError on bad input.

    `config_overrides` replaces whole config keys (`"dbtier:relational": {...}`); a value of None
    removes the key. The config is validated before the program runs, as the program itself does.
    """
    project_dir = (project_dir or PROJECT_DIR).resolve()
    project, config, secret_keys = stack_config(stack, project_dir)
    for key, value in (config_overrides or {}).items():
        if value is None:
            config.pop(key, None)
        else:
            config[key] = _config_string(value)
    try:
        parse(
            {k: v for k, v in config.items() if k.startswith(f"{project}:")},
            region=config.get("aws:region", DEFAULT_REGION),
            stack=stack,
            project=project,
        )
    except ConfigError as exc:
        raise PlanError(f"Pulumi.{stack}.yaml: {exc}") from None

    program = project_dir / "__main__.py"
    if not program.is_file():
        raise PlanError(f"no Pulumi program __main__.py in {project_dir}")

    mocks = DbtierMocks(region=config.get("aws:region", DEFAULT_REGION))
    monitor = RecordingMonitor(mocks)
    diagnostics = _Diagnostics()
    logger = logging.getLogger("dbtier.preflight.engine")
    logger.propagate = False
    logger.handlers[:] = [diagnostics]

    sdk.install_mocks(
        mocks,
        monitor,
        project=project,
        stack=stack,
        config=config,
        secret_keys=secret_keys,
        logger=logger,
    )

    def run_program() -> None:
        # The folder, not the file: Python then runs its __main__.py with the folder first on
        # sys.path for the run (as Pulumi's Python host does), so a program's own modules import.
        runpy.run_path(str(project_dir), run_name="__main__")

    try:
        with _no_automatic_gc():
            sdk.run_program(run_program)
    except ConfigError as exc:
        raise PlanError(f"Pulumi.{stack}.yaml: {exc}") from None
    except pulumi.RunError as exc:
        raise PlanError(f"Pulumi.{stack}.yaml: {exc}") from None
    return Plan(
        stack=stack,
        project=project,
        config=config,
        resources=monitor.recorded,
        outputs=monitor.stack_outputs,
        warnings=diagnostics.messages,
    )
