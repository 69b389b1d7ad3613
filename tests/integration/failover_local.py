"""The failover drill's stand-ins for RDS Multi-AZ and Aurora, each behind the AWS front
(``standins.aws_front``) with the matching moto resource, yielding (stand-in, front, outputs):

- ``mariadb_standin``: a MariaDB of its own, killed and started again by the forced-failover
  reboot (``standins.local_failover.MariaDb``);
- ``postgres_standin``: a PostgreSQL primary with a synchronous streaming standby (Aurora's
  storage keeps every acknowledged commit: a synchronous standby is the local equivalent),
  promoted with ``pg_ctl promote`` by ``FailoverDBCluster``, the endpoint (``standins.proxy``)
  moved to it.

Everything is stopped and removed on exit. The benchmark (bench/bench_failover.py) uses them too.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any

from contract import AuroraOutputs, RelationalOutputs, to_json
from standins.aws_front import AwsFront
from standins.local_failover import MariaDb, create_cluster, create_instance, stack_section
from standins.local_outputs import LOCAL_SECRET
from standins.proxy import Proxy
from tests.integration.pg_server import PgServer, free_port
from workloads.failover.watch import RESTART_SLACK

STANDBY_HOST = "127.0.0.2"


@contextlib.contextmanager
def mariadb_standin(instance_id: str = "dbtier-local-relational") -> Iterator[Any]:
    with contextlib.ExitStack() as stack:
        server = MariaDb()
        up_since = time.monotonic()
        stack.callback(server.close)
        front = AwsFront({"RebootDBInstance": server.failover})
        stack.callback(front.close)
        create_instance(front, instance_id, multi_az=True)
        section = RelationalOutputs(
            endpoint="127.0.0.1",
            port=server.port,
            database_name=server.database,
            username=server.user,
            password=server.password,
            secret_arn=LOCAL_SECRET,
            engine="mysql",
            tls=False,
            instance_ids=(instance_id,),
        )
        # The drill tells a restart from the server's start time, known to about a second
        # (MySQL's Uptime): a server restarted within RESTART_SLACK of its own start looks
        # unmoved. An RDS primary has been up far longer; so must the stand-in be.
        time.sleep(max(0.0, RESTART_SLACK + 1.0 - (time.monotonic() - up_since)))
        yield server, front, {RelationalOutputs.KEY: to_json(section), **stack_section()}


class PostgresPair:
    """The primary, its standby and the endpoint in front of them."""

    def __init__(self, stack: contextlib.ExitStack) -> None:
        port = free_port("127.0.0.1", STANDBY_HOST)
        # Commits wait for the standby ("walreceiver" is pg_basebackup's application name).
        self.primary = PgServer.create(port=port, synchronous_standby_names="walreceiver")
        stack.callback(self.primary.close)
        self.standby = self.primary.standby(STANDBY_HOST)
        stack.callback(self.standby.close)
        conn = self.primary.connect()
        conn.cursor().execute("CREATE DATABASE appdb")
        conn.close()
        self.proxy = Proxy((self.primary.host, port))
        stack.callback(self.proxy.close)
        self.promoted = False

    def failover(self, _params: dict[str, str]) -> None:
        self.standby.promote()
        self.proxy.move((self.standby.host, self.standby.port))
        self.promoted = True


@contextlib.contextmanager
def postgres_standin(cluster_id: str = "dbtier-local-aurora") -> Iterator[Any]:
    with contextlib.ExitStack() as stack:
        pair = PostgresPair(stack)
        front = AwsFront({"FailoverDBCluster": pair.failover})
        stack.callback(front.close)
        create_cluster(front, cluster_id, "aurora-postgresql", readers=1)
        section = AuroraOutputs(
            writer_endpoint="127.0.0.1",
            port=pair.proxy.port,
            database_name="appdb",
            username="postgres",
            password=pair.primary.password,
            secret_arn=LOCAL_SECRET,
            engine="aurora-postgresql",
            tls=False,
            cluster_id=cluster_id,
        )
        yield pair, front, {AuroraOutputs.KEY: to_json(section), **stack_section()}
