"""What the DatabaseNetwork decides: which VPC, which security groups and rules (port, source,
description), which VPC endpoints and which subnet groups, for the engines a stack enables.

Pure functions of the parsed `dbtier:network` and plain values. What only exists once deployed
(the VPC's CIDR, a group's id, a prefix list) is taken as an opaque value and only placed in the
rule arguments; `components.network.resources` creates the resources from them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from components.network.config import NetworkConfig

T = TypeVar("T")
Rule = tuple[str, dict[str, Any]]
"""A security group rule: its role (its child name after the component's) and its arguments."""

# Tag on the egress rule to a VPC endpoint the stack does not own: the plan's record that the
# VPC has it (dbtier:network.s3EndpointId / secretsManagerEndpointId), read by the policy pack.
ENDPOINT_TAG = "dbtier:vpc-endpoint"
ENGINE_PORTS = {"relational": 3306, "aurora": 3306, "redis": 6379, "warehouse": 5439}
AURORA_POSTGRES_PORT = 5432
HTTPS_PORT = 443
# What DMS reads from and writes to: the only database groups it may reach.
DMS_ENGINES = ("relational", "aurora")


@dataclass(frozen=True)
class EndpointPlan:
    """A VPC endpoint a network path needs: the VPC's own, or one the stack creates."""

    service: str
    """The service's last name part: com.amazonaws.<region>.<service>."""
    existing: str | None
    """The VPC's own endpoint (dbtier:network), looked up so a preview fails when it does not
    exist; None: the stack creates one."""
    args: dict[str, Any]
    """The arguments of the endpoint the stack creates that depend on no other resource."""


@dataclass(frozen=True)
class SubnetGroupPlan:
    """A subnet group over every subnet of the network, for one service."""

    service: str
    """rds (RDS and Aurora), cache (ElastiCache) or redshift."""
    role: str
    """The child name's last part."""
    description: str


def vpc_lookup(cfg: NetworkConfig) -> dict[str, Any]:
    """The VPC lookup's arguments: the configured VPC, or the region's default one."""
    return {"default": True} if cfg.vpc_id is None else {"id": cfg.vpc_id}


def engine_ports(aurora_port: int, relational_port: int = 3306) -> dict[str, int]:
    """Each engine's port; Aurora's depends on its engine (MySQL or PostgreSQL), the
    RelationalTier's on its engine (the port its clients use: `awsdata.rds_engines`)."""
    return dict(ENGINE_PORTS, aurora=aurora_port, relational=relational_port)


def security_group_args(engine: str) -> dict[str, Any]:
    """An engine's security group: ingress on its port only; its rules go with it."""
    return {
        "description": f"dbtier {engine}: engine port from allowed networks only",
        "revoke_rules_on_delete": True,
    }


def rotation_group_args(engine: str) -> dict[str, Any]:
    """The security group of an engine's credential rotation function."""
    return {
        "description": f"dbtier {engine} credential rotation: its database and Secrets Manager",
        "revoke_rules_on_delete": True,
    }


def rotating_engines(engines: Collection[str], rotating: Iterable[str]) -> tuple[str, ...]:
    """The rotating engines that the network serves: each gets a rotation function group."""
    return tuple(engine for engine in rotating if engine in engines)


def tcp_rule(port: int, description: str, **target: Any) -> dict[str, Any]:
    """A rule's arguments: TCP on `port` to or from `target` (a CIDR, group or prefix list)."""
    return {
        "ip_protocol": "tcp",
        "from_port": port,
        "to_port": port,
        "description": description,
        **target,
    }


def ingress_rules(
    cfg: NetworkConfig,
    engine: str,
    ports: Mapping[str, int],
    *,
    vpc_cidr: T,
    dms_group: T | None,
) -> list[Rule]:
    """Who may reach `engine` on its port: `allowedCidrs` (default: the VPC's own CIDR) and
    `allowedSecurityGroupIds`, plus DMS (to its source and target only) when the stack has it.
    Nothing connects to DMS: its group has no ingress at all."""
    if engine == "dms":
        return []
    sources: list[tuple[str, dict[str, Any]]] = []
    if cfg.allowed_cidrs:
        sources += [
            (f"cidr{i}", {"cidr_ipv6" if ":" in c else "cidr_ipv4": c})
            for i, c in enumerate(cfg.allowed_cidrs)
        ]
    else:
        sources.append(("vpc", {"cidr_ipv4": vpc_cidr}))
    sources += [
        (f"sg{i}", {"referenced_security_group_id": g})
        for i, g in enumerate(cfg.allowed_security_group_ids)
    ]
    if dms_group is not None and engine in DMS_ENGINES:
        sources.append(("dms", {"referenced_security_group_id": dms_group}))
    port = ports[engine]
    return [
        (f"{engine}-in-{role}", tcp_rule(port, f"{engine} port {port}", **source))
        for role, source in sources
    ]


def rotation_ingress_rule(engine: str, port: int, rotation_group: T) -> Rule:
    """A database's port open to its rotation function."""
    return (
        f"{engine}-in-rotation",
        tcp_rule(port, f"{engine} port {port}", referenced_security_group_id=rotation_group),
    )


def dms_egress_rules(ports: Mapping[str, int], groups: Mapping[str, T]) -> list[Rule]:
    """DMS's way out: the port of each of its databases' groups (of `groups`), nothing else."""
    return [
        (
            f"dms-out-{engine}",
            tcp_rule(
                ports[engine],
                f"DMS to the {engine} endpoint",
                referenced_security_group_id=groups[engine],
            ),
        )
        for engine in DMS_ENGINES
        if engine in groups
    ]


def rotation_egress_rule(engine: str, port: int, database_group: T) -> Rule:
    """A rotation function's way to its database."""
    return (
        f"{engine}-rotation-out-db",
        tcp_rule(
            port,
            f"{engine} rotation function to its database",
            referenced_security_group_id=database_group,
        ),
    )


def s3_egress_rule(prefix_list_id: T, endpoint_id: str | None) -> Rule:
    """The warehouse's HTTPS to S3's prefix list; tagged with the VPC's own endpoint, if any."""
    return (
        "warehouse-out-s3",
        tcp_rule(
            HTTPS_PORT,
            "Redshift COPY/UNLOAD to S3 through the gateway endpoint",
            prefix_list_id=prefix_list_id,
            tags={ENDPOINT_TAG: endpoint_id} if endpoint_id else None,
        ),
    )


def rotation_client(engine: str) -> str:
    """The Secrets Manager client name of `engine`'s rotation function."""
    return f"{engine}-rotation"


def secrets_manager_clients(dms: T | None, rotation_groups: Mapping[str, T]) -> dict[str, T]:
    """The groups that reach Secrets Manager, by client name: DMS, then each rotation function."""
    clients = {rotation_client(engine): group for engine, group in rotation_groups.items()}
    return clients if dms is None else {"dms": dms, **clients}


def client_label(client: str) -> str:
    """How a rule's description names a Secrets Manager client."""
    return "DMS" if client == "dms" else client.replace("-", " ") + " function"


def own_endpoint_egress_rule(client: str, vpc_cidr: T, endpoint_id: str) -> Rule:
    """A client's HTTPS to the VPC's own Secrets Manager endpoint, whose group is the VPC
    owner's: anywhere in the VPC."""
    return (
        f"{client}-out-secretsmanager",
        tcp_rule(
            HTTPS_PORT,
            f"{client_label(client)} to the VPC's Secrets Manager endpoint",
            cidr_ipv4=vpc_cidr,
            tags={ENDPOINT_TAG: endpoint_id},
        ),
    )


def secrets_manager_group_args(clients: Collection[str]) -> dict[str, Any]:
    """The stack's Secrets Manager endpoint group."""
    return {
        # An existing stack's description (DMS): a changed description replaces the group.
        "description": "dbtier Secrets Manager endpoint: HTTPS from DMS and the VPC"
        if "dms" in clients
        else "dbtier Secrets Manager endpoint: HTTPS from rotation functions and the VPC",
        "revoke_rules_on_delete": True,
    }


def secrets_manager_ingress_rules(clients: Mapping[str, T], vpc_cidr: T) -> list[Rule]:
    """Who may reach the stack's Secrets Manager endpoint: each client, and the whole VPC.

    Private DNS sends every Secrets Manager client of the VPC to the endpoint, not only DMS and
    the rotation functions: the VPC's own CIDR keeps them working (the API still checks IAM)."""
    sources: list[tuple[str, dict[str, Any]]] = [
        (client, {"referenced_security_group_id": group}) for client, group in clients.items()
    ]
    sources.append(("vpc", {"cidr_ipv4": vpc_cidr}))
    return [
        (
            f"secretsmanager-in-{role}",
            tcp_rule(HTTPS_PORT, f"Secrets Manager API from {role}", **source),
        )
        for role, source in sources
    ]


def secrets_manager_egress_rule(client: str, endpoint_group: T) -> Rule:
    """A client's HTTPS to the stack's Secrets Manager endpoint."""
    return (
        f"{client}-out-secretsmanager",
        tcp_rule(
            HTTPS_PORT,
            f"{client_label(client)} to the Secrets Manager endpoint",
            referenced_security_group_id=endpoint_group,
        ),
    )


def s3_endpoint(cfg: NetworkConfig, engines: Collection[str]) -> EndpointPlan | None:
    """Redshift's way to S3, for the warehouse: an S3 gateway endpoint.

    Enhanced VPC routing sends COPY and UNLOAD through the cluster's VPC, where its security
    group (no egress by default here) and the route tables decide; a private cluster in a VPC
    without a NAT reaches S3 only through a gateway endpoint:
    https://docs.aws.amazon.com/redshift/latest/mgmt/enhanced-vpc-enabling-cluster.html
    """
    if "warehouse" not in engines:
        return None
    return EndpointPlan("s3", cfg.s3_endpoint_id, {"vpc_endpoint_type": "Gateway"})


def secrets_manager_endpoint(cfg: NetworkConfig, clients: Collection[str]) -> EndpointPlan | None:
    """The way of DMS and of rotation functions (`clients`) to Secrets Manager: an interface
    endpoint with private DNS.

    A private replication instance (DMS 3.4.7 and later) reaches Secrets Manager only through
    a VPC endpoint: https://docs.aws.amazon.com/dms/latest/userguide/CHAP_VPC_Endpoints.html
    So does a rotation function in a VPC without a NAT: "Your Lambda rotation function must
    be able to access a Secrets Manager endpoint" (https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotation-function-network-access.html).
    """
    if not clients:
        return None
    return EndpointPlan(
        "secretsmanager",
        cfg.secrets_manager_endpoint_id,
        {"vpc_endpoint_type": "Interface", "private_dns_enabled": True},
    )


def subnet_groups(engines: Collection[str]) -> tuple[SubnetGroupPlan, ...]:
    """The subnet groups the engines need (DMS's is the Migration's own: it must wait for
    dms-vpc-role)."""
    plans = (
        (bool(set(engines) & {"relational", "aurora"}), "rds", "dbtier RDS and Aurora"),
        ("redis" in engines, "cache", "dbtier ElastiCache"),
        ("warehouse" in engines, "redshift", "dbtier Redshift"),
    )
    return tuple(
        SubnetGroupPlan(service, f"{service}-subnets", description)
        for needed, service, description in plans
        if needed
    )
