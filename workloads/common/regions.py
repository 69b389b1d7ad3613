"""``--region R`` of a workload: the host of R's read-only copy from the outputs, or, in the
outputs of a local run (which have no such copies), the local engine standing in for it."""

from __future__ import annotations

from collections.abc import Mapping

from contract.echo import echo
from workloads.common.errors import WorkloadError


def regional_host(
    region: str, hosts: Mapping[str, str] | None, *, local_host: str | None, missing: str, key: str
) -> tuple[str, str | None]:
    """R's host in ``hosts`` (region -> host) and no note; else, when ``local_host`` is given
    (a local run), that host and a note saying it stands in. Otherwise refused in one line
    naming the regions ``key`` has (``missing`` says what R lacks), before any connection."""
    if hosts and region in hosts:
        return hosts[region], None
    if local_host is not None:
        return (
            local_host,
            f"local stand-in: {region} is the same local engine ({local_host}), read only",
        )
    known = ", ".join(hosts or ()) or "none"
    raise WorkloadError(f"--region {echo(region, 40)}: {missing} ({key}: {known})")
