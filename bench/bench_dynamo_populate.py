"""Benchmark: the ``dynamo`` workload's populate against boto3's batch_writer and one put per item.

moto's server stands in for DynamoDB, in a process of its own; a small TCP proxy (another process)
adds a fixed delay to every request, like a real region's round trip. Each writer fills its own
table (the stack's default table, the seed's UserProfiles) with the same generated users; the final contents are then
compared item by item. Speed is reported as ratios, since absolute figures depend on the machine.

    .venv/bin/python -m bench.bench_dynamo_populate --items 100000 --latency-ms 5
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import multiprocessing
import socket
import subprocess
import sys
import time
from typing import Any

import boto3

from contract.tables import SEED_TABLE, create_table_kwargs
from standins.local_dynamo import free_port
from workloads import dynamo
from workloads.dynamo.data import generate_users

REGION = "us-east-1"


def wait_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listening on {port}")


# --- latency proxy (its own process, so its work does not compete with the client's GIL) -------


async def _pipe(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    state: dict,
    delay: float,
    request_side: bool,
) -> None:
    try:
        while data := await reader.read(65536):
            if request_side:
                # HTTP/1.1 on a kept-alive connection alternates request and response: delay only
                # the first bytes of each request, so each request costs exactly one delay.
                if state["new_request"]:
                    state["new_request"] = False
                    await asyncio.sleep(delay)
            else:
                state["new_request"] = True
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def _proxy_main(listen: int, target: int, delay: float) -> None:
    async def handle(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        up_r, up_w = await asyncio.open_connection("127.0.0.1", target)
        state = {"new_request": True}
        await asyncio.gather(
            _pipe(client_r, up_w, state, delay, True), _pipe(up_r, client_w, state, delay, False)
        )

    server = await asyncio.start_server(handle, "127.0.0.1", listen, backlog=512)
    async with server:
        await server.serve_forever()


def run_proxy(listen: int, target: int, delay: float) -> None:
    asyncio.run(_proxy_main(listen, target, delay))


# --- writers -------------------------------------------------------------------------------


def table_kwargs(name: str) -> dict[str, Any]:
    return create_table_kwargs(SEED_TABLE, name)


def writer_workload(client: Any, table: str, count: int, seed: int, workers: int) -> None:
    dynamo.populate(client, table, count, seed=seed, workers=workers)


def writer_batch_writer(resource: Any, table: str, count: int, seed: int) -> None:
    with resource.Table(table).batch_writer() as batch:
        for user in generate_users(seed, count):
            batch.put_item(Item=user.item())


def writer_put_item(resource: Any, table: str, count: int, seed: int) -> None:
    handle = resource.Table(table)
    for user in generate_users(seed, count):
        handle.put_item(Item=user.item())


def contents(client: Any, table: str) -> dict[str, dict[str, Any]]:
    return {item["userId"]: item for item in dynamo.paginate(client, "scan", TableName=table)}


def timed(fn: Any, *args: Any) -> float:
    started = time.perf_counter()
    fn(*args)
    return time.perf_counter() - started


def bench(endpoint: str, items: int, per_item: int, seed: int, workers: int, label: str) -> dict:
    client, _ = dynamo.make_clients(REGION, endpoint, workers=workers)
    resource = boto3.resource(
        "dynamodb",
        region_name=REGION,
        endpoint_url=endpoint,
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    runs = {
        # baseline first: the workload never gets a warmer server than its baselines
        "batch": (writer_batch_writer, (resource,), items),
        "workload": (writer_workload, (client,), items),
        "put": (writer_put_item, (resource,), per_item),
    }
    seconds: dict[str, float] = {}
    stored: dict[str, dict[str, dict[str, Any]]] = {}
    for name, (writer, head, count) in runs.items():
        # One table at a time, dropped after its check: moto keeps everything in one process's
        # memory and slows down as it grows, which would penalise whichever writer runs last.
        table = f"bench-{name}-{int(time.time() * 1000)}"
        dynamo.ensure_table(client, table_kwargs(table))
        extra = (workers,) if name == "workload" else ()
        seconds[name] = timed(writer, *head, table, count, seed, *extra)
        stored[name] = contents(client, table)
        client.delete_table(TableName=table)
    expected = {u.user_id: u.item() for u in generate_users(seed, items)}
    identical = stored["workload"] == stored["batch"] == expected
    identical_put = stored["put"] == {k: expected[k] for k in list(expected)[:per_item]}
    rates = {name: runs[name][2] / seconds[name] for name in runs}
    print(
        f"[{label}] items={items} (per-item baseline: {per_item}) workers={workers}\n"
        f"  workload populate : {rates['workload']:9.0f} items/s\n"
        f"  boto3 batch_writer: {rates['batch']:9.0f} items/s\n"
        f"  one put per item  : {rates['put']:9.0f} items/s\n"
        f"  ratio vs batch_writer: {rates['workload'] / rates['batch']:.2f}x, "
        f"vs put_item: {rates['workload'] / rates['put']:.1f}x\n"
        f"  identical contents: workload == batch_writer == model: {identical}; "
        f"put_item == model subset: {identical_put}",
        flush=True,
    )
    return {"label": label, "rates": rates, "identical": identical and identical_put}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--per-item", type=int, default=3_000, help="items for the put_item loop")
    parser.add_argument("--latency-ms", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--skip-no-latency", action="store_true")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    moto_port, proxy_port = free_port(), free_port()
    moto = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(moto_port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    proxy = multiprocessing.get_context("spawn").Process(
        target=run_proxy, args=(proxy_port, moto_port, args.latency_ms / 1000), daemon=True
    )
    proxy.start()
    ok = True
    try:
        wait_port(moto_port)
        wait_port(proxy_port)
        runs = [(f"http://127.0.0.1:{proxy_port}", f"+{args.latency_ms:g} ms per request")]
        if not args.skip_no_latency:
            runs.append((f"http://127.0.0.1:{moto_port}", "no added latency"))
        for endpoint, label in runs:
            result = bench(endpoint, args.items, args.per_item, args.seed, args.workers, label)
            ok = ok and result["identical"]
    finally:
        proxy.terminate()
        moto.terminate()
        try:
            moto.wait(10)
        except subprocess.TimeoutExpired:
            moto.kill()
            moto.wait(10)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
