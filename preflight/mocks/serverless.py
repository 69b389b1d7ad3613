"""Lambda and what a function comes with: event source mappings, code signing (Signer profiles,
signing jobs, code signing configs) and SQS queues (dead-letter queues)."""

from __future__ import annotations

from typing import Any

from preflight.mocks.account import (
    ACCOUNT_ID,
    Account,
    Builder,
    grouped_uuid,
    hexdigits,
    ident,
    uuid,
)


def _function(m: Account, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    fn = i.get("name") or ident(name)
    arn = m.arn("lambda", f"function:{fn}")
    return fn, {
        "name": fn,
        "arn": arn,
        "invokeArn": arn,
        "qualifiedArn": f"{arn}:$LATEST",
        "version": "$LATEST",
    }


def _event_source_mapping(m: Account, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    mapping = uuid(name)
    return mapping, {
        "uuid": mapping,
        "arn": m.arn("lambda", f"event-source-mapping:{mapping}"),
        "functionArn": i.get("functionName"),
        "state": "Enabled",
    }


def _code_signing_config(m: Account, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    config_id = f"csc-{hexdigits(name, 17)}"
    return m.arn("lambda", f"code-signing-config:{config_id}"), {
        "arn": m.arn("lambda", f"code-signing-config:{config_id}"),
        "configId": config_id,
    }


def _signing_profile(m: Account, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    # Signer appends a generated suffix to the prefix; a fixed one keeps the plan stable.
    profile = i.get("name") or f"{i.get('namePrefix') or 'profile_'}20260101000000000000000001"
    arn = m.arn("signer", f"/signing-profiles/{profile}")
    return profile, {
        "name": profile,
        "arn": arn,
        "version": "Ab12Cd34Ef",
        "versionArn": f"{arn}/Ab12Cd34Ef",
    }


def _signing_job(m: Account, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    job_id = grouped_uuid(name)
    destination = (i.get("destination") or {}).get("s3") or {}
    # Signer writes the signed copy as <prefix><job id>.zip in the destination bucket.
    signed = {
        "bucket": destination.get("bucket"),
        "key": f"{destination.get('prefix', '')}{job_id}.zip",
    }
    return job_id, {
        "jobId": job_id,
        "status": "Succeeded",
        "platformId": "AWSLambda-SHA384-ECDSA",
        "signedObjects": [{"s3s": [signed]}],
        "jobOwner": ACCOUNT_ID,
        "jobInvoker": ACCOUNT_ID,
    }


def _sqs_queue(m: Account, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    queue = i.get("name") or ident(name)
    url = f"https://sqs.{m.region}.amazonaws.com/{ACCOUNT_ID}/{queue}"
    return url, {"name": queue, "arn": m.arn("sqs", queue), "url": url}


BUILDERS: dict[str, Builder] = {
    "aws:lambda/function:Function": _function,
    "aws:lambda/eventSourceMapping:EventSourceMapping": _event_source_mapping,
    "aws:lambda/codeSigningConfig:CodeSigningConfig": _code_signing_config,
    "aws:signer/signingProfile:SigningProfile": _signing_profile,
    "aws:signer/signingJob:SigningJob": _signing_job,
    "aws:sqs/queue:Queue": _sqs_queue,
}
