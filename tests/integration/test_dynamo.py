"""The ``dynamo`` workload end to end against moto's server (DynamoDB and DynamoDB Streams).

Each test table is created from the stack configuration the DynamoTable component reads
(``dbtier:dynamo`` of Pulumi.dev.yaml, else the component's defaults), so the table the tests
exercise and the table a stack deploys cannot drift apart.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.stack_config import parse
from contract.tables import TableSchema, create_table_kwargs
from lambdas.stream_processor import LRUStore
from standins.local_dynamo import free_port, moto_server
from workloads import dynamo
from workloads.dynamo.cli import DEFAULT_TABLES
from workloads.dynamo.data import DEPARTMENTS, HIGH_SALARY, User, generate_users
from workloads.dynamo.reads import DEPARTMENT_INDEX, EMAIL_INDEX, USER_HASH_KEY

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
REGION = "us-east-1"
SEED = 7


def stack_table_config(stack: str = "dev") -> TableSchema:
    """UserProfiles exactly as the stack's config (or the code defaults) defines it."""
    raw: dict[str, Any] = {}
    stack_file = ROOT / f"Pulumi.{stack}.yaml"
    if stack_file.exists():
        config = (yaml.safe_load(stack_file.read_text()) or {}).get("config") or {}
        if "dbtier:dynamo" in config:
            raw["dbtier:dynamo"] = config["dbtier:dynamo"]
    tables = {t.schema.name: t.schema for t in parse(raw).dynamo.tables}
    return tables["UserProfiles"]


@pytest.fixture(scope="module")
def endpoint():
    with moto_server() as url:
        yield url


@pytest.fixture(scope="module")
def clients(endpoint):
    return dynamo.make_clients(REGION, endpoint, workers=8)


@pytest.fixture
def table(clients) -> str:
    """A fresh table per test, from the stack config, deleted afterwards."""
    client, _ = clients
    name = f"UserProfiles-{uuid.uuid4().hex[:8]}"
    kwargs = create_table_kwargs(stack_table_config(), name)
    assert dynamo.ensure_table(client, kwargs)
    yield name
    client.delete_table(TableName=name)


def model(count: int) -> list[User]:
    return list(generate_users(SEED, count))


def ids(items) -> list[str]:
    return [item["userId"] for item in items]


def test_the_stack_table_is_the_one_the_workload_creates_and_queries(clients, table):
    # --create-table (local runs) and the deployed stack must build the same table ...
    assert create_table_kwargs(stack_table_config(), table) == create_table_kwargs(
        DEFAULT_TABLES["UserProfiles"], table
    )
    # ... with the key and the indexes the workload's reads use.
    client, _ = clients
    described = client.describe_table(TableName=table)["Table"]
    assert described["KeySchema"] == [{"AttributeName": USER_HASH_KEY, "KeyType": "HASH"}]
    indexes = {
        gsi["IndexName"]: [k["AttributeName"] for k in gsi["KeySchema"]]
        for gsi in described["GlobalSecondaryIndexes"]
    }
    assert indexes == {EMAIL_INDEX: ["email"], DEPARTMENT_INDEX: ["department", "createdAt"]}
    assert described["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"


def test_populate_twice_then_every_query_matches_the_model(clients, table):
    client, _ = clients
    users = model(300)
    first = dynamo.populate(client, table, 300, seed=SEED, workers=6)
    second = dynamo.populate(client, table, 300, seed=SEED, workers=6)
    assert first.items == second.items == 300
    all_ids = ids(dynamo.paginate(client, "scan", 50, TableName=table))
    assert sorted(all_ids) == sorted(u.user_id for u in users)  # idempotent: no extra items

    assert dynamo.get_user(client, table, users[4].user_id) == users[4].item()
    assert dynamo.get_user(client, table, "user_9999") is None

    by_email = Counter(u.email for u in users)
    for email, expected in by_email.items():
        found = list(dynamo.query_by_email(client, table, email, page_size=3))
        assert len(found) == expected, email
        assert {item["email"] for item in found} == {email}

    for department in DEPARTMENTS:
        expected = sorted(u.user_id for u in users if u.department == department)
        assert sorted(ids(dynamo.query_by_department(client, table, department, page_size=9))) == (
            expected
        )
    lo, hi = "2025-06-01", "2025-09-01"
    expected = sorted(
        u.user_id for u in users if u.department == "Sales" and lo <= u.created_at <= hi
    )
    assert expected  # the range must select something, or the test proves nothing
    ranged = dynamo.query_by_department(
        client, table, "Sales", created_from=lo, created_to=hi, page_size=4
    )
    assert sorted(ids(ranged)) == expected
    only_from = dynamo.query_by_department(client, table, "Sales", created_from=hi)
    assert sorted(ids(only_from)) == sorted(
        u.user_id for u in users if u.department == "Sales" and u.created_at >= hi
    )

    active = sorted(ids(dynamo.scan_active(client, table, page_size=11)))
    assert active == sorted(u.user_id for u in users if u.is_active)
    high = sorted(ids(dynamo.scan_high_salary(client, table, page_size=11)))
    assert high == sorted(u.user_id for u in users if u.salary > HIGH_SALARY)


@pytest.mark.parametrize(
    ("segments", "page_size"),
    [pytest.param(1, 5, id="1-segment-5-per-page"), pytest.param(4, 7, id="4-segments-7-per-page")],
)
def test_scan_with_small_pages_returns_every_item_exactly_once(clients, table, segments, page_size):
    client, _ = clients
    dynamo.populate(client, table, 123, seed=SEED, workers=4)
    per_segment = dynamo.parallel_scan(client, table, segments=segments, page_size=page_size)
    assert len(per_segment) == segments
    seen = Counter(key for segment in per_segment for key in segment)
    assert set(seen.values()) == {1}
    assert sorted(seen) == sorted(u.user_id for u in model(123))


def test_conditional_update_returns_old_and_new_and_never_creates(clients, table):
    client, _ = clients
    users = model(10)
    dynamo.populate(client, table, 10, seed=SEED, workers=2)
    update = dynamo.update_salary(client, table, users[0].user_id, 123_456)
    assert (update.found, update.old_salary, update.new_salary) == (True, users[0].salary, 123_456)
    assert dynamo.get_user(client, table, users[0].user_id)["salary"] == 123_456
    missing = dynamo.update_salary(client, table, "user_0404", 1)
    assert missing == dynamo.SalaryUpdate(user_id="user_0404", found=False)
    assert dynamo.get_user(client, table, "user_0404") is None


def test_drained_stream_gives_one_insert_per_item_and_one_modify_per_update(clients, table):
    client, streams = clients
    users = model(60)
    dynamo.populate(client, table, 60, seed=SEED, workers=4)
    updated = {users[i].user_id: users[i] for i in (0, 17, 59)}
    for uid in updated:
        dynamo.update_salary(client, table, uid, 200_000)
    dynamo.update_salary(client, table, "user_0999", 1)  # fails its condition: no record

    arn = dynamo.stream_arn_of(client, table, None)
    report = dynamo.drain_stream(streams, arn, keep_lines=True)
    assert report.failures == 0
    assert report.by_event == Counter({"INSERT": 60, "MODIFY": 3})
    inserts = [line for line in report.lines if line["eventName"] == "INSERT"]
    assert sorted(line["keys"]["userId"] for line in inserts) == sorted(u.user_id for u in users)
    by_id = {u.user_id: u for u in users}
    for line in inserts:
        assert line["newImage"] == by_id[line["keys"]["userId"]].item()
    modifies = [line for line in report.lines if line["eventName"] == "MODIFY"]
    assert sorted(line["keys"]["userId"] for line in modifies) == sorted(updated)
    for line in modifies:
        user = updated[line["keys"]["userId"]]
        assert line["changes"]["salary"] == {"old": user.salary, "new": 200_000}

    # A second drain (a replay through the same store) processes nothing twice.
    store = LRUStore()
    dynamo.drain_stream(streams, arn, store=store)
    again = dynamo.drain_stream(streams, arn, store=store)
    assert again.by_status == Counter({"duplicate": 63})


class FlakyBatchClient:
    """The real client, except that BatchWriteItem leaves part of some requests unprocessed."""

    def __init__(self, client: Any, unprocessed_calls: int, keep: int = 10) -> None:
        self._client = client
        self._left = unprocessed_calls
        self._keep = keep
        self._lock = threading.Lock()
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def batch_write_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.calls += 1
            throttle = self._left > 0
            self._left -= 1
        if not throttle:
            return self._client.batch_write_item(RequestItems=RequestItems)
        ((table, requests),) = RequestItems.items()
        written, left = requests[: self._keep], requests[self._keep :]
        if written:
            self._client.batch_write_item(RequestItems={table: written})
        return {"UnprocessedItems": {table: left} if left else {}}


def test_injected_unprocessed_items_are_retried_until_every_item_is_written(clients, table):
    client, _ = clients
    flaky = FlakyBatchClient(client, unprocessed_calls=12, keep=5)
    stats = dynamo.populate(flaky, table, 200, seed=SEED, workers=4)
    assert stats.items == 200
    assert stats.resent_items > 0
    assert stats.requests == flaky.calls > 200 // 25
    stored = {item["userId"]: item for item in dynamo.paginate(client, "scan", TableName=table)}
    assert stored == {u.user_id: u.item() for u in model(200)}


def test_items_never_processed_give_up_after_bounded_attempts(clients, table):
    client, _ = clients
    flaky = FlakyBatchClient(client, unprocessed_calls=1_000, keep=0)
    items = [u.ddb_item() for u in model(3)]
    with pytest.raises(dynamo.UnprocessedItemsError):
        dynamo.write_batch(flaky, table, items, attempts=3)
    assert flaky.calls == 3


# --- the command line ----------------------------------------------------------------------


def run_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "workloads", "dynamo", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def outputs_file(tmp_path: Path, endpoint: str, table: str, **extra: Any) -> Path:
    data = {
        "dynamo": {
            "region": REGION,
            "endpointUrl": endpoint,
            "tables": {"UserProfiles": {"tableName": table, "streamArn": None, **extra}},
        }
    }
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(data))
    return path


def test_cli_creates_the_table_and_runs_every_step_twice_with_the_same_result(
    tmp_path, endpoint, clients
):
    name = f"UserProfiles-cli-{uuid.uuid4().hex[:6]}"
    path = outputs_file(tmp_path, endpoint, name)
    results = []
    for _ in range(2):
        done = run_cli(
            "--outputs", str(path), "--json", "--create-table", "--drain-stream", "--users", "40"
        )
        assert done.returncode == 0, done.stderr
        results.append(json.loads(done.stdout))
    users = list(generate_users(42, 40))  # the CLI's default seed
    for result in results:
        (table,) = result["tables"]
        assert table["ok"] is True
        assert table["populate"]["items"] == 40
        assert table["parallelScan"]["items"] == 40
        assert table["parallelScan"]["duplicates"] == 0
        assert table["scanActive"]["count"] == sum(u.is_active for u in users)
        assert table["update"]["found"] is True
    assert results[0]["tables"][0]["update"]["oldSalary"] == users[0].salary
    # The stream keeps the first run's 40 INSERTs and its update's MODIFY.
    assert results[0]["tables"][0]["stream"]["events"] == {"INSERT": 40, "MODIFY": 1}
    clients[0].delete_table(TableName=name)


def test_cli_unreachable_endpoint_exits_2_with_one_line(tmp_path):
    path = outputs_file(tmp_path, f"http://127.0.0.1:{free_port()}", "UserProfiles")
    done = run_cli("--outputs", str(path), "--max-attempts", "2", timeout=60)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "cannot reach" in lines[0]


def test_cli_missing_table_exits_2_and_says_so(tmp_path, endpoint):
    path = outputs_file(tmp_path, endpoint, "NoSuchTable")
    done = run_cli("--outputs", str(path))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "NoSuchTable does not exist" in done.stderr


@pytest.mark.parametrize(
    ("dynamo_section", "message"),
    [
        pytest.param({"tables": {}}, 'missing key "dynamo.region"', id="region-missing"),
        pytest.param(
            {"region": REGION, "tables": []},
            'malformed key "dynamo.tables" (expected an object, got a list)',
            id="tables-a-list",
        ),
        pytest.param(
            {"region": REGION, "tables": {}}, '"dynamo.tables" is empty', id="tables-empty"
        ),
        pytest.param(
            {"region": REGION, "tables": {"T": {"arn": "x"}}},
            'missing key "dynamo.tables.T.tableName"',
            id="tableName-missing",
        ),
    ],
)
def test_cli_malformed_outputs_exit_2_naming_the_key(tmp_path, dynamo_section, message):
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps({"dynamo": dynamo_section}))
    done = run_cli("--outputs", str(path))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert message in done.stderr
