"""Redis clients that ride out a failover: bounded retries with backoff and jitter on a fresh
connection, every retried error counted; where the ``redis`` output says to connect and how to
log in (`Target`).

After a failover the old primary answers writes with READONLY, or drops the connection, until the
endpoint's DNS points at the promoted replica; a retry on a fresh connection gets there. The
retries are counted and reported, so a failover shows as errors, not as a crash.

The AUTH token comes from the secret behind ``secretArn`` when there is one, else from
``authToken`` (``workloads.common.credentials``). Each new connection asks ``SecretAuth`` for
the token in use now; a connection refused for its token (ElastiCache's ROTATE then SET, or a
rotated secret) renews it from the secret before redis-py's retry opens the next connection, so
clients ride out a token rotation the way they ride out a failover.

With RBAC users (the output's ``users``) the workload logs in as one of them (``--user``, else
the output's ``username``): a password user with the username and password of its secret,
renewed the same way; an IAM user with a token signed by the default AWS session
(`workloads.redis_workload.iam`). A cache in cluster mode (``clusterMode``: shards, or a
serverless cache) gets a cluster client (`workloads.redis_workload.cluster`).
"""

from __future__ import annotations

import copy
import ipaddress
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import redis
from redis.backoff import ExponentialWithJitterBackoff
from redis.cluster import LoadBalancingStrategy
from redis.credentials import CredentialProvider
from redis.exceptions import RedisClusterException
from redis.retry import Retry

from contract import RedisOutputs, RedisUserOutputs
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
from workloads.redis_workload.cluster import ClusterClient, ShardStats
from workloads.redis_workload.iam import IamAuth

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


@dataclass(frozen=True)
class Target:
    """Where the workload connects and how it logs in: the endpoints (with the password's
    source), whether the cache is a Redis Cluster, and an IAM user's token provider."""

    primary: Endpoint
    reader: Endpoint
    cluster: bool = False
    iam: IamAuth | None = None
    user: str = ""
    """The named user it logs in as ("" for the AUTH token)."""


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
    cluster: bool = False,
    iam: IamAuth | None = None,
    stats: ShardStats | None = None,
    replicas: bool = False,
) -> Any:
    """A pooled client with bounded, counted retries; TLS verifies the server certificate.

    With a secret behind the endpoint's credentials, connections authenticate through
    ``SecretAuth`` (``auth``, or a new one), so a rotated token is renewed and retried; an IAM
    user's connections through ``iam``. `cluster`: a `ClusterClient` (RedisCluster), which
    contacts the cluster now to read its slot map; `replicas` lets it read from replicas.
    """
    renewable = endpoint.credentials is not None and endpoint.credentials.renewable
    if renewable and auth is None:
        auth = SecretAuth(endpoint)
    retry = CountingRetry(
        counter or ErrorCounter(), retries, backoff_base, backoff_cap, auth if renewable else None
    )
    credentials: dict[str, Any]
    if iam is not None:
        credentials = {"credential_provider": iam}
    elif renewable:
        credentials = {"credential_provider": auth}
    else:
        login_now = login(endpoint)
        credentials = {
            "username": login_now.username or None,
            "password": login_now.password or None,
        }
    common: dict[str, Any] = {
        **credentials,
        "ssl": endpoint.tls,
        "ssl_cert_reqs": "required",
        "ssl_ca_certs": endpoint.ca_bundle,
        "socket_timeout": timeout,
        "socket_connect_timeout": timeout,
        "max_connections": max_connections,
        "decode_responses": True,
        "client_name": "dbtier-workload",
    }
    if cluster:
        # One database in a cluster; the slot map, not a retry, finds a moved key.
        return ClusterClient(
            host=endpoint.host,
            port=endpoint.port,
            outer_retry=retry,
            stats=stats or ShardStats(),
            load_balancing_strategy=LoadBalancingStrategy.ROUND_ROBIN_REPLICAS
            if replicas
            else None,
            **common,
        )
    return redis.Redis(
        host=endpoint.host,
        port=endpoint.port,
        db=db,
        retry=retry,
        retry_on_error=list(RETRYABLE),
        health_check_interval=30,
        **common,
    )


def user_of(section: RedisOutputs, name: str | None) -> RedisUserOutputs | None:
    """The user the workload logs in as: `name` (a key of ``users``), else the output's
    ``username``'s, else the first; None without users (the AUTH token)."""
    users = section.users or {}
    if not users:
        if name:
            raise WorkloadError(f"--user {name}: the redis output has no users (AUTH-token mode)")
        return None
    if name:
        if name not in users:
            known = ", ".join(sorted(users))
            raise WorkloadError(f"--user {name}: not a user of the redis output ({known})")
        return users[name]
    by_name = [u for u in users.values() if u.username == section.username]
    return by_name[0] if by_name else next(iter(users.values()))


def redis_credentials(
    section: RedisOutputs,
    mode: str = "auto",
    timeout: float = 10.0,
    user: RedisUserOutputs | None = None,
) -> CredentialSource | None:
    """The password's source: a password user's secret, or for the AUTH token the secret behind
    ``secretArn``, else ``authToken``; None for a server without AUTH (no token and no secret)
    and for an IAM user (its token is signed per connection)."""
    if user is not None:
        if user.auth == "iam":
            return None
        return resolve_credentials(
            RedisOutputs.KEY,
            secret_arn=user.secret_arn,
            username=user.username,
            password=None,
            mode=mode,
            kind="redis",
            timeout=timeout,
            key_name=f"users.{user.username}.secretArn",
        )
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


def target_from(
    section: RedisOutputs,
    ca_bundle: str | None = None,
    credentials: str = "auto",
    user: str | None = None,
) -> Target:
    """Where to connect and how to log in, from the ``redis`` output (the contract checked host
    and port): the AUTH token resolved by ``credentials`` (auto, secret or outputs), or the user
    `user` (see `user_of`)."""
    chosen = user_of(section, user)
    source = redis_credentials(section, credentials, user=chosen)
    iam = None
    if chosen is not None and chosen.auth == "iam":
        if not (section.cache_name and section.region):
            raise WorkloadError(
                "redis: an IAM user needs the output's cacheName and region to sign its token"
            )
        iam = IamAuth(chosen.user_id, section.cache_name, section.region, section.serverless)
    token = source.initial.password if source is not None else None
    primary = Endpoint(
        section.primary_endpoint,
        section.port,
        token,
        section.tls,
        ca_bundle,
        user=source.initial.username if source is not None else "",
        credentials=source,
    )
    reader = primary.at(section.reader_endpoint or section.primary_endpoint, "")
    name = chosen.username if chosen is not None else ""
    return Target(primary, reader, cluster=section.cluster_mode, iam=iam, user=name)


def _token(endpoint: Endpoint, iam: IamAuth | None = None) -> str:
    """Which credentials were refused: an IAM token, a user's secret, the outputs' authToken or
    the secret's token."""
    if iam is not None:
        return f"the IAM token of user {iam.user_id}; its role needs elasticache:Connect"
    if endpoint.credentials is not None and login(endpoint).origin == "secret":
        name = login(endpoint).username
        return f"user {name} of its secret" if name else "the token in redis.secretArn"
    return "authToken"


def check_connection(
    connect: Callable[[], Any], endpoint: Endpoint, role: str, iam: IamAuth | None = None
) -> Any:
    """``connect()`` and PING the client it returns (a cluster client reads its slot map when it
    is made), turning the driver's errors into one line that names the endpoint (no secret)."""
    try:
        client = connect()
        client.ping()
        return client
    except redis.AuthenticationError:
        raise WorkloadError(
            f"redis {role} {endpoint}: authentication failed ({_token(endpoint, iam)})"
        ) from None
    except redis.ResponseError as exc:
        text = str(exc)
        if text.startswith(("NOAUTH", "WRONGPASS", "ERR AUTH", "invalid password")):
            raise WorkloadError(
                f"redis {role} {endpoint}: authentication failed ({_token(endpoint, iam)})"
            ) from None
        raise WorkloadError(f"redis {role} {endpoint}: {one_line(exc)}") from None
    except (redis.ConnectionError, redis.TimeoutError) as exc:
        raise WorkloadError(f"cannot reach redis {role} {endpoint}: {one_line(exc)}") from None
    except (redis.RedisError, RedisClusterException) as exc:  # e.g. no cluster there
        raise WorkloadError(f"redis {role} {endpoint}: {one_line(exc)}") from None
