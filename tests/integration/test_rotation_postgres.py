"""Credential rotation on PostgreSQL: aurora-load started before a rotation finishes after it.

As tests/integration/test_rotation.py does on MariaDB (its moto server, secrets and rotation
steps are reused): the aurora section is ``aurora-postgresql`` on the local PostgreSQL, its
credentials in a secret on moto's server. While aurora-load runs, the test rotates the password
the way AWS's single-user function does (``AWSPENDING``, ``ALTER ROLE``, ``AWSCURRENT``) and
ends the user's sessions with ``pg_terminate_backend``, so that every worker must reconnect,
be refused with the old password and renew it from the secret.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from psycopg2 import sql

from standins.local_outputs import new_password, pg_admin
from tests.integration.engine_stacks import PG_ENGINES
from tests.integration.test_rotation import Stack, finish, moto_url, wait_until, workload

pytestmark = pytest.mark.integration

__all__ = ["moto_url"]  # a fixture, used by name


@pytest.fixture
def stack(tmp_path: Path, moto_url: str) -> Iterator[Stack]:
    made = Stack(tmp_path, moto_url, **PG_ENGINES)
    try:
        yield made
    finally:
        made.drop()


def sessions_of(user: str, *, terminate: bool = False) -> int:
    """How many sessions ``user`` has (ending them all with ``terminate``)."""
    admin = pg_admin()
    try:
        with admin.cursor() as cur:
            verb = "pg_terminate_backend(pid)" if terminate else "pid"
            cur.execute(f"SELECT {verb} FROM pg_stat_activity WHERE usename = %s", (user,))
            return len(cur.fetchall())
    finally:
        admin.close()


def test_aurora_load_on_postgres_survives_a_single_user_rotation(stack):
    user = stack.outputs["aurora"]["username"]
    proc = workload(
        stack.client.meta.endpoint_url,
        "aurora-load",
        "--outputs",
        str(stack.write()),
        "--json",
        "--rate",  # paced: a rotation needs load, not both cores
        "400",
        "--duration",
        "6",
        "--workers",
        "4",
        "--mix",
        "70",
        "--cleanup",
        background=True,
    )
    wait_until(lambda: sessions_of(user) >= 4, proc, "the workers connected")
    time.sleep(1)  # a second of load before the rotation
    admin = pg_admin()

    def set_password(value: dict[str, Any]) -> None:
        with admin.cursor() as cur:
            cur.execute(
                sql.SQL("ALTER ROLE {} PASSWORD %s").format(sql.Identifier(user)),
                (value["password"],),
            )

    try:
        stack.rotate("aurora", set_password, password=new_password())
    finally:
        admin.close()
    ended = sessions_of(user, terminate=True)
    code, out, err = finish(proc)
    assert code == 0, err
    result = json.loads(out)
    assert ended >= 4
    check = result["verification"]
    assert check["lost"] == 0, check
    assert check["acknowledged"] == result["inserts"] > 0
    assert result["fatalErrors"] == []
    assert set(result["errors"]) <= {"connection terminated", "connection lost"}, result["errors"]
    assert sum(result["errors"].values()) == result["reconnects"] >= 4
    assert result["credentials"]["source"] == "secret"
    assert result["credentials"]["renewals"] >= 1
    assert result["deletedRows"] == result["inserts"]
    for password in stack.seen:
        assert password not in out and password not in err
