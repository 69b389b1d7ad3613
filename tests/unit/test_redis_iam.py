"""The IAM token an ElastiCache IAM user logs in with, generated offline: its shape (a presigned
`connect` request for the user on the cache, 15 minutes, without a scheme), a SigV4 signature
recomputed here from the request, the serverless marker, and the provider's reuse of a token."""

from __future__ import annotations

import datetime
import hashlib
import hmac
from urllib.parse import parse_qsl, quote

import pytest
from botocore.credentials import Credentials
from botocore.hooks import HierarchicalEmitter
from botocore.model import ServiceId
from botocore.signers import RequestSigner

from workloads.redis_workload import iam

NOW = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
KEY, SECRET = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


EMITTER = HierarchicalEmitter()  # a signer holds its emitter weakly: keep one alive


@pytest.fixture
def signer(monkeypatch: pytest.MonkeyPatch) -> RequestSigner:
    monkeypatch.setattr("botocore.auth.get_current_datetime", lambda: NOW.replace(tzinfo=None))
    return RequestSigner(
        ServiceId("elasticache"),
        "eu-west-1",
        "elasticache",
        "v4",
        Credentials(KEY, SECRET),
        EMITTER,
    )


def expected_signature(host: str, query: list[tuple[str, str]]) -> str:
    """SigV4 of GET / on `host` with `query` (every pair but the signature), by the spec."""
    canonical_query = "&".join(
        f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in sorted(query)
    )
    canonical = "\n".join(
        ["GET", "/", canonical_query, f"host:{host}", "", "host", hashlib.sha256(b"").hexdigest()]
    )
    scope = "20260102/eu-west-1/elasticache/aws4_request"
    to_sign = "\n".join(
        [
            "AWS4-HMAC-SHA256",
            "20260102T030405Z",
            scope,
            hashlib.sha256(canonical.encode()).hexdigest(),
        ]
    )
    key = ("AWS4" + SECRET).encode()
    for part in ("20260102", "eu-west-1", "elasticache", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


def test_the_token_is_a_presigned_connect_request_without_a_scheme(signer: RequestSigner) -> None:
    token = iam.iam_token(signer, "dbtier-prod-redis", "dbtier-prod-redis-reporting", False)
    host, _, query_text = token.partition("/?")
    assert host == "dbtier-prod-redis" and not token.startswith(("http://", "https://"))
    query = parse_qsl(query_text)
    values = dict(query)
    assert values["Action"] == "connect"
    assert values["User"] == "dbtier-prod-redis-reporting"
    assert "ResourceType" not in values
    assert values["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    assert values["X-Amz-Credential"] == f"{KEY}/20260102/eu-west-1/elasticache/aws4_request"
    assert values["X-Amz-Date"] == "20260102T030405Z"
    assert values["X-Amz-Expires"] == "900"
    assert values["X-Amz-SignedHeaders"] == "host"
    unsigned = [(k, v) for k, v in query if k != "X-Amz-Signature"]
    assert values["X-Amz-Signature"] == expected_signature(host, unsigned)


def test_a_serverless_caches_token_says_so(signer: RequestSigner) -> None:
    token = iam.iam_token(signer, "dbtier-dev-redis", "dbtier-dev-redis-app", True)
    assert dict(parse_qsl(token.partition("/?")[2]))["ResourceType"] == "ServerlessCache"


def test_the_provider_logs_in_as_the_user_id_and_reuses_a_fresh_token(
    signer: RequestSigner, monkeypatch: pytest.MonkeyPatch
) -> None:
    auth = iam.IamAuth(
        "dbtier-prod-redis-reporting", "dbtier-prod-redis", "eu-west-1", False, signer
    )
    user, token = auth.get_credentials()
    assert user == "dbtier-prod-redis-reporting" and token.startswith("dbtier-prod-redis/?")
    assert auth.get_credentials() == (user, token) and auth.tokens == 1
    clock = iam.time.monotonic() + iam.RENEW_AFTER_SECONDS + 1
    monkeypatch.setattr(iam.time, "monotonic", lambda: clock)
    auth.get_credentials()
    assert auth.tokens == 2


def test_no_aws_credentials_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(iam.WorkloadError, match="no AWS credentials"):
        iam.signer("eu-west-1")


def test_the_default_session_signs_with_the_environments_credentials(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    auth = iam.IamAuth("u", "dbtier-dev-redis", "us-east-1", True)
    user, token = auth.get_credentials()
    values = dict(parse_qsl(token.partition("/?")[2]))
    assert user == "u" and values["X-Amz-Credential"].startswith(f"{KEY}/")
    assert values["X-Amz-Credential"].endswith("/us-east-1/elasticache/aws4_request")
