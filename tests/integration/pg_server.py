"""A throw-away PostgreSQL server for tests that must stop, restart or replicate one: ``initdb``
in a temporary directory, a free port on a loopback address, a generated superuser password
(scram-sha-256 over TCP), and a streaming standby made with ``pg_basebackup`` when asked for.

The shared local PostgreSQL (scripts/engines.sh) is never touched. PostgreSQL refuses to run as
root, so as root the server's commands run as the ``postgres`` user (``runuser``) and the
directory is handed to it. ``close()`` stops the server at once and removes the directory.
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg2

SERVER_USER = "postgres"


def _bin(tool: str) -> str:
    """A PostgreSQL server tool from PATH, else from the newest /usr/lib/postgresql/*/bin."""
    found = shutil.which(tool)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{tool}"))
    if not candidates:
        raise RuntimeError(f"{tool} not found: install PostgreSQL's server (scripts/engines.sh)")
    return candidates[-1]


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", SERVER_USER, "--", *command]


def free_port(*hosts: str) -> int:
    """A TCP port free on every one of ``hosts`` (so two servers can share it on two addresses)."""
    for _ in range(50):
        with socket.socket() as sock:
            sock.bind((hosts[0], 0))
            port = int(sock.getsockname()[1])
        try:
            for host in hosts[1:]:
                with socket.socket() as sock:
                    sock.bind((host, port))
        except OSError:
            continue
        return port
    raise RuntimeError("no free port")


class PgServer:
    """One PostgreSQL server of the test's own, listening on ``host:port`` only."""

    def __init__(self, base: Path, host: str, port: int, password: str, settings: str = "") -> None:
        self.base = base
        self.data = base / "data"
        self.host = host
        self.port = port
        self.password = password  # the superuser's (postgres)
        self.settings = settings  # more `-c name=value` options for the server

    @classmethod
    def create(cls, host: str = "127.0.0.1", port: int | None = None, **settings: str) -> PgServer:
        """initdb and start a new server (a few seconds); ``settings`` are server settings."""
        options = " ".join(f"-c {name}={value}" for name, value in settings.items())
        server = cls(_new_base(), host, port or free_port(host), secrets.token_urlsafe(24), options)
        pwfile = server.base / "pw"
        pwfile.write_text(server.password + "\n")
        _hand_over(pwfile)
        server._run(
            _bin("initdb"),
            "-D",
            str(server.data),
            "-U",
            SERVER_USER,
            f"--pwfile={pwfile}",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--no-sync",  # a test's data: no need to wait for the disk at creation
            "--encoding=UTF8",
            "--locale=C",
        )
        pwfile.unlink()
        server.start()
        return server

    def standby(self, host: str) -> PgServer:
        """A streaming standby of this server on ``host`` and the same port, started."""
        replica = PgServer(_new_base(), host, self.port, self.password)
        conninfo = f"host={self.host} port={self.port} user={SERVER_USER} password={self.password}"
        replica._run(
            _bin("pg_basebackup"),
            "-d",
            conninfo,
            "-D",
            str(replica.data),
            "--write-recovery-conf",
            "--checkpoint=fast",
            "--no-sync",
        )
        replica.start()
        return replica

    def _run(self, *command: str, timeout: float = 120) -> None:
        done = subprocess.run(
            _as_server_user(list(command)),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{command[0]} failed: {done.stderr.strip() or done.stdout}")

    def _pg_ctl(self, *args: str) -> None:
        self._run(_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.base / "log"), *args)

    def start(self) -> None:
        # Its own socket directory, so that servers on one port and two addresses do not meet.
        options = (
            f"-c listen_addresses={self.host} -p {self.port} "
            f"-c unix_socket_directories={self.base} -c shared_buffers=16MB -c max_connections=40 "
            + self.settings
        )
        self._pg_ctl("-w", "-t", "60", "-o", options, "start")

    def restart(self) -> None:
        """``pg_ctl restart -m fast``: sessions are ended, the server stops and starts again."""
        self._pg_ctl("-w", "-t", "60", "-m", "fast", "restart")

    def promote(self) -> None:
        """``pg_ctl promote``: a standby stops replaying and becomes a primary."""
        self._pg_ctl("-w", "-t", "60", "promote")

    def connect(self, dbname: str = "postgres") -> Any:
        conn = psycopg2.connect(
            host=self.host,
            port=self.port,
            user=SERVER_USER,
            password=self.password,
            dbname=dbname,
            connect_timeout=10,
        )
        conn.autocommit = True
        return conn

    def wait_replayed(self, primary: PgServer, timeout: float = 30.0) -> None:
        """Until this standby has replayed everything ``primary`` has written so far."""
        conn = primary.connect()
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT pg_current_wal_lsn()")
                (target,) = cur.fetchone()
        finally:
            conn.close()
        deadline = time.monotonic() + timeout
        conn = self.connect()
        try:
            with conn.cursor() as cur:
                while True:
                    cur.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (target,))
                    if cur.fetchone()[0]:
                        return
                    if time.monotonic() > deadline:
                        raise RuntimeError("the standby did not catch up")
                    time.sleep(0.05)
        finally:
            conn.close()

    def close(self) -> None:
        """Stop at once (no checkpoint: the data is thrown away) and remove everything."""
        if (self.data / "postmaster.pid").exists():
            subprocess.run(
                _as_server_user([_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"]),
                capture_output=True,
                timeout=60,
                check=False,
            )
        shutil.rmtree(self.base, ignore_errors=True)


def _new_base() -> Path:
    base = Path(tempfile.mkdtemp(prefix="dbtier-pg-"))
    _hand_over(base)
    return base


def _hand_over(path: Path) -> None:
    """As root: the server's user owns ``path`` (what it creates under it is its own)."""
    if os.geteuid() == 0:
        shutil.chown(path, SERVER_USER, SERVER_USER)
