"""``relational --region``: the region's cross-region replica is the one reader checked (reads and
the lag of the primary's marker row); locally (no regionReaderEndpoints) the local engine stands
in and the report says so; a region without a replica is refused in one line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.integration


def test_relational_region_reads_the_regions_replica_on_mariadb(
    run_workload: Any, sql_stack: Any, tmp_path: Path, assert_clean_error: Any
) -> None:
    local = run_workload("relational", "--outputs", str(sql_stack.path), "--json",
                         "--region", "eu-west-1")  # fmt: skip
    assert local.returncode == 0, local.stderr
    result = json.loads(local.stdout)
    assert result["region"] == "eu-west-1"
    assert result["regionNote"].startswith("local stand-in: eu-west-1 is the same local engine")
    assert len(result["readers"]) == 1 and result["readers"][0]["count"] >= 4
    text = run_workload("relational", "--outputs", str(sql_stack.path), "--region", "eu-west-1")
    assert text.returncode == 0, text.stderr
    assert "region eu-west-1: local stand-in: eu-west-1 is the same local engine" in text.stdout

    section = sql_stack.outputs["relational"]

    def with_replica(data: dict[str, Any]) -> None:
        # The home readers unreachable: only the region's entry is read.
        data["relational"]["readerEndpoints"] = ["reader.invalid"]
        data["relational"]["regionReaderEndpoints"] = {"eu-west-1": section["endpoint"]}

    path = sql_stack.variant(tmp_path, with_replica)
    done = run_workload("relational", "--outputs", str(path), "--json", "--region", "eu-west-1")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert [r["host"] for r in result["readers"]] == [section["endpoint"]]
    assert result["readers"][0]["lagSeconds"] is not None and "regionNote" not in result
    unknown = run_workload("relational", "--outputs", str(path), "--region", "us-west-2")
    assert_clean_error(unknown, sql_stack.passwords,
                       "--region us-west-2: relational has no cross-region read replica there",
                       "(relational.regionReaderEndpoints: eu-west-1)")  # fmt: skip
