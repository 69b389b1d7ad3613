"""The Pulumi SDK internals behind preflight/sdk.py are still there, in the shape it uses.

The preflight relies on parts of the SDK that are not public API. These tests pin them to the
versions in requirements.txt: after an SDK upgrade, a failure here names the function, attribute
or protocol field that moved, instead of a plan that silently records nothing.
"""

from __future__ import annotations

import inspect
import re
from importlib import metadata
from pathlib import Path

import pytest
from pulumi.runtime import mocks, resource, settings, stack, sync_await
from pulumi.runtime.proto import resource_pb2

from preflight import sdk
from tests.unit.package_support import run_program

ROOT = Path(__file__).resolve().parents[2]


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        match = re.fullmatch(r"([A-Za-z0-9_.\[\],-]+)==(\S+)", line.strip())
        if match:
            name = re.sub(r"\[.*\]", "", match.group(1))
            pins[re.sub(r"[-_.]+", "-", name).lower()] = match.group(2)
    return pins


@pytest.mark.parametrize("package", ["pulumi", "pulumi-policy", "grpcio", "protobuf"])
def test_installed_version_is_the_pinned_one(package: str) -> None:
    pinned = {**_pins(ROOT / "constraints.txt"), **_pins(ROOT / "requirements.txt")}
    assert metadata.version(package) == pinned[package], (
        f"{package} {metadata.version(package)} is installed, {pinned[package]} is pinned: "
        "re-run these tests against the new version before changing the pin"
    )


@pytest.mark.parametrize("package", ["pulumi", "pulumi-policy", "grpcio", "protobuf"])
def test_policy_pack_pins_the_project_versions(package: str) -> None:
    pack = _pins(ROOT / "policy" / "requirements.txt")
    project = {**_pins(ROOT / "constraints.txt"), **_pins(ROOT / "requirements.txt")}
    assert pack[package] == project[package]


def _parameters(fn: object) -> list[str]:
    return list(inspect.signature(fn).parameters)  # type: ignore[arg-type]


def test_set_mocks_takes_the_monitor_and_preview_flag() -> None:
    assert _parameters(mocks.set_mocks)[:6] == [
        "mocks",
        "project",
        "stack",
        "preview",
        "logger",
        "monitor",
    ]


def test_mock_monitor_has_what_the_recording_monitor_overrides_and_calls() -> None:
    assert sdk.MockMonitor is mocks.MockMonitor
    assert _parameters(mocks.MockMonitor.__init__) == ["self", "mocks"]
    assert _parameters(mocks.MockMonitor.make_urn) == ["self", "parent", "type_", "name"]
    assert _parameters(mocks.MockMonitor.RegisterResource) == ["self", "request"]
    assert _parameters(mocks.MockMonitor.RegisterResourceOutputs) == ["self", "request"]


def test_runtime_settings_can_be_reset_between_plans() -> None:
    assert callable(settings.SETTINGS.rpc_manager.clear)
    assert callable(settings.SETTINGS.outputs.clear)
    assert callable(settings.ROOT.set)


def test_stack_runner_and_sync_await() -> None:
    assert _parameters(stack.run_in_stack) == ["func"]
    assert _parameters(sync_await._sync_await) == ["awaitable"]
    assert _parameters(sdk.run_program) == ["program"]


def test_the_stack_trace_collector_is_off_while_a_program_runs_and_back_after() -> None:
    # What register_resource calls for each registration (the collector run_program replaces).
    assert _parameters(resource._get_stack_trace) == []
    assert "stack_trace = _get_stack_trace()" in inspect.getsource(resource.register_resource)
    stock = resource._get_stack_trace
    seen = []
    run_program(lambda: seen.append(resource._get_stack_trace))
    assert seen == [sdk._no_stack_trace]
    assert resource._get_stack_trace is stock


@pytest.mark.parametrize(
    ("message", "fields"),
    [
        pytest.param(
            resource_pb2.RegisterResourceRequest,
            {
                "type",
                "name",
                "parent",
                "object",
                "protect",
                "custom",
                "provider",
                "dependencies",
                "propertyDependencies",
                "ignoreChanges",
            },
            id="RegisterResourceRequest",
        ),
        pytest.param(
            resource_pb2.RegisterResourceOutputsRequest,
            {"urn", "outputs"},
            id="RegisterResourceOutputsRequest",
        ),
        pytest.param(
            sdk.analyzer_pb2.AnalyzeRequest,
            {"type", "properties", "urn", "name", "options", "provider"},
            id="AnalyzeRequest",
        ),
        pytest.param(
            sdk.analyzer_pb2.AnalyzerResource,
            {
                "type",
                "properties",
                "urn",
                "name",
                "options",
                "provider",
                "parent",
                "dependencies",
                "propertyDependencies",
            },
            id="AnalyzerResource",
        ),
        pytest.param(
            sdk.analyzer_pb2.AnalyzerStackConfigureRequest,
            {"stack", "project", "dry_run", "config"},
            id="AnalyzerStackConfigureRequest",
        ),
        pytest.param(
            sdk.analyzer_pb2.PolicyConfig, {"enforcementLevel", "properties"}, id="PolicyConfig"
        ),
        pytest.param(
            sdk.analyzer_pb2.AnalyzeDiagnostic,
            {
                "policyName",
                "policyPackName",
                "policyPackVersion",
                "description",
                "message",
                "enforcementLevel",
                "urn",
                "severity",
            },
            id="AnalyzeDiagnostic",
        ),
        pytest.param(
            sdk.analyzer_pb2.PolicyInfo,
            {
                "name",
                "description",
                "enforcementLevel",
                "severity",
                "remediation_steps",
                "tags",
                "configSchema",
                "policy_type",
            },
            id="PolicyInfo",
        ),
    ],
)
def test_protocol_messages_have_the_fields_the_preflight_reads_and_writes(
    message: type, fields: set[str]
) -> None:
    present = set(message.DESCRIPTOR.fields_by_name)  # type: ignore[attr-defined]
    assert fields - present == set()


def test_analyzer_service_and_enums() -> None:
    stub = sdk.analyzer_pb2_grpc.AnalyzerStub
    for method in ("GetAnalyzerInfo", "Configure", "ConfigureStack", "Analyze", "AnalyzeStack"):
        assert method in inspect.getsource(stub.__init__), method
    pb = sdk.analyzer_pb2
    for name in (
        "ADVISORY",
        "MANDATORY",
        "REMEDIATE",
        "DISABLED",
        "POLICY_SEVERITY_UNSPECIFIED",
        "POLICY_SEVERITY_LOW",
        "POLICY_SEVERITY_MEDIUM",
        "POLICY_SEVERITY_HIGH",
        "POLICY_SEVERITY_CRITICAL",
        "POLICY_TYPE_STACK",
    ):
        assert isinstance(getattr(pb, name), int), name
