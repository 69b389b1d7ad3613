"""``aurora-load --region``: reads only, against a global database's secondary named in
`aurora.regions`; locally (no secondary in the outputs) the same local engine stands in and the
report says so; writes with --region and an unknown region are refused in one line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.integration.engine_stacks import mysql_stack, pg_stack, stack

pytestmark = pytest.mark.integration

__all__ = ["mysql_stack", "pg_stack", "stack"]  # fixtures, used by name


def load(run_workload: Any, path: Path, *args: str) -> Any:
    return run_workload("aurora-load", "--outputs", str(path), "--json", "--workers", "2", *args)


def test_a_region_run_only_reads_and_says_what_stood_in(run_workload: Any, stack: Any) -> None:
    # The table comes from a run against the writer (on AWS: replicated to the secondary).
    first = load(run_workload, stack.path, "--ops", "50", "--mix", "100", "--cleanup")
    assert first.returncode == 0, first.stderr
    done = load(run_workload, stack.path, "--ops", "200", "--region", "eu-west-1")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert (result["inserts"], result["reads"], result["mixInsertPercent"]) == (0, 200, 0)
    assert result["region"] == "eu-west-1"
    assert result["regionNote"].startswith("local stand-in: eu-west-1 is the same local engine")
    text = run_workload("aurora-load", "--outputs", str(stack.path), "--ops", "20",
                        "--workers", "1", "--region", "eu-west-1")  # fmt: skip
    assert text.returncode == 0, text.stderr
    assert (
        "region      eu-west-1: local stand-in: eu-west-1 is the same local engine" in text.stdout
    )


def test_a_secondary_in_the_outputs_is_read_from_its_reader_endpoint(
    run_workload: Any, sql_stack: Any, tmp_path: Path, assert_clean_error: Any
) -> None:
    first = load(run_workload, sql_stack.path, "--ops", "20", "--mix", "100", "--cleanup")
    assert first.returncode == 0, first.stderr
    outputs = json.loads(sql_stack.path.read_text())
    aurora = outputs["aurora"]
    # The home endpoints unreachable: the run works only through the region's entry.
    secondary = {"region": "eu-west-1", "readerEndpoint": aurora["writerEndpoint"],
                 "clusterId": "dbtier-test-aurora-eu-west-1-cluster"}  # fmt: skip
    outputs["aurora"] = {**aurora, "writerEndpoint": "writer.invalid",
                         "readerEndpoint": "reader.invalid", "regions": [secondary]}  # fmt: skip
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(outputs))
    done = load(run_workload, path, "--ops", "50", "--region", "eu-west-1")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["reads"] == 50 and "regionNote" not in result
    unknown = load(run_workload, path, "--ops", "5", "--region", "us-west-2")
    assert_clean_error(unknown, [], "--region us-west-2: aurora has no secondary cluster there",
                       "(aurora.regions: eu-west-1)")  # fmt: skip
    writes = load(run_workload, path, "--ops", "5", "--region", "eu-west-1", "--mix", "10")
    assert_clean_error(writes, [], "--region eu-west-1 runs reads only")
