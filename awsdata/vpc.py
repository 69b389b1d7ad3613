"""The address ranges that are not the internet, as a security group source.

One table for the two checks of an ingress source: ``dbtier:network.allowedCidrs`` in config
(components/network/config.py) and the pack's ingress-union rule (dbtier_policy.network), so a
range widened here is widened for both, and the tests pin each block's edges against the
standard library's own idea of a global address (``ipaddress``'s ``is_global``).

- RFC 1918 private blocks (10/8, 172.16/12, 192.168/16) and RFC 6598 shared address space
  (100.64/10, carrier-grade NAT), the IPv4 ranges a VPC may use besides public ones:
  https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html
- RFC 4193 IPv6 unique local addresses (fc00::/7).

Not ``ipaddress``'s ``is_private`` itself: it also counts loopback, link-local (the instance
metadata service's 169.254.169.254) and documentation ranges, none of which is a network a
client connects from, and leaves out 100.64/10, which AWS uses.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

PRIVATE_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7")
)
PRIVATE_TEXT = ", ".join(str(n) for n in PRIVATE_NETWORKS)
"""The table as a message lists it."""


def is_private(net: Any) -> bool:
    """Whether the network ``net`` lies inside one of PRIVATE_NETWORKS."""
    return any(net.subnet_of(p) for p in PRIVATE_NETWORKS if p.version == net.version)


def public_addresses(networks: Iterable[Any]) -> tuple[int, int]:
    """(IPv4, IPv6) counts of the addresses in the union of `networks` outside PRIVATE_NETWORKS:
    how much of the internet a set of ranges opens, however it is split or overlapped."""
    nets = list(networks)
    counts = {4: 0, 6: 0}
    for version in (4, 6):
        union = ipaddress.collapse_addresses(n for n in nets if n.version == version)
        for net in union:
            private = sum(
                (p if p.subnet_of(net) else net).num_addresses
                for p in PRIVATE_NETWORKS
                if p.version == version and p.overlaps(net)
            )
            counts[version] += net.num_addresses - private
    return counts[4], counts[6]
