"""A throw-away MariaDB server for tests that change server-wide state (global variables, the
``mysql`` schema) or stop the server: ``mariadb-install-db`` in a temporary directory, a free
loopback port, root without a password over TCP, and the binary log on. The shared local MariaDB
(scripts/engines.sh) is never touched. ``close()`` stops the server and removes the directory.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import mysql.connector

from tests.integration.pg_server import free_port

MARIADBD = "/usr/sbin/mariadbd"
START_TIMEOUT = 60.0


def _tool(*names: str) -> str:
    for name in names:
        found = shutil.which(name) or (name if os.path.exists(name) else None)
        if found:
            return found
    raise RuntimeError(f"{names[0]} not found: install MariaDB's server (scripts/engines.sh)")


class MariadbServer:
    """One MariaDB server of the test's own on 127.0.0.1:``port``."""

    host = "127.0.0.1"

    def __init__(self, base: Path, port: int, options: tuple[str, ...] = ()) -> None:
        self.base, self.port, self.options = base, port, options
        self._proc: subprocess.Popen[bytes] | None = None

    @classmethod
    def start(cls, *options: str) -> MariadbServer:
        """Install a data directory and start the server (a few seconds); ``options`` are more
        ``--name=value`` server options."""
        base = Path(tempfile.mkdtemp(prefix="dbtier-mariadb-"))
        user = ["--user=root"] if os.geteuid() == 0 else []
        subprocess.run(
            [
                _tool("mariadb-install-db", "mysql_install_db"),
                "--no-defaults",  # not the shared server's /etc/mysql settings
                f"--datadir={base / 'data'}",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
                *user,
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        server = cls(base, free_port("127.0.0.1"), options)
        try:
            server.launch()
        except BaseException:
            server.close()
            raise
        return server

    def launch(self) -> None:
        """Start ``mariadbd`` on the data directory (again, after a shutdown) and wait for it."""
        user = ["--user=root"] if os.geteuid() == 0 else []
        self._proc = subprocess.Popen(
            [
                _tool("mariadbd", MARIADBD),
                "--no-defaults",
                f"--datadir={self.base / 'data'}",
                f"--socket={self.base / 'sock'}",
                f"--pid-file={self.base / 'pid'}",
                "--bind-address=127.0.0.1",
                f"--port={self.port}",
                f"--log-bin={self.base / 'data' / 'binlog'}",
                "--binlog-format=ROW",
                *user,
                *self.options,
            ],
            stdout=subprocess.DEVNULL,
            stderr=(self.base / "error.log").open("ab"),
        )
        self._wait()

    def wait_stopped(self, timeout: float = START_TIMEOUT) -> None:
        """After a shutdown from outside (``mariadb-admin shutdown``): until the process ended."""
        if self._proc is not None:
            self._proc.wait(timeout)

    def up(self) -> bool:
        try:
            self.connect().close()
        except mysql.connector.Error:
            return False
        return True

    def _wait(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                self.connect().close()
                return
            except mysql.connector.Error:
                ended = self._proc is None or self._proc.poll() is not None
                if ended or time.monotonic() > deadline:
                    log = (self.base / "error.log").read_text(errors="replace")[-2000:]
                    raise RuntimeError(f"mariadbd did not start: {log}") from None
                time.sleep(0.1)  # polling the port: the server says nothing when it is ready

    def connect(self) -> Any:
        return mysql.connector.connect(
            host="127.0.0.1", port=self.port, user="root", password="", connection_timeout=5
        )

    def close(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        shutil.rmtree(self.base, ignore_errors=True)


@contextlib.contextmanager
def mariadb_server(*options: str) -> Iterator[MariadbServer]:
    server = MariadbServer.start(*options)
    try:
        yield server
    finally:
        server.close()
