"""IAM authentication to ElastiCache: the short-lived token a user of `auth: iam` logs in with.

The token is a SigV4-presigned request for the action ``connect`` on the cache, for the user,
without its scheme: ``<cache>/?Action=connect&User=<user id>[&ResourceType=ServerlessCache]``
signed for the service ``elasticache`` in the cache's region and valid for 15 minutes. The AWS
credentials are the default botocore session's (environment, profile, SSO, instance or task
role), so whoever runs the workload needs ``elasticache:Connect`` on the cache and the user (the
``connectPolicy`` each IAM user's export carries):
https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/auth-iam.html

A token opens connections until it expires; connections stay open after that (ElastiCache closes
them after 12 hours), so every new connection asks for a token and gets the current one, signed
again once a third of its life is left.
"""

from __future__ import annotations

import threading
import time
from typing import Any
from urllib.parse import urlencode

from redis.credentials import CredentialProvider

from workloads.common import WorkloadError

TOKEN_SECONDS = 900  # what ElastiCache accepts: 15 minutes
RENEW_AFTER_SECONDS = 600


def signer(region: str) -> tuple[Any, Any]:
    """A SigV4 request signer for ElastiCache in `region`, with the default session's
    credentials, and that session (the signer holds its event emitter only weakly: whoever
    signs keeps the session)."""
    import botocore.session  # slow to import: only when an IAM user logs in
    from botocore.model import ServiceId
    from botocore.signers import RequestSigner

    session = botocore.session.get_session()
    credentials = session.get_credentials()
    if credentials is None:
        raise WorkloadError(
            "redis IAM authentication: no AWS credentials (environment, profile or role) to sign"
            " the token with"
        )
    request_signer = RequestSigner(
        ServiceId("elasticache"),
        region,
        "elasticache",
        "v4",
        credentials,
        session.get_component("event_emitter"),
    )
    return request_signer, session


def iam_token(request_signer: Any, cache_name: str, user_id: str, serverless: bool) -> str:
    """A token for `user_id` on cache `cache_name` (a serverless cache's name is marked so)."""
    query = {"Action": "connect", "User": user_id}
    if serverless:
        query["ResourceType"] = "ServerlessCache"
    signed: str = request_signer.generate_presigned_url(
        {
            "method": "GET",
            "url": f"https://{cache_name}/?{urlencode(query)}",
            "body": {},
            "headers": {},
            "context": {},
        },
        operation_name="connect",
        expires_in=TOKEN_SECONDS,
        region_name=request_signer.region_name,
    )
    # The signature covers the host and the query, not the scheme: ElastiCache wants it without.
    return signed.removeprefix("https://")


class IamAuth(CredentialProvider):
    """The credentials of every new connection of an IAM user: its id and a current token."""

    def __init__(
        self,
        user_id: str,
        cache_name: str,
        region: str,
        serverless: bool,
        request_signer: Any = None,
    ) -> None:
        self.user_id = user_id
        self.cache_name = cache_name
        self.region = region
        self.serverless = serverless
        self._signer = request_signer
        self._session: Any = None
        self._token = ""
        self._signed_at = 0.0
        self._lock = threading.Lock()
        self.tokens = 0  # how many were signed, for the report

    def token(self) -> str:
        with self._lock:
            now = time.monotonic()
            if not self._token or now - self._signed_at > RENEW_AFTER_SECONDS:
                if self._signer is None:
                    self._signer, self._session = signer(self.region)
                self._token = iam_token(
                    self._signer, self.cache_name, self.user_id, self.serverless
                )
                self._signed_at = now
                self.tokens += 1
            return self._token

    def get_credentials(self) -> tuple[str, str]:
        return (self.user_id, self.token())

    def __deepcopy__(self, memo: dict[int, Any]) -> IamAuth:
        return self  # one provider per client, shared by every connection
