"""What Redshift offers: node types per region and the node counts each type allows; the words
it reserves.

Sources: node types from cfn-lint's data (``schemas/extensions/aws_redshift_cluster/nodetype_enum.json``,
see ``_cfnlint``); node counts are our own table, from
https://docs.aws.amazon.com/redshift/latest/mgmt/working-with-clusters.html#rs-node-type-info;
reserved words are our own copy of https://docs.aws.amazon.com/redshift/latest/dg/r_pg_keywords.html
(CreateCluster's DBName and MasterUsername "Cannot be a reserved word", botocore's ``redshift``
model and https://docs.aws.amazon.com/redshift/latest/APIReference/API_CreateCluster.html).
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


RESERVED_DOCS = "https://docs.aws.amazon.com/redshift/latest/dg/r_pg_keywords.html"
# Redshift's reserved words, as the page lists them (compared lower-case).
_RESERVED = """
aes128 aes256 all allowoverwrite analyse analyze and any array as asc authorization az64 backup
between binary blanksasnull both bytedict bzip2 case cast check collate column constraint create
credentials cross current_date current_time current_timestamp current_user current_user_id
default deferrable deflate defrag delta delta32k desc disable distinct do else emptyasnull enable
encode encrypt encryption end except explicit false for foreign freeze from full globaldict256
globaldict64k grant group gzip having identity ignore ilike in initially inner intersect interval
into is isnull join leading left like limit localtime localtimestamp lun luns lzo lzop minus
mostly16 mostly32 mostly8 natural new not notnull null nulls off offline offset oid old on only
open or order outer overlaps parallel partition percent permissions pivot placing primary raw
readratio recover references rejectlog resort respect restore right select session_user similar
snapshot some sysdate system table tag tdes text255 text32k then timestamp to top trailing true
truncatecolumns union unique unnest unpivot user using verbose wallet when where with without
"""
REDSHIFT_RESERVED = frozenset(_RESERVED.split())
# CreateCluster MasterUsername: "The user name can't be PUBLIC."
REDSHIFT_RESERVED_USERS = frozenset({"public"})


def redshift_reserved(name: str, *, user: bool) -> bool:
    """True when Redshift refuses ``name`` as a master user name (``user``) or database name."""
    lowered = name.lower()
    return lowered in REDSHIFT_RESERVED or (user and lowered in REDSHIFT_RESERVED_USERS)


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
