"""The analyzer protocol's messages: a plan as the engine's requests, the answers as violations.

A resource goes to the pack as the engine sends it: its inputs as a protobuf ``Struct`` (camelCase
keys, secrets in their envelope, unknowns as the sentinel string), its options, and its provider
resource. ``Configure`` carries an explicit level for every policy, because proto3's zero value
reads as advisory on the wire.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from google.protobuf import json_format, struct_pb2

from preflight.plan import STACK_TYPE, Plan, PlannedResource
from preflight.policy import Level, PolicyInfo, Violation
from preflight.sdk import analyzer_pb2

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


# ---------------------------------------------------------------------------------------------
# Requests
# ---------------------------------------------------------------------------------------------


def _struct(value: Mapping[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(value)
    return struct


def _options(resource: PlannedResource) -> analyzer_pb2.AnalyzerResourceOptions:
    return analyzer_pb2.AnalyzerResourceOptions(
        protect=resource.protect, parent=resource.parent, ignoreChanges=resource.ignore_changes
    )


class Providers:
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
    resource: PlannedResource, providers: Providers | None = None
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
    providers = Providers(plan)
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


def configure_stack_request(plan: Plan) -> analyzer_pb2.AnalyzerStackConfigureRequest:
    return analyzer_pb2.AnalyzerStackConfigureRequest(
        stack=plan.stack, project=plan.project, dry_run=True, config=plan.config
    )


# ---------------------------------------------------------------------------------------------
# Responses
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


def violations(
    response: analyzer_pb2.AnalyzeResponse,
    default_urn: str,
    infos: Mapping[str, PolicyInfo],
) -> Iterator[Violation]:
    """The response's diagnostics; one without a URN is on ``default_urn``."""
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
    """The URN of the plan's root stack, where stack policies' violations without a URN land."""
    for r in plan.resources:
        if r.type == STACK_TYPE:
            return r.urn
    return f"urn:pulumi:{plan.stack}::{plan.project}::{STACK_TYPE}::{plan.project}-{plan.stack}"
