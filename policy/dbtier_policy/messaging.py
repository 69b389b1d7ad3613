"""Rules for the supporting resources: SQS dead-letter queues, SNS alarm topics, CloudWatch log
groups, and the DynamoDB stream processor's event source mapping."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import Severity

from ._common import Resource, Rule, RuleMeta, as_number, integer, is_off, is_unknown

QUEUE = "aws:sqs/queue:Queue"
TOPIC = "aws:sns/topic:Topic"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
EVENT_SOURCE_MAPPING = "aws:lambda/eventSourceMapping:EventSourceMapping"


def queue_encrypted(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    key, sse = r.get("kmsMasterKeyId"), r.get("sqsManagedSseEnabled")
    if is_unknown(key) or is_unknown(sse):
        return
    if not key and sse is False:
        yield f"SQS queue '{r.name}' is not encrypted."


def queue_cmk(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    if is_off(r.get("kmsMasterKeyId")):
        yield f"SQS queue '{r.name}' has no kmsMasterKeyId: messages are not under the stack key."


def topic_encrypted(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    if is_off(r.get("kmsMasterKeyId")):
        yield f"SNS topic '{r.name}' has no kmsMasterKeyId."


def log_group_cmk(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    if is_off(r.get("kmsKeyId")):
        yield f"Log group '{r.name}' has no kmsKeyId."


def log_group_retention(r: Resource, c: Mapping[str, Any]) -> Iterator[str]:
    value = r.get("retentionInDays")
    if is_unknown(value):
        return
    days = as_number(value)
    if not days:
        yield f"Log group '{r.name}' keeps logs forever (retentionInDays unset or 0)."
    elif days < int(c["minimumDays"]):
        yield (
            f"Log group '{r.name}' keeps logs {days:g} days; at least {c['minimumDays']} required."
        )


def stream_failure_handling(r: Resource, c: Mapping[str, Any]) -> Iterator[str]:
    source = r.get("eventSourceArn")
    if not is_unknown(source) and source and ":dynamodb:" not in str(source):
        return
    destination = r.get("destinationConfig", "onFailure", "destinationArn")
    if is_off(destination):
        yield f"Stream mapping '{r.name}' has no on-failure destination: failed batches vanish."
    if is_off(r.get("bisectBatchOnFunctionError")):
        yield f"Stream mapping '{r.name}' does not bisect a failing batch."
    retries = r.get("maximumRetryAttempts")
    if not is_unknown(retries):
        count = as_number(retries)
        if count is None or count < 0 or count > int(c["maximumRetries"]):
            yield (
                f"Stream mapping '{r.name}' retries {'forever' if count in (None, -1) else count}"
                f"; bound it to at most {c['maximumRetries']}."
            )


RULES: list[Rule] = [
    Rule(
        RuleMeta(
            name="sqs-queue-encrypted",
            description="SQS queues are encrypted at rest.",
            severity=Severity.HIGH,
            category="encryption",
            remediation="set kmsMasterKeyId to the stack key (DynamoTable's dead-letter queue "
            "does).",
            resource_types=(QUEUE,),
            checkov=("CKV_AWS_27",),
            trivy=("AVD-AWS-0096",),
        ),
        queue_encrypted,
    ),
    Rule(
        RuleMeta(
            name="sqs-queue-customer-managed-key",
            description="SQS queues are encrypted with the stack's customer-managed key.",
            severity=Severity.MEDIUM,
            category="encryption",
            remediation="set kmsMasterKeyId to the stack key (dbtier:encryption.kmsKeyArn).",
            resource_types=(QUEUE,),
        ),
        queue_cmk,
    ),
    Rule(
        RuleMeta(
            name="sns-topic-encrypted",
            description="SNS topics are encrypted with a KMS key.",
            severity=Severity.MEDIUM,
            category="encryption",
            remediation="set kmsMasterKeyId on the alarm topic (the stack key).",
            resource_types=(TOPIC,),
            checkov=("CKV_AWS_26",),
        ),
        topic_encrypted,
    ),
    Rule(
        RuleMeta(
            name="cloudwatch-log-group-customer-managed-key",
            description="CloudWatch log groups are encrypted with the stack's customer-managed "
            "key.",
            severity=Severity.MEDIUM,
            category="encryption",
            remediation="set kmsKeyId on the log group (the stack key).",
            resource_types=(LOG_GROUP,),
            checkov=("CKV_AWS_158",),
            trivy=("AVD-AWS-0017",),
        ),
        log_group_cmk,
    ),
    Rule(
        RuleMeta(
            name="cloudwatch-log-group-retention",
            description="CloudWatch log groups have a retention period.",
            severity=Severity.LOW,
            category="logging",
            remediation="set retentionInDays to at least minimumDays.",
            resource_types=(LOG_GROUP,),
            checkov=("CKV_AWS_66", "CKV_AWS_338"),
            config={
                "minimumDays": integer(
                    1, 1, "Minimum log retention, days (prod: 365, checkov's one year)."
                )
            },
        ),
        log_group_retention,
    ),
    Rule(
        RuleMeta(
            name="stream-processor-failure-handling",
            description="DynamoDB stream processors bisect failing batches, retry a bounded number "
            "of times, and send what still fails to a dead-letter destination.",
            severity=Severity.MEDIUM,
            category="backup",
            remediation="keep DynamoTable's event source mapping settings: "
            "bisectBatchOnFunctionError, maximumRetryAttempts, destinationConfig.onFailure.",
            resource_types=(EVENT_SOURCE_MAPPING,),
            config={"maximumRetries": integer(10, 0, "Largest acceptable retry count.")},
        ),
        stream_failure_handling,
    ),
]
