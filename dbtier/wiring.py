"""What each component takes besides its settings: where it is placed, what it encrypts with, what
it connects to, and the options dbtier's own program gives every part (protect, log retention).

A component's args are these fields followed by its settings, which mirror its `dbtier:` config
key and are derived from the config dataclass. `dbtier.codegen` writes each args class from the
two; at run time `dbtier.settings` tells a field written here from a setting. An annotation here
is copied into the generated module as written, so it uses only `pulumi`, `typing` and
`collections.abc` names, or a name this module imports (the generator imports it from where it
is defined).
"""

from collections.abc import Sequence
from typing import Required, TypedDict

import pulumi

from components.alarms.watch import Watched


class DatabaseNetworkWiring(TypedDict, total=False):
    engines: list[str]
    """Which engines get a security group and their subnet group: relational, aurora, redis, warehouse, dms. Default: all five."""
    relational_engine: str
    """The RelationalTier's engine (its dbtier:relational.engine), whose client port the relational security group opens. Default: mysql."""
    aurora_engine: str
    """The ServerlessAurora's engine, aurora-mysql or aurora-postgresql, whose port the aurora security group opens. Default: aurora-mysql."""
    rotating: list[str]
    """Engines whose generated password a rotation function rotates: each gets the function's security group and its way to Secrets Manager. Default: none."""


class RotationWiring(TypedDict, total=False):
    """Where the rotation function of a database's generated password runs."""

    rotation_security_group_id: pulumi.Input[str]
    """The security group the rotation function runs in (a DatabaseNetwork's rotationSecurityGroupIds for the engine); with rotationSubnetIds, required when generated credentials rotate."""
    rotation_subnet_ids: pulumi.Input[list[str]]
    """The subnets the rotation function runs in: the database's (a DatabaseNetwork's subnetIds)."""


class RelationalTierWiring(RotationWiring, total=False):
    subnet_group_name: Required[pulumi.Input[str]]
    """The DB subnet group the primary and its replicas are placed in (a DatabaseNetwork's rdsSubnetGroup)."""
    security_group_id: Required[pulumi.Input[str]]
    """The database's security group: ingress on the engine port from who may connect (a DatabaseNetwork's securityGroupIds.relational)."""
    kms_key_arn: Required[pulumi.Input[str]]
    """The KMS key that encrypts storage, Performance Insights, the log groups and the secret."""
    availability_zones: pulumi.Input[list[str]]
    """The subnet group's Availability Zones, which single-AZ replicas are spread over (a DatabaseNetwork's availabilityZones). Default: RDS places them."""
    cdc_source: bool
    """A DMS migration reads from this database: row-based binary logs are turned on. Default: false."""
    protect: bool
    """Pulumi `protect` on the instances and the secret. Default: false."""
    log_retention_days: int
    """Days the instances' and the rotation function's log groups keep events (CloudWatch's periods). Default: 30."""


class ServerlessAuroraWiring(RotationWiring, total=False):
    subnet_group_name: Required[pulumi.Input[str]]
    """The DB subnet group the cluster is placed in (a DatabaseNetwork's rdsSubnetGroup)."""
    security_group_id: Required[pulumi.Input[str]]
    """The cluster's security group: ingress on the engine port from who may connect (a DatabaseNetwork's securityGroupIds.aurora)."""
    kms_key_arn: Required[pulumi.Input[str]]
    """The KMS key that encrypts storage, Performance Insights, the log groups and the secret."""
    availability_zones: pulumi.Input[list[str]]
    """The subnet group's Availability Zones: the writer takes the first, readers the others (a DatabaseNetwork's availabilityZones). Default: RDS places them."""
    protect: bool
    """Pulumi `protect` on the cluster, its instances and the secret. Default: false."""
    log_retention_days: int
    """Days the cluster's and the rotation function's log groups keep events (CloudWatch's periods). Default: 30."""


class DynamoTableWiring(TypedDict, total=False):
    kms_key_arn: Required[pulumi.Input[str]]
    """The KMS key that encrypts the table, the stream processor's dead-letter queue, log group and environment."""
    protect: bool
    """Pulumi `protect` on the table. Default: false."""
    log_retention_days: int
    """Days the stream processor's log group keeps events unless streamProcessor.logRetentionDays says otherwise (CloudWatch's periods). Default: 30."""


class RedisClusterWiring(TypedDict, total=False):
    subnet_group_name: Required[pulumi.Input[str]]
    """The ElastiCache subnet group the nodes are placed in (a DatabaseNetwork's cacheSubnetGroup)."""
    security_group_id: Required[pulumi.Input[str]]
    """The cluster's security group: ingress on port 6379 from who may connect (a DatabaseNetwork's securityGroupIds.redis)."""
    kms_key_arn: Required[pulumi.Input[str]]
    """The KMS key that encrypts data at rest, the log groups and the connection secret."""
    protect: bool
    """Pulumi `protect` on the replication group and its secret. Default: false."""


class WarehouseWiring(RotationWiring, total=False):
    subnet_ids: Required[pulumi.Input[list[str]]]
    """The subnets of a serverless workgroup (a DatabaseNetwork's subnetIds)."""
    security_group_id: Required[pulumi.Input[str]]
    """The warehouse's security group: ingress on port 5439 from who may connect (a DatabaseNetwork's securityGroupIds.warehouse)."""
    kms_key_arn: Required[pulumi.Input[str]]
    """The KMS key that encrypts the cluster or namespace, the audit log groups and the secret."""
    subnet_group_name: pulumi.Input[str]
    """The Redshift subnet group of a provisioned cluster (a DatabaseNetwork's redshiftSubnetGroup); required with mode provisioned."""
    protect: bool
    """Pulumi `protect` on the cluster or namespace. Default: false."""
    log_retention_days: int
    """Days the audit and rotation function log groups keep events (CloudWatch's periods). Default: 30."""


class MigrationWiring(TypedDict, total=False):
    subnet_ids: Required[pulumi.Input[list[str]]]
    """The subnets of the replication subnet group (a DatabaseNetwork's subnetIds)."""
    security_group_id: Required[pulumi.Input[str]]
    """The replication instance's security group: egress to the source and target ports and HTTPS (a DatabaseNetwork's securityGroupIds.dms)."""
    kms_key_arn: Required[pulumi.Input[str]]
    """The KMS key that encrypts the instance's storage, the endpoints' settings and the task log group."""
    source_secret_arn: Required[pulumi.Input[str]]
    """The Secrets Manager secret of the source database (a RelationalTier's secretArn)."""
    target_secret_arn: Required[pulumi.Input[str]]
    """The Secrets Manager secret of the target cluster (a ServerlessAurora's secretArn)."""
    target_engine: str
    """The target cluster's engine: aurora-mysql or aurora-postgresql. Default: aurora-mysql."""
    target_database: str
    """The database on the target (DMS needs it for PostgreSQL targets). Default: appdb."""
    source_engine: str
    """The source database's engine (its dbtier:relational.engine). Default: mysql."""
    log_retention_days: int
    """Days the task log group keeps events (CloudWatch's periods). Default: 30."""


class AlarmsWiring(TypedDict, total=False):
    kms_key_arn: Required[pulumi.Input[str]]
    """The KMS key that encrypts the alarm topic."""
    watched: Required[Sequence[Watched]]
    """The components whose health metrics get an alarm and a graph: each one's watches()."""
    publishers: list[str]
    """AWS service principals besides CloudWatch that publish (backup.amazonaws.com when a Backup vault notifies): they get a topic of their own, failuresTopicArn, whose email gets only failures. Default: none."""


class BackupWiring(TypedDict, total=False):
    kms_key_arn: Required[pulumi.Input[str]]
    """The KMS key that encrypts the backup vault."""
    resources: Required[dict[str, list[pulumi.Input[str]]]]
    """The ARNs to back up, by AWS Backup resource type (RDS, Aurora, DynamoDB, Redshift, Redshift Serverless): each part's backupArns."""
    notify_topic_arn: pulumi.Input[str]
    """The SNS topic failed backup jobs are reported to (an Alarms failuresTopicArn, whose policy lets AWS Backup publish; not its topicArn, whose unfiltered email every alarm needs). Default: none."""
    protect: bool
    """Pulumi `protect` on the vault and its lock. Default: false."""
