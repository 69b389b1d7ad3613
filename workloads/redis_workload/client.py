"""Redis clients that ride out a failover: bounded retries with backoff and jitter on a fresh
connection, every retried error counted; the endpoints of the ``redis`` output.

After a failover the old primary answers writes with READONLY, or drops the connection, until the
endpoint's DNS points at the promoted replica; a retry on a fresh connection gets there. The
retries are counted and reported, so a failover shows as errors, not as a crash.
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
from redis.retry import Retry

from contract import RedisOutputs
from workloads.common import Endpoint, WorkloadError, one_line, register_secret

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


class CountingRetry(Retry):
    """redis-py's Retry that also counts each error it retries."""

    def __init__(self, counter: ErrorCounter, retries: int, base: float, cap: float) -> None:
        super().__init__(
            ExponentialWithJitterBackoff(base=base, cap=cap), retries, supported_errors=RETRYABLE
        )
        self.counter = counter

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
) -> redis.Redis:
    """A pooled client with bounded, counted retries; TLS verifies the server certificate."""
    retry = CountingRetry(counter or ErrorCounter(), retries, backoff_base, backoff_cap)
    return redis.Redis(
        host=endpoint.host,
        port=endpoint.port,
        db=db,
        password=endpoint.password or None,
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


def endpoints_from(
    section: RedisOutputs, ca_bundle: str | None = None
) -> tuple[Endpoint, Endpoint]:
    """Primary and reader endpoints of the ``redis`` output (the contract checked host and port)."""
    token = section.auth_token
    if token:
        register_secret(token)
    primary = Endpoint(section.primary_endpoint, section.port, token, section.tls, ca_bundle)
    reader = Endpoint(
        section.reader_endpoint or section.primary_endpoint,
        section.port,
        token,
        section.tls,
        ca_bundle,
    )
    return primary, reader


def check_connection(client: redis.Redis, endpoint: Endpoint, role: str) -> None:
    """PING, turning the driver's errors into one line that names the endpoint (no secret)."""
    try:
        client.ping()
    except redis.AuthenticationError:
        raise WorkloadError(f"redis {role} {endpoint}: authentication failed (authToken)") from None
    except redis.ResponseError as exc:
        text = str(exc)
        if text.startswith(("NOAUTH", "WRONGPASS", "ERR AUTH", "invalid password")):
            raise WorkloadError(
                f"redis {role} {endpoint}: authentication failed (authToken)"
            ) from None
        raise WorkloadError(f"redis {role} {endpoint}: {one_line(exc)}") from None
    except (redis.ConnectionError, redis.TimeoutError) as exc:
        raise WorkloadError(f"cannot reach redis {role} {endpoint}: {one_line(exc)}") from None
