"""DynamoTable: one DynamoDB table with its GSIs, autoscaling and an optional stream processor.

The table is encrypted with the stack key and recoverable; its stream can be drained by a
least-privilege Lambda that reports partial batch failures and parks records it cannot process
in an encrypted dead-letter queue (`processor.py`). The table's keys, attributes and indexes come
from its `contract.tables.TableSchema`, the same shape the local DynamoDB stand-in creates.
`DynamoTables` is every table of the stack, exported together under `dynamo`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.access import account_of, dynamo_policies
from components.alarms.config import AlarmsConfig
from components.alarms.watch import Watch
from components.base import DbtierComponent
from components.dynamo.config import (
    DynamoAutoscalingConfig,
    DynamoConfig,
    DynamoTableConfig,
    table_name,
)
from components.dynamo.processor import stream_processor
from components.dynamo.watches import dynamo_watches
from components.logs import DEFAULT_RETENTION_DAYS
from contract import DynamoOutputs, DynamoPoliciesOutputs, DynamoTableOutputs, exported
from contract.tables import TableSchema, key_schema, projection
from contract.tables import attribute_definitions as schema_attributes


def attribute_definitions(schema: TableSchema) -> list[dict[str, str]]:
    """The table's attribute definitions in the provider's form: the key attributes only."""
    return [
        {"name": attr["AttributeName"], "type": attr["AttributeType"]}
        for attr in schema_attributes(schema)
    ]


def global_secondary_indexes(schema: TableSchema) -> list[dict[str, object]]:
    """GSI blocks in the key-schema form (hash_key/range_key on GSIs are deprecated in 7.x)."""
    indexes: list[dict[str, object]] = []
    for index in schema.indexes:
        shape = projection(index)
        block: dict[str, object] = {
            "name": index.name,
            "key_schemas": [
                {"attribute_name": key["AttributeName"], "key_type": key["KeyType"]}
                for key in key_schema(index.hash_key, index.range_key)
            ],
            "projection_type": shape["ProjectionType"],
        }
        if "NonKeyAttributes" in shape:
            block["non_key_attributes"] = shape["NonKeyAttributes"]
        if schema.billing_mode == "PROVISIONED":
            block["read_capacity"] = index.read_capacity
            block["write_capacity"] = index.write_capacity
        indexes.append(block)
    return indexes


def capacity_ignored_on_update(schema: TableSchema) -> list[str]:
    """Properties Application Auto Scaling owns once the table exists: `pulumi up` leaves them."""
    if schema.billing_mode != "PROVISIONED":
        return []
    return [
        "readCapacity",
        "writeCapacity",
        "globalSecondaryIndexes[*].readCapacity",
        "globalSecondaryIndexes[*].writeCapacity",
    ]


def scaling_targets(schema: TableSchema) -> list[tuple[str, str | None, str]]:
    """(role, index name or None, READ/WRITE) for every scalable dimension of the table."""
    targets: list[tuple[str, str | None, str]] = []
    if schema.billing_mode != "PROVISIONED":
        return targets
    for index in (None, *(i.name for i in schema.indexes)):
        for kind in ("Read", "Write"):
            where = "table" if index is None else f"index-{index}"
            targets.append((f"{where}-{kind.lower()}", index, kind))
    return targets


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

    def __init__(
        self, name: str, args: DynamoTableArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("DynamoTable", name, args.protect, opts)
        cfg = args.config
        schema = cfg.schema
        self._name = name
        self._config = cfg
        provisioned = schema.billing_mode == "PROVISIONED"

        # Plain dicts for the nested blocks; typed Any so mypy need not expand every Input union.
        attributes: Any = attribute_definitions(schema)
        indexes: Any = global_secondary_indexes(schema) or None
        ttl: Any = (
            {"attribute_name": cfg.ttl_attribute, "enabled": True} if cfg.ttl_attribute else None
        )
        table = aws.dynamodb.Table(
            f"{name}-table",
            name=table_name(pulumi.get_project(), pulumi.get_stack(), schema.name),
            billing_mode=schema.billing_mode,
            hash_key=schema.hash_key,
            range_key=schema.range_key,
            attributes=attributes,
            global_secondary_indexes=indexes,
            read_capacity=schema.read_capacity if provisioned else None,
            write_capacity=schema.write_capacity if provisioned else None,
            stream_enabled=schema.stream is not None,
            stream_view_type=schema.stream,
            point_in_time_recovery={"enabled": cfg.point_in_time_recovery},
            server_side_encryption={"enabled": True, "kms_key_arn": args.kms_key_arn},
            ttl=ttl,
            deletion_protection_enabled=cfg.deletion_protection,
            opts=self.child(stateful=True, ignore_changes=capacity_ignored_on_update(schema)),
        )

        scaling = cfg.autoscaling or DynamoAutoscalingConfig()
        for role, index, kind in scaling_targets(schema):
            level = "table" if index is None else "index"
            resource_id = (
                pulumi.Output.concat("table/", table.name)
                if index is None
                else pulumi.Output.concat("table/", table.name, "/index/", index)
            )
            target = aws.appautoscaling.Target(
                f"{name}-{role}-target",
                service_namespace="dynamodb",
                resource_id=resource_id,
                scalable_dimension=f"dynamodb:{level}:{kind}CapacityUnits",
                min_capacity=scaling.min_capacity,
                max_capacity=scaling.max_capacity,
                opts=self.child(),
            )
            aws.appautoscaling.Policy(
                f"{name}-{role}-policy",
                policy_type="TargetTrackingScaling",
                service_namespace=target.service_namespace,
                resource_id=target.resource_id,
                scalable_dimension=target.scalable_dimension,
                target_tracking_scaling_policy_configuration={
                    "predefined_metric_specification": {
                        "predefined_metric_type": f"DynamoDB{kind}CapacityUtilization"
                    },
                    "target_value": scaling.target_utilization,
                },
                opts=self.child(),
            )

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
        self.stream_arn = table.stream_arn if schema.stream else pulumi.Output.from_input(None)
        self.indexes = pulumi.Output.from_input([index.name for index in schema.indexes])
        index_names = [index.name for index in schema.indexes]
        self.policies = pulumi.Output.all(
            account_of(self), table.arn, self.stream_arn, args.kms_key_arn
        ).apply(lambda v: dynamo_policies(v[1], index_names, v[2], v[3], v[0][1]))
        self.publish()

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
        )

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
    ) -> None:
        self.tables = {
            table.schema.name: DynamoTable(
                f"dynamo-{table.schema.name}",
                DynamoTableArgs(
                    config=table,
                    kms_key_arn=kms_key_arn,
                    protect=protect,
                    log_retention_days=log_retention_days,
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
