"""Pure parts of the workloads, no engine needed: outputs reading and redaction, the shared
helpers (percentile, chunked, bounded), and migration-check's table patterns and row diff."""

from __future__ import annotations

import argparse
import ast
import json
from pathlib import Path

import pytest

from contract import RelationalOutputs
from workloads.common import (
    Outputs,
    WorkloadError,
    bounded,
    chunked,
    outputs_from_json,
    percentile,
    redact,
    register_secret,
)
from workloads.migration_check import diff_rows, select_tables

RELATIONAL = {
    "endpoint": "db.example",
    "port": "3306",
    "databaseName": "app",
    "username": "admin",
    "password": "pw-123456",
}


def test_redact_scrubs_registered_and_given_secrets():
    outputs = outputs_from_json(
        json.dumps({"redis": {"authToken": "tok-123456"}, "x": {"password": "pw-abcdef"}}), "t"
    )
    assert sorted(outputs.secrets) == ["pw-abcdef", "tok-123456"]
    register_secret("s3cr3t/with?chars")
    text = redact("a tok-123456 b pw-abcdef c s3cr3t%2Fwith%3Fchars d other", ["other"])
    assert text == "a *** b *** c *** d ***"


def test_outputs_read_converts_a_numeric_port_and_defaults_tls_on():
    section = Outputs({"relational": RELATIONAL}, "f").read(RelationalOutputs)
    assert section.port == 3306
    assert section.tls is True
    assert section.reader_endpoints == ()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(
            {"port": True},
            r'malformed key "relational\.port" \(expected a port number 1-65535, got a boolean\)',
            id="port-boolean",
        ),
        pytest.param(
            {"username": ""},
            r'malformed key "relational\.username" \(expected a string, got an empty string\)',
            id="username-empty",
        ),
        pytest.param({"port": None}, r'missing key "relational\.port"', id="port-null"),
        pytest.param(
            {"password": "[secret]"},
            r'"relational\.password" is masked; .*--show-secrets',
            id="password-masked",
        ),
        pytest.param(
            {"readerEndpoints": ["r1", 5]},
            r'malformed key "relational\.readerEndpoints\[1\]"',
            id="reader-not-a-string",
        ),
    ],
)
def test_outputs_read_names_the_bad_key(change, message):
    outputs = Outputs({"relational": {**RELATIONAL, **change}}, "f")
    with pytest.raises(WorkloadError, match=rf"^f: {message}"):
        outputs.read(RelationalOutputs)


def test_optional_section_absent_is_none_and_present_is_validated():
    assert Outputs({}, "f").read_optional(RelationalOutputs) is None
    with pytest.raises(WorkloadError, match=r'missing key "relational\.endpoint"'):
        Outputs({"relational": {}}, "f").read_optional(RelationalOutputs)


@pytest.mark.parametrize(
    ("values", "pct", "expected"),
    [
        pytest.param([], 50, 0.0, id="empty"),
        pytest.param([7.0], 99, 7.0, id="one-value"),
        # Nearest rank is ceil(p/100 * n): p50 of five values is the third, not the second.
        pytest.param([1.0, 2.0, 3.0, 4.0, 5.0], 50, 3.0, id="p50-of-5"),
        pytest.param([float(i) for i in range(1, 21)], 95, 19.0, id="p95-of-20"),
        pytest.param([float(i) for i in range(1, 101)], 99, 99.0, id="p99-of-100"),
        pytest.param([float(i) for i in range(1, 101)], 100, 100.0, id="p100-is-max"),
    ],
)
def test_percentile_is_nearest_rank(values, pct, expected):
    assert percentile(values, pct) == expected


def test_chunked_keeps_order_and_the_last_short_chunk():
    assert list(chunked(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(chunked([], 3)) == []


def test_bounded_accepts_the_bounds_and_refuses_outside():
    parse = bounded(1, 5)
    assert (parse("1"), parse("5")) == (1, 5)
    with pytest.raises(argparse.ArgumentTypeError, match=r"between 1 and 5 \(got 6\)"):
        parse("6")
    with pytest.raises(argparse.ArgumentTypeError, match="not an integer"):
        parse("x")


def test_select_tables_patterns():
    names = ["users", "orders", "order_items", "dbtier_load"]
    assert select_tables(names, [], ["dbtier_%"]) == ["users", "orders", "order_items"]
    assert select_tables(names, ["order%"], ["*items"]) == ["orders"]


def test_diff_rows_merges_runs_by_kind():
    source = {(1,): 1, (2,): 2, (3,): 3, (4,): 4, (6,): 6}
    target = {(1,): 1, (3,): 30, (4,): 40, (5,): 5, (6,): 6}
    assert [r.to_json() for r in diff_rows(source, target)] == [
        {"kind": "missing in target", "from": 2, "to": 2, "rows": 1},
        {"kind": "changed", "from": 3, "to": 4, "rows": 2},
        {"kind": "extra in target", "from": 5, "to": 5, "rows": 1},
    ]


def test_diff_rows_shows_a_composite_key_as_a_list():
    (only,) = diff_rows({("a", 1): 1}, {})
    assert (only.kind, only.first, only.last) == ("missing in target", ["a", 1], ["a", 1])


def test_no_workload_module_imports_components():
    root = Path(__file__).resolve().parents[2] / "workloads"
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert all(n.split(".")[0] != "components" for n in names), path
