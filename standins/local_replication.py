"""A stand-in for DynamoDB global tables between the regions of one moto server.

moto keeps one DynamoDB per region but does not replicate between them. ``LocalReplicator``
does what global tables (version 2019.11.21) do, in miniature: it tails the stream of the
table in every region (NEW_AND_OLD_IMAGES) and applies each change to the same table in the
other regions, last writer wins. A change it applied itself comes back on the receiving
region's stream; it recognises its own write (same key, same image) and does not send it on.

Its lag is its poll interval plus moto's answer times: a local run's replication lag is what
this class does, never a prediction of DynamoDB's.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from typing import Any

import boto3

STAND_IN = "standins.local_replication (polls each region's stream)"


def _clients(endpoint_url: str, region: str) -> tuple[Any, Any]:
    # moto accepts any credentials; fixed ones keep a real profile out of a local run.
    session = boto3.session.Session(
        region_name=region,
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106 -- moto's dummy
    )
    return (
        session.client("dynamodb", endpoint_url=endpoint_url),
        session.client("dynamodbstreams", endpoint_url=endpoint_url),
    )


def _fingerprint(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


class LocalReplicator:
    """Replicates `table` between `regions` of the moto server at `endpoint_url` until stopped."""

    def __init__(
        self, endpoint_url: str, table: str, regions: Sequence[str], poll: float = 0.05
    ) -> None:
        self.table = table
        self.poll = poll
        self._clients = {region: _clients(endpoint_url, region) for region in regions}
        # (region, key) -> image (None: deleted) this replicator wrote there, not yet echoed.
        self._applied: dict[tuple[str, str], str] = {}
        # region -> shard id -> the next iterator of that shard.
        self._iterators: dict[str, dict[str, str | None]] = {r: {} for r in regions}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"replicate-{table}", daemon=True)

    def start(self) -> LocalReplicator:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            for region in self._clients:
                self._drain(region)
            self._stop.wait(self.poll)

    def _drain(self, region: str) -> None:
        dynamodb, streams = self._clients[region]
        arn = dynamodb.describe_table(TableName=self.table)["Table"].get("LatestStreamArn")
        if not arn:
            return
        shards = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
        iterators = self._iterators[region]
        for shard in shards:
            if shard["ShardId"] not in iterators:
                iterators[shard["ShardId"]] = streams.get_shard_iterator(
                    StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
                )["ShardIterator"]
        for shard_id in list(iterators):
            while iterators[shard_id]:
                page = streams.get_records(ShardIterator=iterators[shard_id])
                for record in page["Records"]:
                    self._apply(region, record["dynamodb"])
                iterators[shard_id] = page.get("NextShardIterator")
                if not page["Records"]:
                    break

    def _apply(self, source: str, change: dict[str, Any]) -> None:
        key, image = change["Keys"], change.get("NewImage")
        shown = _fingerprint(image)
        mine = (source, _fingerprint(key))
        if self._applied.get(mine) == shown:
            del self._applied[mine]  # the echo of a change this replicator made
            return
        for region, (dynamodb, _) in self._clients.items():
            if region == source:
                continue
            self._applied[(region, _fingerprint(key))] = shown
            if image is None:
                dynamodb.delete_item(TableName=self.table, Key=key)
            else:
                dynamodb.put_item(TableName=self.table, Item=image)
