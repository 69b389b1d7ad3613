"""The whole tier for one stack: provider with default tags, the stack key, network, components.

`build()` is the program `__main__.py` runs: it parses the config first (nothing is created
when a value is bad), then creates the enabled components and exports their fixed outputs.
"""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from components import alarms as watch
from components.alarms import Alarms, AlarmsArgs
from components.aurora import ServerlessAurora, ServerlessAuroraArgs
from components.config import ConfigError, StackConfig, from_pulumi
from components.dynamo import DynamoTable, DynamoTableArgs
from components.migration import Migration, MigrationArgs
from components.network import AURORA_POSTGRES_PORT, DatabaseNetwork, DatabaseNetworkArgs
from components.redis import RedisCluster, RedisClusterArgs
from components.relational import RelationalTier, RelationalTierArgs
from components.warehouse import Warehouse, WarehouseArgs


def default_tags(cfg: StackConfig) -> dict[str, str]:
    """Tags on every taggable resource: ours first, then the stack's `dbtier:tags`."""
    return {
        "Project": pulumi.get_project(),
        "Stack": pulumi.get_stack(),
        "ManagedBy": "pulumi-dbtier",
        **cfg.tags,
    }


def stack_key_policy(account_id: str, partition: str, region: str) -> str:
    """Key policy: the account administers the key; AWS services that encrypt with it may use it."""
    root = f"arn:{partition}:iam::{account_id}:root"
    use = [
        "kms:Encrypt*",
        "kms:Decrypt*",
        "kms:ReEncrypt*",
        "kms:GenerateDataKey*",
        "kms:Describe*",
    ]
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AccountAdministers",
                    "Effect": "Allow",
                    "Principal": {"AWS": root},
                    "Action": "kms:*",
                    "Resource": "*",
                },
                {
                    "Sid": "CloudWatchLogsEncrypt",
                    "Effect": "Allow",
                    "Principal": {"Service": f"logs.{region}.amazonaws.com"},
                    "Action": use,
                    "Resource": "*",
                    "Condition": {
                        "ArnLike": {
                            "kms:EncryptionContext:aws:logs:arn": (
                                f"arn:{partition}:logs:{region}:{account_id}:*"
                            )
                        }
                    },
                },
                {
                    "Sid": "AlarmsPublishToEncryptedTopic",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudwatch.amazonaws.com"},
                    "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
                },
            ],
        }
    )


def stack_key(cfg: StackConfig, opts: pulumi.ResourceOptions) -> pulumi.Output[str]:
    """The KMS key every component encrypts with: the configured one, or one we create."""
    if cfg.encryption.kms_key_arn is not None:
        return pulumi.Output.from_input(cfg.encryption.kms_key_arn)
    invoke = pulumi.InvokeOutputOptions(provider=opts.provider)
    identity = aws.get_caller_identity_output(opts=invoke)
    partition = aws.get_partition_output(opts=invoke)
    region = aws.get_region_output(opts=invoke)
    key = aws.kms.Key(
        "stack-key",
        description=f"dbtier {pulumi.get_stack()}: encryption of every database, secret, queue and log",
        enable_key_rotation=True,
        deletion_window_in_days=30,
        policy=pulumi.Output.all(identity.account_id, partition.partition, region.region).apply(
            lambda v: stack_key_policy(*v)
        ),
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(protect=cfg.protect)),
    )
    aws.kms.Alias(
        "stack-key-alias",
        name=f"alias/dbtier-{pulumi.get_stack()}",
        target_key_id=key.key_id,
        opts=opts,
    )
    return key.arn


def build(cfg: StackConfig) -> None:
    """Create the tier described by `cfg` and export each enabled component's fixed output."""
    provider = aws.Provider("dbtier-aws", default_tags={"tags": default_tags(cfg)})
    opts = pulumi.ResourceOptions(provider=provider)
    kms_key_arn = stack_key(cfg, opts)

    engines = [
        engine
        for engine, on in (
            ("relational", cfg.relational.enabled),
            ("aurora", cfg.aurora.enabled),
            ("warehouse", cfg.warehouse.enabled),
            ("redis", cfg.redis.enabled),
            ("dms", cfg.migration.enabled),
        )
        if on
    ]
    aurora_port = AURORA_POSTGRES_PORT if cfg.aurora.engine == "aurora-postgresql" else 3306
    network = DatabaseNetwork(
        "network",
        # The Migration component owns the DMS subnet group: it must wait for dms-vpc-role.
        DatabaseNetworkArgs(cfg.network, tuple(engines), aurora_port=aurora_port),
        opts=opts,
    )
    # What the Alarms component watches: each enabled component adds its health metrics.
    watches: list[watch.Watch] = []

    if cfg.relational.enabled:
        relational = RelationalTier(
            "relational",
            RelationalTierArgs(
                config=cfg.relational,
                subnet_group=network.rds_subnet_group,  # type: ignore[arg-type]
                security_group_id=network.security_group_ids["relational"],
                kms_key_arn=kms_key_arn,
                cdc_source=cfg.migration.enabled,
                protect=cfg.protect,
            ),
            opts=opts,
        )
        pulumi.export(
            "relational",
            {
                "endpoint": relational.endpoint,
                "port": relational.port,
                "readerEndpoints": relational.reader_endpoints,
                "databaseName": relational.database_name,
                "username": relational.username,
                "password": relational.password,
                "secretArn": relational.secret_arn,
                "engine": relational.engine,
            },
        )
        watches += watch.relational_watches(cfg.relational, cfg.alarms, relational.instance_ids)

    if cfg.aurora.enabled:
        aurora = ServerlessAurora(
            "aurora",
            ServerlessAuroraArgs(
                config=cfg.aurora,
                subnet_group=network.rds_subnet_group,  # type: ignore[arg-type]
                security_group_id=network.security_group_ids["aurora"],
                kms_key_arn=kms_key_arn,
                protect=cfg.protect,
            ),
            opts=opts,
        )
        pulumi.export(
            "aurora",
            {
                "writerEndpoint": aurora.writer_endpoint,
                "readerEndpoint": aurora.reader_endpoint,
                "port": aurora.port,
                "databaseName": aurora.database_name,
                "username": aurora.username,
                "password": aurora.password,
                "secretArn": aurora.secret_arn,
                "engine": aurora.engine,
            },
        )
        watches += watch.aurora_watches(cfg.aurora, cfg.alarms, aurora.cluster_id)

    if cfg.warehouse.enabled:
        warehouse = Warehouse(
            "warehouse",
            WarehouseArgs(
                config=cfg.warehouse,
                subnet_group=network.redshift_subnet_group,  # type: ignore[arg-type]
                subnet_ids=network.subnet_ids,
                security_group_id=network.security_group_ids["warehouse"],
                kms_key_arn=kms_key_arn,
                protect=cfg.protect,
            ),
            opts=opts,
        )
        pulumi.export(
            "warehouse",
            {
                "endpoint": warehouse.endpoint,
                "port": warehouse.port,
                "databaseName": warehouse.database_name,
                "username": warehouse.username,
                "password": warehouse.password,
            },
        )
        watches += watch.warehouse_watches(cfg.warehouse, cfg.alarms, warehouse.cluster_id)

    if cfg.dynamo.enabled:
        tables = {}
        for table_cfg in cfg.dynamo.tables:
            table = DynamoTable(
                f"dynamo-{table_cfg.name}",
                DynamoTableArgs(config=table_cfg, kms_key_arn=kms_key_arn, protect=cfg.protect),
                opts=opts,
            )
            tables[table_cfg.name] = {
                "tableName": table.table_name,
                "arn": table.arn,
                "streamArn": table.stream_arn,
                "indexes": table.indexes,
                "processorFunction": table.processor_function,
            }
            watches += watch.dynamo_watches(
                f"dynamo-{table_cfg.name}",
                table_cfg,
                cfg.alarms,
                table_name=table.table_name,
                processor_function=table.processor_function,
                dead_letter_queue=table.dead_letter_queue,
            )
        region = aws.get_region_output(opts=pulumi.InvokeOutputOptions(provider=provider))
        pulumi.export("dynamo", {"region": region.region, "tables": tables})

    if cfg.redis.enabled:
        redis = RedisCluster(
            "redis",
            RedisClusterArgs(
                config=cfg.redis,
                subnet_group=network.cache_subnet_group,  # type: ignore[arg-type]
                security_group_id=network.security_group_ids["redis"],
                kms_key_arn=kms_key_arn,
                protect=cfg.protect,
            ),
            opts=opts,
        )
        pulumi.export(
            "redis",
            {
                "primaryEndpoint": redis.primary_endpoint,
                "readerEndpoint": redis.reader_endpoint,
                "port": redis.port,
                "authToken": redis.auth_token,
                "tls": redis.tls,
            },
        )
        watches += watch.redis_watches(cfg.redis, cfg.alarms, redis.member_clusters)

    if cfg.migration.enabled:
        # Config validation guarantees the source and target components are enabled.
        migration = Migration(
            "migration",
            MigrationArgs(
                config=cfg.migration,
                subnet_ids=network.subnet_ids,
                security_group_id=network.security_group_ids["dms"],
                kms_key_arn=kms_key_arn,
                source_secret_arn=relational.secret_arn,
                target_secret_arn=aurora.secret_arn,
                target_engine=cfg.aurora.engine,
                target_database=cfg.aurora.database_name,
            ),
            opts=opts,
        )
        pulumi.export(
            "migration",
            {
                "replicationInstanceArn": migration.replication_instance_arn,
                "taskArn": migration.task_arn,
                "sourceEndpointArn": migration.source_endpoint_arn,
                "targetEndpointArn": migration.target_endpoint_arn,
            },
        )
        watches += watch.migration_watches(
            cfg.alarms, migration.replication_instance_id, migration.task_resource_id
        )

    if cfg.alarms.enabled:
        Alarms("alarms", AlarmsArgs(cfg.alarms, kms_key_arn, tuple(watches)), opts=opts)


def main() -> None:
    """Entry point of the Pulumi program: a bad config stops it before any resource exists."""
    try:
        cfg = from_pulumi()
    except ConfigError as exc:
        # RunError is reported by the engine as one message, without a stack trace.
        raise pulumi.RunError(str(exc)) from None
    build(cfg)
