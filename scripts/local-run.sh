#!/usr/bin/env bash
# The main job, locally: set up, plan the dev stack offline and check it with the policy pack,
# then exercise every workload against local engines that stand in for AWS (MariaDB for RDS
# MySQL and Aurora MySQL, PostgreSQL for RDS PostgreSQL, Aurora PostgreSQL and Redshift, Redis
# for ElastiCache, moto for DynamoDB). relational and aurora-load run twice: on the MySQL family,
# then on PostgreSQL; aurora-load's 10 s of load are split between the two (6 s and 4 s) so the
# whole run takes as long as it did with the MySQL pass alone.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
PY=.venv/bin/python
stack=${1:-dev}
outputs=out/local-outputs.json
pg_outputs=out/local-outputs-postgres.json
step() { printf '\n== %s\n' "$*" >&2; }

step "preflight: plan Pulumi.$stack.yaml on mocks and run the policy pack"
$PY -m preflight --stack "$stack"

step "local outputs: databases and users with generated passwords on the local engines -> $outputs"
mkdir -p out
$PY -m standins.local_outputs "$outputs"

step "workload relational: schema, sample users (idempotent), primary and reader reads, replica lag"
$PY -m workloads relational --outputs "$outputs"

step "workload aurora-load: 5 workers for 6 s, then proof that every acknowledged insert is stored"
$PY -m workloads aurora-load --outputs "$outputs" --duration 6 --cleanup

step "local outputs, PostgreSQL: relational on postgres, aurora on aurora-postgresql -> $pg_outputs"
$PY -m standins.local_outputs "$pg_outputs" --prefix dbtier_pg \
  --relational-engine postgres --aurora-engine aurora-postgresql

step "workload relational on PostgreSQL: the same checks, replica lag with the engine's own view"
$PY -m workloads relational --outputs "$pg_outputs"

step "workload aurora-load on Aurora PostgreSQL: 5 workers for 4 s, every acknowledged insert proven"
$PY -m workloads aurora-load --outputs "$pg_outputs" --duration 4 --cleanup

step "workload warehouse: products, customers, sales loaded with COPY; the seed's five analytics queries"
$PY -m workloads warehouse --outputs "$outputs"

step "migration: mariadb-dump stands in for the DMS full load (source -> target), then migration-check"
$PY -m standins.full_load "$outputs"
# dbtier_load is aurora-load's own table: it lives only in the target by design.
$PY -m workloads migration-check --outputs "$outputs" --exclude dbtier_load

step "workload dynamo: moto's server stands in for DynamoDB; populate, the seed's queries and scans, drain the stream through the processor"
$PY -m standins.local_dynamo --outputs out/local-dynamo.json -- \
  $PY -m workloads dynamo --outputs out/local-dynamo.json --drain-stream

step "workload redis: every data type, sessions, cache-aside, pub/sub, then a short bench"
$PY -m workloads redis --outputs "$outputs"
$PY -m workloads redis --outputs "$outputs" --bench

step "workload failover: a Redis primary and replica behind a moving endpoint, moto behind a front for the ElastiCache API; test-failover under write load, RTO and lost writes reported"
$PY -m standins.local_failover redis --outputs out/local-failover-redis.json -- \
  $PY -m workloads failover --target redis --outputs out/local-failover-redis.json --warmup 1 --settle 1 --timeout 30
