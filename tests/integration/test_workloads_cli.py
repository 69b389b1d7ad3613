"""The workloads command line: bad outputs files, wrong passwords, closed ports, missing tools.

Every failure must be one line on stderr with exit code 2 and never show a password.
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import pytest

from tests.integration.engine_stacks import pg_stack

pytestmark = pytest.mark.integration

__all__ = ["pg_stack"]  # a fixture, used by name

SQL_WORKLOADS = ["relational", "aurora-load", "warehouse", "migration-check"]
SECTION = {
    "relational": "relational",
    "aurora-load": "aurora",
    "warehouse": "warehouse",
    "migration-check": "relational",
}


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again when the socket goes


def test_help_lists_every_workload(run_workload):
    done = run_workload("--help")
    assert done.returncode == 0
    for name in [*SQL_WORKLOADS, "dynamo", "redis"]:
        assert name in done.stdout


def test_unknown_workload_is_a_one_line_error(run_workload, assert_clean_error):
    assert_clean_error(run_workload("nosuch", "--outputs", "x.json"), [], "unknown workload")


def test_missing_outputs_file(run_workload, assert_clean_error, tmp_path):
    done = run_workload("relational", "--outputs", str(tmp_path / "none.json"))
    assert_clean_error(done, [], "no such file")


def test_invalid_json(run_workload, assert_clean_error, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"relational": {')
    assert_clean_error(run_workload("relational", "--outputs", str(path)), [], "not valid JSON")


@pytest.mark.parametrize("name", SQL_WORKLOADS)
def test_missing_key_is_named(name, run_workload, assert_clean_error, sql_stack, tmp_path):
    section = SECTION[name]
    path = sql_stack.variant(tmp_path, lambda d: d[section].pop("port"))
    done = run_workload(name, "--outputs", str(path))
    assert_clean_error(done, sql_stack.passwords, f'missing key "{section}.port"')


def test_missing_section_is_named(run_workload, assert_clean_error, sql_stack, tmp_path):
    path = sql_stack.variant(tmp_path, lambda d: d.pop("warehouse"))
    done = run_workload("warehouse", "--outputs", str(path))
    assert_clean_error(done, sql_stack.passwords, 'missing key "warehouse"')


def test_mistyped_key_is_named(run_workload, assert_clean_error, sql_stack, tmp_path):
    path = sql_stack.variant(tmp_path, lambda d: d["relational"].update(port="three"))
    done = run_workload("relational", "--outputs", str(path))
    assert_clean_error(done, sql_stack.passwords, 'malformed key "relational.port"')


def test_masked_secret_says_show_secrets(run_workload, assert_clean_error, sql_stack, tmp_path):
    path = sql_stack.variant(tmp_path, lambda d: d["aurora"].update(password="[secret]"))
    done = run_workload("aurora-load", "--outputs", str(path))
    assert_clean_error(done, sql_stack.passwords, "--show-secrets")


@pytest.mark.parametrize("name", SQL_WORKLOADS)
def test_wrong_password(name, run_workload, assert_clean_error, sql_stack, tmp_path):
    wrong = "Wr0ng-" + "x" * 20
    section = SECTION[name]
    path = sql_stack.variant(tmp_path, lambda d: d[section].update(password=wrong))
    done = run_workload(name, "--outputs", str(path), timeout=60)
    assert_clean_error(done, [*sql_stack.passwords, wrong], "cannot connect")


@pytest.mark.parametrize("name", SQL_WORKLOADS)
def test_closed_port(name, run_workload, assert_clean_error, sql_stack, tmp_path):
    section = SECTION[name]
    port = closed_port()
    path = sql_stack.variant(tmp_path, lambda d: d[section].update(port=port))
    done = run_workload(name, "--outputs", str(path), "--connect-timeout", "2", timeout=60)
    assert_clean_error(done, sql_stack.passwords, f":{port}")


def test_tls_required_without_ca_bundle(run_workload, assert_clean_error, sql_stack, tmp_path):
    path = sql_stack.variant(tmp_path, lambda d: d["relational"].pop("tls"))
    done = run_workload(
        "relational", "--outputs", str(path), "--ca-bundle", str(tmp_path / "missing.pem")
    )
    assert_clean_error(done, sql_stack.passwords, "CA bundle")


def test_tls_verification_refuses_a_server_without_tls(
    run_workload, assert_clean_error, sql_stack, tmp_path
):
    # Any PEM will do: the local server offers no TLS, so a verified connection cannot happen and
    # the tool must not fall back to plain text.
    bundle = tmp_path / "bundle.pem"
    bundle.write_text(Path("/etc/ssl/certs/ca-certificates.crt").read_text())
    path = sql_stack.variant(tmp_path, lambda d: d["relational"].pop("tls"))
    done = run_workload("relational", "--outputs", str(path), "--ca-bundle", str(bundle))
    assert_clean_error(done, sql_stack.passwords, "cannot connect")


def test_stack_without_pulumi_cli(run_workload, assert_clean_error):
    env_path = os.environ.get("PATH", "")
    os.environ["PATH"] = os.path.dirname(sys.executable)
    try:
        done = run_workload("relational", "--stack", "dev")
    finally:
        os.environ["PATH"] = env_path
    assert_clean_error(done, [], "pulumi CLI")


def test_usage_error_exits_2(run_workload):
    done = run_workload("relational")
    assert done.returncode == 2
    assert "--outputs" in done.stderr


def test_verbose_run_never_prints_the_password(run_workload, sql_stack):
    done = run_workload("relational", "--outputs", str(sql_stack.path), "-v")
    assert done.returncode == 0, done.stderr
    assert "connecting to relational" in done.stderr
    for secret in sql_stack.passwords:
        assert secret not in done.stdout
        assert secret not in done.stderr


# --- every engine of the outputs: SQL Server and Oracle refused, PostgreSQL like MySQL --------


@pytest.mark.parametrize(
    ("engine", "name", "client"),
    [
        ("sqlserver-ee", "SQL Server", "sqlcmd"),
        ("sqlserver-ex", "SQL Server", "sqlcmd"),
        ("oracle-se2", "Oracle", "sqlplus"),
        ("oracle-ee", "Oracle", "sqlplus"),
    ],
)
def test_engine_without_a_local_engine_is_refused(
    engine, name, client, run_workload, assert_clean_error, sql_stack, tmp_path
):
    path = sql_stack.variant(tmp_path, lambda d: d["relational"].update(engine=engine))
    done = run_workload("relational", "--outputs", str(path))
    assert_clean_error(
        done,
        sql_stack.passwords,
        f'"relational.engine" is {engine}: there is no local {name} engine here',
        f"({client})",
        "mysql, mariadb or postgres",
    )
    assert done.stdout == ""


def test_unknown_aurora_engine_is_refused(run_workload, assert_clean_error, sql_stack, tmp_path):
    path = sql_stack.variant(tmp_path, lambda d: d["aurora"].update(engine="aurora-db2"))
    done = run_workload("aurora-load", "--outputs", str(path))
    assert_clean_error(
        done,
        sql_stack.passwords,
        '"aurora.engine" is aurora-db2',
        "aurora-mysql or aurora-postgresql",
    )


PG_WORKLOADS = ["relational", "aurora-load"]


@pytest.mark.parametrize("name", PG_WORKLOADS)
def test_wrong_password_on_postgres(name, run_workload, assert_clean_error, pg_stack, tmp_path):
    wrong = "Wr0ng-" + "y" * 20
    section = SECTION[name]
    path = pg_stack.variant(tmp_path, lambda d: d[section].update(password=wrong))
    done = run_workload(name, "--outputs", str(path), timeout=60)
    assert_clean_error(
        done, [*pg_stack.passwords, wrong], "cannot connect", "password authentication failed"
    )


@pytest.mark.parametrize("name", PG_WORKLOADS)
def test_closed_port_on_postgres(name, run_workload, assert_clean_error, pg_stack, tmp_path):
    section = SECTION[name]
    port = closed_port()
    path = pg_stack.variant(tmp_path, lambda d: d[section].update(port=port))
    done = run_workload(name, "--outputs", str(path), "--connect-timeout", "2", timeout=60)
    assert_clean_error(done, pg_stack.passwords, f":{port}")


def test_postgres_tls_verification_refuses_a_server_without_tls(
    run_workload, assert_clean_error, pg_stack, tmp_path
):
    # sslmode=verify-full: the local server offers no TLS, and there is no plain-text fallback.
    bundle = tmp_path / "bundle.pem"
    bundle.write_text(Path("/etc/ssl/certs/ca-certificates.crt").read_text())
    path = pg_stack.variant(tmp_path, lambda d: d["relational"].pop("tls"))
    done = run_workload("relational", "--outputs", str(path), "--ca-bundle", str(bundle))
    assert_clean_error(done, pg_stack.passwords, "cannot connect", "SSL")
