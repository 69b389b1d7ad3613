"""Run a command against a local moto server standing in for DynamoDB and DynamoDB Streams.

Starts moto's server on a free port, creates the stack's default table (``contract.tables``)
there, writes a stack-outputs file with the ``dynamo`` section a deployed stack exports (plus
``endpointUrl``), runs the command, stops the server and exits with the command's status:

    .venv/bin/python -m standins.local_dynamo --outputs out/local-dynamo.json -- \\
        .venv/bin/python -m workloads dynamo --outputs out/local-dynamo.json --drain-stream

With ``--replica-region`` (once per region) the tables are global tables: created in each
replica region too, listed as ``replicas`` in the outputs, and replicated between the regions by
``standins.local_replication`` (moto does not replicate), for ``workloads dynamo --region`` and
``--replication``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
from moto.server import ThreadedMotoServer

from contract import DynamoOutputs, DynamoReplicaOutputs, DynamoTableOutputs, to_json
from contract.tables import SEED_TABLE, TableSchema, create_table_kwargs
from standins.local_replication import LocalReplicator

REGION = "us-east-1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def moto_server() -> Iterator[str]:
    """moto's server (every AWS API it has) on a free loopback port: its URL; stopped after."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access log line per request
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def _create(endpoint_url: str, region: str, table: TableSchema) -> dict[str, Any]:
    """Create `table` in `region` of the moto server; its description."""
    # moto accepts any credentials; fixed ones keep a real profile out of a local run.
    client = boto3.client(
        "dynamodb",
        region_name=region,
        endpoint_url=endpoint_url,
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106 -- moto's dummy
    )
    client.create_table(**create_table_kwargs(table))
    described: dict[str, Any] = client.describe_table(TableName=table.name)["Table"]
    return described


def local_outputs(
    endpoint_url: str,
    tables: tuple[TableSchema, ...] = (SEED_TABLE,),
    replica_regions: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Create ``tables`` at ``endpoint_url`` (in each of ``replica_regions`` too); the stack
    outputs that describe them."""
    created = {}
    for table in tables:
        described = _create(endpoint_url, REGION, table)
        replicas = []
        for region in replica_regions:
            there = _create(endpoint_url, region, table)
            replicas.append(
                DynamoReplicaOutputs(region, there["TableArn"], there.get("LatestStreamArn"))
            )
        created[table.name] = DynamoTableOutputs(
            table_name=described["TableName"],
            arn=described["TableArn"],
            stream_arn=described.get("LatestStreamArn"),
            indexes=tuple(gsi["IndexName"] for gsi in described.get("GlobalSecondaryIndexes", [])),
            replicas=tuple(replicas),
        )
    section = DynamoOutputs(region=REGION, tables=created, endpoint_url=endpoint_url)
    return to_json({DynamoOutputs.KEY: section})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outputs", required=True, help="where to write the outputs JSON")
    parser.add_argument("--port", type=int, default=0, help="moto port (default: a free one)")
    parser.add_argument(
        "--replica-region",
        action="append",
        default=[],
        help="a replica region of every table (repeat for more); replicated by the stand-in",
    )
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- command to run")
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access log per request
    port = args.port or free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    replicas = tuple(dict.fromkeys(r for r in args.replica_region if r != REGION))
    replicators: list[LocalReplicator] = []
    try:
        outputs = local_outputs(url, replica_regions=replicas)
        if replicas:
            replicators = [LocalReplicator(url, SEED_TABLE.name, (REGION, *replicas)).start()]
        path = Path(args.outputs)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(outputs, indent=2) + "\n", encoding="utf-8")
        print(f"local_dynamo: moto at http://127.0.0.1:{port}, outputs in {path}", file=sys.stderr)
        if not command:
            print("local_dynamo: no command; serving until Ctrl-C", file=sys.stderr)
            try:
                server._thread.join()  # type: ignore[union-attr]
            except KeyboardInterrupt:
                return 0
            return 0
        return subprocess.call(command)
    finally:
        for replicator in replicators:
            replicator.stop()
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
