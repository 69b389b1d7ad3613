"""Pure parts of the workloads, no engine needed: outputs reading and redaction, the shared
helpers (percentile, chunked, bounded), and migration-check's table patterns and row diff."""

from __future__ import annotations

import argparse
import ast
import json
import os
import signal
import threading
import time
import types
from pathlib import Path

import pytest

import workloads.__main__ as workloads_main
from contract import RelationalOutputs
from workloads.common import (
    Outputs,
    Terminated,
    WorkloadError,
    bounded,
    chunked,
    interrupts,
    load_outputs,
    outputs_from_json,
    percentile,
    redact,
    register_secret,
)
from workloads.migration_check import diff_rows, select_tables

RELATIONAL = {
    "endpoint": "db.example",
    "port": "3306",
    "databaseName": "app",
    "username": "admin",
    "password": "pw-123456",
}


def test_redact_scrubs_registered_and_given_secrets():
    outputs = outputs_from_json(
        json.dumps({"redis": {"authToken": "tok-123456"}, "x": {"password": "pw-abcdef"}}), "t"
    )
    assert sorted(outputs.secrets) == ["pw-abcdef", "tok-123456"]
    register_secret("s3cr3t/with?chars")
    text = redact("a tok-123456 b pw-abcdef c s3cr3t%2Fwith%3Fchars d other", ["other"])
    assert text == "a *** b *** c *** d ***"


def test_outputs_read_converts_a_numeric_port_and_defaults_tls_on():
    section = Outputs({"relational": RELATIONAL}, "f").read(RelationalOutputs)
    assert section.port == 3306
    assert section.tls is True
    assert section.reader_endpoints == ()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(
            {"port": True},
            r'malformed key "relational\.port" \(expected a port number 1-65535, got a boolean\)',
            id="port-boolean",
        ),
        pytest.param(
            {"username": ""},
            r'malformed key "relational\.username" \(expected a string, got an empty string\)',
            id="username-empty",
        ),
        pytest.param({"port": None}, r'missing key "relational\.port"', id="port-null"),
        pytest.param(
            {"password": "[secret]"},
            r'"relational\.password" is masked; .*--show-secrets',
            id="password-masked",
        ),
        pytest.param(
            {"readerEndpoints": ["r1", 5]},
            r'malformed key "relational\.readerEndpoints\[1\]"',
            id="reader-not-a-string",
        ),
    ],
)
def test_outputs_read_names_the_bad_key(change, message):
    outputs = Outputs({"relational": {**RELATIONAL, **change}}, "f")
    with pytest.raises(WorkloadError, match=rf"^f: {message}"):
        outputs.read(RelationalOutputs)


def test_optional_section_absent_is_none_and_present_is_validated():
    assert Outputs({}, "f").read_optional(RelationalOutputs) is None
    with pytest.raises(WorkloadError, match=r'missing key "relational\.endpoint"'):
        Outputs({"relational": {}}, "f").read_optional(RelationalOutputs)


@pytest.mark.parametrize(
    ("values", "pct", "expected"),
    [
        pytest.param([], 50, 0.0, id="empty"),
        pytest.param([7.0], 99, 7.0, id="one-value"),
        # Nearest rank is ceil(p/100 * n): p50 of five values is the third, not the second.
        pytest.param([1.0, 2.0, 3.0, 4.0, 5.0], 50, 3.0, id="p50-of-5"),
        pytest.param([float(i) for i in range(1, 21)], 95, 19.0, id="p95-of-20"),
        pytest.param([float(i) for i in range(1, 101)], 99, 99.0, id="p99-of-100"),
        pytest.param([float(i) for i in range(1, 101)], 100, 100.0, id="p100-is-max"),
    ],
)
def test_percentile_is_nearest_rank(values, pct, expected):
    assert percentile(values, pct) == expected


def test_chunked_keeps_order_and_the_last_short_chunk():
    assert list(chunked(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(chunked([], 3)) == []


def test_bounded_accepts_the_bounds_and_refuses_outside():
    parse = bounded(1, 5)
    assert (parse("1"), parse("5")) == (1, 5)
    with pytest.raises(argparse.ArgumentTypeError, match=r"between 1 and 5 \(got 6\)"):
        parse("6")
    with pytest.raises(argparse.ArgumentTypeError, match="not an integer"):
        parse("x")


def test_select_tables_patterns():
    names = ["users", "orders", "order_items", "dbtier_load"]
    assert select_tables(names, [], ["dbtier_%"]) == ["users", "orders", "order_items"]
    assert select_tables(names, ["order%"], ["*items"]) == ["orders"]


def test_diff_rows_merges_runs_by_kind():
    source = {(1,): 1, (2,): 2, (3,): 3, (4,): 4, (6,): 6}
    target = {(1,): 1, (3,): 30, (4,): 40, (5,): 5, (6,): 6}
    assert [r.to_json() for r in diff_rows(source, target)] == [
        {"kind": "missing in target", "from": 2, "to": 2, "rows": 1},
        {"kind": "changed", "from": 3, "to": 4, "rows": 2},
        {"kind": "extra in target", "from": 5, "to": 5, "rows": 1},
    ]


def test_diff_rows_shows_a_composite_key_as_a_list():
    (only,) = diff_rows({("a", 1): 1}, {})
    assert (only.kind, only.first, only.last) == ("missing in target", ["a", 1], ["a", 1])


def test_no_workload_module_imports_components():
    root = Path(__file__).resolve().parents[2] / "workloads"
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert all(n.split(".")[0] != "components" for n in names), path


# --- the outputs file: refused before it is parsed ---------------------------------------------


def _load_error(path: Path | str) -> str:
    with pytest.raises(WorkloadError) as err:
        load_outputs(str(path))
    message = str(err.value)
    assert "\n" not in message and len(message) < 400
    return message


def test_a_directory_fifo_or_device_is_refused_without_reading(tmp_path):
    assert _load_error(tmp_path).endswith("is a directory, not a file")
    fifo = tmp_path / "outputs.json"
    os.mkfifo(fifo)  # opening it for reading would block forever
    assert _load_error(fifo).endswith("not a regular file (a named pipe)")
    assert _load_error("/dev/zero").endswith("not a regular file (a character device)")
    assert _load_error(tmp_path / "missing.json").endswith("no such file")


def test_a_file_over_the_size_bound_is_refused_from_its_size(tmp_path):
    huge = tmp_path / "outputs.json"
    with open(huge, "wb") as handle:  # sparse: 1 GiB that costs nothing
        handle.write(b"{")
        handle.truncate(1 << 30)
    assert "too large (1,073,741,824 bytes" in _load_error(huge)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe{\x00}\x00", "not UTF-8 text (byte 0xff at offset 0)"),
        (b'{"x": "caf\xe9"}', "not UTF-8 text (byte 0xe9 at offset 10)"),
        (b"[" * 100_000 + b"]" * 100_000, "nested more than 32 levels deep"),
        (b'{"port": 1' + b"0" * 5000 + b"}", "not valid JSON"),
        (b"\x00{}", "not valid JSON"),
        (b"[]", "expected a JSON object of stack outputs, got a list"),
    ],
    ids=["utf-16", "latin-1", "deep", "huge-number", "nul", "array"],
)
def test_malformed_files_are_one_line_naming_the_file(tmp_path, content, message):
    path = tmp_path / "outputs.json"
    path.write_bytes(content)
    text = _load_error(path)
    assert text.startswith(f"outputs file {path}: ")
    assert message in text


def test_brackets_inside_strings_do_not_count_as_nesting():
    deep_text = json.dumps({"relational": {**RELATIONAL, "engine": "[" * 1000}})
    assert outputs_from_json(deep_text, "t").read(RelationalOutputs).engine == "[" * 1000


def test_a_file_name_with_escape_sequences_is_shown_escaped(tmp_path):
    text = _load_error(tmp_path / "out\x1b[2J.json")
    assert "\x1b" not in text and "out\\x1b[2J.json" in text


# --- the one exit pattern: errors and signals --------------------------------------------------


def _main(monkeypatch, capsys, run) -> tuple[int, list[str]]:
    """`python -m workloads relational` with `run` as the workload; exit code, stderr lines."""
    module = types.SimpleNamespace(HELP="h", add_arguments=lambda parser: None, run=run)
    monkeypatch.setattr(workloads_main, "load_workload", lambda name: module)
    monkeypatch.setattr(workloads_main, "load_outputs", lambda path: Outputs({}, "f"))
    # In the CLI a thread still running after an interrupt ends the process at once; here the
    # threads are pytest's and earlier tests', and the process is the test run itself.
    monkeypatch.setattr(workloads_main, "wait_for_threads", lambda grace: True)
    monkeypatch.setattr(interrupts, "_one_line", threading.Lock())  # the line is printed once
    code = workloads_main.main(["relational", "--outputs", "f"])
    return code, capsys.readouterr().err.splitlines()


def _raises(exc: BaseException):
    def run(args, outputs):
        raise exc

    return run


@pytest.mark.parametrize(
    ("exc", "code", "line"),
    [
        (KeyboardInterrupt(), 130, "interrupted"),
        (Terminated(), 143, "terminated"),
        (WorkloadError("bad \x1b[31minput\nsecond line"), 2, "bad \\x1b[31minput second line"),
        (ValueError("embedded null character \x00"), 2, "unexpected ValueError"),
    ],
    ids=["sigint", "sigterm", "workload-error", "unexpected"],
)
def test_every_ending_is_one_escaped_line_and_its_exit_code(monkeypatch, capsys, exc, code, line):
    got, lines = _main(monkeypatch, capsys, _raises(exc))
    assert got == code
    assert len(lines) == 1 and line in lines[0]
    assert lines[0].startswith("python -m workloads relational: error: ")
    assert not any(c in lines[0] for c in "\x00\x1b\r")


def test_a_very_long_error_is_cut(monkeypatch, capsys):
    _, lines = _main(monkeypatch, capsys, _raises(WorkloadError("x" * 100_000)))
    assert len(lines) == 1 and len(lines[0]) < 700 and lines[0].endswith("…")


def test_an_interrupt_a_driver_turned_into_its_own_error_still_exits_130(monkeypatch, capsys):
    def run(args, outputs):
        try:
            raise KeyboardInterrupt  # what the signal handler raised inside a driver callback
        except KeyboardInterrupt:
            interrupts._received.append(signal.SIGINT)
            raise RuntimeError("COPY from stdin failed: error in .read() call") from None

    monkeypatch.setattr(interrupts, "_received", [])
    assert _main(monkeypatch, capsys, run) == (
        130,
        ["python -m workloads relational: error: interrupted"],
    )


def test_sigterm_raises_terminated_once_then_the_default_action(monkeypatch):
    monkeypatch.setattr(interrupts, "_received", [])
    previous = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        interrupts.install_handlers()
        with pytest.raises(Terminated):
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(1)  # the handler runs at the next bytecode
        assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
        assert signal.getsignal(signal.SIGINT) == signal.SIG_DFL
        assert isinstance(interrupts.received(), Terminated)
        assert interrupts.exit_code(Terminated()) == 143
        assert interrupts.exit_code(KeyboardInterrupt()) == 130
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@pytest.mark.parametrize(
    "text",
    ['"' + '\\"' * 1_000_000, '""' * 1_000_000, "[" * 1_000_000],
    ids=["unterminated-escapes", "many-strings", "deep"],
)
def test_the_depth_check_is_linear(text):
    began = time.monotonic()
    with pytest.raises(WorkloadError):
        outputs_from_json(text, "f")
    assert time.monotonic() - began < 2.0


# --- credentials: the secret behind secretArn, the outputs' password, renewal ---------------

ARN_PREFIX = "arn:aws:secretsmanager:us-east-1:123456789012:secret:"


@pytest.fixture(scope="module")
def _moto_secrets():
    """moto's Secrets Manager in-process with dummy credentials, once for the module."""
    from moto import mock_aws

    from workloads.common import credentials

    with pytest.MonkeyPatch.context() as patch, mock_aws():
        patch.setattr(credentials, "_clients", {})  # clients made here stay here
        for name in ("AWS_ENDPOINT_URL_SECRETS_MANAGER", "AWS_ENDPOINT_URL", "AWS_PROFILE"):
            patch.delenv(name, raising=False)
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        patch.setenv("AWS_DEFAULT_REGION", "eu-west-1")  # the ARN's region must win
        import boto3

        yield boto3.client("secretsmanager", region_name="us-east-1")


@pytest.fixture
def secrets_manager(_moto_secrets, monkeypatch):
    """The Secrets Manager stand-in, with the credentials in use forgotten."""
    from workloads.common import credentials

    monkeypatch.setattr(credentials, "_current", {})
    return _moto_secrets


def _secret(client, value, name=None) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return client.create_secret(Name=name or f"s-{os.urandom(4).hex()}", SecretString=text)["ARN"]


def _resolve(arn, password="outputs-pw-1", mode="auto", **kw):
    from workloads.common import resolve_credentials

    return resolve_credentials(
        "aurora", secret_arn=arn, username="app", password=password, mode=mode, **kw
    )


@pytest.mark.parametrize(
    ("value", "region"),
    [
        (ARN_PREFIX + "db-AbC123", "us-east-1"),
        ("arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:x", "cn-north-1"),
        ("local", None),
        (None, None),
        ("", None),
        ("arn:aws:s3:::bucket", None),
        ("arn:aws:secretsmanager:us-east-1:123:secret:x", None),
    ],
    ids=repr,
)
def test_only_a_secrets_manager_arn_names_a_secret(value, region):
    from workloads.common.credentials import secret_arn_region

    assert secret_arn_region(value) == region


def test_auto_reads_the_rds_shaped_secret_first(secrets_manager):
    rds = {"engine": "mysql", "host": "elsewhere", "port": 1, "dbname": "x"}
    arn = _secret(secrets_manager, {**rds, "username": "rotated", "password": "from-secret-1"})
    source = _resolve(arn)
    assert (source.initial.username, source.initial.password) == ("rotated", "from-secret-1")
    assert source.initial.origin == "secret" and source.renewable
    assert redact("x from-secret-1 y") == "x *** y"  # registered for redaction


def test_a_managed_secret_has_only_username_and_password(secrets_manager):
    arn = _secret(secrets_manager, {"username": "admin", "password": "managed-pw-1"})
    assert _resolve(arn, password=None).initial.password == "managed-pw-1"


def test_a_secret_without_username_keeps_the_outputs_one(secrets_manager):
    arn = _secret(secrets_manager, {"password": "only-pw-123"})
    assert _resolve(arn).initial.username == "app"


def test_a_placeholder_arn_means_no_secret(secrets_manager):
    source = _resolve("local")
    assert source.initial.origin == "outputs" and not source.renewable
    with pytest.raises(WorkloadError, match=r'--credentials secret: "aurora.secretArn" is not a'):
        _resolve("local", mode="secret")
    with pytest.raises(WorkloadError, match=r"neither a Secrets Manager"):
        _resolve("local", password=None)


def test_outputs_mode_never_reads_the_secret(secrets_manager):
    source = _resolve(ARN_PREFIX + "does-not-exist", mode="outputs")
    assert source.initial.password == "outputs-pw-1" and not source.renewable
    with pytest.raises(WorkloadError, match=r'no "aurora.password" in the outputs'):
        _resolve(ARN_PREFIX + "x", password=None, mode="outputs")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "no such secret"),
        ("hunter2-not-json", "its value is not JSON"),
        (["hunter2-in-a-list"], "not a JSON object"),
        ({"username": "u", "pwd": "hunter2-wrong-key"}, 'has no "password"'),
        ({"username": "u", "password": ""}, 'has no "password"'),
        ({"username": 7, "password": "hunter2-abc"}, '"username" is not a user name'),
        ({"username": "u", "password": "hunter2\nabc"}, "control character"),
    ],
    ids=["not-found", "not-json", "not-an-object", "no-password", "empty", "bad-user", "newline"],
)
def test_a_wrong_secret_is_one_line_without_its_value(secrets_manager, value, message):
    arn = ARN_PREFIX + "missing-AbCdEf" if value is None else _secret(secrets_manager, value)
    for mode in ("auto", "secret"):
        with pytest.raises(WorkloadError) as err:
            _resolve(arn, mode=mode)
        text = str(err.value)
        assert message in text and "aurora.secretArn" in text and "\n" not in text
        assert "hunter2" not in redact(text)


def test_access_denied_is_named(secrets_manager):
    from botocore.stub import Stubber

    from workloads.common import credentials

    client = credentials._client("us-east-1", 5)
    with Stubber(client) as stub:
        stub.add_client_error("get_secret_value", service_error_code="AccessDeniedException")
        with pytest.raises(WorkloadError, match=r"access denied \(AccessDeniedException\)"):
            _resolve(ARN_PREFIX + "x")


def test_no_aws_credentials_falls_back_to_the_outputs_password(secrets_manager, monkeypatch):
    from workloads.common import credentials

    monkeypatch.setattr(credentials, "_clients", {})  # a new client looks for credentials
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    source = _resolve(ARN_PREFIX + "x")
    assert source.initial.origin == "outputs"
    with pytest.raises(WorkloadError, match="no AWS credentials"):
        _resolve(ARN_PREFIX + "x", mode="secret")


def test_renew_reads_the_rotated_secret_once_for_every_thread(secrets_manager):
    from workloads.common import renew

    arn = _secret(secrets_manager, {"username": "app", "password": "first-pw-123"})
    source = _resolve(arn)
    assert renew(source, source.initial) is None  # the secret still holds what was refused
    secrets_manager.put_secret_value(
        SecretId=arn, SecretString=json.dumps({"username": "app_clone", "password": "second-pw-1"})
    )
    fresh = renew(source, source.initial)
    assert fresh is not None and (fresh.username, fresh.password) == ("app_clone", "second-pw-1")
    assert renew(source, source.initial) == fresh  # already renewed: no second read needed


def test_renew_tries_the_pending_version_the_database_may_already_have(secrets_manager):
    from workloads.common import renew

    arn = _secret(secrets_manager, {"username": "app", "password": "first-pw-123"})
    source = _resolve(arn)
    secrets_manager.put_secret_value(
        SecretId=arn,
        SecretString=json.dumps({"username": "app", "password": "pending-pw-1"}),
        VersionStages=["AWSPENDING"],
    )
    fresh = renew(source, source.initial)
    assert fresh is not None and fresh.password == "pending-pw-1"


def test_renew_waiting_gives_up_after_its_bound(secrets_manager):
    from workloads.common import renew_waiting

    arn = _secret(secrets_manager, {"username": "app", "password": "first-pw-123"})
    source = _resolve(arn)
    began = time.monotonic()
    assert renew_waiting(source, source.initial, max_seconds=0.3, initial_wait=0.05) is None
    # Only a guard against waiting without end: the backoff and the deadline themselves are
    # asserted on a stand-in clock (tests/unit/test_credential_renewal.py).
    assert time.monotonic() - began < 15


def test_a_redis_secret_authenticates_with_the_token_alone(secrets_manager):
    from contract import RedisOutputs
    from workloads.redis_workload import target_from
    from workloads.redis_workload.client import SecretAuth

    arn = _secret(secrets_manager, {"username": "default", "password": "token-from-secret-1"})
    section = RedisOutputs(
        primary_endpoint="h", port=6379, auth_token="old-token-1", secret_arn=arn
    )
    target = target_from(section)
    assert SecretAuth(target.primary).get_credentials() == ("token-from-secret-1",)
    assert target.reader.credentials == target.primary.credentials
    plain = RedisOutputs(primary_endpoint="h", port=6379, secret_arn="local")
    assert target_from(plain).primary.credentials is None  # a local Redis without AUTH


def test_a_redis_user_secret_in_the_elasticache_shape_logs_in_as_that_user(secrets_manager):
    from contract import RedisOutputs, RedisUserOutputs
    from workloads.redis_workload import target_from
    from workloads.redis_workload.client import SecretAuth

    value = {
        "username": "app",
        "password": "user-password-1",
        "user_arn": "arn:aws:elasticache:us-east-1:123456789012:user:dbtier-prod-redis-app",
    }
    arn = _secret(secrets_manager, value)
    app = RedisUserOutputs(
        username="app", user_id="dbtier-prod-redis-app", auth="password", secret_arn=arn
    )
    section = RedisOutputs(
        primary_endpoint="h", port=6379, secret_arn=arn, username="app", users={"app": app}
    )
    target = target_from(section)
    assert SecretAuth(target.primary).get_credentials() == ("app", "user-password-1")
    assert target.user == "app" and target.primary.user == "app"


def test_the_sql_workloads_take_credentials_from_the_secret(secrets_manager):
    from workloads.sql import ConnectionOptions, sql_endpoint

    arn = _secret(secrets_manager, {"username": "app", "password": "sql-secret-pw1"})
    section = RelationalOutputs(
        "db.example", 3306, "app", "app", "old-pw-1", secret_arn=arn, tls=False
    )
    endpoint = sql_endpoint("relational", "db.example", section, ConnectionOptions())
    assert endpoint.password == "sql-secret-pw1"
    forced = sql_endpoint(
        "relational", "db.example", section, ConnectionOptions(credentials="outputs")
    )
    assert forced.password == "old-pw-1"


def test_secrets_manager_is_reached_through_boto3s_own_endpoint_settings():
    # An explicit endpoint_url would override AWS_ENDPOINT_URL_SECRETS_MANAGER and the config file.
    source = Path("workloads/common/credentials.py").read_text(encoding="utf-8")
    calls = [node for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Call)]
    assert not [kw for call in calls for kw in call.keywords if kw.arg == "endpoint_url"]


def test_handling_gives_the_process_back_as_it_was():
    """What `main` installs for a run (handlers, wakeup fd, watchdog, the flags of a signal and
    of the printed line) is gone when it returns: a test run calling it stays as it was."""
    before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    threads = set(threading.enumerate())
    with interrupts.handling(lambda code: None):
        assert signal.getsignal(signal.SIGINT) is not before[signal.SIGINT]
        watchdogs = [t for t in threading.enumerate() if t.name == "signal-watchdog"]
        assert watchdogs and all(t.is_alive() for t in watchdogs)
        interrupts._received.append(signal.SIGINT)
        interrupts.say_once(lambda: None)
    assert {s: signal.getsignal(s) for s in before} == before
    assert signal.set_wakeup_fd(-1) == -1  # none was set before, none is left
    assert set(threading.enumerate()) <= threads
    assert interrupts.received() is None
    said: list[int] = []
    interrupts.say_once(lambda: said.append(1))
    assert said == [1]
