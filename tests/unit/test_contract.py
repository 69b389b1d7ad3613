"""The stack-output contract: what the program exports, stand-ins write and workloads read."""

from __future__ import annotations

import dataclasses
import re
from http import HTTPStatus
from pathlib import PurePosixPath
from typing import Any

import pytest

from contract import (
    SECTIONS,
    AuroraOutputs,
    ContractError,
    DynamoOutputs,
    DynamoTableOutputs,
    RedisOutputs,
    RelationalOutputs,
    WarehouseOutputs,
    echo,
    exported,
    read_section,
    to_json,
)
from contract.outputs import camel
from standins.local_outputs import build_outputs, redis_outputs
from tests.plan_snapshot import stored


def plain_id(value: object) -> str:
    """A test id of letters, digits and ``_.-`` only: pytest cannot select an id holding ``::``
    or an unbalanced ``[`` by its node id, which scripts/mutation.sh (mutmut) needs."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", repr(value))[:30]


ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:dbtier-aurora-AbCdEf"
MINIMAL: dict[str, dict[str, Any]] = {
    "relational": {"endpoint": "h", "port": 3306, "databaseName": "d", "username": "u"},
    "aurora": {"writerEndpoint": "h", "port": 3306, "databaseName": "d", "username": "u"},
    "warehouse": {"endpoint": "h", "port": 5439, "databaseName": "d", "username": "u"},
    "redis": {"primaryEndpoint": "h", "port": 6379},
}


def exported_names(cls: type) -> set[str]:
    return {camel(f.name) for f in dataclasses.fields(cls) if not f.metadata.get("local")}


def required_names(cls: type) -> set[str]:
    """What every export of ``cls`` must hold (`exported` refuses an export without one)."""
    return {
        camel(f.name)
        for f in dataclasses.fields(cls)
        if not f.metadata.get("local") and not f.metadata.get("optional")
    }


SQL_SECTIONS = (RelationalOutputs, AuroraOutputs, WarehouseOutputs)
DATABASE_SECTIONS = (*SQL_SECTIONS, RedisOutputs)


@pytest.mark.parametrize("cls", SECTIONS, ids=lambda c: c.KEY)
def test_prod_plan_exports_the_contract_fields(cls: type) -> None:
    exported_keys = set(stored("prod")["outputs"][cls.KEY])
    assert required_names(cls) <= exported_keys <= exported_names(cls)


@pytest.mark.parametrize("cls", DATABASE_SECTIONS, ids=lambda c: c.KEY)
def test_every_database_section_names_its_secret(cls: type) -> None:
    assert "secretArn" in exported_names(cls)
    data = {cls.KEY: {**MINIMAL[cls.KEY], "secretArn": ARN}}
    assert read_section(data, cls, "f").secret_arn == ARN  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("cls", "required"),
    [
        (RelationalOutputs, True),
        (AuroraOutputs, True),
        (WarehouseOutputs, True),
        (RedisOutputs, True),
    ],
    ids=lambda v: getattr(v, "KEY", str(v)),
)
def test_secret_arn_is_required_in_an_export_where_the_components_export_it(
    cls: type, required: bool
) -> None:
    # warehouse and redis: optional until their components export it (issue 12), then required.
    assert ("secretArn" in required_names(cls)) is required


@pytest.mark.parametrize("cls", SQL_SECTIONS, ids=lambda c: c.KEY)
def test_password_is_optional_managed_credentials_have_none(cls: type) -> None:
    assert "password" not in required_names(cls)
    section = read_section({cls.KEY: {**MINIMAL[cls.KEY], "secretArn": ARN}}, cls, "f")
    assert section.password is None  # type: ignore[attr-defined]
    values = {
        f.name: "x"
        for f in dataclasses.fields(cls)
        if not f.metadata.get("local") and f.name != "password"
    }
    assert "password" not in exported(cls, **values)


def test_redis_keeps_its_auth_token_and_gains_a_secret_arn() -> None:
    data = {"redis": {**MINIMAL["redis"], "authToken": "t0ken-1234", "secretArn": ARN}}
    section = read_section(data, RedisOutputs, "f")
    assert (section.auth_token, section.secret_arn) == ("t0ken-1234", ARN)


def test_dynamo_tables_export_the_table_contract() -> None:
    tables = stored("prod")["outputs"]["dynamo"]["tables"]
    for table in tables.values():
        # `replicas` only with dbtier:regions, which prod does not have.
        assert set(table) == exported_names(DynamoTableOutputs) - {"replicas"}


def test_exported_refuses_a_field_the_contract_does_not_name() -> None:
    values = {f.name: "x" for f in dataclasses.fields(RedisOutputs)}
    values.pop("cluster_mode")
    with pytest.raises(TypeError, match=r"missing \['cluster_mode'\]"):
        exported(RedisOutputs, **values, clusterMode="x")


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
        ({**GOOD, "port": True}, 'f: malformed key "relational.port" (expected a port number'),
        ({**GOOD, "port": "٣٣٠٦"}, 'f: malformed key "relational.port" (expected a port number'),
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
    data = {
        "dynamo": {"region": "us-east-1", "tables": {"t": {"tableName": "T_1", "streamArn": ""}}}
    }
    dynamo = read_section(data, DynamoOutputs, "f")
    assert dynamo.tables["t"].table_name == "T_1"
    assert dynamo.tables["t"].stream_arn is None


def _relational_error(**changes: Any) -> str:
    with pytest.raises(ContractError) as err:
        read_section({"relational": {**GOOD, **changes}}, RelationalOutputs, "f")
    message = str(err.value)
    assert "\n" not in message and len(message) < 300
    return message


@pytest.mark.parametrize(
    "port",
    [
        0,
        68842,
        65536,
        -1,
        10**40,
        "0",
        "68842",
        "3306x",
        "3_306",
        " 3306",
        "\u0663\u0663\u0660\u0666",
    ],
    ids=plain_id,
)
def test_ports_outside_1_to_65535_are_refused_naming_the_key(port: Any) -> None:
    message = _relational_error(port=port)
    assert message.startswith('f: malformed key "relational.port" (expected a port number 1-65535')


@pytest.mark.parametrize("port", [1, 3306, 65535, "5432"], ids=plain_id)
def test_ports_in_range_are_read_as_integers(port: Any) -> None:
    section = read_section({"relational": {**GOOD, "port": port}}, RelationalOutputs, "f")
    assert section.port == int(port)


@pytest.mark.parametrize("port", [3306.5, 3306.0, float("nan"), True, [3306]], ids=plain_id)
def test_ports_of_another_json_type_are_refused(port: Any) -> None:
    assert "relational.port" in _relational_error(port=port)


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1\x00.evil",
        "127.0.0.1\nInjected: yes",
        "db host",
        "db.example.com\t",
        "\x1b]0;pwned\x07",
        "h" * 100_000,
        "a" * 64 + ".example.com",
        "d\u00e9j\u00e0.example.com",
        "db..example.com",
        "-db.example.com",
        "http://db.example.com",
        "db.example.com:3306",
        "[::1]",
    ],
    ids=plain_id,
)
def test_hosts_that_are_not_names_or_addresses_are_refused(host: str) -> None:
    message = _relational_error(endpoint=host)
    assert message.startswith('f: malformed key "relational.endpoint" (')
    assert all(ord(c) >= 0x20 and c != "\x7f" for c in message), "raw control characters"


def test_reader_endpoints_are_checked_item_by_item() -> None:
    message = _relational_error(readerEndpoints=["db-1.example.com", "db\x00"])
    assert 'malformed key "relational.readerEndpoints[1]"' in message
    assert "db\\x00" in message  # shown escaped


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "::1", "localhost", "db-1.abc123.us-east-1.rds.amazonaws.com", "h."],
)
def test_host_names_and_addresses_are_accepted(host: str) -> None:
    section = read_section({"relational": {**GOOD, "endpoint": host}}, RelationalOutputs, "f")
    assert section.endpoint == host


def test_a_secret_with_a_control_character_is_refused_without_echoing_it() -> None:
    message = _relational_error(password="hunter2\x00secret")
    assert "relational.password" in message
    assert "hunter2" not in message


@pytest.mark.parametrize("key", ["databaseName", "username", "engine"])
def test_text_with_control_characters_is_refused_naming_the_key(key: str) -> None:
    message = _relational_error(**{key: "db\x00x"})
    assert f'"relational.{key}"' in message and "db\\x00x" in message


def test_a_long_text_value_is_refused_and_never_echoed_whole() -> None:
    message = _relational_error(databaseName="d" * 100_000)
    assert "relational.databaseName" in message and len(message) < 200


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"region": "us-east-1\x00"}, "dynamo.region"),
        ({"region": "mars north"}, "dynamo.region"),
        ({"endpointUrl": "not a url"}, "dynamo.endpointUrl"),
        ({"endpointUrl": "http://127.0.0.1\x00:1"}, "dynamo.endpointUrl"),
        ({"endpointUrl": "http://127.0.0.1:70000"}, "dynamo.endpointUrl"),
        ({"endpointUrl": "ftp://127.0.0.1"}, "dynamo.endpointUrl"),
        ({"tables": {"t": {"tableName": "User\x00Profiles"}}}, "dynamo.tables.t.tableName"),
        ({"tables": {"t": {"tableName": "ab"}}}, "dynamo.tables.t.tableName"),
        ({"tables": {"\x1b[2J" * 40: {"tableName": "a\x00"}}}, "dynamo.tables.\\x1b[2J"),
    ],
    ids=plain_id,
)
def test_dynamo_values_are_checked(changes: dict[str, Any], key: str) -> None:
    base = {"region": "us-east-1", "tables": {"t": {"tableName": "Users"}}}
    with pytest.raises(ContractError) as err:
        read_section({"dynamo": {**base, **changes}}, DynamoOutputs, "f")
    message = str(err.value)
    assert f'"{key}' in message
    assert "\x1b" not in message and "\x00" not in message and len(message) < 300


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
    ids=plain_id,
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


def test_echo_escapes_by_code_point_width() -> None:
    """Up to U+00FF as \\xNN, up to U+FFFF as \\uNNNN, beyond as \\UNNNNNNNN; the edges are
    unsafe characters themselves (U+FFFF and U+10FFFF are noncharacters)."""
    assert echo("\x9f\u0600\uffff\U000e0001\U0010ffff", limit=200) == (
        "\\x9f\\u0600\\uffff\\U000e0001\\U0010ffff"
    )


def test_echo_shows_numbers_by_str_and_everything_else_by_repr() -> None:
    assert echo(HTTPStatus.OK) == "200"  # an int whose repr is "<HTTPStatus.OK: 200>"
    assert echo(1.5) == "1.5"
    assert echo(PurePosixPath("a/b")) == "PurePosixPath('a/b')"
    assert echo(ValueError("x")) == "ValueError('x')"


def test_echo_reads_at_most_1024_bytes_of_a_bytes_value() -> None:
    assert echo(b"k" * 5000, limit=5000) == "k" * 1024
    assert echo(bytearray(b"\xc3\xa9"), limit=10) == "\u00e9"


def test_echo_limits() -> None:
    assert echo("k" * 80) == "k" * 80  # the default limit is 80
    assert echo("k" * 81) == "k" * 79 + "…"
    assert echo("abcdef", limit=0) == "a…"  # at least one character and the mark
    assert echo("abc", limit=2) == "a…"
    # short text whose escapes are longer than the limit is cut all the same
    assert echo("\x1b" * 5, limit=10) == "\\x1b\\x1b…"


def test_an_optional_field_given_as_none_is_left_out_of_the_export() -> None:
    values = {
        f.name: "x" for f in dataclasses.fields(RelationalOutputs) if not f.metadata.get("local")
    }
    exported_values = exported(RelationalOutputs, **{**values, "password": None})
    assert "password" not in exported_values
    assert exported_values["secretArn"] == "x"
