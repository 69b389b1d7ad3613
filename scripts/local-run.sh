#!/usr/bin/env bash
# The main job, locally: set up, plan the dev stack offline and check it with the policy pack,
# then exercise every workload against local engines that stand in for AWS.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
PY=.venv/bin/python
stack=${1:-dev}

echo "== preflight: plan Pulumi.$stack.yaml on mocks and run the policy pack" >&2
$PY -m preflight --stack "$stack"
