"""Redshift rules (provisioned clusters and Serverless): encryption with the stack key, private,
inside the VPC with enhanced routing, TLS required, snapshots, upgrades, and a COPY role that
reads only the S3 sources it is given."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource, Severity

from ._common import (
    Resource,
    Rule,
    RuleMeta,
    as_number,
    integer,
    is_off,
    is_unknown,
    parse_json,
    prop,
)
from .deploy_relations import (
    ROLE,
    ROLE_ATTACHMENTS,
    ROLE_POLICY,
    _as_list,
    _statements,
    known_str,
    linked,
    of_type,
)

CLUSTER = "aws:redshift/cluster:Cluster"
PARAMETER_GROUP = "aws:redshift/parameterGroup:ParameterGroup"
LOGGING = "aws:redshift/logging:Logging"
NAMESPACE = "aws:redshiftserverless/namespace:Namespace"
WORKGROUP = "aws:redshiftserverless/workgroup:Workgroup"


def encrypted(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    if is_off(r.get("encrypted")):
        yield f"Redshift cluster '{r.name}' is not encrypted."


def customer_managed_key(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    if is_off(r.get("kmsKeyId")):
        kind = "Redshift Serverless namespace" if r.type == NAMESPACE else "Redshift cluster"
        yield f"{kind} '{r.name}' has no kmsKeyId: it uses the AWS-managed key."


def not_public(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    value = r.get("publiclyAccessible")
    if not is_unknown(value) and value is True:
        yield f"'{r.name}' ({r.type}) has publiclyAccessible true."


def require_ssl(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    params = r.get("parameters", default=[])
    if is_unknown(params):
        return
    for p in params:
        if isinstance(p, Mapping) and str(p.get("name", "")).lower() == "require_ssl":
            value = p.get("value")
            if is_unknown(value) or str(value).lower() in ("true", "1", "on"):
                return
            yield f"Redshift parameter group '{r.name}' sets require_ssl={value}."
            return
    yield f"Redshift parameter group '{r.name}' does not set require_ssl=true."


def user_activity_logging(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    params = r.get("parameters", default=[])
    if is_unknown(params):
        return
    for p in params:
        if (
            isinstance(p, Mapping)
            and str(p.get("name", "")).lower() == "enable_user_activity_logging"
        ):
            value = p.get("value")
            if is_unknown(value) or str(value).lower() in ("true", "1", "on"):
                return
            yield (
                f"Redshift parameter group '{r.name}' sets enable_user_activity_logging={value}:"
                " the queries users run are not logged."
            )
            return
    yield (
        f"Redshift parameter group '{r.name}' does not set enable_user_activity_logging=true:"
        " the queries users run are not logged."
    )


def enhanced_vpc_routing(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    if is_off(r.get("enhancedVpcRouting")):
        yield f"'{r.name}' ({r.type}) has enhanced VPC routing off: COPY/UNLOAD leave the VPC."


def snapshot_retention(r: Resource, c: Mapping[str, Any]) -> Iterator[str]:
    value = r.get("automatedSnapshotRetentionPeriod")
    if is_unknown(value):
        return
    days = as_number(value)
    effective = 1.0 if days is None else days  # AWS default is one day
    if effective < int(c["minimumDays"]):
        yield (
            f"Redshift cluster '{r.name}' keeps automated snapshots {effective:g} days; at least "
            f"{c['minimumDays']} required."
        )


def final_snapshot(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    skip = r.get("skipFinalSnapshot")
    if is_unknown(skip):
        return
    # The provider's default is skipFinalSnapshot=false only together with an identifier.
    if skip is True:
        yield f"Redshift cluster '{r.name}' has skipFinalSnapshot true."
    elif is_off(r.get("finalSnapshotIdentifier")):
        yield f"Redshift cluster '{r.name}' has no finalSnapshotIdentifier."


def version_upgrade(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    value = r.get("allowVersionUpgrade")
    if not is_unknown(value) and value is False:
        yield f"Redshift cluster '{r.name}' does not allow version upgrades."


def in_vpc(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    if is_off(r.get("clusterSubnetGroupName")):
        yield f"Redshift cluster '{r.name}' has no clusterSubnetGroupName: it is not in the VPC."


def namespace_logs(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    value = r.get("logExports", default=[])
    if is_unknown(value):
        return
    if "connectionlog" not in value or "userlog" not in value:
        yield (
            f"Redshift Serverless namespace '{r.name}' does not export connection and user logs "
            f"(logExports={list(value)})."
        )


def default_db_name(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    value = r.get("databaseName") if r.type == CLUSTER else r.get("dbName")
    if is_unknown(value):
        return
    if value in (None, "", "dev"):
        yield f"'{r.name}' uses the default database name 'dev'."


# The services a COPY role trusts: a role Redshift can assume is one COPY (or UNLOAD) may use.
REDSHIFT_SERVICES = frozenset({"redshift.amazonaws.com", "redshift-serverless.amazonaws.com"})
MANAGED_POLICY = "aws:iam/policy:Policy"
# AWS managed policies that grant S3 reads (or more) on every bucket in the account.
WIDE_S3_MANAGED = frozenset(
    {"AmazonS3ReadOnlyAccess", "AmazonS3FullAccess", "ReadOnlyAccess", "PowerUserAccess",
     "AdministratorAccess"}
)  # fmt: skip
_AWS_MANAGED = re.compile(r"arn:[a-z-]+:iam::aws:policy/(?:.*/)?([^/]+)")
_EVERY_BUCKET = re.compile(r"\*|arn:[a-z*-]*:s3:::\*(/\*)?")


def _trusts_redshift(role: PolicyResource) -> bool:
    for statement in _statements(prop(role.props, "assumeRolePolicy")):
        principal = statement.get("Principal")
        services = _as_list(principal.get("Service")) if isinstance(principal, Mapping) else []
        if statement.get("Effect") == "Allow" and REDSHIFT_SERVICES & set(services):
            return True
    return False


def wide_s3(document: Any) -> str | None:
    """How a policy document grants S3 on every bucket (None when it does not)."""
    for s in _statements(parse_json(document)):
        if s.get("Effect") != "Allow":
            continue
        if "NotAction" in s or "NotResource" in s:
            return "an Allow statement with NotAction or NotResource"
        actions = [a.lower() for a in _as_list(s.get("Action"))]
        wildcard = [a for a in actions if a in ("*", "s3:*")]
        if wildcard:
            return f"Action {wildcard[0]!r}"
        if any(a.startswith("s3:") for a in actions) and any(
            _EVERY_BUCKET.fullmatch(r) for r in _as_list(s.get("Resource"))
        ):
            return "S3 actions on every bucket (Resource '*')"
    return None


def copy_role_s3_scoped(
    resources: Sequence[PolicyResource], _c: Mapping[str, Any]
) -> Iterator[tuple[str, str]]:
    """A role Redshift assumes reads only named buckets or prefixes: no AWS managed S3 policy,
    no `s3:*`, no S3 action on every bucket, in any policy attached to it or inlined in it."""
    roles = [r for r in of_type(resources, ROLE) if _trusts_redshift(r)]
    if not roles:
        return
    managed_docs = of_type(resources, MANAGED_POLICY)
    for role in roles:
        for arn in _as_list(prop(role.props, "managedPolicyArns", default=[])):
            match = _AWS_MANAGED.fullmatch(arn)
            if match and match.group(1) in WIDE_S3_MANAGED:
                yield role.urn, f"COPY role '{role.name}' has {match.group(1)} (every bucket)."
        for inline in prop(role.props, "inlinePolicies", default=[]) or []:
            how = wide_s3(inline.get("policy")) if isinstance(inline, Mapping) else None
            if how:
                yield role.urn, f"COPY role '{role.name}' has an inline policy granting {how}."
    for attachment in of_type(resources, *ROLE_ATTACHMENTS):
        if not (
            linked(attachment, "role", roles, "name") or linked(attachment, "roles", roles, "name")
        ):
            continue
        arn = known_str(prop(attachment.props, "policyArn")) or ""
        match = _AWS_MANAGED.fullmatch(arn)
        if match and match.group(1) in WIDE_S3_MANAGED:
            yield (
                attachment.urn,
                f"'{attachment.name}' attaches {match.group(1)} to a COPY role (every bucket).",
            )
        for policy in linked(attachment, "policyArn", managed_docs, "arn", "name"):
            how = wide_s3(prop(policy.props, "policy"))
            if how:
                yield attachment.urn, f"'{attachment.name}' attaches a policy granting {how}."
    for inline in of_type(resources, ROLE_POLICY):
        if linked(inline, "role", roles, "name"):
            how = wide_s3(prop(inline.props, "policy"))
            if how:
                yield inline.urn, f"COPY role policy '{inline.name}' grants {how}."


RULES: list[Rule] = [
    Rule(
        RuleMeta(
            name="redshift-cluster-encrypted",
            description="Redshift clusters are encrypted at rest.",
            severity=Severity.CRITICAL,
            category="encryption",
            remediation="set encrypted=true (Warehouse does).",
            resource_types=(CLUSTER,),
            checkov=("CKV_AWS_64",),
        ),
        encrypted,
    ),
    Rule(
        RuleMeta(
            name="redshift-customer-managed-key",
            description="Redshift clusters and Serverless namespaces encrypt with the stack's "
            "customer-managed key.",
            severity=Severity.HIGH,
            category="encryption",
            remediation="set kmsKeyId to the stack key (dbtier:encryption.kmsKeyArn).",
            resource_types=(CLUSTER, NAMESPACE),
            checkov=("CKV_AWS_142", "CKV_AWS_282"),
            trivy=("AVD-AWS-0084",),
        ),
        customer_managed_key,
    ),
    Rule(
        RuleMeta(
            name="redshift-not-publicly-accessible",
            description="Redshift clusters and Serverless workgroups have no public endpoint.",
            severity=Severity.CRITICAL,
            category="network",
            remediation="set publiclyAccessible=false; allow clients through "
            "dbtier:network.allowedCidrs.",
            resource_types=(CLUSTER, WORKGROUP),
            checkov=("CKV_AWS_87",),
        ),
        not_public,
    ),
    Rule(
        RuleMeta(
            name="redshift-require-ssl",
            description="Redshift parameter groups set require_ssl.",
            severity=Severity.HIGH,
            category="encryption",
            remediation="keep require_ssl=true in the Warehouse parameter group.",
            resource_types=(PARAMETER_GROUP,),
            checkov=("CKV_AWS_105",),
        ),
        require_ssl,
    ),
    Rule(
        RuleMeta(
            name="redshift-user-activity-logging",
            description="Redshift parameter groups set enable_user_activity_logging.",
            severity=Severity.MEDIUM,
            category="logging",
            remediation="keep enable_user_activity_logging=true in the Warehouse parameter group "
            "(dbtier:warehouse.parameters cannot change it).",
            resource_types=(PARAMETER_GROUP,),
            docs="https://docs.aws.amazon.com/redshift/latest/mgmt/db-auditing.html",
            fixes=("dbtier:warehouse.parameters",),
        ),
        user_activity_logging,
    ),
    Rule(
        RuleMeta(
            name="redshift-enhanced-vpc-routing",
            description="Redshift routes COPY and UNLOAD traffic through the VPC.",
            severity=Severity.MEDIUM,
            category="network",
            remediation="set enhancedVpcRouting=true (Warehouse does).",
            resource_types=(CLUSTER, WORKGROUP),
            checkov=("CKV_AWS_321",),
        ),
        enhanced_vpc_routing,
    ),
    Rule(
        RuleMeta(
            name="redshift-snapshot-retention",
            description="Redshift clusters keep automated snapshots.",
            severity=Severity.MEDIUM,
            category="backup",
            remediation="set automatedSnapshotRetentionPeriod to at least minimumDays.",
            resource_types=(CLUSTER,),
            checkov=("CKV_AWS_343",),
            config={"minimumDays": integer(1, 1, "Minimum automated snapshot retention, days.")},
        ),
        snapshot_retention,
    ),
    Rule(
        RuleMeta(
            name="redshift-final-snapshot",
            description="Deleting a Redshift cluster keeps a final snapshot.",
            severity=Severity.HIGH,
            category="protection",
            remediation="set skipFinalSnapshot=false with a finalSnapshotIdentifier (Warehouse "
            "does).",
            resource_types=(CLUSTER,),
        ),
        final_snapshot,
    ),
    Rule(
        RuleMeta(
            name="redshift-version-upgrade",
            description="Redshift clusters allow engine version upgrades.",
            severity=Severity.LOW,
            category="versions",
            remediation="leave allowVersionUpgrade unset or true.",
            resource_types=(CLUSTER,),
            checkov=("CKV_AWS_141",),
        ),
        version_upgrade,
    ),
    Rule(
        RuleMeta(
            name="redshift-in-vpc",
            description="Redshift clusters run in the stack's subnets.",
            severity=Severity.HIGH,
            category="network",
            remediation="set clusterSubnetGroupName (DatabaseNetwork creates it from "
            "dbtier:network.subnetIds).",
            resource_types=(CLUSTER,),
            checkov=("CKV_AWS_154",),
        ),
        in_vpc,
    ),
    Rule(
        RuleMeta(
            name="redshift-serverless-audit-logs",
            description="Redshift Serverless namespaces export connection and user logs.",
            severity=Severity.MEDIUM,
            category="logging",
            remediation="set logExports to include connectionlog and userlog (Warehouse does).",
            resource_types=(NAMESPACE,),
        ),
        namespace_logs,
    ),
    Rule(
        RuleMeta(
            name="redshift-non-default-database-name",
            description="Redshift does not use the default database name.",
            severity=Severity.LOW,
            category="hygiene",
            remediation="set dbtier:warehouse.databaseName to something other than 'dev'.",
            resource_types=(CLUSTER, NAMESPACE),
            checkov=("CKV_AWS_320",),
        ),
        default_db_name,
    ),
    Rule(
        RuleMeta(
            name="redshift-copy-role-scoped-s3",
            description="A role Redshift assumes for COPY reads only the S3 buckets and prefixes "
            "it is given, never every bucket.",
            severity=Severity.HIGH,
            category="iam",
            remediation="name the sources in dbtier:warehouse.copySources (bucket or "
            "bucket/prefix); the Warehouse grants s3:GetObject and s3:ListBucket on those only.",
            checkov=("CKV_AWS_288", "CKV_AWS_355"),
            docs="https://docs.aws.amazon.com/redshift/latest/mgmt/authorizing-redshift-service.html",
            fixes=("dbtier:warehouse.copySources",),
        ),
        stack_check=copy_role_s3_scoped,
    ),
]
