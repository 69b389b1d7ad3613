"""`RegionPlacement`: a secondary region as a component takes it, for what it puts there (a
table replica, cross-region backups): the region, its key and its provider.

Its own module so the parts take it without importing `components.regions` (which builds the
providers and keys) or each other; `components.regions.SecondaryRegion.placement()` makes one.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi


@dataclass(frozen=True)
class RegionPlacement:
    """One secondary region, as a component's args name it."""

    region: str
    """The region (`eu-west-1`)."""
    kms_key_arn: pulumi.Input[str]
    """That region's customer managed key."""
    opts: pulumi.ResourceOptions
    """Options whose provider deploys to that region."""

    def here(self, options: pulumi.ResourceOptions) -> pulumi.ResourceOptions:
        """`options` (a child's) with this region's provider."""
        return pulumi.ResourceOptions.merge(
            options, pulumi.ResourceOptions(provider=self.opts.provider)
        )
