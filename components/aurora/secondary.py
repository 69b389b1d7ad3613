"""The secondary clusters of an Aurora Global Database (`dbtier:regions`): in each secondary
region, on that region's provider and encrypted with its key, a cluster joined to the global
database, its own cluster parameter group and log groups, and Serverless v2 readers.

A secondary has no master user or password: Aurora replicates the primary's, and its clusters
are read-only until a switchover or failover (docs/regions.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from components.aurora import shape
from components.aurora.config import AuroraConfig
from components.base import DbtierComponent, family_of
from components.placement import RegionPlacement
from components.rds_shape import ignored_version


@dataclass(frozen=True)
class AuroraRegion:
    """One secondary region of the global database: where, and its network there."""

    placement: RegionPlacement
    """The region, its key and its provider."""
    subnet_group: pulumi.Input[str]
    """The region's DB subnet group (dbtier:network.regions.<region>)."""
    security_group_id: pulumi.Input[str]
    """The region's Aurora security group."""
    availability_zones: pulumi.Input[list[str]] | None = None
    """The subnet group's zones there: the readers are spread over them."""


@dataclass(frozen=True)
class Secondary:
    """What the component exports of one secondary cluster."""

    region: str
    cluster: aws.rds.Cluster


def secondary_cluster(
    owner: DbtierComponent,
    name: str,
    cfg: AuroraConfig,
    where: AuroraRegion,
    global_cluster: aws.rds.GlobalCluster,
    *,
    log_retention_days: int,
    monitoring_role: aws.iam.Role | None,
) -> Secondary:
    """The secondary cluster in `where`, its parameter group, log groups and readers."""
    region = where.placement.region
    here = where.placement.here
    prefix = f"{name}-{region}"
    key = where.placement.kms_key_arn
    params = aws.rds.ClusterParameterGroup(
        f"{prefix}-cluster-params",
        family=family_of(cfg.engine, cfg.engine_version),
        **shape.parameter_group_args(cfg),
        opts=here(owner.child()),
    )
    identifier = shape.cluster_identifier(pulumi.get_project(), pulumi.get_stack(), prefix)
    groups = shape.cluster_log_groups(cfg, identifier)
    logs = owner.aws_log_groups(
        {f"{region}-{role}": log_name for role, log_name in groups.items()},
        log_retention_days,
        key,
        here(owner.child()),
    )
    # The owner's `snapshot_name` names its one random suffix after the owner: one per region here.
    suffix = random.RandomId(f"{prefix}-final-snapshot", byte_length=4, opts=owner.child())
    cluster = aws.rds.Cluster(
        f"{prefix}-cluster",
        **shape.secondary_cluster_args(
            cfg,
            identifier,
            global_cluster_id=global_cluster.id,
            subnet_group=where.subnet_group,
            security_group_id=where.security_group_id,
            parameter_group_name=params.name,
            kms_key_arn=key,
        ),
        final_snapshot_identifier=pulumi.Output.concat(f"{prefix}-cluster-final-", suffix.hex),
        # After a switchover or failover AWS sets the replication source: not the program's;
        # the version as the primary's (`ignored_version`).
        opts=here(
            owner.child(
                stateful=True,
                ignore_changes=[
                    "replicationSourceIdentifier",
                    *ignored_version(
                        cfg.engine, cfg.engine_version, cfg.change.auto_minor_version_upgrade
                    ),
                ],
                depends_on=logs,
            )
        ),
    )
    zones = (
        None
        if where.availability_zones is None
        else pulumi.Output.from_input(where.availability_zones)
    )
    for i in range(shape.secondary_instance_count(cfg)):
        aws.rds.ClusterInstance(
            f"{prefix}-reader-{i + 1}",
            cluster_identifier=cluster.id,
            engine_version=cluster.engine_version,
            availability_zone=None
            if zones is None
            else zones.apply(partial(shape.instance_zone, i)),
            **shape.instance_args(
                cfg,
                i,
                subnet_group=where.subnet_group,
                kms_key_arn=key,
                monitoring_role_arn=monitoring_role.arn if monitoring_role else None,
            ),
            opts=here(
                owner.child(
                    stateful=True,
                    ignore_changes=ignored_version(
                        cfg.engine, cfg.engine_version, cfg.change.auto_minor_version_upgrade
                    )
                    or None,
                )
            ),
        )
    return Secondary(region, cluster)
