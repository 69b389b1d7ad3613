"""A throw-away MariaDB server for a test that must stop and start one under a running workload:
``mariadb-install-db`` in a temporary directory and ``mariadbd`` on a free loopback port, so the
shared local MariaDB (scripts/engines.sh), which other tests and workers use at the same time, is
never restarted.

Both run with ``--no-defaults``: the system's option files name port 3306 and the shared server's
socket. As root the server runs as the ``mysql`` user (``--user``), which owns the directory.
Root logs in over TCP without a password, as on the shared local engine (loopback only, thrown
away with the directory). ``close()`` stops the server and removes the directory.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from standins.local_outputs import mysql_admin
from tests.integration.pg_server import free_port, hand_over

SERVER_USER = "mysql"
MARIADBD = shutil.which("mariadbd", path=f"/usr/sbin:{os.environ.get('PATH', '')}")


class MariaDbServer:
    """One MariaDB server of the test's own, listening on ``127.0.0.1:port`` only."""

    def __init__(self, base: Path, port: int) -> None:
        self.base = base
        self.data = base / "data"
        self.host = "127.0.0.1"
        self.port = port
        self.proc: subprocess.Popen[bytes] | None = None

    @classmethod
    def create(cls) -> MariaDbServer:
        """Install the system tables and start the server (a few seconds)."""
        if MARIADBD is None or shutil.which("mariadb-install-db") is None:
            raise RuntimeError("mariadbd not found: install MariaDB's server (scripts/engines.sh)")
        base = Path(tempfile.mkdtemp(prefix="dbtier-mariadb-"))
        hand_over(base, SERVER_USER)
        server = cls(base, free_port("127.0.0.1"))
        try:
            done = subprocess.run(
                [
                    "mariadb-install-db",
                    "--no-defaults",
                    f"--datadir={server.data}",
                    *_as_root(f"--user={SERVER_USER}"),
                    "--auth-root-authentication-method=normal",
                    "--skip-test-db",
                    "--skip-name-resolve",
                ],
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            if done.returncode != 0:
                raise RuntimeError(f"mariadb-install-db failed: {done.stderr.strip()[-400:]}")
            server.start()
        except BaseException:
            server.close()
            raise
        return server

    def start(self, timeout: float = 60.0) -> None:
        """Start ``mariadbd`` and wait until root can log in over TCP."""
        assert MARIADBD is not None
        self.proc = subprocess.Popen(
            [
                MARIADBD,
                "--no-defaults",
                *_as_root(f"--user={SERVER_USER}"),
                f"--datadir={self.data}",
                f"--port={self.port}",
                f"--bind-address={self.host}",
                f"--socket={self.base / 'mysqld.sock'}",
                f"--pid-file={self.base / 'mysqld.pid'}",
                f"--log-error={self.base / 'error.log'}",
                "--skip-name-resolve",
                "--innodb-buffer-pool-size=32M",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while not self.up():
            if self.proc.poll() is not None:
                raise RuntimeError(f"mariadbd exited {self.proc.returncode}: {self._log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"mariadbd did not accept logins: {self._log_tail()}")
            time.sleep(0.1)

    def up(self) -> bool:
        try:
            mysql_admin(self.host, self.port).close()
        except Exception:
            return False
        return True

    def wait_stopped(self, timeout: float = 60.0) -> None:
        """After a shutdown from outside (``mariadb-admin shutdown``): until the process ended."""
        if self.proc is not None:
            self.proc.wait(timeout)

    def _log_tail(self) -> str:
        with contextlib.suppress(OSError):
            return " | ".join((self.base / "error.log").read_text().splitlines()[-5:])
        return "(no error log)"

    def close(self) -> None:
        """Stop at once (the data is thrown away) and remove everything."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(30)
        shutil.rmtree(self.base, ignore_errors=True)


def _as_root(option: str) -> list[str]:
    """``--user=mysql`` where it applies: only root may hand the server to another user."""
    return [option] if os.geteuid() == 0 else []
