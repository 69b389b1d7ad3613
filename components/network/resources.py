"""DatabaseNetwork: the VPC the tier lives in, one security group per engine, the subnet groups.

Ingress is opened only on each engine's port, only from `allowedCidrs` (default: the VPC's own
CIDR) and `allowedSecurityGroupIds`. Database security groups get no egress rule at all: a
database initiates no connections; the one exception is the warehouse, which reaches S3 (COPY,
UNLOAD) through an S3 gateway endpoint. The DMS group may reach the database groups and the
Secrets Manager interface endpoint and nothing else; so may each database's credential rotation
function, which gets a group of its own (egress to its database's port and to Secrets Manager,
ingress on the database from it). Either endpoint is created unless `dbtier:network` names the
VPC's own.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.base import DbtierComponent, RotationAccess
from components.network.config import NetworkConfig
from components.network.shape import (
    EndpointPlan,
    Rule,
    dms_egress_rules,
    engine_ports,
    ingress_rules,
    own_endpoint_egress_rule,
    rotating_engines,
    rotation_client,
    rotation_egress_rule,
    rotation_group_args,
    rotation_ingress_rule,
    s3_egress_rule,
    s3_endpoint,
    secrets_manager_clients,
    secrets_manager_egress_rule,
    secrets_manager_endpoint,
    secrets_manager_group_args,
    secrets_manager_ingress_rules,
    security_group_args,
    subnet_groups,
    vpc_lookup,
)

INGRESS = aws.vpc.SecurityGroupIngressRule
EGRESS = aws.vpc.SecurityGroupEgressRule
# The resource of each service `shape.subnet_groups` plans a subnet group for.
SUBNET_GROUP_TYPES: dict[str, Callable[..., Any]] = {
    "rds": aws.rds.SubnetGroup,
    "cache": aws.elasticache.SubnetGroup,
    "redshift": aws.redshift.SubnetGroup,
}


@dataclass(frozen=True)
class DatabaseNetworkArgs:
    config: NetworkConfig
    """Where to deploy and who may connect (dbtier:network)."""
    engines: tuple[str, ...]
    """Which engine groups to create: relational, aurora, redis, warehouse, dms."""
    aurora_port: int = 3306
    """Aurora's port: 3306 for aurora-mysql, 5432 for aurora-postgresql."""
    relational_port: int = 3306
    """The RelationalTier's client port: its engine's (Oracle: the SSL option's, 2484)."""
    rotating: tuple[str, ...] = ()
    """Engines whose credentials a rotation function rotates: each gets the function's network."""


class DatabaseNetwork(DbtierComponent):
    """Security groups and subnet groups for the enabled engines of one stack."""

    vpc_id: pulumi.Output[str]
    """The VPC every database is placed in."""
    subnet_ids: pulumi.Output[list[str]]
    """The private subnets every subnet group spans."""
    availability_zones: pulumi.Output[list[str]]
    """The Availability Zones of those subnets, sorted, each once: where replicas and Aurora
    readers can be placed."""
    security_group_ids: dict[str, pulumi.Output[str]]
    """Security group id per engine (relational, aurora, redis, warehouse, dms)."""
    rds_subnet_group: pulumi.Output[str] | None
    """RDS/Aurora DB subnet group name."""
    cache_subnet_group: pulumi.Output[str] | None
    """ElastiCache subnet group name."""
    redshift_subnet_group: pulumi.Output[str] | None
    """Redshift cluster subnet group name."""
    rotation_access: dict[str, RotationAccess]
    """Per rotating engine: where its rotation function runs and what it may reach."""

    def __init__(
        self, name: str, args: DatabaseNetworkArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("DatabaseNetwork", name, False, opts)
        cfg = args.config
        invoke = pulumi.InvokeOutputOptions(parent=self)
        self._vpc = vpc = aws.ec2.get_vpc_output(opts=invoke, **vpc_lookup(cfg))
        self.vpc_id = vpc.id
        self.subnet_ids = self._subnet_ids(cfg, invoke)
        # One subnet lookup per subnet id (an invoke, not a resource, so deciding the list from
        # the ids is safe inside apply): the subnet groups can place instances only in these AZs.
        self.availability_zones = self.subnet_ids.apply(
            lambda ids: pulumi.Output.all(
                *[aws.ec2.get_subnet_output(id=i, opts=invoke).availability_zone for i in ids]
            ).apply(lambda zones: sorted(set(zones)))
        )
        self._region = aws.get_region_output(opts=invoke).region
        ports = engine_ports(args.aurora_port, args.relational_port)
        groups = {e: self._group(f"{name}-{e}-sg", security_group_args(e)) for e in args.engines}
        self.security_group_ids = {engine: group.id for engine, group in groups.items()}
        rotation_groups = {
            engine: self._group(f"{name}-{engine}-rotation-sg", rotation_group_args(engine))
            for engine in rotating_engines(groups, args.rotating)
        }
        paths = self._engine_rules(cfg, ports, groups, rotation_groups)
        clients = secrets_manager_clients(groups.get("dms"), rotation_groups)
        sm_paths = self._secrets_manager_path(secrets_manager_endpoint(cfg, clients), clients)
        self.rotation_access = {
            engine: RotationAccess(
                group.id, self.subnet_ids, (*paths[engine], *sm_paths[rotation_client(engine)])
            )
            for engine, group in rotation_groups.items()
        }
        s3 = s3_endpoint(cfg, groups)
        if s3 is not None:
            self._s3_path(s3, groups["warehouse"])
        names = self._subnet_groups(args.engines)
        self.rds_subnet_group = names.get("rds")
        self.cache_subnet_group = names.get("cache")
        self.redshift_subnet_group = names.get("redshift")
        self.publish()

    def _engine_rules(
        self,
        cfg: NetworkConfig,
        ports: Mapping[str, int],
        groups: Mapping[str, aws.ec2.SecurityGroup],
        rotation_groups: Mapping[str, aws.ec2.SecurityGroup],
    ) -> dict[str, list[pulumi.Resource]]:
        """Each engine's ingress, DMS's egress to its databases, and each rotation function's
        path to its database (returned per rotating engine, for the function to wait on)."""
        dms = groups.get("dms")
        dms_id = None if dms is None else dms.id
        paths: dict[str, list[pulumi.Resource]] = {}
        for engine, group in groups.items():
            self._rules(
                INGRESS,
                group,
                ingress_rules(cfg, engine, ports, vpc_cidr=self._vpc.cidr_block, dms_group=dms_id),
            )
            if engine in rotation_groups:
                rotation_id = rotation_groups[engine].id
                paths[engine] = self._rules(
                    INGRESS, group, [rotation_ingress_rule(engine, ports[engine], rotation_id)]
                )
        if dms is not None:
            self._rules(EGRESS, dms, dms_egress_rules(ports, self.security_group_ids))
        for engine, rotation in rotation_groups.items():
            paths[engine] += self._rules(
                EGRESS, rotation, [rotation_egress_rule(engine, ports[engine], groups[engine].id)]
            )
        return paths

    def _subnet_ids(
        self, cfg: NetworkConfig, invoke: pulumi.InvokeOutputOptions
    ) -> pulumi.Output[list[str]]:
        """The configured subnets, or every subnet of the VPC."""
        if cfg.subnet_ids:
            return pulumi.Output.from_input(list(cfg.subnet_ids))
        return aws.ec2.get_subnets_output(
            # The *_output form of an invoke accepts Outputs inside its arguments.
            filters=[{"name": "vpc-id", "values": [self._vpc.id]}],  # type: ignore[list-item]
            opts=invoke,
        ).ids

    def _group(self, resource_name: str, group_args: Mapping[str, Any]) -> aws.ec2.SecurityGroup:
        return aws.ec2.SecurityGroup(
            resource_name, vpc_id=self.vpc_id, opts=self.child(), **group_args
        )

    def _rules(
        self,
        kind: Callable[..., pulumi.Resource],
        group: aws.ec2.SecurityGroup,
        rules: Sequence[Rule],
    ) -> list[pulumi.Resource]:
        """`rules` (ingress or egress, by `kind`) on `group`."""
        return [
            kind(f"{self._prefix}-{role}", security_group_id=group.id, opts=self.child(), **rule)
            for role, rule in rules
        ]

    def _service(self, service: str) -> pulumi.Output[str]:
        return pulumi.Output.concat("com.amazonaws.", self._region, f".{service}")

    def _s3_path(self, plan: EndpointPlan, warehouse: aws.ec2.SecurityGroup) -> None:
        """Redshift's way to S3 (see `shape.s3_endpoint`): the gateway endpoint, on every route
        table of the VPC so every subnet of the subnet groups has the route, and HTTPS egress
        to S3's prefix list."""
        invoke = pulumi.InvokeOutputOptions(parent=self)
        service = self._service(plan.service)
        if plan.existing is None:
            tables = aws.ec2.get_route_tables_output(vpc_id=self._vpc.id, opts=invoke)
            aws.ec2.VpcEndpoint(
                f"{self._prefix}-s3",
                vpc_id=self.vpc_id,
                service_name=service,
                route_table_ids=tables.ids,
                opts=self.child(),
                **plan.args,
            )
        else:
            aws.ec2.get_vpc_endpoint_output(id=plan.existing, opts=invoke)
        prefix_list = aws.ec2.get_managed_prefix_list_output(name=service, opts=invoke)
        self._rules(EGRESS, warehouse, [s3_egress_rule(prefix_list.id, plan.existing)])

    def _secrets_manager_path(
        self, plan: EndpointPlan | None, clients: Mapping[str, aws.ec2.SecurityGroup]
    ) -> dict[str, list[pulumi.Resource]]:
        """The way of DMS and of rotation functions to Secrets Manager (see
        `shape.secrets_manager_endpoint`): the endpoint, and HTTPS to it from each client
        group. Returns, per client, what its path is made of."""
        if plan is None:
            return {}
        cidr = self._vpc.cidr_block
        if plan.existing is not None:
            aws.ec2.get_vpc_endpoint_output(
                id=plan.existing, opts=pulumi.InvokeOutputOptions(parent=self)
            )
            return {
                client: self._rules(
                    EGRESS, group, [own_endpoint_egress_rule(client, cidr, plan.existing)]
                )
                for client, group in clients.items()
            }
        group = self._group(
            f"{self._prefix}-secretsmanager-sg", secrets_manager_group_args(clients)
        )
        self._rules(
            INGRESS,
            group,
            secrets_manager_ingress_rules({c: g.id for c, g in clients.items()}, cidr),
        )
        endpoint = aws.ec2.VpcEndpoint(
            f"{self._prefix}-secretsmanager",
            vpc_id=self.vpc_id,
            service_name=self._service(plan.service),
            subnet_ids=self.subnet_ids,
            security_group_ids=[group.id],
            opts=self.child(),
            **plan.args,
        )
        return {
            client: [
                endpoint,
                *self._rules(EGRESS, client_group, [secrets_manager_egress_rule(client, group.id)]),
            ]
            for client, client_group in clients.items()
        }

    def _subnet_groups(self, engines: Collection[str]) -> dict[str, pulumi.Output[str]]:
        """The subnet groups the engines need, by service: their names."""
        return {
            plan.service: SUBNET_GROUP_TYPES[plan.service](
                f"{self._prefix}-{plan.role}",
                subnet_ids=self.subnet_ids,
                description=plan.description,
                opts=self.child(),
            ).name
            for plan in subnet_groups(engines)
        }
