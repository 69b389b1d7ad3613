"""Stacks like conftest's ``sql_stack`` with other engines in the outputs, for the SQL workload
tests that run on each engine, and a way to look into a section's database as its admin.

``sql_stack`` (the session's) has relational ``mysql`` and aurora ``aurora-mysql`` on the local
MariaDB. ``pg_stack`` has relational ``postgres`` and aurora ``aurora-postgresql`` on the local
PostgreSQL: its own databases and users with generated passwords (standins.local_outputs, as
the local run makes them), provisioned once per test module that uses it and dropped after.
``mysql_stack`` is ``sql_stack``'s kind with databases of the module's own. ``stack`` is
``mysql_stack`` or ``pg_stack``, by the parameter ``ENGINES`` names: a test that takes ``stack``
runs once per engine. ``own_mariadb_stack`` is ``sql_stack``'s kind on a MariaDB server of the test's own
(tests/integration/mariadb_server.py), for a test that stops and starts the server.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg2
import pytest

from standins.local_outputs import drop_all, mysql_admin, new_password, provision_all
from tests.integration.mariadb_server import MariadbServer
from workloads.sql.engines import FAMILIES, POSTGRES

ROOT = Path(__file__).resolve().parents[2]

# The outputs' engines of each variant (standins.local_outputs.provision_all's arguments).
PG_ENGINES = {"relational_engine": "postgres", "aurora_engine": "aurora-postgresql"}
ENGINES = ["mysql", "postgres"]


def _module_stack(
    sql_stack: Any, tmp_path_factory: pytest.TempPathFactory, letter: str, **engines: str
) -> Iterator[Any]:
    prefix = f"dbtier_{letter}{secrets.token_hex(4)}"
    passwords = {k: new_password() for k in ("relational", "aurora", "warehouse")}
    outputs = provision_all(prefix, passwords, **engines)
    path = tmp_path_factory.mktemp(prefix) / "outputs.json"
    path.write_text(json.dumps(outputs))
    try:
        yield dataclasses.replace(sql_stack, path=path, outputs=outputs, prefix=prefix)
    finally:
        drop_all(prefix)


@pytest.fixture(scope="module")
def pg_stack(sql_stack: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Like ``sql_stack`` (the same type), on the local PostgreSQL."""
    yield from _module_stack(sql_stack, tmp_path_factory, "p", **PG_ENGINES)


@pytest.fixture(scope="module")
def mysql_stack(sql_stack: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Like ``sql_stack`` (MySQL on MariaDB), with databases of the module's own: a test that
    expects them empty does not find what another module left in the session's ``sql_stack``
    (which other modules ran before it on the same worker depends on how they were shared)."""
    yield from _module_stack(sql_stack, tmp_path_factory, "s")


@pytest.fixture
def own_mariadb_stack(sql_stack: Any, tmp_path: Path) -> Iterator[tuple[Any, MariadbServer]]:
    """Like ``sql_stack`` (the same type), relational and aurora on a MariaDB server of this
    test's own, and that server; the warehouse on the local PostgreSQL as usual."""
    server = MariadbServer.start()
    prefix = f"dbtier_m{secrets.token_hex(4)}"
    hosts = {"mysql_host": server.host, "mysql_port": server.port}
    try:
        passwords = {k: new_password() for k in ("relational", "aurora", "warehouse")}
        outputs = provision_all(prefix, passwords, **hosts)
        path = tmp_path / "outputs.json"
        path.write_text(json.dumps(outputs))
        yield dataclasses.replace(sql_stack, path=path, outputs=outputs, prefix=prefix), server
    finally:
        try:
            if not server.up():  # a failed test may leave it stopped: the warehouse goes too
                server.launch()
            drop_all(prefix, **hosts)
        finally:
            server.close()


@pytest.fixture(scope="module", params=ENGINES)
def stack(request: pytest.FixtureRequest) -> Any:
    """``mysql_stack`` (MySQL on MariaDB) or ``pg_stack`` (PostgreSQL), the module's own."""
    return request.getfixturevalue("mysql_stack" if request.param == "mysql" else "pg_stack")


def is_postgres(section: dict[str, Any]) -> bool:
    return FAMILIES[section["engine"]] == POSTGRES


def admin_sql(section: dict[str, Any], statement: str, params: tuple[Any, ...] = ()) -> list[Any]:
    """Run ``statement`` in the section's database as the server's admin; the rows, if any."""
    database = section["databaseName"]
    if is_postgres(section):
        conn = psycopg2.connect(
            host=section.get("endpoint") or section["writerEndpoint"],
            port=section["port"],
            user="postgres",
            dbname=database,
        )
        conn.autocommit = True
    else:
        conn = mysql_admin()
        conn.database = database
    try:
        cur = conn.cursor()
        cur.execute(statement, params)
        rows = cur.fetchall() if cur.description else []
        cur.close()
        return list(rows)
    finally:
        conn.close()


def aurora_load_in_background(
    path: Path, *, duration: int, verify_timeout: int
) -> subprocess.Popen[str]:
    """``aurora-load --json`` (3 worker threads, 70 % inserts, paced to 300 operations/s: what
    the restart tests count needs no more, and unpaced the workers and the server would take both
    cores from the tests beside them) started and left running, for a test that restarts the
    server under it."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "workloads",
            "aurora-load",
            "--outputs",
            str(path),
            "--json",
            "--duration",
            str(duration),
            "--workers",
            "3",
            "--mix",
            "70",
            "--rate",
            "300",
            "--verify-timeout",
            str(verify_timeout),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
