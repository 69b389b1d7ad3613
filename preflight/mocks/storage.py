"""S3 buckets and objects, and AWS Backup vaults."""

from __future__ import annotations

from typing import Any

from preflight.mocks.account import Account, Builder, hexdigits, ident, named


def _bucket(m: Account, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    # S3 appends a generated suffix to bucket_prefix (26 characters); a fixed one keeps the plan
    # stable. A bucket's ARN has neither region nor account.
    bucket = i.get("bucket") or f"{i.get('bucketPrefix') or 'terraform-'}20260101000000000000000001"
    return bucket, {
        "bucket": bucket,
        "arn": f"arn:aws:s3:::{bucket}",
        "bucketDomainName": f"{bucket}.s3.amazonaws.com",
        "bucketRegionalDomainName": f"{bucket}.s3.{m.region}.amazonaws.com",
        "region": m.region,
    }


def _object(m: Account, name: str, i: dict[str, Any]) -> tuple[str, dict]:
    bucket, key = i.get("bucket") or ident(name), i.get("key") or name
    return key, {
        "arn": f"arn:aws:s3:::{bucket}/{key}",
        # A versioned bucket gives every upload a 32-character version id.
        "versionId": hexdigits(f"{name}/version", 32),
        "etag": hexdigits(f"{name}/etag", 32),
    }


BUILDERS: dict[str, Builder] = {
    "aws:s3/bucket:Bucket": _bucket,
    "aws:s3/bucketObjectv2:BucketObjectv2": _object,
    "aws:backup/vault:Vault": named("backup", "backup-vault:"),
}
