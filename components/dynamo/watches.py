"""What the alarms watch on a DynamoTable: throttles of the table and each index, the processor."""

from __future__ import annotations

from typing import Any

import pulumi

from components.alarms.config import AlarmsConfig
from components.alarms.watch import ABOVE, AT_LEAST, Watch
from components.dynamo.config import DynamoTableConfig
from components.dynamo.processor_config import STREAM_RETENTION_SECONDS


def dlq_age_limit(cfg: DynamoTableConfig) -> float:
    """Seconds a dead-letter message may wait before its alarm: half of what is left of the 24 h
    its stream records live after the longest time a record may wait before it is given up on
    (`maximumRecordAgeSeconds`), and never under 5 minutes."""
    left = STREAM_RETENTION_SECONDS - cfg.processor.maximum_record_age_seconds
    return float(max(300, left // 2))


def dynamo_watches(
    component: str,
    cfg: DynamoTableConfig,
    alarms: AlarmsConfig,
    *,
    table_name: pulumi.Output[str],
    processor_function: pulumi.Output[Any],
    dead_letter_queue: pulumi.Output[Any],
) -> list[Watch]:
    """Read/write throttles of the table and each GSI; the processor's iterator age, crashes, and
    the records it gave up on (DLQ depth and age, failed deliveries to the DLQ)."""
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
                    # Throttle metrics exist only while throttling, and AWS/DynamoDB alarms ignore
                    # treatMissingData: without FILL the alarm would never return to OK.
                    fill=0,
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
                f"DynamoDB {schema.name} stream processor: invocations crashed or timed out"
                " (whole batches retried; records the handler reports as failed are not counted"
                " here, they reach the dead-letter queue alarms)",
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
                f"DynamoDB {schema.name} stream processor: records failed after every retry and"
                " were parked in the dead-letter queue, whether their batch crashed or the"
                " handler reported them in batchItemFailures (pointers to stream records that"
                " are trimmed 24 h after they were written)",
                "AWS/SQS",
                "ApproximateNumberOfMessagesVisible",
                {"QueueName": dead_letter_queue},
                "Maximum",
                ABOVE,
                0,
                evaluation_periods=1,
            ),
            Watch(
                component,
                "processor-dlq-age",
                f"DynamoDB {schema.name} stream processor: a dead-letter message is older than"
                f" {dlq_age_limit(cfg) / 3600:g} h; replay it before its stream records are"
                " trimmed (24 h after they were written)",
                "AWS/SQS",
                "ApproximateAgeOfOldestMessage",
                {"QueueName": dead_letter_queue},
                "Maximum",
                ABOVE,
                dlq_age_limit(cfg),
                evaluation_periods=1,
            ),
            Watch(
                component,
                "processor-dlq-delivery",
                f"DynamoDB {schema.name} stream processor: failed records could not be sent to"
                " the dead-letter queue (permissions, key or queue): they are lost",
                "AWS/Lambda",
                "DestinationDeliveryFailures",
                function,
                "Sum",
                ABOVE,
                0,
                evaluation_periods=1,
            ),
        ]
    return watches
