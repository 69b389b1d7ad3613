"""Redis clients that ride out a failover: bounded retries with backoff and jitter on a fresh
connection, every retried error counted; the endpoints of the ``redis`` output.

After a failover the old primary answers writes with READONLY, or drops the connection, until the
endpoint's DNS points at the promoted replica; a retry on a fresh connection gets there. The
retries are counted and reported, so a failover shows as errors, not as a crash.

The AUTH token comes from the secret behind ``secretArn`` when there is one, else from
``authToken`` (``workloads.common.credentials``). Each new connection asks ``SecretAuth`` for
the token in use now; a connection refused for its token (ElastiCache's ROTATE then SET, or a
rotated secret) renews it from the secret before redis-py's retry opens the next connection, so
clients ride out a token rotation the way they ride out a failover.
"""

from __future__ import annotations

import copy
import ipaddress
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import redis
from redis.backoff import ExponentialWithJitterBackoff
from redis.credentials import CredentialProvider
from redis.retry import Retry

from contract import RedisOutputs
from workloads.common import (
    CredentialSource,
    Endpoint,
    WorkloadError,
    login,
    one_line,
    register_secret,
    renew,
    resolve_credentials,
)
from workloads.common.credentials import secret_arn_region

RETRYABLE: tuple[type[Exception], ...] = (
    redis.ConnectionError,
    redis.TimeoutError,
    redis.exceptions.ReadOnlyError,
)


class ErrorCounter:
    """Retried errors by type, shared by every connection of a client (thread-safe)."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def record(self, error: BaseException) -> None:
        with self._lock:
            self.counts[type(error).__name__] += 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def __deepcopy__(self, memo: dict[int, Any]) -> ErrorCounter:
        # redis-py deep-copies the Retry into every connection; the count must stay shared.
        return self


class SecretAuth(CredentialProvider):
    """The AUTH credentials of every new connection: the token in use now, renewed from the
    secret after a connection was refused for it (shared by every connection of a client)."""

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self.renewals = 0
        self._lock = threading.Lock()

    def get_credentials(self) -> tuple[str] | tuple[str, str]:
        credentials = login(self.endpoint)
        password = credentials.password or ""
        return (credentials.username, password) if credentials.username else (password,)

    def refused(self) -> None:
        """A connection was refused for its token: renew it (one read of the secret)."""
        source = self.endpoint.credentials
        if source is None:
            return
        if renew(source, login(self.endpoint)) is not None:
            with self._lock:
                self.renewals += 1

    def __deepcopy__(self, memo: dict[int, Any]) -> SecretAuth:
        return self  # one provider per client: the renewals count stays shared


class CountingRetry(Retry):
    """redis-py's Retry that also counts each error it retries, and renews the credentials
    (``auth``) when the error is an authentication failure."""

    def __init__(
        self,
        counter: ErrorCounter,
        retries: int,
        base: float,
        cap: float,
        auth: SecretAuth | None = None,
    ) -> None:
        super().__init__(
            ExponentialWithJitterBackoff(base=base, cap=cap), retries, supported_errors=RETRYABLE
        )
        self.counter = counter
        self.auth = auth

    def __deepcopy__(self, memo: dict[int, Any]) -> CountingRetry:
        clone = copy.copy(self)
        clone._backoff = copy.deepcopy(self._backoff, memo)
        return clone

    def call_with_retry(
        self,
        do: Callable[[], Any],
        fail: Callable[..., Any],
        is_retryable: Callable[[Exception], bool] | None = None,
        with_failure_count: bool = False,
    ) -> Any:
        def counted(error: Exception, *rest: Any) -> Any:
            self.counter.record(error)
            if self.auth is not None and isinstance(error, redis.AuthenticationError):
                self.auth.refused()
            return fail(error, *rest)

        return super().call_with_retry(do, counted, is_retryable, with_failure_count)


def is_local(host: str) -> bool:
    """True for a loopback host (the server then shares this machine's CPUs)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def make_client(
    endpoint: Endpoint,
    db: int = 0,
    *,
    counter: ErrorCounter | None = None,
    retries: int = 6,
    backoff_base: float = 0.05,
    backoff_cap: float = 2.0,
    timeout: float = 5.0,
    max_connections: int = 32,
    auth: SecretAuth | None = None,
) -> redis.Redis:
    """A pooled client with bounded, counted retries; TLS verifies the server certificate.

    With a secret behind the endpoint's credentials, connections authenticate through
    ``SecretAuth`` (``auth``, or a new one), so a rotated token is renewed and retried.
    """
    renewable = endpoint.credentials is not None and endpoint.credentials.renewable
    if renewable and auth is None:
        auth = SecretAuth(endpoint)
    retry = CountingRetry(
        counter or ErrorCounter(), retries, backoff_base, backoff_cap, auth if renewable else None
    )
    credentials: dict[str, Any] = (
        {"credential_provider": auth}
        if renewable
        else {"password": login(endpoint).password or None}
    )
    return redis.Redis(
        host=endpoint.host,
        port=endpoint.port,
        db=db,
        **credentials,
        ssl=endpoint.tls,
        ssl_cert_reqs="required",
        ssl_ca_certs=endpoint.ca_bundle,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        retry=retry,
        retry_on_error=list(RETRYABLE),
        health_check_interval=30,
        max_connections=max_connections,
        decode_responses=True,
        client_name="dbtier-workload",
    )


def redis_credentials(
    section: RedisOutputs, mode: str = "auto", timeout: float = 10.0
) -> CredentialSource | None:
    """The AUTH token's source: the secret behind ``secretArn``, else ``authToken``; None for a
    server without AUTH (no token and no secret)."""
    if section.auth_token:
        register_secret(section.auth_token)
    no_secret = secret_arn_region(section.secret_arn) is None
    if not section.auth_token and ((mode == "auto" and no_secret) or mode == "outputs"):
        return None  # a server without AUTH (a local Redis)
    return resolve_credentials(
        RedisOutputs.KEY,
        secret_arn=section.secret_arn,
        username="",
        password=section.auth_token,
        mode=mode,
        kind="redis",
        timeout=timeout,
        key_name="authToken",
    )


def endpoints_from(
    section: RedisOutputs, ca_bundle: str | None = None, credentials: str = "auto"
) -> tuple[Endpoint, Endpoint]:
    """Primary and reader endpoints of the ``redis`` output (the contract checked host and port),
    with the AUTH token resolved by ``credentials`` (auto, secret or outputs)."""
    source = redis_credentials(section, credentials)
    token = source.initial.password if source is not None else None
    primary = Endpoint(
        section.primary_endpoint, section.port, token, section.tls, ca_bundle, credentials=source
    )
    reader = primary.at(section.reader_endpoint or section.primary_endpoint, "")
    return primary, reader


def _token(endpoint: Endpoint) -> str:
    """Which token was refused: the outputs' authToken or the secret's."""
    if endpoint.credentials is not None and login(endpoint).origin == "secret":
        return "the token in redis.secretArn"
    return "authToken"


def check_connection(client: redis.Redis, endpoint: Endpoint, role: str) -> None:
    """PING, turning the driver's errors into one line that names the endpoint (no secret)."""
    try:
        client.ping()
    except redis.AuthenticationError:
        raise WorkloadError(
            f"redis {role} {endpoint}: authentication failed ({_token(endpoint)})"
        ) from None
    except redis.ResponseError as exc:
        text = str(exc)
        if text.startswith(("NOAUTH", "WRONGPASS", "ERR AUTH", "invalid password")):
            raise WorkloadError(
                f"redis {role} {endpoint}: authentication failed ({_token(endpoint)})"
            ) from None
        raise WorkloadError(f"redis {role} {endpoint}: {one_line(exc)}") from None
    except (redis.ConnectionError, redis.TimeoutError) as exc:
        raise WorkloadError(f"cannot reach redis {role} {endpoint}: {one_line(exc)}") from None
