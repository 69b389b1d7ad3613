"""DynamoTable: one DynamoDB table with its GSIs, autoscaling and an optional stream processor.

The table is encrypted with the stack key and recoverable; its stream can be drained by a
least-privilege Lambda that reports partial batch failures and parks records it cannot process
in an encrypted dead-letter queue (`processor.py`). The table's keys, attributes and indexes come
from its `contract.tables.TableSchema`, the same shape the local DynamoDB stand-in creates.
`DynamoTables` is every table of the stack, exported together under `dynamo`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.access import account_of, dynamo_policies
from components.alarms.config import AlarmsConfig
from components.alarms.watch import Watch
from components.base import DbtierComponent
from components.dynamo.config import DynamoConfig, DynamoTableConfig
from components.dynamo.processor import stream_processor
from components.dynamo.replicas import replication_watches
from components.dynamo.shape import (
    ScalingTarget,
    capacity_ignored_on_update,
    index_names,
    scaling_plan,
    table_args,
)
from components.dynamo.watches import dynamo_watches
from components.logs import DEFAULT_RETENTION_DAYS
from components.placement import RegionPlacement
from contract import DynamoOutputs, DynamoPoliciesOutputs, DynamoTableOutputs, exported


@dataclass(frozen=True)
class DynamoTableArgs:
    config: DynamoTableConfig
    """Keys, indexes, capacity, stream and processor of this table (one dbtier:dynamo.tables entry)."""
    kms_key_arn: pulumi.Input[str]
    """The stack's KMS key: table SSE, the DLQ, the log group, Lambda environment."""
    protect: bool = False
    """Pulumi `protect` on the table."""
    log_retention_days: int = DEFAULT_RETENTION_DAYS
    """Retention of the processor's log group unless its logRetentionDays overrides it
    (dbtier:logs)."""
    replicas: tuple[RegionPlacement, ...] = ()
    """Global table replicas: each region with its key and provider (dbtier:regions)."""


class DynamoTable(DbtierComponent):
    """A DynamoDB table, its autoscaling, and optionally a stream processor Lambda with a DLQ."""

    table_name: pulumi.Output[str]
    """Physical table name."""
    arn: pulumi.Output[str]
    """Table ARN."""
    stream_arn: pulumi.Output[str | None]
    """Latest stream ARN (None without a stream)."""
    indexes: pulumi.Output[list[str]]
    """Names of the global secondary indexes."""
    processor_function: pulumi.Output[str | None]
    """Name of the stream processor Lambda (None without one)."""
    dead_letter_queue: pulumi.Output[str | None]
    """Name of the processor's dead-letter queue (None without a processor)."""
    policies: pulumi.Output[dict[str, str]]
    """Least-privilege IAM policies (JSON) for applications: `read`, `write` and, with a
    stream, `streamRead`; each includes the stack key's use through DynamoDB."""
    replicas: pulumi.Output[list[dict[str, str | None]]]
    """Each global table replica: `region`, `arn`, `streamArn` (empty without dbtier:regions)."""

    def __init__(
        self, name: str, args: DynamoTableArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("DynamoTable", name, args.protect, opts)
        cfg = args.config
        schema = cfg.schema
        self._name = name
        self._config = cfg
        self._regions = [r.region for r in args.replicas]

        table = aws.dynamodb.Table(
            f"{name}-table",
            opts=self.child(stateful=True, ignore_changes=capacity_ignored_on_update(schema)),
            **table_args(
                cfg, pulumi.get_project(), pulumi.get_stack(), args.kms_key_arn, args.replicas
            ),
        )
        for target in scaling_plan(cfg):
            self._autoscale(name, table, target)
        # Application Auto Scaling is regional: each replica's capacity is scaled in its region.
        for replica in args.replicas:
            there = replica.here(pulumi.ResourceOptions(depends_on=[table]))
            for target in scaling_plan(cfg):
                self._autoscale(f"{name}-{replica.region}", table, target, there)

        self.processor_function = pulumi.Output.from_input(None)
        self.dead_letter_queue = pulumi.Output.from_input(None)
        if cfg.stream_processor:
            function, queue = stream_processor(
                self, name, cfg, table, args.kms_key_arn, log_retention_days=args.log_retention_days
            )
            self.processor_function = function.name
            self.dead_letter_queue = queue.name

        self.table_name = table.name
        self.arn = table.arn
        streamed = schema.stream is not None or bool(args.replicas)
        self.stream_arn = table.stream_arn if streamed else pulumi.Output.from_input(None)
        self.replicas = table.replicas.apply(
            lambda blocks: [
                {"region": b.region_name, "arn": b.arn, "streamArn": b.stream_arn}
                for b in blocks or []
            ]
        )
        indexes = index_names(schema)
        self.indexes = pulumi.Output.from_input(indexes)
        self.policies = pulumi.Output.all(
            account_of(self), table.arn, self.stream_arn, args.kms_key_arn
        ).apply(lambda v: dynamo_policies(v[1], indexes, v[2], v[3], v[0][1]))
        self.publish()

    def _autoscale(
        self,
        name: str,
        table: aws.dynamodb.Table,
        target: ScalingTarget,
        where: pulumi.ResourceOptions | None = None,
    ) -> None:
        """The scalable target of one dimension and its target-tracking policy (in the region
        of `where`'s provider when given: a replica's)."""
        opts = self.child() if where is None else pulumi.ResourceOptions.merge(self.child(), where)
        scalable = aws.appautoscaling.Target(
            f"{name}-{target.role}-target",
            resource_id=pulumi.Output.concat(*target.resource_id(table.name)),
            opts=opts,
            **target.target_args(),
        )
        aws.appautoscaling.Policy(
            f"{name}-{target.role}-policy",
            policy_type="TargetTrackingScaling",
            service_namespace=scalable.service_namespace,
            resource_id=scalable.resource_id,
            scalable_dimension=scalable.scalable_dimension,
            target_tracking_scaling_policy_configuration=target.policy_configuration(),
            opts=opts,
        )

    def outputs(self) -> dict[str, object]:
        """This table's entry in the stack's `dynamo.tables` export: the contract's fields, with
        the policies as their own section (the stream's only on a table with a stream)."""
        return exported(
            DynamoTableOutputs,
            table_name=self.table_name,
            arn=self.arn,
            stream_arn=self.stream_arn,
            indexes=self.indexes,
            processor_function=self.processor_function,
            replicas=self.replicas if self._regions else None,
            policies=exported(
                DynamoPoliciesOutputs,
                read=self.policies["read"],
                write=self.policies["write"],
                stream_read=self.policies["streamRead"] if self._config.schema.stream else None,
            ),
        )

    def watches(self, alarms: AlarmsConfig) -> list[Watch]:
        """Throttles of the table and every index; the processor's lag, errors and DLQ."""
        return dynamo_watches(
            self._name,
            self._config,
            alarms,
            table_name=self.table_name,
            processor_function=self.processor_function,
            dead_letter_queue=self.dead_letter_queue,
        ) + replication_watches(self._name, self._config, self._regions, self.table_name)

    def backup_arns(self) -> dict[str, list[pulumi.Output[str]]]:
        """The table (its indexes are part of it)."""
        return {"DynamoDB": [self.arn]}


class DynamoTables:
    """Every table of `dbtier:dynamo`, one DynamoTable each, exported together as `dynamo`."""

    def __init__(
        self,
        config: DynamoConfig,
        kms_key_arn: pulumi.Input[str],
        protect: bool,
        opts: pulumi.ResourceOptions,
        log_retention_days: int = DEFAULT_RETENTION_DAYS,
        *,
        replicas: tuple[RegionPlacement, ...] = (),
    ) -> None:
        self.tables = {
            table.schema.name: DynamoTable(
                f"dynamo-{table.schema.name}",
                DynamoTableArgs(
                    config=table,
                    kms_key_arn=kms_key_arn,
                    protect=protect,
                    log_retention_days=log_retention_days,
                    # A table's own `regions` picks among the stack's (none: home region only).
                    replicas=tuple(
                        r
                        for r in replicas
                        if r.region in table.replica_regions([p.region for p in replicas])
                    ),
                ),
                opts=opts,
            )
            for table in config.tables
        }
        self.region = aws.get_region_output(
            opts=pulumi.InvokeOutputOptions(provider=opts.provider)
        ).region

    def outputs(self) -> dict[str, object]:
        """The stack's `dynamo` export: the region and each table by its config name."""
        return exported(
            DynamoOutputs,
            region=self.region,
            tables={name: table.outputs() for name, table in self.tables.items()},
        )

    def watches(self, alarms: AlarmsConfig) -> list[Watch]:
        """The watches of every table, in config order."""
        return [watch for table in self.tables.values() for watch in table.watches(alarms)]

    def backup_arns(self) -> dict[str, list[pulumi.Output[str]]]:
        """Every table, in config order."""
        return {
            "DynamoDB": [arn for t in self.tables.values() for arn in t.backup_arns()["DynamoDB"]]
        }
