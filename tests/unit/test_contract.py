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
    echo,
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


# --- echo: how user input is shown in a one-line message -----------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("relational.port", "relational.port"),
        ("a\nb\rc\td", "a\\nb\\rc\\td"),
        ("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"),
        ("nul\x00byte", "nul\\x00byte"),
        ("bidi\u202eoverride", "bidi\\u202eoverride"),
        ("line\u2028sep", "line\\u2028sep"),
        ("lone\ud800surrogate", "lone\\ud800surrogate"),
        ("del\x7f c1\x9b", "del\\x7f c1\\x9b"),
        ("caf\u00e9 \u0661\u0660\u0660", "caf\u00e9 \u0661\u0660\u0660"),
        (5432, "5432"),
        (None, "None"),
        (b"\xff\x00", "\\xff\\x00"),
    ],
    ids=lambda v: repr(v)[:20],
)
def test_echo_escapes_what_would_act_on_a_terminal(value: object, shown: str) -> None:
    assert echo(value) == shown


def test_echo_cuts_a_long_value_to_the_limit() -> None:
    shown = echo("k" * 100_000, limit=60)
    assert shown == "k" * 59 + "…"
    assert echo("k" * 60, limit=60) == "k" * 60
    assert echo("k" * 61, limit=60) == "k" * 59 + "…"


def test_echo_never_cuts_an_escape_in_half() -> None:
    shown = echo("ab" + "\x1b" * 50, limit=10)
    assert shown == "ab\\x1b…"
    assert len(shown) <= 10


def test_echo_survives_values_that_cannot_be_printed() -> None:
    nested: list[Any] = []
    inner = nested
    for _ in range(100_000):
        inner.append([])
        inner = inner[0]
    assert echo(nested) == "<list>"
    assert echo(10**5000) == "<int>"
