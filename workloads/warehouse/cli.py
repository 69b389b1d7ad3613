"""``python -m workloads warehouse``: flags, the text report and the exit code."""

from __future__ import annotations

import argparse

from contract import WarehouseOutputs
from workloads.common import Outputs, WorkloadError, finish, log, render_table
from workloads.sql import ConnectionOptions, add_connection_arguments, sql_endpoint
from workloads.warehouse import S3Staging, WarehouseResult, run_warehouse

HELP = "Redshift: products, customers, sales loaded with COPY; the seed's five analytics queries"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_connection_arguments(parser)
    parser.add_argument("--products", type=int, default=5, metavar="N", help="default 5")
    parser.add_argument("--customers", type=int, default=100, metavar="N", help="default 100")
    parser.add_argument("--sales", type=int, default=1000, metavar="N", help="default 1000")
    parser.add_argument("--seed", type=int, default=17, help="random seed of the sample data")
    parser.add_argument(
        "--reload", action="store_true", help="replace the data even if the sizes already match"
    )
    parser.add_argument("--skip-queries", action="store_true", help="load only")
    parser.add_argument("--s3-bucket", help="Redshift: stage CSV here and COPY from S3")
    parser.add_argument("--s3-prefix", default="dbtier-warehouse/", help="key prefix in the bucket")
    parser.add_argument("--iam-role-arn", help="Redshift: the warehouse role COPY assumes")


def run(args: argparse.Namespace, outputs: Outputs) -> int:
    sizes = {"products": args.products, "customers": args.customers, "sales": args.sales}
    for name, value in sizes.items():
        if value < 1:
            raise WorkloadError(f"--{name} must be at least 1")
    if bool(args.s3_bucket) != bool(args.iam_role_arn):
        raise WorkloadError("--s3-bucket and --iam-role-arn go together")
    s3 = S3Staging(args.s3_bucket, args.s3_prefix, args.iam_role_arn) if args.s3_bucket else None
    section = outputs.read(WarehouseOutputs)
    endpoint = sql_endpoint(
        "warehouse", section.endpoint, section, ConnectionOptions.from_args(args)
    )
    result = run_warehouse(
        endpoint,
        sizes,
        seed=args.seed,
        reload=args.reload,
        skip_queries=args.skip_queries,
        s3=s3,
        show_progress=not args.json,
    )
    log.info("warehouse done")
    return finish(result, args.json, render)


def render(result: WarehouseResult) -> str:
    load = result.load
    lines = [f"warehouse ({result.dialect}: {result.server})"]
    if load.skipped:
        lines.append(f"load skipped: {load.reason} (--reload to replace)")
    else:
        per_table = ", ".join(
            f"{t} {v.rows:,} rows in {round(v.seconds, 3):.2f}s" for t, v in load.tables.items()
        )
        lines.append(f"loaded with {load.method} in {round(load.seconds, 3):.2f}s: {per_table}")
    for i, query in enumerate(result.queries, 1):
        lines += ["", f"{i}. {query.title} ({query.seconds * 1000:.1f} ms)"]
        lines.append(render_table(query.columns, query.rows))
    return "\n".join(lines)
