"""Local stand-ins for the failover drill: engines on free ports in temporary directories, a
movable endpoint (``standins.proxy``) in front of them, and the AWS API (``standins.aws_front``).

- ``RedisPair``: a Redis primary and its replica; the failover promotes the replica
  (``REPLICAOF NO ONE``), moves the endpoint after ``lag`` seconds (the window in which
  ElastiCache's DNS name still names the old primary: writes acknowledged there are lost), then
  makes the old primary a replica of the new one. ``only_on_old`` counts the drill's keys the old
  primary had and the promoted replica had not: what the drill must report lost.
- ``MariaDb``: a MariaDB server of its own (never the shared one); the failover kills it and
  starts it again on the same data, standing in for the Multi-AZ reboot.

    python -m standins.local_failover redis --outputs out/failover-redis.json -- COMMAND...

starts the Redis pair, moto and the front, writes the outputs (with ``replicationGroupId``),
runs COMMAND with ``AWS_ENDPOINT_URL`` pointing at the front, and stops everything afterwards,
also on Ctrl-C or SIGTERM. Its exit code is COMMAND's.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import mysql.connector
import redis

from contract import RedisOutputs, StackOutputs, to_json
from standins.aws_front import AwsFront
from standins.local_dynamo import free_port
from standins.local_outputs import LOCAL_SECRET
from standins.proxy import Proxy

REGION = "us-east-1"
LOCAL_STACK = "local-failover"
FAKE_AWS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": REGION,
}


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``check`` every 50 ms until it is true; a RuntimeError naming ``what`` after
    ``timeout`` seconds. Errors of the engine being polled count as not yet."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, redis.RedisError, mysql.connector.Error):
            if check():
                return
        time.sleep(0.05)
    raise RuntimeError(f"timed out after {timeout:g}s waiting for {what}")


class RedisPair:
    """A primary and a replica on free ports; ``proxy`` is the endpoint the drill uses."""

    def __init__(self, lag: float = 0.0) -> None:
        self.lag = lag
        self.base = Path(tempfile.mkdtemp(prefix="dbtier-failover-redis-"))
        self.procs: list[subprocess.Popen[bytes]] = []
        self.ports = [free_port(), free_port()]
        self.primary, self.replica = self.ports
        self.only_on_old: int | None = None
        try:
            self._start(self.primary)
            self._start(self.replica, "--replicaof", "127.0.0.1", str(self.primary))
            wait_until(
                lambda: self.client(self.replica).info("replication")["master_link_status"] == "up",
                30,
                "the replica to sync",
            )
        except BaseException:
            self.close()
            raise
        self.proxy = Proxy(("127.0.0.1", self.primary))

    def _start(self, port: int, *extra: str) -> None:
        workdir = self.base / str(port)
        workdir.mkdir()
        command = [shutil.which("redis-server") or "/usr/bin/redis-server", "--port", str(port)]
        command += ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        command += ["--dir", str(workdir), *extra]
        self.procs.append(
            subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        )
        wait_until(lambda: bool(self.client(port).ping()), 30, f"redis-server on {port}")

    def client(self, port: int) -> redis.Redis:
        return redis.Redis(port=port, socket_timeout=2, decode_responses=True)

    def failover(self, _params: dict[str, str]) -> None:
        """What ElastiCache's test failover does, in its order: promote, move, demote."""
        old, new = self.primary, self.replica
        self.client(new).execute_command("REPLICAOF", "NO", "ONE")
        time.sleep(self.lag)  # the old primary still takes writes: they are lost
        self.proxy.move(("127.0.0.1", new))
        pattern = "*failover:*"
        had = set(self.client(old).scan_iter(match=pattern, count=1000))
        has = set(self.client(new).scan_iter(match=pattern, count=1000))
        self.only_on_old = len(had - has)
        self.client(old).execute_command("REPLICAOF", "127.0.0.1", str(new))
        self.primary, self.replica = new, old

    def close(self) -> None:
        if hasattr(self, "proxy"):
            self.proxy.close()
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(self.base, ignore_errors=True)


class MariaDb:
    """A MariaDB server of its own: ``mariadb-install-db`` in a temporary directory, a free port,
    one user with a generated password; ``failover`` kills it and starts it on the same data."""

    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="dbtier-failover-mariadb-"))
        self.data, self.socket = self.base / "data", self.base / "mysqld.sock"
        self.port = free_port()
        self.user, self.password = "failover", secrets.token_urlsafe(18)
        self.database = "appdb"
        self.proc: subprocess.Popen[bytes] | None = None
        self.restarts = 0
        try:
            self._as_server_user()
            subprocess.run(
                [
                    "mariadb-install-db",
                    "--no-defaults",
                    f"--datadir={self.data}",
                    *self._user_args(),
                    "--auth-root-authentication-method=normal",
                    "--skip-test-db",
                ],
                capture_output=True,
                timeout=120,
                check=True,
            )
            self.start()
            admin = mysql.connector.connect(unix_socket=str(self.socket), user="root")
            cur = admin.cursor()
            cur.execute(f"CREATE DATABASE {self.database}")
            cur.execute(f"CREATE USER '{self.user}'@'%' IDENTIFIED BY %s", (self.password,))
            cur.execute(f"GRANT ALL ON {self.database}.* TO '{self.user}'@'%'")
            admin.close()
        except BaseException:
            self.close()
            raise

    def _user_args(self) -> list[str]:
        return ["--user=mysql"] if os.geteuid() == 0 else []

    def _as_server_user(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.base, "mysql", "mysql")

    def start(self) -> None:
        command = [
            shutil.which("mariadbd") or "/usr/sbin/mariadbd",
            "--no-defaults",
            f"--datadir={self.data}",
            f"--socket={self.socket}",
            f"--port={self.port}",
            "--bind-address=127.0.0.1",
            f"--pid-file={self.base / 'mysqld.pid'}",
            "--skip-log-bin",
            "--innodb-buffer-pool-size=16M",
            "--innodb-flush-log-at-trx-commit=1",  # an acknowledged commit is on disk
            *self._user_args(),
        ]
        log = open(self.base / "server.log", "ab")  # noqa: SIM115 - the server's, closed by it
        self.proc = subprocess.Popen(command, stdout=log, stderr=log)
        log.close()
        wait_until(self._answers, 60, f"mariadbd on {self.port}")

    def _answers(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            raise RuntimeError(f"mariadbd exited: see {self.base / 'server.log'}")
        with socket.create_connection(("127.0.0.1", self.port), 0.2):
            return True

    def failover(self, _params: dict[str, str]) -> None:
        """A crash and a start on the same data: what a Multi-AZ reboot looks like locally."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(30)
        self.restarts += 1
        self.start()

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(30)
        shutil.rmtree(self.base, ignore_errors=True)


def aws_client(front: AwsFront, service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=front.url,
        region_name=REGION,
        aws_access_key_id=FAKE_AWS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=FAKE_AWS["AWS_SECRET_ACCESS_KEY"],
    )


def create_replication_group(front: AwsFront, group_id: str, nodes: int = 2) -> None:
    aws_client(front, "elasticache").create_replication_group(
        ReplicationGroupId=group_id,
        ReplicationGroupDescription="dbtier failover drill stand-in",
        Engine="redis",
        CacheNodeType="cache.t4g.micro",
        # moto 5 counts a non-cluster group's nodes from ReplicasPerNodeGroup, not NumCacheClusters
        ReplicasPerNodeGroup=nodes - 1,
        AutomaticFailoverEnabled=nodes > 1,
    )


def create_instance(front: AwsFront, instance_id: str, multi_az: bool = True) -> None:
    aws_client(front, "rds").create_db_instance(
        DBInstanceIdentifier=instance_id,
        Engine="mysql",
        DBInstanceClass="db.t4g.micro",
        AllocatedStorage=20,
        MasterUsername="dbadmin",
        MasterUserPassword=secrets.token_urlsafe(12),
        MultiAZ=multi_az,
    )


def create_cluster(front: AwsFront, cluster_id: str, engine: str, readers: int = 1) -> None:
    rds = aws_client(front, "rds")
    rds.create_db_cluster(
        DBClusterIdentifier=cluster_id,
        Engine=engine,
        MasterUsername="dbadmin",
        MasterUserPassword=secrets.token_urlsafe(12),
    )
    for i in range(readers + 1):
        rds.create_db_instance(
            DBInstanceIdentifier=f"{cluster_id}-{'writer' if i == 0 else f'reader-{i}'}",
            DBClusterIdentifier=cluster_id,
            Engine=engine,
            DBInstanceClass="db.serverless",
        )


def stack_section() -> dict[str, Any]:
    return {StackOutputs.KEY: to_json(StackOutputs(LOCAL_STACK, {"Stack": LOCAL_STACK}))}


def redis_section(pair: RedisPair, group_id: str) -> dict[str, Any]:
    section = RedisOutputs(
        primary_endpoint="127.0.0.1",
        port=pair.proxy.port,
        secret_arn=LOCAL_SECRET,
        tls=False,
        replication_group_id=group_id,
    )
    return {RedisOutputs.KEY: to_json(section)}


@contextlib.contextmanager
def redis_standin(lag: float = 0.0, group_id: str = "dbtier-local-redis") -> Iterator[Any]:
    """(pair, front, outputs) of a Redis pair behind the front; everything stopped after."""
    with contextlib.ExitStack() as stack:
        pair = RedisPair(lag)
        stack.callback(pair.close)
        front = AwsFront({"TestFailover": pair.failover})
        stack.callback(front.close)
        create_replication_group(front, group_id)
        yield pair, front, {**redis_section(pair, group_id), **stack_section()}


def _terminated(*_: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m standins.local_failover")
    parser.add_argument("kind", choices=["redis"])
    parser.add_argument("--outputs", required=True, type=Path)
    parser.add_argument("--lag", type=float, default=0.2, help="seconds before the move (0.2)")
    given = list(sys.argv[1:] if argv is None else argv)
    if "--" not in given or given.index("--") == len(given) - 1:
        parser.error("give the command to run after --")
    split = given.index("--")
    args, command = parser.parse_args(given[:split]), given[split + 1 :]
    # SIGTERM unwinds like Ctrl-C, so the engines are stopped either way.
    signal.signal(signal.SIGTERM, _terminated)
    try:
        with redis_standin(args.lag) as (_pair, front, outputs):
            args.outputs.parent.mkdir(parents=True, exist_ok=True)
            args.outputs.write_text(json.dumps(outputs, indent=2))
            env = {**os.environ, **FAKE_AWS, "AWS_ENDPOINT_URL": front.url}
            return subprocess.run(command, env=env, check=False).returncode
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
