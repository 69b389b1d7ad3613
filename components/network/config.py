"""`dbtier:network`: the VPC, its subnets, and the networks allowed to reach the engine ports."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from components.settings import ConfigError, Fields


@dataclass(frozen=True)
class NetworkConfig:
    vpc_id: str | None = None
    """VPC to deploy into; None means the region's default VPC."""
    subnet_ids: tuple[str, ...] = ()
    """Subnets for every subnet group; empty means all subnets of the VPC."""
    allowed_cidrs: tuple[str, ...] = ()
    """CIDRs allowed to reach the engine ports; empty means the VPC's own CIDR."""
    allowed_security_group_ids: tuple[str, ...] = ()
    """Security groups allowed to reach the engine ports."""
    s3_endpoint_id: str | None = None
    """The VPC's own S3 gateway endpoint; None means the stack creates one on the VPC's route
    tables (Redshift enhanced VPC routing sends COPY/UNLOAD traffic through the VPC)."""
    secrets_manager_endpoint_id: str | None = None
    """The VPC's own Secrets Manager interface endpoint (private DNS on); None means the stack
    creates one when DMS reads its endpoint credentials from Secrets Manager."""


def _check_cidr(name: str, value: str) -> None:
    try:
        net = ipaddress.ip_network(value, strict=True)
    except ValueError:
        raise ConfigError(
            f"{name} must be a CIDR block such as 10.0.0.0/16 (got {value!r})"
        ) from None
    if net.prefixlen == 0:
        raise ConfigError(
            f"{name} opens the databases to the whole internet ({value}); list your own networks"
        )


def _id_checker(prefix: str) -> Callable[[str, str], None]:
    pattern = re.compile(rf"{prefix}-[0-9a-f]{{8,17}}")

    def check(name: str, value: str) -> None:
        if not pattern.fullmatch(value):
            raise ConfigError(f"{name} must be an id like {prefix}-0123abcd (got {value!r})")

    return check


def parse_network(raw: Any) -> NetworkConfig:
    f = Fields("dbtier:network", raw)
    vpc_id = f.text("vpcId", None, r"vpc-[0-9a-f]{8,17}", "an id like vpc-0123abcd")
    subnets = f.strings("subnetIds", _id_checker("subnet")) or ()
    cidrs = f.strings("allowedCidrs", _check_cidr) or ()
    groups = f.strings("allowedSecurityGroupIds", _id_checker("sg")) or ()
    endpoint = r"vpce-[0-9a-f]{8,17}"
    s3_endpoint = f.text("s3EndpointId", None, endpoint, "an id like vpce-0123abcd")
    sm_endpoint = f.text("secretsManagerEndpointId", None, endpoint, "an id like vpce-0123abcd")
    f.done()
    if subnets and vpc_id is None:
        raise ConfigError(
            "dbtier:network.subnetIds needs dbtier:network.vpcId (the VPC they belong to)"
        )
    if vpc_id is not None and subnets and len(subnets) < 2:
        raise ConfigError(
            f"dbtier:network.subnetIds needs at least 2 subnets in different AZs (got {len(subnets)})"
        )
    return NetworkConfig(vpc_id, subnets, cidrs, groups, s3_endpoint, sm_endpoint)
