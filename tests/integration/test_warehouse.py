"""``warehouse`` end to end through its CLI against the local PostgreSQL (standing in for
Redshift): tables, COPY load, the five analytics queries, idempotent re-runs."""

from __future__ import annotations

import json

import psycopg2
import pytest

pytestmark = pytest.mark.integration


def counts(stack) -> dict[str, int]:
    wh = stack.outputs["warehouse"]
    conn = psycopg2.connect(
        host=wh["endpoint"],
        port=wh["port"],
        dbname=wh["databaseName"],
        user=wh["username"],
        password=wh["password"],
    )
    try:
        with conn.cursor() as cur:
            out = {}
            for table in ("products", "customers", "sales"):
                cur.execute(f"SELECT COUNT(*), COUNT(DISTINCT 1) FROM {table}")
                out[table] = cur.fetchone()[0]
            cur.execute("SELECT MIN(sale_id), MAX(sale_id) FROM sales")
            out["sale_id_range"] = cur.fetchone()
        return out
    finally:
        conn.close()


def test_warehouse_default_sizes_twice(run_workload, sql_stack):
    first = run_workload("warehouse", "--outputs", str(sql_stack.path), "--json", "--reload")
    assert first.returncode == 0, first.stderr
    result = json.loads(first.stdout)
    assert result["dialect"] == "postgres"
    assert result["load"]["method"] == "COPY FROM STDIN"
    assert result["counts"] == {"products": 5, "customers": 100, "sales": 1000}
    titles = [q["title"] for q in result["queries"]]
    assert len(titles) == 5
    by_region = result["queries"][0]
    orders = by_region["columns"].index("total_orders")
    assert sum(row[orders] for row in by_region["rows"]) == 1000
    assert {row[0] for row in result["queries"][1]["rows"]} >= {"Standing Desk", "Office Chair"}

    second = run_workload("warehouse", "--outputs", str(sql_stack.path), "--json")
    assert second.returncode == 0, second.stderr
    again = json.loads(second.stdout)
    assert again["load"]["skipped"] is True
    assert again["counts"] == result["counts"]
    # Same seed, same data: the analytics answer the same.
    assert again["queries"][0]["rows"] == by_region["rows"]


def test_warehouse_bigger_load_through_the_generator_process(run_workload, sql_stack):
    done = run_workload(
        "warehouse",
        "--outputs",
        str(sql_stack.path),
        "--json",
        "--sales",
        "150000",
        "--customers",
        "500",
        "--products",
        "12",
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["load"]["skipped"] is False
    got = counts(sql_stack)
    assert got["sales"] == 150000 and got["customers"] == 500 and got["products"] == 12
    assert got["sale_id_range"] == (1, 150000)


def test_warehouse_text_output_prints_tables_with_timings(run_workload, sql_stack):
    done = run_workload("warehouse", "--outputs", str(sql_stack.path), "--reload")
    assert done.returncode == 0, done.stderr
    assert "1. Total sales by region (" in done.stdout
    assert "5. Top customers by revenue (" in done.stdout
    assert "total_revenue" in done.stdout
