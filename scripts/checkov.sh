#!/usr/bin/env bash
# checkov on the prod plan: export it as Terraform plan JSON (python -m preflight --format tfplan),
# scan it with checkov in its own virtualenv (.venv-checkov, from requirements-checkov.txt), and fail
# on any finding that policy/checkov-waivers.yaml does not waive, or on a waiver that matches nothing.
#   bash scripts/checkov.sh [STACK]      (default prod)
set -euo pipefail
cd "$(dirname "$0")/.."
stack=${1:-prod}
venv=.venv-checkov
python=$(.venv/bin/python -c 'import sys; print(sys._base_executable)')

# (Re)build the venv when it is missing or requirements-checkov.txt changed since it was built.
if [ ! -x "$venv/bin/checkov" ] || ! cmp -s requirements-checkov.txt "$venv/.requirements"; then
  echo "checkov: building $venv from requirements-checkov.txt" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv"
  if ! "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r requirements-checkov.txt > "$venv/pip.log" 2>&1; then
    grep -v "^WARNING: Location" "$venv/pip.log" | tail -n 20 >&2
    echo "checkov: pip could not install requirements-checkov.txt into $venv" >&2
    exit 1
  fi
  cp requirements-checkov.txt "$venv/.requirements"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The policy verdict is CI's preflight step; here only the export matters (exit 1 still writes it).
rc=0
.venv/bin/python -m preflight --stack "$stack" --format tfplan --output "$work/plan.json" || rc=$?
if [ "$rc" -gt 1 ] || [ ! -s "$work/plan.json" ]; then
  echo "checkov: the tfplan export of $stack failed (exit $rc)" >&2
  exit 1
fi
# Exit 1 means findings; anything else non-zero is checkov failing. No network: --skip-download.
rc=0
"$venv/bin/checkov" -f "$work/plan.json" --framework terraform_plan -o json --quiet \
  --skip-download > "$work/checkov.json" 2> "$work/checkov.err" || rc=$?
if [ "$rc" -gt 1 ]; then
  tail -n 20 "$work/checkov.err" >&2
  echo "checkov: checkov failed (exit $rc)" >&2
  exit 1
fi
.venv/bin/python -m preflight.tfplan waivers --results "$work/checkov.json" \
  --waivers policy/checkov-waivers.yaml
