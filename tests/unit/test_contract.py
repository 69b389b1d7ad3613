"""The stack-output contract: what the program exports, stand-ins write and workloads read."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from contract import (
    SECTIONS,
    ContractError,
    DynamoOutputs,
    DynamoTableOutputs,
    RedisOutputs,
    RelationalOutputs,
    exported,
    read_section,
    to_json,
)
from contract.outputs import camel
from standins.local_outputs import build_outputs, redis_outputs
from tests.plan_snapshot import stored


def exported_names(cls: type) -> set[str]:
    return {camel(f.name) for f in dataclasses.fields(cls) if not f.metadata.get("local")}


@pytest.mark.parametrize("cls", SECTIONS, ids=lambda c: c.KEY)
def test_prod_plan_exports_exactly_the_contract_fields(cls: type) -> None:
    outputs = stored("prod")["outputs"]
    assert set(outputs[cls.KEY]) == exported_names(cls)


def test_dynamo_tables_export_the_table_contract() -> None:
    tables = stored("prod")["outputs"]["dynamo"]["tables"]
    for table in tables.values():
        assert set(table) == exported_names(DynamoTableOutputs)


def test_exported_refuses_a_field_the_contract_does_not_name() -> None:
    values = {f.name: "x" for f in dataclasses.fields(RedisOutputs)}
    values.pop("auth_token")
    with pytest.raises(TypeError, match=r"missing \['auth_token'\]"):
        exported(RedisOutputs, **values, authToken="x")


def test_local_outputs_round_trip_through_the_contract() -> None:
    data: dict[str, Any] = {
        **build_outputs("p", {"relational": "a1", "aurora": "b2", "warehouse": "c3"}),
        **redis_outputs(),
    }
    relational = read_section(data, RelationalOutputs, "f")
    assert relational.tls is False
    assert relational.reader_endpoints == ("127.0.0.1",)
    assert to_json({"relational": relational})["relational"] == data["relational"]
    assert read_section(data, RedisOutputs, "f").auth_token is None


GOOD = {"endpoint": "h", "port": 3306, "databaseName": "d", "username": "u", "password": "p"}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({}, 'f: missing key "relational.endpoint"'),
        ([], 'f: malformed key "relational" (expected an object, got a list)'),
        ({**GOOD, "port": True}, 'f: malformed key "relational.port" (expected an integer'),
        ({**GOOD, "port": "٣٣٠٦"}, 'f: malformed key "relational.port" (expected an integer'),
        ({**GOOD, "password": "[secret]"}, 'f: "relational.password" is masked'),
        ({**GOOD, "readerEndpoints": [1]}, 'f: malformed key "relational.readerEndpoints[0]"'),
    ],
    ids=["missing", "not-an-object", "bool-port", "unicode-digits", "masked", "bad-list-item"],
)
def test_read_section_names_the_dotted_key(raw: Any, message: str) -> None:
    with pytest.raises(ContractError) as err:
        read_section({"relational": raw}, RelationalOutputs, "f")
    assert str(err.value).startswith(message)


def test_dynamo_tables_are_typed() -> None:
    data = {"dynamo": {"region": "r", "tables": {"t": {"tableName": "T", "streamArn": ""}}}}
    dynamo = read_section(data, DynamoOutputs, "f")
    assert dynamo.tables["t"].table_name == "T"
    assert dynamo.tables["t"].stream_arn is None
