"""Credential renewal (workloads.common.credentials) without AWS: Secrets Manager reads, the clock
and the jitter are stand-ins, so the backoff, the deadline and the retry after a refused login are
checked exactly. What mutation testing (scripts/mutation.sh) found unpinned; the Secrets Manager
side is tested through moto in test_workloads.py."""

from __future__ import annotations

import argparse
import json
import logging
import types
from typing import Any

import pytest

from workloads.common import credentials
from workloads.common.endpoint import Credentials, CredentialSource, Endpoint
from workloads.common.errors import WorkloadError

OLD = Credentials("app", "old-pw-123", "secret")
NEW = Credentials("app_clone", "new-pw-456", "secret")
ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbC123"


class Clock:
    """time.monotonic and time.sleep that only count."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def uniform(self, low: float, high: float) -> float:
        assert low == 0, "the jitter starts at no wait"
        return high

    def sleep(self, seconds: float) -> None:
        assert seconds > 0, "a zero sleep would spin"
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(credentials, "time", fake)
    # the jitter's upper bound, always: the waits are then the backoff itself
    monkeypatch.setattr(credentials, "random", types.SimpleNamespace(uniform=fake.uniform))
    monkeypatch.setattr(credentials, "_current", {})
    return fake


def source(arn: str | None = ARN) -> CredentialSource:
    return CredentialSource("aurora", OLD, arn)


def renewing(monkeypatch: pytest.MonkeyPatch, *answers: Credentials | None) -> list[Any]:
    """credentials.renew answering `answers` in turn (then None); returns its calls."""
    calls: list[Any] = []
    queue = list(answers)

    def renew(src: CredentialSource, refused: Credentials) -> Credentials | None:
        calls.append((src, refused))
        return queue.pop(0) if queue else None

    monkeypatch.setattr(credentials, "renew", renew)
    return calls


def test_renew_waiting_backs_off_doubling_up_to_its_cap_until_its_deadline(
    clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = renewing(monkeypatch)
    assert credentials.renew_waiting(source(), OLD, max_seconds=14.5, initial_wait=0.25) is None
    # 0.25, 0.5, 1, 2 (the cap) ..., the last one cut to what is left of the 14.5 s
    assert clock.sleeps == [0.25, 0.5, 1.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 0.75]
    assert clock.now == 14.5
    assert len(calls) == len(clock.sleeps) + 1 and all(c == (source(), OLD) for c in calls)


def test_renew_waiting_defaults_wait_15_s_from_100_ms_doubling_to_2_s(
    clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    renewing(monkeypatch)
    assert credentials.renew_waiting(source(), OLD) is None
    assert clock.sleeps[:5] == pytest.approx([0.1, 0.2, 0.4, 0.8, 1.6])
    assert max(clock.sleeps) == 2.0
    assert clock.now == pytest.approx(15.0)


def test_renew_waiting_returns_what_renew_finds(
    clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = renewing(monkeypatch, None, None, NEW)
    assert credentials.renew_waiting(source(), OLD, initial_wait=0.25) == NEW
    assert len(calls) == 3 and clock.sleeps == [0.25, 0.5]


def test_renew_waiting_stops_when_asked_or_when_nothing_can_renew(
    clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = renewing(monkeypatch)
    assert credentials.renew_waiting(source(), OLD, stop=lambda: True) is None
    assert len(calls) == 1 and clock.sleeps == []
    assert credentials.renew_waiting(source(None), OLD) is None  # no secret to renew from
    assert len(calls) == 1


def test_renew_logs_why_the_secret_could_not_be_read(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(credentials, "_current", {})

    def read_secret(src: CredentialSource, stage: str = "AWSCURRENT") -> Credentials:
        raise WorkloadError("cannot read it: access denied")

    monkeypatch.setattr(credentials, "read_secret", read_secret)
    with caplog.at_level(logging.INFO, logger="workloads"):
        assert credentials.renew(source(), OLD) is None
    assert [r.getMessage() for r in caplog.records] == [
        "aurora: renewing credentials: cannot read it: access denied"
    ]


class Refused(Exception):
    pass


def endpoint(src: CredentialSource | None) -> Endpoint:
    return Endpoint("db", 3306, OLD.password, user=OLD.username, credentials=src)


def test_with_renewal_connects_again_with_renewed_credentials(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[Any] = []

    def renew_waiting(src: CredentialSource, refused: Credentials) -> Credentials | None:
        asked.append(refused)
        credentials._current[src.key] = NEW
        return NEW

    monkeypatch.setattr(credentials, "_current", {})
    monkeypatch.setattr(credentials, "renew_waiting", renew_waiting)
    ep = endpoint(source())
    logins: list[Credentials] = []
    renewed: list[bool] = []

    def connect() -> str:
        logins.append(credentials.login(ep))
        if logins[-1] == OLD:
            raise Refused("access denied")
        return "connected"

    result = credentials.with_renewal(
        ep, connect, lambda e: isinstance(e, Refused), lambda: renewed.append(True)
    )
    assert result == "connected"
    assert logins == [OLD, NEW] and asked == [OLD] and renewed == [True]


@pytest.mark.parametrize("case", ["not an auth error", "no secret", "nothing renewed"])
def test_with_renewal_raises_the_first_error_when_it_cannot_help(
    monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    asked: list[Any] = []
    monkeypatch.setattr(credentials, "_current", {})
    monkeypatch.setattr(credentials, "renew_waiting", lambda src, refused: asked.append(refused))
    ep = endpoint(None if case == "no secret" else source())
    attempts: list[int] = []

    def connect() -> str:
        attempts.append(1)
        raise (ValueError if case == "not an auth error" else Refused)("first")

    with pytest.raises((Refused, ValueError), match="first"):
        credentials.with_renewal(ep, connect, lambda e: isinstance(e, Refused))
    assert len(attempts) == 1
    assert asked == ([OLD] if case == "nothing renewed" else [])


def test_describe_says_where_the_credentials_in_use_came_from(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(credentials, "_current", {})
    assert credentials.describe(None) == "outputs"
    assert credentials.describe(CredentialSource("aurora", Credentials("u", "p"))) == "outputs"
    assert credentials.describe(source()) == "secret"


def test_the_credentials_option() -> None:
    parser = argparse.ArgumentParser()
    credentials.add_credentials_argument(parser)
    assert parser.parse_args([]).credentials == "auto"
    assert parser.parse_args(["--credentials", "outputs"]).credentials == "outputs"
    [action] = [a for a in parser._actions if a.dest == "credentials"]
    assert action.choices == ("auto", "secret", "outputs")
    assert action.help == (
        "where the password comes from: auto (default: the secret behind secretArn, else the"
        " outputs' password), secret, or outputs"
    )


# --- reading the secret: a stand-in client, each way the read can fail ------------------------


class Client:
    """get_secret_value answering from `reply` (a dict) or raising it (an exception)."""

    def __init__(self, reply: Any) -> None:
        self.reply = reply
        self.calls: list[dict[str, str]] = []

    def get_secret_value(self, **kwargs: str) -> Any:
        self.calls.append(kwargs)
        if isinstance(self.reply, Exception):
            raise self.reply
        return self.reply


def client_error(error: dict[str, str] | None) -> Exception:
    from botocore.exceptions import ClientError

    return ClientError({} if error is None else {"Error": error}, "GetSecretValue")


@pytest.fixture
def stand_in(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Install a Client answering `reply`; returns it and the (region, timeout) asked for."""
    made: list[tuple[str, float]] = []

    def install(reply: Any) -> tuple[Client, list[tuple[str, float]]]:
        client = Client(reply)

        def factory(region: str, timeout: float) -> Client:
            made.append((region, timeout))
            return client

        monkeypatch.setattr(credentials, "_client", factory)
        return client, made

    return install


WHERE = f'aurora.secretArn "{ARN}"'


def test_a_secret_is_read_from_its_region_with_the_sources_timeout(stand_in: Any) -> None:
    client, made = stand_in({"SecretString": '{"username": "u", "password": "pw-123456"}'})
    src = CredentialSource("aurora", OLD, ARN, timeout=3.5)
    assert credentials.read_secret(src, "AWSPENDING") == Credentials("u", "pw-123456", "secret")
    assert made == [("us-east-1", 3.5)]
    assert client.calls == [{"SecretId": ARN, "VersionStage": "AWSPENDING"}]


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (None, f"cannot read {WHERE}: error: error"),
        ({"Code": "AccessDenied"}, f"cannot read {WHERE}: access denied (AccessDenied)"),
        (
            {"Code": "UnrecognizedClientException"},
            f"cannot read {WHERE}: access denied (UnrecognizedClientException)",
        ),
        (
            {"Code": "Throttling", "Message": "slow\ndown " + "x" * 300},
            f"cannot read {WHERE}: Throttling: slow down " + "x" * 149 + "…",
        ),
        ({"Code": "Throttling", "Message": ""}, f"cannot read {WHERE}: Throttling: Throttling"),
    ],
    ids=["no-error", "access-denied", "unrecognized", "long-message", "no-message"],
)
def test_a_refused_read_is_one_line_naming_the_secret(
    stand_in: Any, error: dict[str, str] | None, message: str
) -> None:
    stand_in(client_error(error))
    with pytest.raises(WorkloadError) as raised:
        credentials.read_secret(source())
    assert str(raised.value) == message


def test_a_missing_pending_version_is_its_own_error(stand_in: Any) -> None:
    stand_in(client_error({"Code": "ResourceNotFoundException"}))
    with pytest.raises(credentials._NoSuchVersion) as raised:
        credentials.read_secret(source(), "AWSPENDING")
    assert str(raised.value) == f"{WHERE}: no AWSPENDING version"


@pytest.mark.parametrize("arn", [None, "local", "x" * 200])
def test_only_a_secrets_manager_arn_is_read(stand_in: Any, arn: str | None) -> None:
    client, _ = stand_in({"SecretString": "{}"})
    with pytest.raises(WorkloadError) as raised:
        credentials.read_secret(CredentialSource("aurora", OLD, arn))
    shown = "None" if arn is None else arn if len(arn) <= 120 else "x" * 119 + "…"
    assert str(raised.value) == f'aurora.secretArn "{shown}" is not a Secrets Manager ARN'
    assert client.calls == []


def test_a_binary_secret_is_refused(stand_in: Any) -> None:
    stand_in({"SecretBinary": b"\x00"})
    with pytest.raises(WorkloadError) as raised:
        credentials.read_secret(source())
    assert str(raised.value) == f"{WHERE}: holds binary data, not a JSON object"


def test_what_a_secret_holds_is_registered_for_redaction(monkeypatch: pytest.MonkeyPatch) -> None:
    from workloads.common import redaction

    monkeypatch.setattr(redaction, "_secrets", set())
    text = '{"password": "pw-registered-1"}'
    assert credentials.parse_secret(text, source()).password == "pw-registered-1"
    assert redaction.redact(f"{text} pw-registered-1") == "*** ***"


@pytest.mark.parametrize(
    ("password", "ok"),
    [("with space", True), ("\x80latin", True), ("tab\there", False), ("del\x7f", False)],
    ids=["space", "c1", "tab", "del"],
)
def test_a_password_refuses_c0_controls_and_del_only(password: str, ok: bool) -> None:
    text = json.dumps({"password": password})
    if ok:
        assert credentials.parse_secret(text, source()).password == password
    else:
        with pytest.raises(WorkloadError, match='"password" contains a control character'):
            credentials.parse_secret(text, source())


def test_a_username_must_be_printable() -> None:
    with pytest.raises(WorkloadError, match='"username" is not a user name'):
        credentials.parse_secret(json.dumps({"username": "a\x00b", "password": "p"}), source())


def test_the_redis_default_user_means_a_bare_auth_token() -> None:
    redis = CredentialSource("redis", OLD, ARN, kind="redis")
    text = json.dumps({"username": "default", "password": "tok-123456"})
    assert credentials.parse_secret(text, redis) == Credentials("", "tok-123456", "secret")


def test_login_without_a_credential_source_uses_the_endpoints_own() -> None:
    assert credentials.login(endpoint(None)) == Credentials("app", "old-pw-123")


def test_the_secrets_manager_client_retries_and_times_out_as_asked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(credentials, "_clients", {})
    client = credentials._client("eu-west-1", 4.0)
    assert client.meta.region_name == "eu-west-1"
    config = client.meta.config
    assert (config.connect_timeout, config.read_timeout) == (4.0, 4.0)
    # botocore keeps max_attempts 3 (retries) as total_max_attempts 4 (the first try too)
    assert config.retries == {"mode": "standard", "total_max_attempts": 4}
    assert credentials._client("eu-west-1", 9.0) is client  # one per region and process


# --- resolving at start-up, and the log lines that say where credentials came from -----------


def reading(monkeypatch: pytest.MonkeyPatch, answer: Any) -> list[CredentialSource]:
    asked: list[CredentialSource] = []

    def read_secret(src: CredentialSource, stage: str = "AWSCURRENT") -> Credentials:
        asked.append(src)
        if isinstance(answer, Exception):
            raise answer
        return answer

    monkeypatch.setattr(credentials, "read_secret", read_secret)
    return asked


def test_resolving_keeps_the_kind_and_timeout_in_every_case(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    asked = reading(monkeypatch, NEW)
    outputs = Credentials("app", "pw", "outputs")
    kw: dict[str, Any] = {"username": "app", "password": "pw", "kind": "redis", "timeout": 3.0}
    want = CredentialSource("redis", outputs, None, "redis", 3.0)
    assert credentials.resolve_credentials("redis", secret_arn=ARN, mode="outputs", **kw) == want
    assert credentials.resolve_credentials("redis", secret_arn="local", **kw) == want
    with caplog.at_level(logging.INFO, logger="workloads"):
        found = credentials.resolve_credentials("redis", secret_arn=ARN, **kw)
    assert found == CredentialSource("redis", NEW, ARN, "redis", 3.0)
    assert asked == [CredentialSource("redis", outputs, ARN, "redis", 3.0)]
    assert [r.getMessage() for r in caplog.records] == ["redis: credentials from its secret"]
    default = credentials.resolve_credentials("aurora", secret_arn=ARN, username="u", password="p")
    assert (default.kind, default.timeout, default.initial) == ("sql", 10.0, NEW)  # mode auto


def test_without_aws_credentials_auto_falls_back_to_the_outputs_and_says_so(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    reading(monkeypatch, credentials._NoAwsCredentials("no AWS credentials"))
    with caplog.at_level(logging.INFO, logger="workloads"):
        src = credentials.resolve_credentials(
            "redis", secret_arn=ARN, username="", password="tok", key_name="authToken"
        )
    assert src.initial == Credentials("", "tok", "outputs") and src.secret_arn == ARN
    assert [r.getMessage() for r in caplog.records] == [
        "redis: no AWS credentials to read its secret; using authToken"
    ]


@pytest.mark.parametrize(
    ("arn", "got"),
    [(None, "it is not in the outputs"), ("local" + "x" * 100, 'got "local' + "x" * 54 + '…"')],
    ids=["missing", "long"],
)
def test_credentials_secret_needs_an_arn(arn: str | None, got: str) -> None:
    with pytest.raises(WorkloadError) as raised:
        credentials.resolve_credentials(
            "aurora", secret_arn=arn, username="u", password="p", mode="secret"
        )
    assert str(raised.value) == (
        f'--credentials secret: "aurora.secretArn" is not a Secrets Manager ARN ({got})'
    )


def test_credentials_outputs_needs_the_password() -> None:
    with pytest.raises(WorkloadError) as raised:
        credentials.resolve_credentials(
            "aurora", secret_arn=ARN, username="u", password=None, mode="outputs"
        )
    assert str(raised.value) == (
        '--credentials outputs: no "aurora.password" in the outputs (a managed-credentials'
        " stack keeps it only in the secret: use --credentials auto)"
    )


def test_renew_logs_which_version_renewed(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(credentials, "_current", {})
    answers = {"AWSCURRENT": OLD, "AWSPENDING": NEW}
    monkeypatch.setattr(credentials, "read_secret", lambda src, stage: answers[stage])
    with caplog.at_level(logging.INFO, logger="workloads"):
        assert credentials.renew(source(), OLD) == NEW
    assert [r.getMessage() for r in caplog.records] == [
        "aurora: credentials renewed from the secret (AWSPENDING)"
    ]


def test_an_unreachable_or_failing_secrets_manager_is_named(stand_in: Any) -> None:
    from botocore.exceptions import EndpointConnectionError, ReadTimeoutError

    stand_in(EndpointConnectionError(endpoint_url="https://sm\n" + "e" * 300))
    with pytest.raises(WorkloadError) as raised:
        credentials.read_secret(source())
    detail = 'Could not connect to the endpoint URL: "https://sm ' + "e" * 300  # one line
    assert str(raised.value) == (
        f"cannot read {WHERE}: Secrets Manager unreachable ({detail[:199]}…)"  # 200 at most
    )
    stand_in(ReadTimeoutError(endpoint_url="u"))
    with pytest.raises(WorkloadError) as raised:
        credentials.read_secret(source())
    assert str(raised.value) == (
        f'cannot read {WHERE}: ReadTimeoutError: Read timeout on endpoint URL: "u"'
    )
