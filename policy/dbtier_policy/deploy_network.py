"""Deployability rules on network paths: what must be open for components to talk.

New security groups have no egress here (the provider removes AWS's allow-all default), so every
connection a component starts needs an egress rule on its group and an ingress rule on the
other side, and a private resource reaches an AWS API only through a VPC endpoint (or a NAT the
plan cannot see). A VPC endpoint the stack does not own is declared by `dbtier:network`
(`s3EndpointId`, `secretsManagerEndpointId`); the component records it as the tag
`dbtier:vpc-endpoint` on the egress rule that uses it, which is what these rules read.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource

from awsdata import dms
from awsdata.rds_engines import RDS_ENGINES

from ._common import Rule, as_number, is_unknown, prop
from .deploy_dms import database_engine, endpoint_databases
from .deploy_relations import (
    DMS_ENDPOINT,
    DMS_INSTANCE,
    DMS_TASK,
    REDSHIFT_CLUSTER,
    RS_NAMESPACE,
    RS_WORKGROUP,
    known_str,
    linked,
    of_type,
    relation_meta,
    string_list,
)

SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
ENDPOINT_TAG = "dbtier:vpc-endpoint"
HTTPS = 443
# Default ports of the DMS endpoint engines dbtier and its users connect to: Aurora's and
# Redshift's, then each RDS engine's client port (awsdata.rds_engines).
ENGINE_PORTS = {
    "aurora": 3306,
    "aurora-postgresql": 5432,
    "redshift": 5439,
    **{dms.SOURCE_ENGINE_NAMES[e]: RDS_ENGINES[e].client_port for e in dms.SOURCE_ENGINE_NAMES},
}


def database_port(db: PolicyResource, resources: Sequence[PolicyResource]) -> float | None:
    """The port DMS reaches ``db`` on: an engine whose TLS is an option (Oracle's SSL) only
    on that option's port, which is all its security group opens; else the ``port`` input, or
    the RDS engine's own (None for an Aurora cluster without one: the endpoint's engine says)."""
    engine = RDS_ENGINES.get(database_engine(db, resources) or "")
    if engine is not None and engine.tls_option is not None:
        return engine.client_port
    port = as_number(prop(db.props, "port"))
    return float(engine.port) if port is None and engine is not None else port


def _groups(r: PolicyResource, key: str, groups: Sequence[PolicyResource]) -> list[PolicyResource]:
    return linked(r, key, groups, "name")


def _covers(rule: PolicyResource, port: int) -> bool | None:
    """Whether a rule's protocol and port range include tcp `port` (None when unknown)."""
    protocol = prop(rule.props, "ipProtocol")
    if is_unknown(protocol):
        return None
    if str(protocol) == "-1":
        return True
    low, high = as_number(prop(rule.props, "fromPort")), as_number(prop(rule.props, "toPort"))
    if low is None or high is None:
        return None
    return str(protocol).lower() in ("tcp", "6") and low <= port <= high


def _rules_on(
    kind: str, group: PolicyResource, resources: Sequence[PolicyResource]
) -> list[PolicyResource]:
    return [r for r in of_type(resources, kind) if linked(r, "securityGroupId", [group], "name")]


def opens(
    kind: str,
    group: PolicyResource,
    port: int,
    peers: Sequence[PolicyResource],
    resources: Sequence[PolicyResource],
    *,
    any_cidr: bool = False,
    prefix_list: bool = False,
) -> bool:
    """Whether `group` has an `kind` rule on tcp `port` to/from one of `peers` (security groups).

    With `any_cidr`, a CIDR rule also counts (its reach cannot be checked offline); with
    `prefix_list`, a managed prefix list does. A rule with unknown protocol or ports counts.
    """
    for rule in _rules_on(kind, group, resources):
        covered = _covers(rule, port)
        if covered is False:
            continue
        if peers and linked(rule, "referencedSecurityGroupId", peers, "name"):
            return True
        if any_cidr and (prop(rule.props, "cidrIpv4") or prop(rule.props, "cidrIpv6")):
            return True
        if prefix_list and prop(rule.props, "prefixListId") is not None:
            return True
        if covered is None:
            return True
    return False


def declared_endpoint(group: PolicyResource, resources: Sequence[PolicyResource]) -> str | None:
    """The id of a VPC endpoint the stack does not own that `group`'s egress rules declare."""
    for rule in _rules_on(EGRESS, group, resources):
        tag = known_str(prop(rule.props, "tags", ENDPOINT_TAG))
        if tag is not None:
            return tag
    return None


def _service_endpoints(resources: Sequence[PolicyResource], service: str) -> list[PolicyResource]:
    found = []
    for endpoint in of_type(resources, VPC_ENDPOINT):
        name = prop(endpoint.props, "serviceName")
        if is_unknown(name) or (isinstance(name, str) and name.endswith(f".{service}")):
            found.append(endpoint)
    return found


def dms_database_paths(
    resources: Sequence[PolicyResource], _c: Mapping[str, Any]
) -> Iterator[tuple[str, str]]:
    """The DMS replication instance can reach each endpoint's database on its port.

    The database's group needs ingress from the instance's group, and the instance's group
    egress to the database: https://docs.aws.amazon.com/dms/latest/userguide/CHAP_ReplicationInstance.VPC.html
    """
    groups = of_type(resources, SECURITY_GROUP)
    instances = of_type(resources, DMS_INSTANCE)
    endpoints = of_type(resources, DMS_ENDPOINT)
    for task in of_type(resources, DMS_TASK):
        dms_groups = [
            g
            for i in linked(task, "replicationInstanceArn", instances, "replicationInstanceArn")
            for g in _groups(i, "vpcSecurityGroupIds", groups)
        ]
        if not dms_groups:
            continue
        for key in ("sourceEndpointArn", "targetEndpointArn"):
            for endpoint in linked(task, key, endpoints, "endpointArn", "endpointId"):
                engine = prop(endpoint.props, "engineName")
                port = as_number(prop(endpoint.props, "port"))
                for db in endpoint_databases(endpoint, resources):
                    db_port = port or database_port(db, resources)
                    db_port = db_port or ENGINE_PORTS.get(str(engine))
                    db_groups = _groups(db, "vpcSecurityGroupIds", groups)
                    if db_port is None or not db_groups:
                        continue
                    n = int(db_port)
                    if not any(opens(INGRESS, g, n, dms_groups, resources) for g in db_groups):
                        yield (
                            endpoint.urn,
                            f"DMS endpoint '{endpoint.name}' connects to '{db.name}' on port {n},"
                            " but no security group of the database accepts that port from the"
                            " replication instance's group (dbtier:network).",
                        )
                    elif not any(
                        opens(EGRESS, g, n, db_groups, resources, any_cidr=True) for g in dms_groups
                    ):
                        yield (
                            endpoint.urn,
                            f"DMS endpoint '{endpoint.name}' connects to '{db.name}' on port {n},"
                            " but the replication instance's group has no egress to it"
                            " (dbtier:network).",
                        )


def dms_secrets_manager_path(
    resources: Sequence[PolicyResource], _c: Mapping[str, Any]
) -> Iterator[tuple[str, str]]:
    """A private DMS instance reads endpoint secrets through a Secrets Manager VPC endpoint.

    "If you are using AWS Secrets Manager to store connection credentials ... you also need to
    set up a VPC endpoint" (DMS 3.4.7 and later, private network):
    https://docs.aws.amazon.com/dms/latest/userguide/CHAP_VPC_Endpoints.html
    """
    if not any(
        prop(e.props, "secretsManagerArn") is not None for e in of_type(resources, DMS_ENDPOINT)
    ):
        return
    groups = of_type(resources, SECURITY_GROUP)
    endpoints = _service_endpoints(resources, "secretsmanager")
    for instance in of_type(resources, DMS_INSTANCE):
        public = prop(instance.props, "publiclyAccessible")
        if is_unknown(public) or public is True:
            continue
        dms_groups = _groups(instance, "vpcSecurityGroupIds", groups)
        if any(declared_endpoint(g, resources) for g in dms_groups):
            continue
        if not endpoints:
            yield (
                instance.urn,
                f"Private DMS instance '{instance.name}' reads its endpoints' credentials from"
                " Secrets Manager, but the plan has no Secrets Manager VPC endpoint: the"
                " endpoints cannot connect (name the VPC's own in"
                " dbtier:network.secretsManagerEndpointId, or let the stack create one).",
            )
            continue
        for endpoint in endpoints:
            if endpoint.resource_type != VPC_ENDPOINT:
                continue
            dns = prop(endpoint.props, "privateDnsEnabled")
            if not is_unknown(dns) and dns is not True:
                yield (
                    endpoint.urn,
                    f"Secrets Manager endpoint '{endpoint.name}' has private DNS off: DMS"
                    " resolves the public Secrets Manager name and cannot reach it"
                    " (dbtier:network.secretsManagerEndpointId).",
                )
                continue
            endpoint_groups = _groups(endpoint, "securityGroupIds", groups)
            if endpoint_groups and not any(
                opens(INGRESS, g, HTTPS, dms_groups, resources, any_cidr=True)
                for g in endpoint_groups
            ):
                yield (
                    endpoint.urn,
                    f"Secrets Manager endpoint '{endpoint.name}' accepts no HTTPS from DMS"
                    f" instance '{instance.name}' (dbtier:network).",
                )
            elif dms_groups and not any(
                opens(EGRESS, g, HTTPS, endpoint_groups, resources, any_cidr=True)
                for g in dms_groups
            ):
                yield (
                    instance.urn,
                    f"DMS instance '{instance.name}' has no HTTPS egress to the Secrets Manager"
                    f" endpoint '{endpoint.name}' (dbtier:network).",
                )


def _copies_from_s3(warehouse: PolicyResource, resources: Sequence[PolicyResource]) -> bool:
    if warehouse.resource_type == REDSHIFT_CLUSTER:
        owners = [warehouse]
    else:
        owners = linked(
            warehouse, "namespaceName", of_type(resources, RS_NAMESPACE), "namespaceName"
        )
    for owner in owners:
        roles = string_list(prop(owner.props, "iamRoles"))
        if roles is None or roles or prop(owner.props, "defaultIamRoleArn") is not None:
            return True
    return False


def redshift_s3_path(
    resources: Sequence[PolicyResource], _c: Mapping[str, Any]
) -> Iterator[tuple[str, str]]:
    """Redshift with enhanced VPC routing and a COPY role has a way to S3 in its VPC.

    With enhanced VPC routing, COPY and UNLOAD go through the VPC: its security groups and
    routes decide; a private cluster needs an S3 gateway endpoint (or a NAT):
    https://docs.aws.amazon.com/redshift/latest/mgmt/enhanced-vpc-enabling-cluster.html
    """
    groups = of_type(resources, SECURITY_GROUP)
    gateways = _service_endpoints(resources, "s3")
    for warehouse in of_type(resources, REDSHIFT_CLUSTER, RS_WORKGROUP):
        if prop(warehouse.props, "enhancedVpcRouting") is not True:
            continue
        if not _copies_from_s3(warehouse, resources):
            continue
        key = (
            "vpcSecurityGroupIds"
            if warehouse.resource_type == REDSHIFT_CLUSTER
            else ("securityGroupIds")
        )
        wh_groups = _groups(warehouse, key, groups)
        declared = any(declared_endpoint(g, resources) for g in wh_groups)
        if not gateways and not declared:
            yield (
                warehouse.urn,
                f"'{warehouse.name}' routes COPY/UNLOAD through its VPC (enhanced VPC routing),"
                " but the plan has no S3 gateway endpoint: COPY from S3 hangs (name the VPC's"
                " own in dbtier:network.s3EndpointId, or let the stack create one).",
            )
            continue
        for gateway in gateways:
            tables = prop(gateway.props, "routeTableIds")
            kind = prop(gateway.props, "vpcEndpointType")
            if kind not in (None, "Gateway") and not is_unknown(kind):
                continue
            if isinstance(tables, list) and not tables:
                yield (
                    gateway.urn,
                    f"S3 endpoint '{gateway.name}' is on no route table: nothing in the VPC"
                    " routes to it (dbtier:network.s3EndpointId).",
                )
        if wh_groups and not any(
            opens(EGRESS, g, HTTPS, [], resources, any_cidr=True, prefix_list=True)
            for g in wh_groups
        ):
            yield (
                warehouse.urn,
                f"'{warehouse.name}' routes COPY/UNLOAD through its VPC, but its security group"
                " has no HTTPS egress to S3 (the S3 prefix list): COPY from S3 hangs"
                " (dbtier:network).",
            )


RULES: list[Rule] = [
    Rule(
        relation_meta(
            "deploy-dms-database-paths",
            "The DMS replication instance's security group reaches each endpoint's database port,"
            " and the database's group accepts it.",
            "https://docs.aws.amazon.com/dms/latest/userguide/CHAP_ReplicationInstance.VPC.html",
            ("dbtier:network",),
            "keep DatabaseNetwork's DMS rules: ingress on the database port from the DMS group,"
            " egress from the DMS group to the database group.",
        ),
        stack_check=dms_database_paths,
    ),
    Rule(
        relation_meta(
            "deploy-dms-secrets-manager-path",
            "A private DMS instance whose endpoints use Secrets Manager reaches a Secrets Manager"
            " VPC endpoint (private DNS, HTTPS both ways).",
            "https://docs.aws.amazon.com/dms/latest/userguide/CHAP_VPC_Endpoints.html",
            ("dbtier:network.secretsManagerEndpointId",),
            "let DatabaseNetwork create the Secrets Manager endpoint, or name the VPC's own in"
            " dbtier:network.secretsManagerEndpointId.",
        ),
        stack_check=dms_secrets_manager_path,
    ),
    Rule(
        relation_meta(
            "deploy-redshift-s3-path",
            "Redshift with enhanced VPC routing and a COPY role has an S3 gateway endpoint and"
            " HTTPS egress to S3.",
            "https://docs.aws.amazon.com/redshift/latest/mgmt/enhanced-vpc-enabling-cluster.html",
            ("dbtier:network.s3EndpointId",),
            "let DatabaseNetwork create the S3 gateway endpoint, or name the VPC's own in"
            " dbtier:network.s3EndpointId.",
        ),
        stack_check=redshift_s3_path,
    ),
]
