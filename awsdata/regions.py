"""The AWS regions: the ones cfn-lint has a CloudFormation schema set for
(``schemas/providers/<region>.json``).
"""

from __future__ import annotations

import functools
import os

from ._cfnlint import data_dir, data_version, shorten


@functools.cache
def regions() -> frozenset[str]:
    """Every region cfn-lint has a CloudFormation schema set for."""
    names = os.listdir(os.path.join(data_dir(), "schemas", "providers"))
    return frozenset(n[: -len(".json")] for n in names if n.endswith(".json") and n != "sam.json")


def region_problem(region: str) -> str | None:
    """Why ``region`` is not an AWS region, or None."""
    if region in regions():
        return None
    near = sorted(r for r in regions() if r.split("-")[0] == region.split("-", maxsplit=1)[0])
    return f"{region!r} is not an AWS region {data_version()} knows (e.g. {shorten(near or sorted(regions()), 6)})"


# The partition each region's ARNs carry, by region-name prefix (longest first); every other
# region is in `aws`. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
_PARTITIONS = (
    ("cn-", "aws-cn"),
    ("us-gov-", "aws-us-gov"),
    ("us-isob-", "aws-iso-b"),
    ("us-iso-", "aws-iso"),
)


def partition_of(region: str) -> str:
    """The ARN partition of ``region`` (aws, aws-cn, aws-us-gov, ...)."""
    return next((p for prefix, p in _PARTITIONS if region.startswith(prefix)), "aws")
