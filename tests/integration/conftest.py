"""Fixtures for the SQL workload tests: throw-away databases and users on the local engines.

``sql_stack`` provisions, once per session, a source and a target database on MariaDB and a
warehouse database on PostgreSQL, each with its own user and generated password (the same code as
standins/local_outputs.py), writes the stack-outputs file, and drops everything afterwards.
``run_workload`` runs ``python -m workloads ...`` as a user would. Other integration tests may use
both; nothing here is specific to one workload.
"""

from __future__ import annotations

import copy
import json
import secrets
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from standins.local_dynamo import moto_server
from standins.local_outputs import drop_all, mysql_admin, new_password, provision_all

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class SqlStack:
    """The generated outputs and where they are written."""

    path: Path
    outputs: dict[str, Any]
    prefix: str

    @property
    def passwords(self) -> list[str]:
        return [s["password"] for s in self.outputs.values() if "password" in s]

    def variant(self, tmp_path: Path, edit: Callable[[dict[str, Any]], None]) -> Path:
        """A copy of the outputs file changed by ``edit``."""
        data = copy.deepcopy(self.outputs)
        edit(data)
        path = tmp_path / f"outputs-{secrets.token_hex(3)}.json"
        path.write_text(json.dumps(data))
        return path


@pytest.fixture(scope="session")
def sql_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqlStack]:
    try:
        mysql_admin().close()
    except Exception as exc:
        pytest.fail(f"local MariaDB not reachable (scripts/engines.sh starts it): {exc}")
    prefix = f"dbtier_t{secrets.token_hex(4)}"
    passwords = {k: new_password() for k in ("relational", "aurora", "warehouse")}
    outputs = provision_all(prefix, passwords)
    path = tmp_path_factory.mktemp("sql") / "outputs.json"
    path.write_text(json.dumps(outputs))
    try:
        yield SqlStack(path=path, outputs=outputs, prefix=prefix)
    finally:
        drop_all(prefix)


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    """A moto server (every AWS API it has) on a free loopback port, for one test module."""
    with moto_server() as url:
        yield url


def _run(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "workloads", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def run_workload() -> Callable[..., subprocess.CompletedProcess[str]]:
    """``run_workload("relational", "--outputs", path, timeout=60)`` -> CompletedProcess."""
    return _run


@pytest.fixture
def assert_clean_error() -> Callable[..., None]:
    """Exit 2, exactly one line on stderr, no traceback, no secret anywhere in the output."""

    def check(done: subprocess.CompletedProcess[str], secrets_: list[str], *expect: str) -> None:
        assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1, done.stderr
        assert "Traceback" not in done.stderr
        for secret in secrets_:
            assert secret not in done.stdout
            assert secret not in done.stderr
        for text in expect:
            assert text in lines[0], lines[0]

    return check
