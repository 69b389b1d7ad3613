"""``python -m workloads failover``: flags, refusals, consent, and the drill."""

from __future__ import annotations

import argparse
from functools import partial

from contract import AuroraOutputs, RelationalOutputs
from workloads.common import Outputs, WorkloadError, emit, finish
from workloads.common.credentials import secret_arn_region
from workloads.common.drill import add_drill_arguments, require_consent
from workloads.failover import DrillTiming, render, run_drill
from workloads.failover.control import SERVICE, aws_client, plan_for, section_identifier
from workloads.failover.watch import EndpointWatch, redis_server, sql_server
from workloads.failover.writers import RedisWriter, SqlWriter
from workloads.redis_workload.client import target_from
from workloads.sql import (
    ConnectionOptions,
    add_connection_arguments,
    is_plain_identifier,
    sql_endpoint,
)
from workloads.sql.engines import engine_family

HELP = """Failover drill: fail the RDS primary, Aurora writer or Redis primary over under write load
and report the RTO, reconnects, acknowledged writes lost and the old and new primary.

relational: a forced-failover reboot of the Multi-AZ primary; aurora: failover of the cluster to
--reader or the reader Aurora would promote first; redis: test-failover of the primary's node
group (--node-group). A target that cannot fail over (single-AZ, no reader, one node) is refused.
--dry-run prints the call and makes none; a prod stack (its name or tags) needs --yes. Redis
replicates asynchronously: its lost writes are reported; --durable acknowledges a write only
after WAIT 1 (a replica has it) and then requires none lost. Exit 0 passed, 1 a check failed,
2 bad input or AWS refused."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_connection_arguments(parser)
    add_drill_arguments(parser)
    parser.add_argument("--target", required=True, choices=["relational", "aurora", "redis"])
    parser.add_argument("--reader", metavar="ID", help="aurora: the reader to promote")
    parser.add_argument("--node-group", metavar="ID", help="redis: the node group (default: first)")
    parser.add_argument("--user", help="redis: log in as this user of the output's users")
    parser.add_argument(
        "--durable", action="store_true", help="redis: acknowledge writes after WAIT 1 only"
    )
    parser.add_argument("--workers", type=int, default=4, metavar="N", help="SQL writers (4)")
    parser.add_argument(
        "--rate", type=float, default=200, metavar="OPS", help="writes/s, all writers (200)"
    )
    parser.add_argument("--warmup", type=float, default=2.0, metavar="S", help="writes before (2)")
    parser.add_argument(
        "--settle", type=float, default=2.0, metavar="S", help="writes after the move (2)"
    )
    parser.add_argument(
        "--timeout", type=float, default=300.0, metavar="S", help="wait for the move (300)"
    )
    parser.add_argument("--table", default="dbtier_failover", help="SQL table (dbtier_failover)")
    parser.add_argument("--prefix", default="dbtier:", help="redis key prefix (dbtier:)")


def _check(args: argparse.Namespace) -> None:
    if not 1 <= args.workers <= 64:
        raise WorkloadError("--workers must be between 1 and 64")
    if not 0 < args.rate <= 100_000:
        raise WorkloadError("--rate must be between 0 and 100000 writes/s")
    for name in ("warmup", "settle", "timeout"):
        if not 0 <= getattr(args, name) <= 3600:
            raise WorkloadError(f"--{name} must be between 0 and 3600 seconds")
    if not is_plain_identifier(args.table):
        raise WorkloadError(f"--table {args.table!r}: letters, digits, _ and $ only")
    if args.reader and args.target != "aurora":
        raise WorkloadError("--reader is for --target aurora")
    if (args.node_group or args.durable or args.user) and args.target != "redis":
        raise WorkloadError("--node-group, --durable and --user are for --target redis")


def run(args: argparse.Namespace, outputs: Outputs) -> int:
    _check(args)
    section, identifier = section_identifier(outputs, args.target)
    if not args.dry_run:
        require_consent(outputs, args.stack, args.yes, f"fail over its {args.target} primary")
    # The stack's region: the section's (redis with users), else its secret's, else boto3's.
    region = getattr(section, "region", None) or secret_arn_region(section.secret_arn)
    client = aws_client(SERVICE[args.target], region)
    plan = plan_for(args.target, client, identifier, args.reader or args.node_group)
    if args.dry_run:
        promotes = plan.candidate or "the node AWS picks"
        emit(
            {
                "workload": "failover",
                "dryRun": True,
                "call": plan.call,
                "primary": plan.primary,
                "promotes": plan.candidate,
            }
            if args.json
            else f"dry run: would call {plan.call} (primary now {plan.primary}, promotes {promotes})",
            args.json,
        )
        return 0
    options = ConnectionOptions.from_args(args)
    if args.target == "redis":
        target = target_from(section, options.ca_bundle, options.credentials, args.user)
        writer: SqlWriter | RedisWriter = RedisWriter(
            target.primary, args.prefix, args.rate, args.durable, iam=target.iam
        )
        identify = partial(redis_server, target.primary, target.iam)
        host, engine = target.primary.host, "redis"
    else:
        kind = RelationalOutputs if args.target == "relational" else AuroraOutputs
        family = engine_family(section.engine, key=kind.KEY, workload="failover")
        host = section.endpoint if args.target == "relational" else section.writer_endpoint
        endpoint = sql_endpoint(args.target, host, section, options)
        writer = SqlWriter(endpoint, family, args.table, args.workers, args.rate)
        identify = partial(sql_server, endpoint, family)
        engine = section.engine
    watch = EndpointWatch(host, identify)
    timing = DrillTiming(args.warmup, args.timeout, args.settle)
    result = run_drill(
        plan, client, writer, watch, engine=engine, timing=timing, durable=args.durable
    )
    return finish(result, args.json, render)
