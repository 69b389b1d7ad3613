"""`streamProcessor` of a `dbtier:dynamo` table: the stream-processor Lambda's settings and its
event source mapping's, each within what Lambda and DynamoDB Streams take."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from components.settings import ConfigError, Fields, log_retention, show
from contract.fielddoc import doc

# DynamoDB Streams keep a record 24 hours, then trim it:
# https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-params.html
STREAM_RETENTION_SECONDS = 24 * 3600


# Lambda's application log levels (LoggingConfig.ApplicationLogLevel, all six of botocore's enum)
# that the handler maps to Python's: https://docs.aws.amazon.com/lambda/latest/api/API_LoggingConfig.html
LOG_LEVELS = ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL")
# Reserved concurrency: 0 would throttle every invocation (the stream would stall until its
# records expire), so at least 1. The true ceiling is the account's concurrency quota minus the
# 100 executions Lambda keeps unreserved, and minus what other functions reserve: the config cannot
# know it offline, and AWS checks it when the function is deployed (PutFunctionConcurrency fails
# above it). The upper bound here only catches a slipped digit: a sanity limit, a hundred times a
# default account's quota of 1,000, so any raised quota still fits.
# https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
MAX_RESERVED_CONCURRENCY = 100_000
# Lambda's code-signing policies for an artifact the config does not trust (CodeSigningPolicies.
# UntrustedArtifactOnDeployment): https://docs.aws.amazon.com/lambda/latest/dg/configuration-codesigning.html
UNTRUSTED_ARTIFACT_POLICIES = ("Enforce", "Warn")


@dataclass(frozen=True)
class StreamProcessorConfig:
    """The stream processor Lambda and its event source mapping (`streamProcessor: {...}`)."""

    batch_size: int = field(
        default=100,
        metadata=doc(
            "Records per invocation.",
            lo=1,
            hi=10000,
            aws="https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-params.html",
        ),
    )
    maximum_retry_attempts: int = field(
        default=3,
        metadata=doc(
            "Retries of a failing batch before its records go to the dead-letter queue.",
            lo=0,
            hi=10000,
            aws="https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-params.html",
        ),
    )
    maximum_record_age_seconds: int = field(
        default=3600,
        metadata=doc(
            "Records older than this skip processing and go to the dead-letter queue.",
            lo=60,
            hi=STREAM_RETENTION_SECONDS,
            rule="at most 24 h: the stream trims records then",
            aws="https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-params.html",
        ),
    )
    dlq_retention_seconds: int = field(
        default=STREAM_RETENTION_SECONDS,
        metadata=doc(
            "How long the dead-letter queue keeps a message: it holds only pointers to records"
            " the stream trims after 24 h, so replay before then.",
            lo=60,
            hi=STREAM_RETENTION_SECONDS,
            aws="https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html",
        ),
    )
    parallelization_factor: int = field(
        default=1,
        metadata=doc(
            "Concurrent batches per shard; order is kept per partition key.",
            lo=1,
            hi=10,
            aws="https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-params.html",
        ),
    )
    memory_mb: int = field(default=256, metadata=doc("Lambda memory in MB.", lo=128, hi=10240))
    timeout_seconds: int = field(default=60, metadata=doc("Lambda timeout.", lo=1, hi=900))
    log_retention_days: int | None = field(
        default=None,
        metadata=doc(
            "Retention of the function's log group; unset: dbtier:logs.retentionDays.",
            rule="a CloudWatch Logs retention period, as dbtier:logs.retentionDays",
        ),
    )
    log_level: Literal["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"] = field(
        default="INFO",
        metadata=doc(
            "Lambda's application log filter and the handler's LOG_LEVEL (TRACE is Python's"
            " DEBUG, FATAL its CRITICAL).",
            aws="https://docs.aws.amazon.com/lambda/latest/api/API_LoggingConfig.html",
        ),
    )
    tracing: bool = field(
        default=True,
        metadata=doc(
            "X-Ray active tracing (the role may then write trace segments).",
            aws="https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html",
        ),
    )
    reserved_concurrency: int | None = field(
        default=None,
        metadata=doc(
            "Concurrent executions reserved for the function, and its cap; unset: none reserved."
            " A stream consumer runs a batch per shard times parallelizationFactor.",
            lo=1,
            hi=100_000,
            rule=">= parallelizationFactor; AWS checks the account's quota on deploy",
            aws="https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html",
        ),
    )
    code_signing: bool = field(
        default=False,
        metadata=doc(
            "Sign the package with an AWS Signer profile (through a versioned artifact bucket)"
            " and let Lambda run only code that profile signed.",
            aws="https://docs.aws.amazon.com/lambda/latest/dg/configuration-codesigning.html",
        ),
    )
    untrusted_artifact_policy: Literal["Enforce", "Warn"] = field(
        default="Enforce",
        metadata=doc(
            "What Lambda does with code the config does not trust: Enforce refuses the"
            " deployment, Warn accepts it, counts it and logs it.",
            rule="only with codeSigning",
            aws="https://docs.aws.amazon.com/lambda/latest/dg/configuration-codesigning.html",
        ),
    )


def parse_processor(key: str, raw: Any) -> StreamProcessorConfig | None:
    """`streamProcessor`: false/absent (none), true (defaults), or an object of settings."""
    if raw is None or raw is False or (isinstance(raw, str) and raw.lower() == "false"):
        return None
    if raw is True or (isinstance(raw, str) and raw.lower() == "true"):
        return StreamProcessorConfig()
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{key} must be true, false or an object of settings (got {show(raw)})")
    d = StreamProcessorConfig()
    f = Fields(key, raw)
    cfg = StreamProcessorConfig(
        batch_size=f.integer("batchSize", d.batch_size, 1, 10000),
        maximum_retry_attempts=f.integer(
            "maximumRetryAttempts", d.maximum_retry_attempts, 0, 10000
        ),
        maximum_record_age_seconds=f.integer(
            "maximumRecordAgeSeconds", d.maximum_record_age_seconds, 60, 604800
        ),
        dlq_retention_seconds=f.integer("dlqRetentionSeconds", d.dlq_retention_seconds, 60),
        parallelization_factor=f.integer("parallelizationFactor", d.parallelization_factor, 1, 10),
        memory_mb=f.integer("memoryMb", d.memory_mb, 128, 10240),
        timeout_seconds=f.integer("timeoutSeconds", d.timeout_seconds, 1, 900),
        log_retention_days=log_retention(f, None),
        log_level=f.choice("logLevel", d.log_level, LOG_LEVELS),
        tracing=f.flag("tracing", d.tracing),
        reserved_concurrency=f.integer(
            "reservedConcurrency", d.reserved_concurrency, 1, MAX_RESERVED_CONCURRENCY
        ),
        code_signing=f.flag("codeSigning", d.code_signing),
        untrusted_artifact_policy=f.choice(
            "untrustedArtifactPolicy", d.untrusted_artifact_policy, UNTRUSTED_ARTIFACT_POLICIES
        ),
    )
    f.done()
    if f.has("untrustedArtifactPolicy") and not cfg.code_signing:
        raise ConfigError(
            f"{key}.untrustedArtifactPolicy applies only with codeSigning true (got"
            f" {cfg.untrusted_artifact_policy} with codeSigning false)"
        )
    if (
        cfg.reserved_concurrency is not None
        and cfg.reserved_concurrency < cfg.parallelization_factor
    ):
        raise ConfigError(
            f"{key}.reservedConcurrency must be >= parallelizationFactor"
            f" (got {cfg.reserved_concurrency} < {cfg.parallelization_factor}): Lambda runs"
            " parallelizationFactor batches of every shard at once, and fewer reserved"
            " executions than that throttle even a one-shard stream"
        )
    for name, value, why in (
        ("maximumRecordAgeSeconds", cfg.maximum_record_age_seconds, "a longer age never applies"),
        (
            "dlqRetentionSeconds",
            cfg.dlq_retention_seconds,
            "a longer retention only keeps pointers to trimmed records",
        ),
    ):
        if value > STREAM_RETENTION_SECONDS:
            raise ConfigError(
                f"{key}.{name} must be at most {STREAM_RETENTION_SECONDS} (got {value}):"
                f" DynamoDB Streams trim records after 24 h and {why}"
            )
    return cfg
