"""The edges of every private block (awsdata.vpc), just inside and just outside, in config
(dbtier:network.allowedCidrs) and in the pack's count of public addresses (issue 23: a widened
constant went unnoticed while every rejection used addresses far from the blocks)."""

from __future__ import annotations

import ipaddress

import pytest
from dbtier_policy.network import public_addresses as pack_public_addresses

from awsdata.vpc import PRIVATE_NETWORKS, is_private, public_addresses
from components.stack_config import ConfigError, parse

# Per block: the first and last address inside it, and the address just before and just after.
BLOCKS = {
    "10.0.0.0/8": ("10.0.0.0", "10.255.255.255", "9.255.255.255", "11.0.0.0"),
    "172.16.0.0/12": ("172.16.0.0", "172.31.255.255", "172.15.255.255", "172.32.0.0"),
    "192.168.0.0/16": ("192.168.0.0", "192.168.255.255", "192.167.255.255", "192.169.0.0"),
    "100.64.0.0/10": ("100.64.0.0", "100.127.255.255", "100.63.255.255", "100.128.0.0"),
    "fc00::/7": (
        "fc00::",
        "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
        "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
        "fe00::",
    ),
}
INSIDE = [edge for first, last, _, _ in BLOCKS.values() for edge in (first, last)]
OUTSIDE = [edge for _, _, before, after in BLOCKS.values() for edge in (before, after)]


def host(address: str) -> str:
    """The one-address network of `address` (/32 or /128)."""
    return str(ipaddress.ip_network(address))


def test_the_table_is_exactly_these_blocks() -> None:
    assert [str(n) for n in PRIVATE_NETWORKS] == list(BLOCKS)


@pytest.mark.parametrize("block", BLOCKS)
def test_each_block_holds_no_address_the_standard_library_calls_global(block: str) -> None:
    """A cross-check against ``ipaddress``: widen a block by one bit and its new half holds
    global addresses; the neighbours on both sides are global, so the edges are where they are."""
    first, last, before, after = (ipaddress.ip_address(a) for a in BLOCKS[block])
    net = ipaddress.ip_network(block)
    assert (net[0], net[-1]) == (first, last)
    assert not first.is_global and not last.is_global
    assert before.is_global and after.is_global
    wider = net.supernet()
    assert any(a.is_global for a in (wider[0], wider[-1]))


@pytest.mark.parametrize("address", INSIDE)
def test_just_inside_a_block_is_private_for_both_checks(address: str) -> None:
    net = ipaddress.ip_network(address)
    assert is_private(net)
    assert public_addresses([net]) == (0, 0)
    assert pack_public_addresses([net]) == (0, 0)
    assert parse({"dbtier:network": {"allowedCidrs": [host(address)]}}).network.allowed_cidrs == (
        host(address),
    )


@pytest.mark.parametrize("address", OUTSIDE)
def test_just_outside_a_block_is_public_for_both_checks(address: str) -> None:
    net = ipaddress.ip_network(address)
    one = (1, 0) if net.version == 4 else (0, 1)
    assert not is_private(net)
    assert public_addresses([net]) == one
    assert pack_public_addresses([net]) == one
    with pytest.raises(ConfigError, match=r"allowedCidrs\[0\] \(.*\) reaches public internet"):
        parse({"dbtier:network": {"allowedCidrs": [host(address)]}})


@pytest.mark.parametrize("block", BLOCKS)
def test_a_whole_block_passes_and_one_bit_wider_does_not(block: str) -> None:
    net = ipaddress.ip_network(block)
    wider = net.supernet()
    assert parse({"dbtier:network": {"allowedCidrs": [block]}}).network.allowed_cidrs == (block,)
    assert sum(public_addresses([wider])) == net.num_addresses
    with pytest.raises(ConfigError, match="reaches public internet"):
        parse({"dbtier:network": {"allowedCidrs": [str(wider)]}})


def test_public_addresses_counts_each_address_once_across_blocks() -> None:
    everything = [ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0")]
    private_v4 = sum(n.num_addresses for n in PRIVATE_NETWORKS if n.version == 4)
    assert public_addresses(everything) == (2**32 - private_v4, 2**128 - 2**121)
    edges = [ipaddress.ip_network(a) for a in OUTSIDE]
    assert public_addresses(edges + edges) == (8, 2)
