"""What Redshift offers: node types per region and the node counts each type allows.

Sources: node types from cfn-lint's data (``schemas/extensions/aws_redshift_cluster/nodetype_enum.json``,
see ``_cfnlint``); node counts are our own table, from
https://docs.aws.amazon.com/redshift/latest/mgmt/working-with-clusters.html#rs-node-type-info
"""

from __future__ import annotations

from ._cfnlint import EXT, data_version, regional_enum, shorten

# Node counts per node type (a single-node cluster where the minimum is 1).
REDSHIFT_NODE_COUNTS: dict[str, tuple[int, int]] = {
    "ra3.large": (1, 16),
    "ra3.xlplus": (1, 32),
    "ra3.4xlarge": (2, 32),
    "ra3.16xlarge": (2, 128),
    "dc2.large": (1, 32),
    "dc2.8xlarge": (2, 128),
}
REDSHIFT_DOCS = (
    "https://docs.aws.amazon.com/redshift/latest/mgmt/working-with-clusters.html#rs-node-type-info"
)


def redshift_node_types(region: str) -> frozenset[str] | None:
    """Node types Redshift offers in ``region``; None without data for it."""
    return regional_enum(f"{EXT}/aws_redshift_cluster/nodetype_enum.json", region)


def redshift_node_type_problem(node_type: str, region: str) -> str | None:
    """Why Redshift would refuse ``node_type`` in ``region``, or None."""
    offered = redshift_node_types(region)
    if offered is None or node_type in offered:
        return None
    return (
        f"{node_type} is not offered by Redshift in {region} per {data_version()}"
        f" (offered: {shorten(sorted(offered), 8)})"
    )


def redshift_node_count_problem(node_type: str, nodes: int) -> str | None:
    """Why a ``node_type`` cluster cannot have ``nodes`` nodes, or None."""
    bounds = REDSHIFT_NODE_COUNTS.get(node_type)
    if bounds is None or bounds[0] <= nodes <= bounds[1]:
        return None
    return f"{node_type} clusters take {bounds[0]} to {bounds[1]} nodes (got {nodes})"
