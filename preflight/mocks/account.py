"""The fake account every mock answers from: its fixed ids, its region, ARNs and derived names.

Every value is derived from a resource's name (a hash, never a random draw), so two runs of the
same stack give the same plan. The service modules build their answers from what is here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"
DEFAULT_VPC_ID = "vpc-0a1b2c3d4e5f60718"
DEFAULT_VPC_CIDR = "172.31.0.0/16"
DEFAULT_SUBNETS = [
    "subnet-0aa11bb22cc33dd44",
    "subnet-0bb22cc33dd44ee55",
    "subnet-0cc33dd44ee55ff66",
]
RDS_DOMAIN = "c9akciq32xyz"
# Each default VPC subnet is associated implicitly with the main route table; one more is custom.
DEFAULT_ROUTE_TABLES = ["rtb-0a1b2c3d4e5f60718", "rtb-0b2c3d4e5f6071829"]
# AWS-managed prefix lists of the gateway services (us-east-1's ids; one per region in AWS).
MANAGED_PREFIX_LISTS = {"s3": "pl-63a5400a", "dynamodb": "pl-02cd2c6b"}


def hexdigits(seed: str, length: int) -> str:
    """`length` hex digits derived from `seed`."""
    return hashlib.sha256(seed.encode()).hexdigest()[:length]


def ident(name: str) -> str:
    """An AWS-style physical name: Pulumi's auto-naming appends a random suffix."""
    return f"{name.lower()}-{hexdigits(name, 7)}"


def uuid(seed: str) -> str:
    """A UUID-shaped id from one hash of `seed` (secret suffixes, event source mappings)."""
    h = hexdigits(seed, 32)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def grouped_uuid(name: str) -> str:
    """A UUID-shaped id whose groups are hashed apart (KMS key ids, Signer job ids)."""
    return (
        f"{hexdigits(name, 8)}-{hexdigits(name + '1', 4)}-{hexdigits(name + '2', 4)}-"
        f"{hexdigits(name + '3', 4)}-{hexdigits(name + '4', 12)}"
    )


class Account:
    """One account in one region: the ARNs and availability zones of what is created there."""

    def __init__(self, region: str = DEFAULT_REGION) -> None:
        self.region = region

    def arn(self, service: str, resource: str, *, region: bool = True, account: bool = True) -> str:
        return (
            f"arn:aws:{service}:{self.region if region else ''}:"
            f"{ACCOUNT_ID if account else ''}:{resource}"
        )

    def zone_index(self, subnet_id: str) -> int:
        """The default VPC has one subnet per AZ, in AZ order; other subnets by their id's hash."""
        if subnet_id in DEFAULT_SUBNETS:
            return DEFAULT_SUBNETS.index(subnet_id)
        return int(hexdigits(subnet_id, 4), 16) % 3

    def zone_of(self, subnet_id: str) -> str:
        return f"{self.region}{'abc'[self.zone_index(subnet_id)]}"


Builder = Callable[[Account, str, dict[str, Any]], tuple[str, dict[str, Any]]]
"""What the provider computes for one new resource: (its id, its outputs beyond the inputs),
from the account, the resource's name and its inputs."""


def named(service: str, kind: str, name_key: str = "name") -> Builder:
    """A builder for a resource whose id is its name (given, or auto-named) and has an ARN."""

    def build(m: Account, name: str, i: dict[str, Any]) -> tuple[str, dict]:
        physical = i.get(name_key) or ident(name)
        return physical, {name_key: physical, "arn": m.arn(service, f"{kind}{physical}")}

    return build


def managed_secret_arn(m: Account, prefix: str, name: str) -> str:
    """The ARN of a secret a service manages (RDS names them rds!db-<uuid>, rds!cluster-<uuid>)."""
    return m.arn("secretsmanager", f"secret:{prefix}-{uuid(name + 'managed')}-{hexdigits(name, 6)}")
