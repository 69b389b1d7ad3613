"""AWS partitions: which one a region belongs to, so config can check that ARNs a stack names
(a KMS key, a backup vault to copy to) live in the stack's own partition.

Its own module because stack-wide config and the parts' configs both need it, and the parts'
configs must not import the stack's (which imports them). The table itself is AWS data
(``awsdata.regions``), shared with the policy pack and the secondary regions' checks.
"""

from __future__ import annotations

from awsdata.regions import partition_of

__all__ = ["partition_of"]
