"""Run a command against a local moto server standing in for DynamoDB and DynamoDB Streams.

Starts moto's server on a free port, creates the stack's default tables (components.config) there,
writes a stack-outputs file with the ``dynamo`` section a deployed stack exports (plus
``endpointUrl``), runs the command, stops the server and exits with the command's status:

    .venv/bin/python scripts/local_dynamo.py --outputs out/local-dynamo.json -- \\
        .venv/bin/python -m workloads dynamo --outputs out/local-dynamo.json --drain-stream
"""

from __future__ import annotations

import argparse
import json
import logging
import socket
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from moto.server import ThreadedMotoServer

from workloads.dynamo import create_table_kwargs, default_table_configs, make_clients

REGION = "us-east-1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def local_outputs(endpoint_url: str) -> dict[str, object]:
    """Create the default tables at ``endpoint_url``; the stack outputs that describe them."""
    client, _ = make_clients(REGION, endpoint_url)
    tables = {}
    for name, cfg in default_table_configs().items():
        kwargs = create_table_kwargs(cfg)
        client.create_table(**kwargs)
        described = client.describe_table(TableName=kwargs["TableName"])["Table"]
        tables[name] = {
            "tableName": described["TableName"],
            "arn": described["TableArn"],
            "streamArn": described.get("LatestStreamArn"),
            "indexes": [gsi["IndexName"] for gsi in described.get("GlobalSecondaryIndexes", [])],
            "processorFunction": None,
        }
    return {"dynamo": {"region": REGION, "endpointUrl": endpoint_url, "tables": tables}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outputs", required=True, help="where to write the outputs JSON")
    parser.add_argument("--port", type=int, default=0, help="moto port (default: a free one)")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- command to run")
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access log per request
    port = args.port or free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        outputs = local_outputs(f"http://127.0.0.1:{port}")
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
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
