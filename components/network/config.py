"""`dbtier:network`: the VPC, its subnets, and the networks allowed to reach the engine ports."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any

from awsdata.vpc import PRIVATE_TEXT, is_private
from components.fieldcheck import check_object
from components.settings import ConfigError, Fields, describe
from contract.fielddoc import doc

# Security group rules: 60 inbound rules per group, counted separately for IPv4 and IPv6, and a
# referenced group counts as a rule too. dbtier opens each CIDR and each group as one rule (plus
# one for DMS and one for credential rotation), so the list may hold at most 50 together.
# https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html#vpc-limits-security-groups
SG_RULES_QUOTA = 60
MAX_SOURCES = 50
SOURCES_WHY = f"each is a security group rule; AWS allows {SG_RULES_QUOTA} per group"


@dataclass(frozen=True)
class NetworkConfig:
    vpc_id: str | None = field(
        default=None,
        metadata=doc(
            "The VPC to deploy into; unset: the region's default VPC.",
            kind="vpc-id",
            aws="https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/resource-ids.html",
        ),
    )
    subnet_ids: tuple[str, ...] = field(
        default=(),
        metadata=doc(
            "Subnets of every subnet group; empty: all subnets of the VPC.",
            rule="needs vpcId and then at least 2 subnets in different AZs",
            kind="subnet-id",
            most=200,
            aws="https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/resource-ids.html",
        ),
    )
    allowed_cidrs: tuple[str, ...] = field(
        default=(),
        metadata=doc(
            "Networks allowed to reach the engine ports; empty: the VPC's own CIDR.",
            rule="private CIDRs only (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7), none"
            " inside another; at most 50 together with allowedSecurityGroupIds",
            most=MAX_SOURCES,
            quota=SOURCES_WHY,
            aws="https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html#vpc-limits-security-groups",
        ),
    )
    allowed_security_group_ids: tuple[str, ...] = field(
        default=(),
        metadata=doc(
            "Security groups allowed to reach the engine ports.",
            rule="at most 50 together with allowedCidrs",
            kind="sg-id",
            most=MAX_SOURCES,
            quota=SOURCES_WHY,
            aws="https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html#vpc-limits-security-groups",
        ),
    )
    s3_endpoint_id: str | None = field(
        default=None,
        metadata=doc(
            "The VPC's own S3 gateway endpoint; unset: the stack creates one on the VPC's route"
            " tables (Redshift enhanced VPC routing sends COPY through the VPC).",
            kind="vpce-id",
            aws="https://docs.aws.amazon.com/redshift/latest/mgmt/enhanced-vpc-enabling-cluster.html",
        ),
    )
    secrets_manager_endpoint_id: str | None = field(
        default=None,
        metadata=doc(
            "The VPC's own Secrets Manager interface endpoint (private DNS on); unset: the stack"
            " creates one when DMS or a rotation function reads Secrets Manager from the VPC.",
            kind="vpce-id",
            aws=(
                "https://docs.aws.amazon.com/dms/latest/userguide/CHAP_VPC_Endpoints.html",
                "https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotation-function-network-access.html",
            ),
        ),
    )


# Written the way AWS writes CIDRs: dotted quad or hex groups, an explicit prefix, ASCII only.
_CIDR = re.compile(
    r"[0-9]{1,3}(\.[0-9]{1,3}){3}/[0-9]{1,2}|[0-9a-fA-F:]{2,39}/[0-9]{1,3}", re.ASCII
)


def _parse_cidr(name: str, value: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    if not _CIDR.fullmatch(value):
        raise ConfigError(
            f"{name} must be a CIDR block such as 10.0.0.0/16 (got {describe(value)})"
        )
    try:
        net = ipaddress.ip_network(value, strict=True)
    except ValueError:
        raise ConfigError(
            f"{name} must be a CIDR block with no host bits set, such as 10.0.0.0/16"
            f" (got {describe(value)})"
        ) from None
    if not is_private(net):
        raise ConfigError(
            f"{name} ({net}) reaches public internet addresses: list private networks only"
            f" ({PRIVATE_TEXT}), or use dbtier:network.allowedSecurityGroupIds"
        )
    return net


def parse_cidrs(key: str, values: tuple[str, ...]) -> tuple[str, ...]:
    """Each CIDR private (awsdata.vpc, the table the pack's ingress-union rule reads too), none
    repeated or inside another; so their union opens no public address either."""
    nets = [_parse_cidr(f"{key}[{i}]", v) for i, v in enumerate(values)]
    for i, net in enumerate(nets):
        for j, other in enumerate(nets[:i]):
            if net.version == other.version and (net.subnet_of(other) or other.subnet_of(net)):  # type: ignore[arg-type]
                raise ConfigError(
                    f"{key}[{i}] ({net}) overlaps {key}[{j}] ({other}); list each network once"
                )
    return tuple(str(n) for n in nets)


def parse_network(raw: Any) -> NetworkConfig:
    check_object("dbtier:network", raw, NetworkConfig)
    f = Fields("dbtier:network", raw)
    # The ids' forms are their fields' kinds, checked before this (components.fieldcheck).
    vpc_id = f.text("vpcId", None)
    # List lengths are their fields' `most`, checked before this (components.fieldcheck).
    subnets = f.strings("subnetIds") or ()
    cidrs = f.strings("allowedCidrs") or ()
    cidrs = parse_cidrs("dbtier:network.allowedCidrs", cidrs)
    groups = f.strings("allowedSecurityGroupIds") or ()
    s3_endpoint = f.text("s3EndpointId", None)
    sm_endpoint = f.text("secretsManagerEndpointId", None)
    f.done()
    if len(cidrs) + len(groups) > MAX_SOURCES:
        raise ConfigError(
            f"dbtier:network.allowedCidrs and allowedSecurityGroupIds have {len(cidrs) + len(groups)}"
            f" entries together; at most {MAX_SOURCES} ({SOURCES_WHY})"
        )
    if subnets and vpc_id is None:
        raise ConfigError(
            "dbtier:network.subnetIds needs dbtier:network.vpcId (the VPC they belong to)"
        )
    if vpc_id is not None and subnets and len(subnets) < 2:
        raise ConfigError(
            f"dbtier:network.subnetIds needs at least 2 subnets in different AZs (got {len(subnets)})"
        )
    return NetworkConfig(vpc_id, subnets, cidrs, groups, s3_endpoint, sm_endpoint)
