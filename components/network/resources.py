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

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.base import DbtierComponent, RotationAccess
from components.network.config import NetworkConfig

# Tag on the egress rule to a VPC endpoint the stack does not own: the plan's record that the
# VPC has it (dbtier:network.s3EndpointId / secretsManagerEndpointId), read by the policy pack.
ENDPOINT_TAG = "dbtier:vpc-endpoint"
ENGINE_PORTS = {"relational": 3306, "aurora": 3306, "redis": 6379, "warehouse": 5439}
AURORA_POSTGRES_PORT = 5432


@dataclass(frozen=True)
class DatabaseNetworkArgs:
    config: NetworkConfig
    """Where to deploy and who may connect (dbtier:network)."""
    engines: tuple[str, ...]
    """Which engine groups to create: relational, aurora, redis, warehouse, dms."""
    aurora_port: int = 3306
    """Aurora's port: 3306 for aurora-mysql, 5432 for aurora-postgresql."""
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
        if cfg.vpc_id is None:
            vpc = aws.ec2.get_vpc_output(default=True, opts=invoke)
        else:
            vpc = aws.ec2.get_vpc_output(id=cfg.vpc_id, opts=invoke)
        self.vpc_id = vpc.id
        if cfg.subnet_ids:
            self.subnet_ids = pulumi.Output.from_input(list(cfg.subnet_ids))
        else:
            subnets = aws.ec2.get_subnets_output(
                # The *_output form of an invoke accepts Outputs inside its arguments.
                filters=[{"name": "vpc-id", "values": [vpc.id]}],  # type: ignore[list-item]
                opts=invoke,
            )
            self.subnet_ids = subnets.ids

        # One subnet lookup per subnet id (an invoke, not a resource, so deciding the list from
        # the ids is safe inside apply): the subnet groups can place instances only in these AZs.
        self.availability_zones = self.subnet_ids.apply(
            lambda ids: pulumi.Output.all(
                *[aws.ec2.get_subnet_output(id=i, opts=invoke).availability_zone for i in ids]
            ).apply(lambda zones: sorted(set(zones)))
        )

        region = aws.get_region_output(opts=invoke).region
        ports = dict(ENGINE_PORTS, aurora=args.aurora_port)
        self.security_group_ids = {}
        groups = {}
        for engine in args.engines:
            group = aws.ec2.SecurityGroup(
                f"{name}-{engine}-sg",
                description=f"dbtier {engine}: engine port from allowed networks only",
                vpc_id=self.vpc_id,
                revoke_rules_on_delete=True,
                opts=self.child(),
            )
            groups[engine] = group
            self.security_group_ids[engine] = group.id
        rotation_groups = {
            engine: aws.ec2.SecurityGroup(
                f"{name}-{engine}-rotation-sg",
                description=f"dbtier {engine} credential rotation: its database and Secrets Manager",
                vpc_id=self.vpc_id,
                revoke_rules_on_delete=True,
                opts=self.child(),
            )
            for engine in args.rotating
            if engine in groups
        }

        dms = groups.get("dms")
        rotation_paths: dict[str, list[pulumi.Resource]] = {e: [] for e in rotation_groups}
        for engine, group in groups.items():
            if engine == "dms":
                continue
            port = ports[engine]
            sources: list[tuple[str, dict[str, pulumi.Input[str]]]] = []
            if cfg.allowed_cidrs:
                sources += [
                    (f"cidr{i}", {"cidr_ipv6" if ":" in c else "cidr_ipv4": c})
                    for i, c in enumerate(cfg.allowed_cidrs)
                ]
            else:
                sources.append(("vpc", {"cidr_ipv4": vpc.cidr_block}))
            sources += [
                (f"sg{i}", {"referenced_security_group_id": g})
                for i, g in enumerate(cfg.allowed_security_group_ids)
            ]
            if dms is not None and engine in ("relational", "aurora"):
                sources.append(("dms", {"referenced_security_group_id": dms.id}))
            if engine in rotation_groups:
                rotation_id = rotation_groups[engine].id
                sources.append(("rotation", {"referenced_security_group_id": rotation_id}))
            for role, source in sources:
                rule = aws.vpc.SecurityGroupIngressRule(
                    f"{name}-{engine}-in-{role}",
                    security_group_id=group.id,
                    ip_protocol="tcp",
                    from_port=port,
                    to_port=port,
                    description=f"{engine} port {port}",
                    opts=self.child(),
                    **source,  # type: ignore[arg-type]
                )
                if role == "rotation":
                    rotation_paths[engine].append(rule)

        if dms is not None:
            for engine in ("relational", "aurora"):
                if engine in groups:
                    aws.vpc.SecurityGroupEgressRule(
                        f"{name}-dms-out-{engine}",
                        security_group_id=dms.id,
                        ip_protocol="tcp",
                        from_port=ports[engine],
                        to_port=ports[engine],
                        referenced_security_group_id=groups[engine].id,
                        description=f"DMS to the {engine} endpoint",
                        opts=self.child(),
                    )
        for engine, rotation in rotation_groups.items():
            rotation_paths[engine].append(
                aws.vpc.SecurityGroupEgressRule(
                    f"{name}-{engine}-rotation-out-db",
                    security_group_id=rotation.id,
                    ip_protocol="tcp",
                    from_port=ports[engine],
                    to_port=ports[engine],
                    referenced_security_group_id=groups[engine].id,
                    description=f"{engine} rotation function to its database",
                    opts=self.child(),
                )
            )
        clients = {f"{engine}-rotation": group for engine, group in rotation_groups.items()}
        if dms is not None:
            clients = {"dms": dms, **clients}
        if clients:
            paths = self._secrets_manager_path(name, cfg, vpc, clients, region)
            for engine in rotation_groups:
                rotation_paths[engine] += paths[f"{engine}-rotation"]
        self.rotation_access = {
            engine: RotationAccess(group.id, self.subnet_ids, tuple(rotation_paths[engine]))
            for engine, group in rotation_groups.items()
        }
        if "warehouse" in groups:
            self._s3_path(name, cfg, vpc, groups["warehouse"], region)

        engines = set(args.engines)
        self.rds_subnet_group = None
        self.cache_subnet_group = None
        self.redshift_subnet_group = None
        if engines & {"relational", "aurora"}:
            self.rds_subnet_group = aws.rds.SubnetGroup(
                f"{name}-rds-subnets",
                subnet_ids=self.subnet_ids,
                description="dbtier RDS and Aurora",
                opts=self.child(),
            ).name
        if "redis" in engines:
            self.cache_subnet_group = aws.elasticache.SubnetGroup(
                f"{name}-cache-subnets",
                subnet_ids=self.subnet_ids,
                description="dbtier ElastiCache",
                opts=self.child(),
            ).name
        if "warehouse" in engines:
            self.redshift_subnet_group = aws.redshift.SubnetGroup(
                f"{name}-redshift-subnets",
                subnet_ids=self.subnet_ids,
                description="dbtier Redshift",
                opts=self.child(),
            ).name

        self.publish()

    def _s3_path(
        self,
        name: str,
        cfg: NetworkConfig,
        vpc: pulumi.Output[aws.ec2.GetVpcResult],
        warehouse: aws.ec2.SecurityGroup,
        region: pulumi.Output[str],
    ) -> None:
        """Redshift's way to S3: an S3 gateway endpoint and HTTPS egress to S3's prefix list.

        Enhanced VPC routing sends COPY and UNLOAD through the cluster's VPC, where its security
        group (no egress by default here) and the route tables decide; a private cluster in a VPC
        without a NAT reaches S3 only through a gateway endpoint:
        https://docs.aws.amazon.com/redshift/latest/mgmt/enhanced-vpc-enabling-cluster.html
        """
        invoke = pulumi.InvokeOutputOptions(parent=self)
        service = pulumi.Output.concat("com.amazonaws.", region, ".s3")
        declared: dict[str, str] = {}
        if cfg.s3_endpoint_id is None:
            tables = aws.ec2.get_route_tables_output(vpc_id=vpc.id, opts=invoke)
            aws.ec2.VpcEndpoint(
                f"{name}-s3",
                vpc_id=self.vpc_id,
                service_name=service,
                vpc_endpoint_type="Gateway",
                # Every route table of the VPC, so every subnet of the subnet groups has the route.
                route_table_ids=tables.ids,
                opts=self.child(),
            )
        else:
            # The VPC's own endpoint: looked up so a preview fails when it does not exist.
            aws.ec2.get_vpc_endpoint_output(id=cfg.s3_endpoint_id, opts=invoke)
            declared = {ENDPOINT_TAG: cfg.s3_endpoint_id}
        prefix_list = aws.ec2.get_managed_prefix_list_output(name=service, opts=invoke)
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-warehouse-out-s3",
            security_group_id=warehouse.id,
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            prefix_list_id=prefix_list.id,
            description="Redshift COPY/UNLOAD to S3 through the gateway endpoint",
            tags=declared or None,
            opts=self.child(),
        )

    def _secrets_manager_path(
        self,
        name: str,
        cfg: NetworkConfig,
        vpc: pulumi.Output[aws.ec2.GetVpcResult],
        clients: dict[str, aws.ec2.SecurityGroup],
        region: pulumi.Output[str],
    ) -> dict[str, list[pulumi.Resource]]:
        """The way of DMS and of rotation functions to Secrets Manager: an interface endpoint
        with private DNS, and HTTPS to it from each client group. Returns, per client, what its
        path is made of.

        A private replication instance (DMS 3.4.7 and later) reaches Secrets Manager only through
        a VPC endpoint: https://docs.aws.amazon.com/dms/latest/userguide/CHAP_VPC_Endpoints.html
        So does a rotation function in a VPC without a NAT: "Your Lambda rotation function must
        be able to access a Secrets Manager endpoint" (https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotation-function-network-access.html).
        """
        labels = {c: "DMS" if c == "dms" else c.replace("-", " ") + " function" for c in clients}
        if cfg.secrets_manager_endpoint_id is not None:
            aws.ec2.get_vpc_endpoint_output(
                id=cfg.secrets_manager_endpoint_id, opts=pulumi.InvokeOutputOptions(parent=self)
            )
            # The endpoint's own security group is the VPC owner's: reach it anywhere in the VPC.
            return {
                client: [
                    aws.vpc.SecurityGroupEgressRule(
                        f"{name}-{client}-out-secretsmanager",
                        security_group_id=group.id,
                        ip_protocol="tcp",
                        from_port=443,
                        to_port=443,
                        cidr_ipv4=vpc.cidr_block,
                        description=f"{labels[client]} to the VPC's Secrets Manager endpoint",
                        tags={ENDPOINT_TAG: cfg.secrets_manager_endpoint_id},
                        opts=self.child(),
                    )
                ]
                for client, group in clients.items()
            }
        group = aws.ec2.SecurityGroup(
            f"{name}-secretsmanager-sg",
            # An existing stack's description (DMS): a changed description replaces the group.
            description="dbtier Secrets Manager endpoint: HTTPS from DMS and the VPC"
            if "dms" in clients
            else "dbtier Secrets Manager endpoint: HTTPS from rotation functions and the VPC",
            vpc_id=self.vpc_id,
            revoke_rules_on_delete=True,
            opts=self.child(),
        )
        # Private DNS sends every Secrets Manager client of the VPC to the endpoint, not only
        # DMS and the rotation functions: the VPC's own CIDR keeps them working (the API still
        # checks IAM).
        sources: list[tuple[str, dict[str, pulumi.Input[str]]]] = [
            (client, {"referenced_security_group_id": g.id}) for client, g in clients.items()
        ]
        sources.append(("vpc", {"cidr_ipv4": vpc.cidr_block}))
        for role, source in sources:
            aws.vpc.SecurityGroupIngressRule(
                f"{name}-secretsmanager-in-{role}",
                security_group_id=group.id,
                ip_protocol="tcp",
                from_port=443,
                to_port=443,
                description=f"Secrets Manager API from {role}",
                opts=self.child(),
                **source,  # type: ignore[arg-type]
            )
        endpoint = aws.ec2.VpcEndpoint(
            f"{name}-secretsmanager",
            vpc_id=self.vpc_id,
            service_name=pulumi.Output.concat("com.amazonaws.", region, ".secretsmanager"),
            vpc_endpoint_type="Interface",
            private_dns_enabled=True,
            subnet_ids=self.subnet_ids,
            security_group_ids=[group.id],
            opts=self.child(),
        )
        return {
            client: [
                endpoint,
                aws.vpc.SecurityGroupEgressRule(
                    f"{name}-{client}-out-secretsmanager",
                    security_group_id=client_group.id,
                    ip_protocol="tcp",
                    from_port=443,
                    to_port=443,
                    referenced_security_group_id=group.id,
                    description=f"{labels[client]} to the Secrets Manager endpoint",
                    opts=self.child(),
                ),
            ]
            for client, client_group in clients.items()
        }
