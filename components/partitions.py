"""AWS partitions: which one a region belongs to, so config can check that ARNs a stack names
(a KMS key, a backup vault to copy to) live in the stack's own partition.

Its own module because stack-wide config and the parts' configs both need it, and the parts'
configs must not import the stack's (which imports them).
"""

from __future__ import annotations

# The partition each region's ARNs carry, by region-name prefix; every other region is in `aws`.
_PARTITIONS = (("cn-", "aws-cn"), ("us-gov-", "aws-us-gov"), ("us-iso-", "aws-iso"))


def partition_of(region: str) -> str:
    """The ARN partition of `region` (aws, aws-cn, aws-us-gov, ...)."""
    return next((p for prefix, p in _PARTITIONS if region.startswith(prefix)), "aws")
