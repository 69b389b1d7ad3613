"""``relational``: check a fresh RDS MySQL tier from its stack outputs.

Creates the seed's ``users`` table and a replica-lag marker table (idempotent), upserts the sample
users (a second run inserts nothing and fails nothing), reads from the primary and from every
reader endpoint, and measures each reader's replica lag: a marker row is written on the primary
and each reader is polled until it sees it. Works on MySQL 8.4 and on MariaDB.
"""

from __future__ import annotations

import argparse
import secrets
import time
from typing import Any

import mysql.connector

from workloads.common import (
    EXIT_BAD_INPUT,
    EXIT_CHECK_FAILED,
    EXIT_OK,
    Outputs,
    WorkloadError,
    emit,
    log,
    one_line,
    progress,
    redact,
    render_table,
    retrying,
)
from workloads.sql import (
    Endpoint,
    add_connection_arguments,
    endpoint_from_outputs,
    mysql_connect,
    mysql_is_transient,
    server_flavor,
)

HELP = "RDS MySQL: idempotent schema and sample users, reads from primary and readers, replica lag"

SAMPLE_USERS = [
    ("John Doe", "john@example.com"),
    ("Jane Smith", "jane@example.com"),
    ("Bob Johnson", "bob@example.com"),
    ("Alice Brown", "alice@example.com"),
]

SCHEMA = [
    """
    CREATE TABLE IF NOT EXISTS users (
        id INT AUTO_INCREMENT PRIMARY KEY,
        name VARCHAR(100) NOT NULL,
        email VARCHAR(100) NOT NULL UNIQUE,
        created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS dbtier_lag_marker (
        token CHAR(32) PRIMARY KEY,
        written_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
    )
    """,
]

# The no-op update makes a re-run harmless: MySQL reports 1 affected row per inserted user and
# 0 per user already present and unchanged.
UPSERT_USER = "INSERT INTO users (name, email) VALUES (%s, %s) ON DUPLICATE KEY UPDATE id = id"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_connection_arguments(parser)
    parser.add_argument(
        "--lag-timeout",
        type=float,
        default=30.0,
        metavar="S",
        help="fail a reader that does not see the marker row within S seconds (default 30)",
    )
    parser.add_argument(
        "--sample", type=int, default=5, metavar="N", help="rows to show from each endpoint"
    )


def _retry_query(describe: str) -> Any:
    return retrying(mysql_is_transient, attempts=4, max_seconds=20, describe=describe)


def prepare(conn: Any) -> dict[str, int]:
    """Create the schema and upsert the sample users; report inserted vs already present."""
    cur = conn.cursor()
    for statement in SCHEMA:
        cur.execute(statement)
    inserted = 0
    for name, email in SAMPLE_USERS:
        cur.execute(UPSERT_USER, (name, email))
        inserted += max(cur.rowcount, 0)
    cur.close()
    return {"inserted": inserted, "alreadyPresent": len(SAMPLE_USERS) - inserted}


def read_users(conn: Any, sample: int) -> dict[str, Any]:
    """Count the users and show the first few (by id)."""
    cur = conn.cursor()
    cur.execute("SELECT COUNT(*) FROM users")
    (count,) = cur.fetchone()
    cur.execute("SELECT id, name, email FROM users ORDER BY id LIMIT %s", (sample,))
    rows = [{"id": r[0], "name": r[1], "email": r[2]} for r in cur.fetchall()]
    cur.close()
    return {"count": int(count), "sample": rows}


def measure_lag(
    primary: Any, readers: list[tuple[str, Any]], timeout: float
) -> dict[str, float | None]:
    """Write one marker on the primary; seconds until each reader sees it (None: not in time)."""
    token = secrets.token_hex(16)
    cur = primary.cursor()
    cur.execute("INSERT INTO dbtier_lag_marker (token) VALUES (%s)", (token,))
    written = time.monotonic()
    cur.close()
    lag: dict[str, float | None] = {}
    pending = dict(readers)
    delay = 0.005
    while pending:
        for host, conn in list(pending.items()):
            rcur = conn.cursor()
            rcur.execute("SELECT 1 FROM dbtier_lag_marker WHERE token = %s", (token,))
            seen = rcur.fetchone() is not None
            rcur.close()
            if seen:
                lag[host] = round(time.monotonic() - written, 4)
                del pending[host]
        if pending and time.monotonic() - written > timeout:
            lag.update(dict.fromkeys(pending))
            break
        if pending:
            time.sleep(delay)
            delay = min(delay * 2, 0.25)
    cur = primary.cursor()
    # Old markers are noise: keep the table small (and this run's row gone) on every run.
    cur.execute(
        "DELETE FROM dbtier_lag_marker WHERE token = %s OR written_at < NOW(6) - INTERVAL 1 DAY",
        (token,),
    )
    cur.close()
    return lag


def run(args: argparse.Namespace, outputs: Outputs) -> int:
    primary_ep = endpoint_from_outputs(outputs, "relational", "endpoint", args)
    reader_hosts = outputs.field("relational", "readerEndpoints", list, default=[])
    for i, host in enumerate(reader_hosts):
        if not isinstance(host, str) or not host:
            raise WorkloadError(
                f'{outputs.source}: malformed key "relational.readerEndpoints[{i}]" '
                "(expected a host name)"
            )
    engine = outputs.field("relational", "engine", str, default="mysql")
    result: dict[str, Any] = {"workload": "relational", "engine": engine}
    bar = progress(3 + len(reader_hosts), "relational", disable=args.json)

    primary = mysql_connect(primary_ep)
    try:
        flavor = server_flavor(primary.cursor(buffered=True))
        result["server"] = flavor
        result["users"] = _retry_query("create schema")(prepare, primary)
        bar.update()
        result["primary"] = {"host": primary_ep.host, **read_users(primary, args.sample)}
        bar.update()
        readers: list[tuple[str, Any]] = []
        reader_results: list[dict[str, Any]] = []
        unreachable = False
        for i, host in enumerate(reader_hosts):
            reader_ep: Endpoint = primary_ep.at(host, f"relational reader {i + 1}")
            try:
                conn = mysql_connect(reader_ep)
            except WorkloadError as exc:
                unreachable = True
                reader_results.append({"host": host, "error": str(exc)})
                continue
            readers.append((host, conn))
            reader_results.append({"host": host, **read_users(conn, args.sample)})
            bar.update()
        lag = measure_lag(primary, readers, args.lag_timeout) if readers else {}
        bar.update()
        for entry in reader_results:
            if "error" not in entry:
                entry["lagSeconds"] = lag.get(entry["host"])
        for _, conn in readers:
            conn.close()
        result["readers"] = reader_results
    except mysql.connector.Error as exc:
        raise WorkloadError(
            redact(f"relational at {primary_ep.host}:{primary_ep.port}: {one_line(exc)}")
        ) from None
    finally:
        bar.close()
        primary.close()

    lagging = [r["host"] for r in result["readers"] if "error" not in r and r["lagSeconds"] is None]
    behind = [
        r["host"]
        for r in result["readers"]
        if "error" not in r and r["count"] < result["primary"]["count"] and r["lagSeconds"] is None
    ]
    result["ok"] = not lagging and not unreachable
    if lagging:
        result["problem"] = (
            f"reader(s) {', '.join(lagging)} did not see the marker row within "
            f"{args.lag_timeout:g}s" + (f"; behind on users: {', '.join(behind)}" if behind else "")
        )
    log.info("relational done: ok=%s", result["ok"])
    emit(result, args.json, render)
    if unreachable:
        return EXIT_BAD_INPUT
    return EXIT_OK if result["ok"] else EXIT_CHECK_FAILED


def render(result: dict[str, Any]) -> str:
    users = result["users"]
    primary = result["primary"]
    lines = [
        f"relational ({result['engine']} on {result['server']})",
        f"schema ready; sample users: {users['inserted']} inserted, "
        f"{users['alreadyPresent']} already present",
        "",
        f"primary {primary['host']}: {primary['count']} users",
        render_table(
            ["id", "name", "email"], [(r["id"], r["name"], r["email"]) for r in primary["sample"]]
        ),
    ]
    if not result["readers"]:
        lines += ["", "no reader endpoints in the outputs: replica lag not measured"]
    for reader in result["readers"]:
        lines.append("")
        if "error" in reader:
            lines.append(f"reader {reader['host']}: UNREACHABLE: {reader['error']}")
            continue
        lag = reader["lagSeconds"]
        lag_text = f"replica lag {lag * 1000:.1f} ms" if lag is not None else "replica lag: TIMEOUT"
        lines.append(f"reader {reader['host']}: {reader['count']} users, {lag_text}")
    if result.get("problem"):
        lines += ["", f"FAILED: {result['problem']}"]
    return "\n".join(lines)
