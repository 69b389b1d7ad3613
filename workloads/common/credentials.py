"""Database credentials: the secret behind ``secretArn`` first, the outputs' ``password`` second,
and fresh ones when a rotation has made the old ones stop working.

Resolution (``--credentials auto``, the default): when the section's ``secretArn`` is a Secrets
Manager ARN, its secret is read through boto3's standard configuration (a default session, so
environment credentials, profiles, SSO, instance roles and ``AWS_ENDPOINT_URL_SECRETS_MANAGER``
apply; the region is the ARN's, where the secret lives). A secret that cannot be used (not
found, access denied, not JSON, no password, endpoint unreachable) is an error (exit 2), never
a silent fallback; only when there are no AWS credentials at all does ``auto`` use the outputs'
``password``. A ``secretArn`` that is not an ARN (a local run writes ``"local"``) means no
secret. ``--credentials secret`` or ``outputs`` forces one source.

The secret is the standard RDS shape ``{engine, host, username, password, dbname, port}`` or an
RDS/Redshift-managed secret ``{username, password}``; only the username and password are used
(host, port and database always come from the outputs). For Redis the password is the AUTH
token and the username ``default`` means AUTH with the token alone.

Renewal: a rotation changes the password (single-user rotation) or the user (alternating users)
in the database first and in the secret next; existing connections keep working, new ones
fail. A connection refused for its credentials calls ``renew``: the secret's current version is
read again (then its ``AWSPENDING`` version, which the rotation function sets in the database
before it becomes current), and the first credentials that differ from those refused are used
by every later connection of the process (``current``). ``renew_waiting`` retries that with
backoff and jitter for a bounded time, for the moment between the two writes. Every password
read is registered for redaction before anything can print it.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from contract import echo
from workloads.common.endpoint import OUTPUTS, SECRET, Credentials, CredentialSource, Endpoint
from workloads.common.errors import WorkloadError, one_line
from workloads.common.redaction import log, redact, register_secret

MODES = ("auto", SECRET, OUTPUTS)
REDIS_DEFAULT_USER = "default"

# arn:<partition>:secretsmanager:<region>:<account>:secret:<name>
_SECRET_ARN = re.compile(
    r"arn:aws[a-z-]*:secretsmanager:([a-z]{2,}(?:-[a-z]+)+-[0-9]{1,2}):[0-9]{12}:secret:\S+",
    re.ASCII,
)

T = TypeVar("T")


def secret_arn_region(value: str | None) -> str | None:
    """The region of a Secrets Manager secret ARN; None for anything else (``"local"``)."""
    match = _SECRET_ARN.fullmatch(value or "")
    return match.group(1) if match else None


def add_credentials_argument(parser: argparse.ArgumentParser) -> None:
    """``--credentials auto|secret|outputs``."""
    parser.add_argument(
        "--credentials",
        choices=MODES,
        default="auto",
        help="where the password comes from: auto (default: the secret behind secretArn, else "
        "the outputs' password), secret, or outputs",
    )


# --- reading the secret --------------------------------------------------------------------


class _NoAwsCredentials(WorkloadError):
    """boto3 found no AWS credentials (environment, profile, SSO or role)."""


class _NoSuchVersion(WorkloadError):
    """The secret has no version with the asked staging label."""


_clients: dict[str, Any] = {}
_clients_lock = threading.Lock()


def _client(region: str, timeout: float) -> Any:
    """One Secrets Manager client per region and process, from a default boto3 session."""
    with _clients_lock:
        client = _clients.get(region)
        if client is None:
            import boto3  # slow to import, and loads OpenSSL: only when a secret is read
            from botocore.config import Config

            config = Config(
                retries={"mode": "standard", "max_attempts": 3},
                connect_timeout=timeout,
                read_timeout=timeout,
            )
            # No endpoint_url: AWS_ENDPOINT_URL_SECRETS_MANAGER and the config file apply.
            client = boto3.session.Session().client(
                "secretsmanager", region_name=region, config=config
            )
            _clients[region] = client
    return client


def _where(source: CredentialSource) -> str:
    return f'{source.section}.secretArn "{echo(source.secret_arn, 120)}"'


def read_secret(source: CredentialSource, stage: str = "AWSCURRENT") -> Credentials:
    """The credentials in version ``stage`` of the secret; a one-line WorkloadError otherwise."""
    from botocore.exceptions import (
        BotoCoreError,
        ClientError,
        EndpointConnectionError,
        NoCredentialsError,
        NoRegionError,
    )

    arn = source.secret_arn
    region = secret_arn_region(arn)
    if arn is None or region is None:
        raise WorkloadError(f"{_where(source)} is not a Secrets Manager ARN")
    where = _where(source)
    try:
        reply = _client(region, source.timeout).get_secret_value(SecretId=arn, VersionStage=stage)
    except NoCredentialsError:
        raise _NoAwsCredentials(
            f"cannot read {where}: no AWS credentials (environment, profile or role)"
        ) from None
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code = str(error.get("Code", "error"))
        if code == "ResourceNotFoundException":
            if stage != "AWSCURRENT":
                raise _NoSuchVersion(f"{where}: no {stage} version") from None
            raise WorkloadError(f"cannot read {where}: no such secret") from None
        if code in {"AccessDeniedException", "AccessDenied", "UnrecognizedClientException"}:
            raise WorkloadError(f"cannot read {where}: access denied ({code})") from None
        detail = echo(redact(one_line(str(error.get("Message", "")) or code)), 160)
        raise WorkloadError(f"cannot read {where}: {code}: {detail}") from None
    except (EndpointConnectionError, NoRegionError) as exc:
        detail = echo(redact(one_line(exc)), 200)
        raise WorkloadError(
            f"cannot read {where}: Secrets Manager unreachable ({detail})"
        ) from None
    except BotoCoreError as exc:  # timeouts, bad endpoint URLs, proxies
        detail = echo(redact(one_line(exc)), 200)
        raise WorkloadError(f"cannot read {where}: {type(exc).__name__}: {detail}") from None
    return parse_secret(reply.get("SecretString"), source)


def parse_secret(text: Any, source: CredentialSource) -> Credentials:
    """The username and password of a secret's JSON (the RDS shape or a managed secret)."""
    where = _where(source)
    if not isinstance(text, str):
        raise WorkloadError(f"{where}: holds binary data, not a JSON object")
    register_secret(text)  # whatever it holds, it is never printed
    try:
        data = json.loads(text)
    except ValueError:
        raise WorkloadError(f"{where}: its value is not JSON") from None
    if not isinstance(data, dict):
        raise WorkloadError(f"{where}: its value is not a JSON object")
    password = data.get("password")
    if not isinstance(password, str) or not password:
        raise WorkloadError(f'{where}: its value has no "password"')
    register_secret(password)
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in password):
        raise WorkloadError(f'{where}: its "password" contains a control character')
    username = data.get("username")
    if username is not None and (
        not isinstance(username, str) or not username or not username.isprintable()
    ):
        raise WorkloadError(f'{where}: its "username" is not a user name')
    if username is None:
        username = source.initial.username
    if source.kind == "redis" and username == REDIS_DEFAULT_USER:
        username = ""  # an ElastiCache AUTH token: AUTH <token>
    return Credentials(username, password, SECRET)


# --- resolving at start-up -----------------------------------------------------------------


def resolve_credentials(
    section: str,
    *,
    secret_arn: str | None,
    username: str,
    password: str | None,
    mode: str = "auto",
    kind: str = "sql",
    timeout: float = 10.0,
    key_name: str = "password",
) -> CredentialSource:
    """The credentials of one outputs section by ``mode`` (see the module docstring);
    ``key_name`` is the outputs key of the password (``authToken`` for Redis)."""
    outputs = Credentials(username, password, OUTPUTS)
    region = secret_arn_region(secret_arn)
    if mode == OUTPUTS:
        if not password:
            raise WorkloadError(
                f'--credentials outputs: no "{section}.{key_name}" in the outputs '
                "(a managed-credentials stack keeps it only in the secret: use --credentials auto)"
            )
        return CredentialSource(section, outputs, None, kind, timeout)
    if region is None:
        if mode == SECRET:
            got = f'got "{echo(secret_arn, 60)}"' if secret_arn else "it is not in the outputs"
            raise WorkloadError(
                f'--credentials secret: "{section}.secretArn" is not a Secrets Manager ARN ({got})'
            )
        if not password:
            raise WorkloadError(
                f'no credentials for {section}: neither a Secrets Manager "{section}.secretArn" '
                f'nor a "{section}.{key_name}" in the outputs'
            )
        return CredentialSource(section, outputs, None, kind, timeout)
    source = CredentialSource(section, outputs, secret_arn, kind, timeout)
    try:
        found = read_secret(source)
    except _NoAwsCredentials:
        if mode == SECRET or not password:
            raise
        log.info("%s: no AWS credentials to read its secret; using %s", section, key_name)
        return source
    log.info("%s: credentials from its secret", section)
    return CredentialSource(section, found, secret_arn, kind, timeout)


# --- the credentials in use, and renewing them ----------------------------------------------

_current: dict[tuple[str, str | None], Credentials] = {}
_locks: dict[tuple[str, str | None], threading.Lock] = {}
_state_lock = threading.Lock()


def current(source: CredentialSource) -> Credentials:
    """The credentials this process uses now for ``source`` (renewed ones once there are)."""
    if not source.renewable:  # nothing to renew them from: always the resolved ones
        return source.initial
    with _state_lock:
        return _current.setdefault(source.key, source.initial)


def login(endpoint: Endpoint) -> Credentials:
    """The username and password to open a connection to ``endpoint`` with, now."""
    if endpoint.credentials is None:
        return Credentials(endpoint.user, endpoint.password)
    return current(endpoint.credentials)


def _lock(source: CredentialSource) -> threading.Lock:
    with _state_lock:
        return _locks.setdefault(source.key, threading.Lock())


def _same(a: Credentials, b: Credentials) -> bool:
    return (a.username, a.password) == (b.username, b.password)


def renew(source: CredentialSource, refused: Credentials) -> Credentials | None:
    """Credentials other than ``refused``: already renewed by another thread, or read again from
    the secret (its current version, then its pending one); None when the secret still holds
    ``refused`` or cannot be read."""
    if not source.renewable:
        return None
    with _lock(source):
        now = current(source)
        if not _same(now, refused):
            return now
        for stage in ("AWSCURRENT", "AWSPENDING"):
            try:
                found = read_secret(source, stage)
            except _NoSuchVersion:
                continue
            except WorkloadError as exc:
                log.info("%s: renewing credentials: %s", source.section, exc)
                return None
            if not _same(found, refused):
                with _state_lock:
                    _current[source.key] = found
                log.info("%s: credentials renewed from the secret (%s)", source.section, stage)
                return found
        return None


def renew_waiting(
    source: CredentialSource,
    refused: Credentials,
    *,
    max_seconds: float = 15.0,
    initial_wait: float = 0.1,
    max_wait: float = 2.0,
    stop: Callable[[], bool] | None = None,
) -> Credentials | None:
    """``renew`` until it finds other credentials or ``max_seconds`` pass (backoff, jitter)."""
    if not source.renewable:
        return None
    deadline = time.monotonic() + max_seconds
    wait = initial_wait
    while True:
        found = renew(source, refused)
        if found is not None:
            return found
        left = deadline - time.monotonic()
        if left <= 0 or (stop is not None and stop()):
            return None
        time.sleep(min(random.uniform(0, wait), left))
        wait = min(wait * 2, max_wait)


def with_renewal(
    endpoint: Endpoint,
    connect: Callable[[], T],
    is_auth_error: Callable[[BaseException], bool],
    on_renewed: Callable[[], object] | None = None,
) -> T:
    """``connect()``; refused for its credentials, once more with renewed ones if there are.

    ``connect`` must read ``login(endpoint)`` when it runs, so the retry uses the new ones.
    """
    used = login(endpoint)
    try:
        return connect()
    except Exception as exc:
        if endpoint.credentials is None or not is_auth_error(exc):
            raise
        if renew_waiting(endpoint.credentials, used) is None:
            raise
        if on_renewed is not None:
            on_renewed()
    return connect()


def describe(source: CredentialSource | None) -> str:
    """Where the credentials in use came from, for a report: "secret" or "outputs"."""
    return OUTPUTS if source is None else current(source).origin
