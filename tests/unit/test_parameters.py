"""User engine parameters (components/parameters.py) directly: every message exactly, each bound
just inside and just outside, what counts as the same name and the same value, and the merged
groups' order and apply methods. Written to kill what mutation testing left alive."""

from __future__ import annotations

from typing import Any

import pytest

from components.parameters import (
    MOST,
    Parameter,
    canonical,
    check_not_enforced,
    merged,
    parse_parameters,
    plain_parameters,
    rds_parameters,
)
from components.settings import ConfigError

KEY = "dbtier:relational.parameters"


def error(raw: Any, style: Any = "rds") -> str:
    with pytest.raises(ConfigError) as caught:
        parse_parameters(KEY, raw, style)
    return str(caught.value)


def test_nothing_is_no_parameters() -> None:
    assert parse_parameters(KEY, None, "rds") == ()
    assert parse_parameters(KEY, {}, "rds") == ()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        pytest.param(
            [1], f"{KEY} must be an object of name: value (got a list of 1 items)", id="a list"
        ),
        pytest.param(
            {"1a": 1},
            f"{KEY} entry #1: a parameter name must be a letter then up to 127 letters, digits,"
            " _ . or - (got a 2-character string)",
            id="a digit first",
        ),
        pytest.param(
            {"a": 1, "b c": 2}, f"{KEY} entry #2: a parameter name must be", id="second entry"
        ),
        pytest.param({"a" * 129: 1}, f"{KEY} entry #1: a parameter name", id="129 characters"),
        pytest.param({"é": 1}, f"{KEY} entry #1: a parameter name", id="not ASCII"),
        pytest.param({1: 1}, f"{KEY} entry #1: a parameter name", id="a number"),
        pytest.param({"a": 1, "A": 2}, f"{KEY}.A repeats {KEY}.a; name it once", id="case"),
        pytest.param({"a_b": 1, "A-b": 2}, f"{KEY}.A-b repeats {KEY}.a_b; name it", id="dash"),
        pytest.param(
            {"a": {"value": 1, "x": 2, "b": 3}},
            f"{KEY}.a.b is not a known setting (known: applyMethod, value)",
            id="unknown field",
        ),
        pytest.param(
            {"a": {"value": 1, "applyMethod": "soon"}},
            f"{KEY}.a.applyMethod must be one of immediate, pending-reboot (got a 4-character"
            " string)",
            id="apply method",
        ),
        pytest.param({"a": {"applyMethod": "immediate"}}, f"{KEY}.a.value is required", id="v"),
        pytest.param(
            {"a": float("inf")}, f"{KEY}.a must be a finite number (got inf)", id="infinite"
        ),
        pytest.param({"a": float("nan")}, f"{KEY}.a must be a finite number", id="nan"),
        pytest.param(
            {"a": "\x07"},
            f"{KEY}.a must be a string of at most 4096 printable ASCII characters, a number or"
            " true/false (got a 1-character string)",
            id="control character",
        ),
        pytest.param({"a": "x" * 4097}, f"{KEY}.a must be a string of at most 4096", id="4097"),
        pytest.param({"a": "\x7f"}, f"{KEY}.a must be a string", id="DEL"),
        pytest.param({"a": "é"}, f"{KEY}.a must be a string", id="not ASCII value"),
        pytest.param({"a": None}, f"{KEY}.a must be a string", id="nothing"),
        pytest.param({"a": [1]}, f"{KEY}.a must be a string", id="a list value"),
    ],
)
def test_bad_parameters_are_refused_naming_the_entry(raw: Any, message: str) -> None:
    assert error(raw).startswith(message)


def test_at_most_100_parameters() -> None:
    assert len(parse_parameters(KEY, {f"p{i}": i for i in range(MOST)}, "rds")) == MOST
    assert error({f"p{i}": i for i in range(MOST + 1)}) == (
        f"{KEY} has 101 parameters; dbtier accepts at most 100"
    )


@pytest.mark.parametrize("style", ["redshift", "elasticache"])
def test_apply_method_is_rds_only(style: str) -> None:
    assert error({"a": {"value": 1, "applyMethod": "immediate"}}, style) == (
        f"{KEY}.a.applyMethod applies only to RDS and Aurora parameter groups ({style} applies"
        " every change itself)"
    )


def test_names_and_values_at_their_bounds_are_read() -> None:
    name = "a" + "b.-_9" * 25 + "cc"
    assert len(name) == 128
    raw = {name: "x" * 4096, "Z": "", "q": " ~"}
    assert parse_parameters(KEY, raw, "rds") == (
        Parameter(name, "x" * 4096),
        Parameter("Z", ""),
        Parameter("q", " ~"),
    )


@pytest.mark.parametrize(
    ("style", "on", "off"),
    [("rds", "1", "0"), ("redshift", "true", "false"), ("elasticache", "yes", "no")],
)
def test_values_are_spelled_as_each_service_does(style: Any, on: str, off: str) -> None:
    raw = {
        "t": True,
        "f": False,
        "i": 3,
        "x": 1.0,
        "y": 1.5,
        "o": {"value": True},
        "s": "On",
    }
    assert [p.value for p in parse_parameters(KEY, raw, style)] == [
        on,
        off,
        "3",
        "1",
        "1.5",
        on,
        "On",
    ]


def test_the_apply_method_is_kept_as_given() -> None:
    raw = {"a": {"value": 1, "applyMethod": "immediate"}, "b": {"value": 2}, "c": 3}
    assert parse_parameters(KEY, raw, "rds") == (
        Parameter("a", "1", "immediate"),
        Parameter("b", "2", None),
        Parameter("c", "3", None),
    )
    raw = {"a": {"value": 1, "applyMethod": "pending-reboot"}}
    assert parse_parameters(KEY, raw, "rds")[0].apply_method == "pending-reboot"


# --- enforced parameters ----------------------------------------------------------------------

ENFORCED = {
    "require_secure_transport": "1",
    "binlog_format": "ROW",
    "long_query_time": "2",
    "some_setting": "5",
}


def user(**values: str) -> tuple[Parameter, ...]:
    return tuple(Parameter(name.replace("__", "-"), value) for name, value in values.items())


@pytest.mark.parametrize(
    ("given", "message"),
    [
        pytest.param(
            user(require_secure_transport="0"),
            "k.require_secure_transport is enforced by dbtier (TLS) and cannot be changed"
            " (dbtier sets 1)",
            id="TLS",
        ),
        pytest.param(
            user(Require__Secure__Transport="OFF"),
            "k.Require-Secure-Transport is enforced by dbtier (TLS)",
            id="another spelling",
        ),
        pytest.param(
            user(binlog_format="MIXED"),
            "k.binlog_format is enforced by dbtier (row binlogs for DMS change data capture)",
            id="binlogs",
        ),
        pytest.param(
            user(some_setting="6"),
            "k.some_setting is enforced by dbtier (its configuration) and cannot be changed"
            " (dbtier sets 5)",
            id="no reason listed",
        ),
    ],
)
def test_a_change_to_an_enforced_parameter_is_refused(
    given: tuple[Parameter, ...], message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        check_not_enforced("k", given, ENFORCED)
    assert str(caught.value).startswith(message), caught.value


@pytest.mark.parametrize(
    "given",
    [
        user(require_secure_transport="1"),
        user(require_secure_transport="ON"),
        user(require_secure_transport="true"),
        user(require_secure_transport="Yes"),
        user(binlog_format="row"),
        user(long_query_time="10"),
        user(other="anything"),
    ],
)
def test_the_same_value_any_spelling_and_tunables_are_accepted(
    given: tuple[Parameter, ...],
) -> None:
    check_not_enforced("k", given, ENFORCED)


@pytest.mark.parametrize(
    ("on", "off"), [("1", "0"), ("on", "off"), ("true", "false"), ("yes", "no")]
)
def test_off_is_never_the_same_as_on(on: str, off: str) -> None:
    with pytest.raises(ConfigError):
        check_not_enforced("k", user(flag=off), {"flag": on})
    with pytest.raises(ConfigError):
        check_not_enforced("k", user(flag=on.upper()), {"flag": off})
    check_not_enforced("k", user(flag=off.upper()), {"flag": "0"})


def test_canonical_names_fold_case_and_dashes_only() -> None:
    assert canonical("Require-Secure_TRANSPORT") == "require_secure_transport"
    assert canonical("rds.force_ssl") == "rds.force_ssl"


# --- merged groups ----------------------------------------------------------------------------


def test_merged_keeps_dbtiers_then_adds_the_users() -> None:
    got = merged(ENFORCED, user(long__query__time="10", extra="x", Binlog_Format="ROW"))
    assert list(got) == [
        "require_secure_transport",
        "binlog_format",
        "long_query_time",
        "some_setting",
        "extra",
    ]
    assert got["long_query_time"] == Parameter("long_query_time", "10")
    assert got["binlog_format"] == Parameter("binlog_format", "ROW")
    assert got["extra"] == Parameter("extra", "x")


def test_rds_groups_apply_at_reboot_unless_told() -> None:
    given = (Parameter("a", "1", "immediate"), Parameter("long_query_time", "9", "immediate"))
    assert rds_parameters({"long_query_time": "2", "z": "0"}, given) == [
        {"name": "long_query_time", "value": "9", "apply_method": "immediate"},
        {"name": "z", "value": "0", "apply_method": "pending-reboot"},
        {"name": "a", "value": "1", "apply_method": "immediate"},
    ]


def test_plain_groups_have_no_apply_method() -> None:
    assert plain_parameters({"z": "0"}, user(a="1")) == [
        {"name": "z", "value": "0"},
        {"name": "a", "value": "1"},
    ]


def test_unknown_fields_of_any_type_are_named_in_order() -> None:
    # YAML keys may be numbers: the first unknown one is named, not a TypeError from sorting.
    assert error({"a": {"value": 1, 1: 2, "b": 3}}) == (
        f"{KEY}.a.1 is not a known setting (known: applyMethod, value)"
    )
