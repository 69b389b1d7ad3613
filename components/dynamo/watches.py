"""What the alarms watch on a DynamoTable: throttles of the table and each index, the processor."""

from __future__ import annotations

from typing import Any

import pulumi

from components.alarms.config import AlarmsConfig
from components.alarms.watch import ABOVE, AT_LEAST, Watch
from components.dynamo.config import DynamoTableConfig


def dynamo_watches(
    component: str,
    cfg: DynamoTableConfig,
    alarms: AlarmsConfig,
    *,
    table_name: pulumi.Output[str],
    processor_function: pulumi.Output[Any],
    dead_letter_queue: pulumi.Output[Any],
) -> list[Watch]:
    """Read/write throttles of the table and each GSI; the processor's iterator age, errors, DLQ."""
    schema = cfg.schema
    watches = []
    targets: list[tuple[str, dict[str, pulumi.Input[str]]]] = [("table", {"TableName": table_name})]
    targets += [
        (f"index-{index.name}", {"TableName": table_name, "GlobalSecondaryIndexName": index.name})
        for index in schema.indexes
    ]
    for where, dims in targets:
        for kind in ("Read", "Write"):
            watches.append(
                Watch(
                    component,
                    f"{where}-{kind.lower()}-throttles",
                    f"DynamoDB {schema.name} {where}: {kind.lower()} requests throttled",
                    "AWS/DynamoDB",
                    f"{kind}ThrottleEvents",
                    dims,
                    "Sum",
                    AT_LEAST,
                    alarms.throttles,
                    evaluation_periods=1,
                )
            )
    if cfg.stream_processor:
        function = {"FunctionName": processor_function}
        watches += [
            Watch(
                component,
                "processor-iterator-age",
                f"DynamoDB {schema.name} stream processor: more than"
                f" {alarms.iterator_age_seconds:g} s behind the stream",
                "AWS/Lambda",
                "IteratorAge",
                function,
                "Maximum",
                ABOVE,
                alarms.iterator_age_seconds * 1000,  # milliseconds
            ),
            Watch(
                component,
                "processor-errors",
                f"DynamoDB {schema.name} stream processor: invocations failing",
                "AWS/Lambda",
                "Errors",
                function,
                "Sum",
                ABOVE,
                0,
                evaluation_periods=1,
            ),
            Watch(
                component,
                "processor-dlq",
                f"DynamoDB {schema.name} stream processor: records parked in the dead-letter queue",
                "AWS/SQS",
                "ApproximateNumberOfMessagesVisible",
                {"QueueName": dead_letter_queue},
                "Maximum",
                ABOVE,
                0,
                evaluation_periods=1,
            ),
        ]
    return watches
