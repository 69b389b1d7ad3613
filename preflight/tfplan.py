"""The plan as Terraform plan JSON (``terraform show -json`` format 1.2) for checkov, trivy and OPA.

pulumi-aws and pulumi-random are bridged Terraform providers: a Pulumi resource's inputs are the
Terraform resource's arguments under Pulumi's names. The conversion undoes that naming:

- Types: ``TERRAFORM_TYPES`` maps every Pulumi type dbtier plans to its Terraform type (the bridge's
  own names are not in the Python SDK, so this is a table, and a test checks that every type of
  the dev and prod plans is in it). An unlisted type gets ``unlisted_type()``'s guess, the bridge's
  default rule ``<provider>_<module>_<snake_name>``.
- Attributes, from the installed Python SDK's input types (``<Name>Args``: each property's Pulumi
  name, and whether it is a map, one nested block or a list of blocks): camelCase becomes the
  provider's snake_case, a block Pulumi flattened to an object (MaxItems 1) becomes a list of one
  object as Terraform represents blocks, and a list of blocks Pulumi named in the plural gets its
  Terraform singular name back (``globalSecondaryIndexes`` -> ``global_secondary_index``).
- Secrets are masked (``"[secret]"``, and ``after_sensitive`` true). A value unknown at plan time
  is null with ``after_unknown`` true, as Terraform writes it.
- References: an input that the engine says depends on another resource (its property
  dependencies) is, in Terraform, an expression referencing that resource, and on a plan that
  creates everything its value is unknown. So an id, ARN or name is written that way: null,
  ``after_unknown`` true, and ``configuration.root_module.resources[].expressions.<attr>
  .references`` naming the resource, which is how checkov's graph checks (e.g. CKV2_AWS_57, a
  secret with a rotation; CKV2_AWS_5, a security group in use) connect them. A nested block or a
  JSON document built from references (an IAM policy) keeps its values, so it can still be
  checked, and its references are listed at its top-level attribute.

Components, providers and the stack are not Terraform resources and are left out. Everything is in
a fixed order (by address), so the same plan always gives the same bytes.
"""

from __future__ import annotations

import argparse
import fnmatch
import functools
import importlib
import json
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from preflight.plan import SECRET_SIG, SECRET_VALUE, UNKNOWN, Plan, PlannedResource

FORMAT_VERSION = "1.2"
TERRAFORM_VERSION = "1.9.8"
"""The Terraform release whose plan JSON this imitates (any 1.x reads format 1.2)."""
MASK = "[secret]"

PROVIDERS = {
    "aws": "registry.terraform.io/hashicorp/aws",
    "random": "registry.terraform.io/hashicorp/random",
}

TERRAFORM_TYPES: dict[str, str] = {
    "aws:cloudwatch/dashboard:Dashboard": "aws_cloudwatch_dashboard",
    "aws:cloudwatch/logGroup:LogGroup": "aws_cloudwatch_log_group",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "aws_cloudwatch_metric_alarm",
    "aws:backup/plan:Plan": "aws_backup_plan",
    "aws:backup/restoreTestingPlan:RestoreTestingPlan": "aws_backup_restore_testing_plan",
    "aws:backup/restoreTestingSelection:RestoreTestingSelection": (
        "aws_backup_restore_testing_selection"
    ),
    "aws:backup/selection:Selection": "aws_backup_selection",
    "aws:backup/vault:Vault": "aws_backup_vault",
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration": "aws_backup_vault_lock_configuration",
    "aws:backup/vaultNotifications:VaultNotifications": "aws_backup_vault_notifications",
    "aws:dms/endpoint:Endpoint": "aws_dms_endpoint",
    "aws:dms/replicationInstance:ReplicationInstance": "aws_dms_replication_instance",
    "aws:dms/replicationSubnetGroup:ReplicationSubnetGroup": "aws_dms_replication_subnet_group",
    "aws:dms/replicationTask:ReplicationTask": "aws_dms_replication_task",
    "aws:dynamodb/table:Table": "aws_dynamodb_table",
    "aws:ec2/securityGroup:SecurityGroup": "aws_security_group",
    "aws:ec2/securityGroupRule:SecurityGroupRule": "aws_security_group_rule",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "aws_vpc_endpoint",
    "aws:elasticache/parameterGroup:ParameterGroup": "aws_elasticache_parameter_group",
    "aws:elasticache/replicationGroup:ReplicationGroup": "aws_elasticache_replication_group",
    "aws:elasticache/subnetGroup:SubnetGroup": "aws_elasticache_subnet_group",
    "aws:iam/policy:Policy": "aws_iam_policy",
    "aws:iam/role:Role": "aws_iam_role",
    "aws:iam/rolePolicy:RolePolicy": "aws_iam_role_policy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "aws_iam_role_policy_attachment",
    "aws:kms/alias:Alias": "aws_kms_alias",
    "aws:kms/key:Key": "aws_kms_key",
    "aws:lambda/codeSigningConfig:CodeSigningConfig": "aws_lambda_code_signing_config",
    "aws:lambda/eventSourceMapping:EventSourceMapping": "aws_lambda_event_source_mapping",
    "aws:lambda/function:Function": "aws_lambda_function",
    "aws:lambda/permission:Permission": "aws_lambda_permission",
    "aws:rds/cluster:Cluster": "aws_rds_cluster",
    "aws:rds/clusterInstance:ClusterInstance": "aws_rds_cluster_instance",
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": "aws_rds_cluster_parameter_group",
    "aws:rds/instance:Instance": "aws_db_instance",
    "aws:rds/parameterGroup:ParameterGroup": "aws_db_parameter_group",
    "aws:rds/subnetGroup:SubnetGroup": "aws_db_subnet_group",
    "aws:redshift/cluster:Cluster": "aws_redshift_cluster",
    "aws:redshift/logging:Logging": "aws_redshift_logging",
    "aws:redshift/parameterGroup:ParameterGroup": "aws_redshift_parameter_group",
    "aws:redshift/subnetGroup:SubnetGroup": "aws_redshift_subnet_group",
    "aws:s3/bucketV2:BucketV2": "aws_s3_bucket",
    "aws:s3/bucket:Bucket": "aws_s3_bucket",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": (
        "aws_s3_bucket_lifecycle_configuration"
    ),
    "aws:s3/bucketObjectv2:BucketObjectv2": "aws_s3_object",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "aws_s3_bucket_ownership_controls",
    "aws:s3/bucketPolicy:BucketPolicy": "aws_s3_bucket_policy",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "aws_s3_bucket_public_access_block",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        "aws_s3_bucket_server_side_encryption_configuration"
    ),
    "aws:s3/bucketVersioning:BucketVersioning": "aws_s3_bucket_versioning",
    "aws:secretsmanager/secret:Secret": "aws_secretsmanager_secret",
    "aws:secretsmanager/secretRotation:SecretRotation": "aws_secretsmanager_secret_rotation",
    "aws:secretsmanager/secretVersion:SecretVersion": "aws_secretsmanager_secret_version",
    "aws:redshiftserverless/namespace:Namespace": "aws_redshiftserverless_namespace",
    "aws:redshiftserverless/workgroup:Workgroup": "aws_redshiftserverless_workgroup",
    "aws:serverlessrepository/cloudFormationStack:CloudFormationStack": (
        "aws_serverlessapplicationrepository_cloudformation_stack"
    ),
    "aws:signer/signingJob:SigningJob": "aws_signer_signing_job",
    "aws:signer/signingProfile:SigningProfile": "aws_signer_signing_profile",
    "aws:sns/topic:Topic": "aws_sns_topic",
    "aws:sns/topicPolicy:TopicPolicy": "aws_sns_topic_policy",
    "aws:sns/topicSubscription:TopicSubscription": "aws_sns_topic_subscription",
    "aws:sqs/queue:Queue": "aws_sqs_queue",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": (
        "aws_vpc_security_group_egress_rule"
    ),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (
        "aws_vpc_security_group_ingress_rule"
    ),
    "random:index/randomId:RandomId": "random_id",
    "random:index/randomPassword:RandomPassword": "random_password",
    "random:index/randomString:RandomString": "random_string",
}
"""Pulumi type -> Terraform type, as the bridge names them (pulumi-aws 7.x, pulumi-random 4.x)."""

_ASSET_SIGS = {"c44067f5952c0a294b673a41bacd8c17", "0def7320c3a5731c473e5ecbe6d01bc7"}
_NAME_OK = re.compile(r"[^A-Za-z0-9_-]")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_ARGS_REF = re.compile(r"ForwardRef\('(\w+Args)'\)")


def snake(name: str) -> str:
    """The engine's camelCase as the provider's snake_case: ``kmsKeyId`` -> ``kms_key_id``."""
    return _CAMEL.sub("_", name).lower()


def singular(name: str) -> str:
    """The Terraform name of a block list Pulumi named in the plural."""
    if name.endswith("ies"):
        return name[:-3] + "y"
    if name.endswith(("xes", "sses", "ches", "shes")):
        return name[:-2]
    if name.endswith("s") and not name.endswith("ss"):
        return name[:-1]
    return name


def unlisted_type(token: str) -> str:
    """The bridge's default naming, for a type not in TERRAFORM_TYPES."""
    package, module, name = _split(token)
    module = module.split("/")[0]
    parts = [package] + ([] if module == "index" else [snake(module)]) + [snake(name)]
    return "_".join(parts)


def terraform_type(token: str) -> str:
    return TERRAFORM_TYPES.get(token) or unlisted_type(token)


def is_exported(resource: PlannedResource) -> bool:
    """A provider's resource (not a component, a provider or the stack)."""
    package = resource.type.split(":", 1)[0]
    return resource.custom and package in PROVIDERS and not resource.type.startswith("pulumi:")


def _split(token: str) -> tuple[str, str, str]:
    package, module, name = token.split(":", 2)
    return package, module, name


# ---------------------------------------------------------------------------------------------
# Attribute schema, from the installed SDK's input types
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    tf_name: str
    kind: str  # "scalar", "map", "block" (one, MaxItems 1) or "blocks" (a list)
    nested: type | None = None


@functools.cache
def _args_class(token: str) -> type | None:
    package, module, name = _split(token)
    module = module.split("/")[0]
    path = f"pulumi_{package}" if module == "index" else f"pulumi_{package}.{module}"
    for candidate in (path, path + "_"):  # `lambda` is `lambda_` in Python
        try:
            loaded = importlib.import_module(candidate)
        except ImportError:
            continue
        # When a nested block type already has the name `<Name>Args` (pulumi_aws.s3's
        # BucketVersioningArgs is the legacy Bucket's `versioning` block), the SDK names the
        # resource's own arguments `<Name>InitArgs`.
        for cls in (getattr(loaded, f"{name}InitArgs", None), getattr(loaded, f"{name}Args", None)):
            if isinstance(cls, type):
                return cls
    return None


@functools.cache
def _fields(cls: type) -> dict[str, Field]:
    """Pulumi name -> Field for every property of an input type."""
    module = importlib.import_module(cls.__module__)
    fields: dict[str, Field] = {}
    for py_name, prop in vars(cls).items():
        if not isinstance(prop, property) or prop.fget is None:
            continue
        pulumi_name = getattr(prop.fget, "_pulumi_name", py_name)
        annotation = repr(prop.fget.__annotations__.get("return", ""))
        ref = _ARGS_REF.search(annotation)
        nested = getattr(module, ref.group(1), None) if ref else None
        if isinstance(nested, type):
            if "Sequence[" in annotation:
                fields[pulumi_name] = Field(singular(py_name), "blocks", nested)
            else:
                fields[pulumi_name] = Field(py_name, "block", nested)
        elif "Mapping[" in annotation:
            fields[pulumi_name] = Field(py_name, "map")
        else:
            fields[pulumi_name] = Field(py_name, "scalar")
    return fields


def _field(cls: type | None, key: str) -> Field:
    if cls is not None:
        found = _fields(cls).get(key)
        if found is not None:
            return found
    return Field(snake(key), "scalar")


# ---------------------------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------------------------


@dataclass
class _Converted:
    value: Any
    unknown: Any = False  # after_unknown's shape: True, or a dict/list of the nested parts
    sensitive: Any = False


def _is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SECRET_SIG) == SECRET_VALUE


def _is_asset(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SECRET_SIG) in _ASSET_SIGS


def _object(inputs: Mapping[str, Any], cls: type | None) -> _Converted:
    values: dict[str, Any] = {}
    unknown: dict[str, Any] = {}
    sensitive: dict[str, Any] = {}
    for key in sorted(inputs):
        if key.startswith("__") or _is_asset(inputs[key]):
            continue
        field = _field(cls, key)
        converted = _value(inputs[key], field)
        values[field.tf_name] = converted.value
        if converted.unknown:
            unknown[field.tf_name] = converted.unknown
        if converted.sensitive:
            sensitive[field.tf_name] = converted.sensitive
    return _Converted(values, unknown, sensitive)


def _value(value: Any, field: Field) -> _Converted:
    if _is_secret(value):
        return _Converted(MASK, False, True)
    if value == UNKNOWN:
        return _Converted(None, True)
    if field.kind in ("block", "blocks") and isinstance(value, (dict, list)):
        items = value if isinstance(value, list) else [value]
        parts = [
            _object(item, field.nested) if isinstance(item, dict) else _plain(item)
            for item in items
        ]
        return _Converted(
            [p.value for p in parts],
            [p.unknown or {} for p in parts] if any(p.unknown for p in parts) else False,
            [p.sensitive or {} for p in parts] if any(p.sensitive for p in parts) else False,
        )
    return _plain(value)


def _plain(value: Any) -> _Converted:
    """A scalar, a map or a list of them: keys as they are (tags, dimensions are data)."""
    if _is_secret(value):
        return _Converted(MASK, False, True)
    if value == UNKNOWN:
        return _Converted(None, True)
    if isinstance(value, dict):
        parts = {k: _plain(v) for k, v in sorted(value.items())}
        return _Converted(
            {k: p.value for k, p in parts.items()},
            {k: p.unknown for k, p in parts.items() if p.unknown} or False,
            {k: p.sensitive for k, p in parts.items() if p.sensitive} or False,
        )
    if isinstance(value, list):
        items = [_plain(v) for v in value]
        return _Converted(
            [p.value for p in items],
            [p.unknown for p in items] if any(p.unknown for p in items) else False,
            [p.sensitive for p in items] if any(p.sensitive for p in items) else False,
        )
    return _Converted(value)


# ---------------------------------------------------------------------------------------------
# The document
# ---------------------------------------------------------------------------------------------


def _addresses(resources: list[PlannedResource]) -> dict[str, str]:
    """URN -> Terraform address, unique: ``<type>.<name>``, a suffix for a repeated name."""
    taken: set[str] = set()
    out: dict[str, str] = {}
    for r in sorted(resources, key=lambda r: (terraform_type(r.type), r.name, r.urn)):
        base = f"{terraform_type(r.type)}.{_NAME_OK.sub('_', r.name) or 'unnamed'}"
        address, n = base, 1
        while address in taken:
            n += 1
            address = f"{base}_{n}"
        taken.add(address)
        out[r.urn] = address
    return out


def _default_tags(plan: Plan) -> dict[str, dict[str, Any]]:
    """Provider URN -> its default tags."""
    tags: dict[str, dict[str, Any]] = {}
    for r in plan.resources:
        if r.type != "pulumi:providers:aws":
            continue
        raw = r.inputs.get("defaultTags")
        try:
            parsed = json.loads(raw) if isinstance(raw, str) else raw
        except json.JSONDecodeError:
            parsed = None
        if isinstance(parsed, dict) and isinstance(parsed.get("tags"), dict):
            tags[r.urn] = parsed["tags"]
    return tags


_RANDOM_RESULT = {"random_id": "hex", "random_password": "result", "random_string": "result"}


def _is_plain_reference(value: Any) -> bool:
    """An id, ARN or name (or a list of them), unknown in a Terraform plan that creates its
    target. A document built from references (a JSON policy) stays known, so checkov still reads
    the policy; its references are listed all the same."""
    items = value if isinstance(value, list) else [value]
    return bool(items) and all(
        isinstance(v, str) and not v.lstrip().startswith(("{", "[")) for v in items
    )


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict) and not _is_secret(value):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _reference(target: str, value: Any) -> str:
    """``<address>.<attribute>``: the attribute the input most likely reads."""
    if target.split(".", 1)[0] in _RANDOM_RESULT:
        attr = _RANDOM_RESULT[target.split(".", 1)[0]]
    elif any(leaf.startswith("arn:") for leaf in _strings(value)):
        attr = "arn"
    else:
        attr = "id"
    return f"{target}.{attr}"


def to_tfplan(plan: Plan) -> dict[str, Any]:
    """The plan as a Terraform plan JSON document (creates only)."""
    exported = [r for r in plan.resources if is_exported(r)]
    addresses = _addresses(exported)
    default_tags = _default_tags(plan)
    region = next(
        (r.inputs.get("region") for r in plan.resources if r.type == "pulumi:providers:aws"),
        plan.config.get("aws:region"),
    )
    planned: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    configured: list[dict[str, Any]] = []
    for r in sorted(exported, key=lambda r: addresses[r.urn]):
        address = addresses[r.urn]
        tf_type = terraform_type(r.type)
        provider = PROVIDERS[r.type.split(":", 1)[0]]
        cls = _args_class(r.type)
        inputs = dict(r.inputs)
        expressions: dict[str, Any] = {}
        for key, urns in sorted(r.property_dependencies.items()):
            targets = sorted({addresses[u] for u in urns if u in addresses})
            if not targets or key not in inputs:
                continue
            field = _field(cls, key)
            expressions[field.tf_name] = {
                "references": [ref for t in targets for ref in (_reference(t, inputs[key]), t)]
            }
            if field.kind == "scalar" and _is_plain_reference(inputs[key]):
                inputs[key] = UNKNOWN  # a reference to a resource being created
        converted = _object(inputs, cls)
        values: dict[str, Any] = converted.value
        unknown: dict[str, Any] = converted.unknown or {}
        sensitive: dict[str, Any] = converted.sensitive or {}
        if cls is not None and "tags" in _fields(cls):
            provider_urn = r.provider.rsplit("::", 1)[0]
            merged = {**default_tags.get(provider_urn, {}), **(values.get("tags") or {})}
            values["tags_all"] = dict(sorted(merged.items()))
        base = {
            "address": address,
            "mode": "managed",
            "type": tf_type,
            "name": address.split(".", 1)[1],
            "provider_name": provider,
        }
        planned.append(
            {**base, "schema_version": 0, "values": values, "sensitive_values": sensitive}
        )
        changes.append(
            {
                **base,
                "change": {
                    "actions": ["create"],
                    "before": None,
                    "after": values,
                    "after_unknown": unknown,
                    "before_sensitive": False,
                    "after_sensitive": sensitive,
                },
            }
        )
        config: dict[str, Any] = {
            "address": address,
            "mode": "managed",
            "type": tf_type,
            "name": base["name"],
            "provider_config_key": r.type.split(":", 1)[0],
            "expressions": expressions,
            "schema_version": 0,
        }
        depends_on = sorted(
            {addresses[u] for u in r.dependencies if u in addresses}
            - {t for e in expressions.values() for t in e["references"]}
        )
        if depends_on:
            config["depends_on"] = depends_on
        configured.append(config)

    used = sorted({r.type.split(":", 1)[0] for r in exported})
    provider_config: dict[str, Any] = {p: {"name": p, "full_name": PROVIDERS[p]} for p in used}
    if "aws" in provider_config and region:
        provider_config["aws"]["expressions"] = {"region": {"constant_value": region}}
    return {
        "format_version": FORMAT_VERSION,
        "terraform_version": TERRAFORM_VERSION,
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        "configuration": {
            "provider_config": provider_config,
            "root_module": {"resources": configured},
        },
    }


def render_tfplan(plan: Plan) -> str:
    return json.dumps(to_tfplan(plan), indent=2) + "\n"


# ---------------------------------------------------------------------------------------------
# checkov waivers: `python -m preflight.tfplan waivers --results R --waivers W`
# ---------------------------------------------------------------------------------------------

WAIVER_KEYS = ("check", "resource", "why")
_CHECK_ID = re.compile(r"^CKV2?_[A-Z0-9]+_[0-9]+$")
MIN_WHY = 20
"""A reason shorter than this is not a reason."""


class WaiverError(Exception):
    """The waiver file or checkov's report cannot be used; the message says why."""


@dataclass(frozen=True)
class Waiver:
    check: str
    resource: str  # an address or an fnmatch glob over addresses
    why: str

    def matches(self, finding: Finding) -> bool:
        return finding.check == self.check and fnmatch.fnmatchcase(finding.resource, self.resource)


@dataclass(frozen=True)
class Finding:
    check: str
    resource: str
    name: str


def parse_waivers(document: Any, source: str = "the waiver file") -> list[Waiver]:
    """``{"waivers": [{"check", "resource", "why"}, ...]}``, every key required, none other."""
    if not isinstance(document, dict) or set(document) != {"waivers"}:
        raise WaiverError(f"{source}: the top level must be a mapping with only `waivers`")
    entries = document["waivers"]
    if not isinstance(entries, list):
        raise WaiverError(f"{source}: `waivers` must be a list")
    waivers: list[Waiver] = []
    for n, entry in enumerate(entries, start=1):
        where = f"{source}: waiver {n}"
        if not isinstance(entry, dict):
            raise WaiverError(f"{where} is not a mapping")
        missing = [k for k in WAIVER_KEYS if k not in entry]
        extra = sorted(str(k) for k in entry if k not in WAIVER_KEYS)
        if missing or extra:
            raise WaiverError(f"{where}: missing {missing}, unknown {extra}")
        if not all(isinstance(entry[k], str) and entry[k].strip() for k in WAIVER_KEYS):
            raise WaiverError(f"{where}: check, resource and why must be non-empty strings")
        if not _CHECK_ID.match(entry["check"]):
            raise WaiverError(f"{where}: `{entry['check']}` is not a checkov check id")
        if len(entry["why"].strip()) < MIN_WHY:
            raise WaiverError(f"{where}: `why` must say why ({MIN_WHY} characters at least)")
        waiver = Waiver(entry["check"], entry["resource"], " ".join(entry["why"].split()))
        if waiver in waivers:
            raise WaiverError(f"{where} repeats an earlier waiver")
        waivers.append(waiver)
    return waivers


def load_waivers(path: Path) -> list[Waiver]:
    try:
        document = yaml.safe_load(path.read_text())
    except OSError as exc:
        raise WaiverError(f"{path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise WaiverError(f"{path}: not YAML: {exc}") from None
    return parse_waivers(document, str(path))


def checkov_findings(report: Any) -> list[Finding]:
    """The failed checks of checkov's ``-o json`` report (one framework's object or a list)."""
    runs = report if isinstance(report, list) else [report]
    findings: set[Finding] = set()
    for run in runs:
        if not isinstance(run, dict) or "summary" not in run:
            raise WaiverError("checkov's report has no summary: checkov did not scan the plan")
        summary = run["summary"]
        if summary.get("parsing_errors"):
            raise WaiverError(f"checkov could not parse the plan: {summary['parsing_errors']}")
        if not summary.get("resource_count"):
            raise WaiverError("checkov found no resources in the plan")
        for failed in run.get("results", {}).get("failed_checks", []):
            findings.add(
                Finding(failed["check_id"], failed["resource"], failed.get("check_name", ""))
            )
    return sorted(findings, key=lambda f: (f.resource, f.check))


def apply_waivers(
    findings: list[Finding], waivers: list[Waiver]
) -> tuple[list[Finding], list[Waiver]]:
    """(findings no waiver covers, waivers that cover no finding: stale)."""
    open_ = [f for f in findings if not any(w.matches(f) for w in waivers)]
    stale = [w for w in waivers if not any(w.matches(f) for f in findings)]
    return open_, stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m preflight.tfplan",
        description="Check checkov's findings on a tfplan export against the waiver file.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("waivers", help="exit 1 on an unwaived finding or a stale waiver")
    check.add_argument("--results", type=Path, required=True, help="checkov -o json output")
    check.add_argument("--waivers", type=Path, required=True, help="policy/checkov-waivers.yaml")
    args = parser.parse_args(argv)
    try:
        waivers = load_waivers(args.waivers)
        try:
            report = json.loads(args.results.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise WaiverError(f"{args.results}: not checkov's JSON report: {exc}") from None
        findings = checkov_findings(report)
    except WaiverError as exc:
        print(f"checkov: {exc}", file=sys.stderr)
        return 2
    open_, stale = apply_waivers(findings, waivers)
    print(
        f"checkov: {len(findings)} findings, {len(findings) - len(open_)} waived, "
        f"{len(open_)} not waived, {len(stale)} stale waivers"
    )
    for f in open_:
        print(f"  not waived: {f.check} {f.resource}: {f.name}")
    for w in stale:
        print(f"  stale waiver (matches nothing): {w.check} {w.resource}")
    return 1 if open_ or stale else 0


if __name__ == "__main__":
    sys.exit(main())
