#!/usr/bin/env bash
# checkov on the prod plan: export it as Terraform plan JSON (python -m preflight --format tfplan),
# scan it with checkov in its own virtualenv (from requirements-checkov.txt), and fail on any
# finding that policy/checkov-waivers.yaml does not waive, or on a waiver that matches nothing.
#   bash scripts/checkov.sh [STACK]      (default prod)
#   bash scripts/checkov.sh --prepare    only build the virtualenv (CI does it while tests run)
# The virtualenv lives outside the clone, in ~/.cache/dbtier/checkov-<hash of the requirements and
# the Python> (DBTIER_CACHE_DIR for another folder), so a fresh clone reuses it; it is built when
# missing, and a half-built one (no .complete) is rebuilt.
set -euo pipefail
cd "$(dirname "$0")/.."
stack=${1:-prod}
python=$(.venv/bin/python -c 'import sys; print(sys._base_executable)')
key=$({ cat requirements-checkov.txt; "$python" -VV; } | sha256sum | cut -c1-16)
cache=${DBTIER_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/dbtier}
venv=$cache/checkov-$key

build_venv() {
  rm -rf "$venv"
  echo "checkov: building $venv from requirements-checkov.txt" >&2
  "$python" -m venv "$venv"
  if ! "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r requirements-checkov.txt > "$venv/pip.log" 2>&1; then
    grep -v "^WARNING: Location" "$venv/pip.log" | tail -n 20 >&2
    rm -rf "$venv"
    echo "checkov: pip could not install requirements-checkov.txt" >&2
    return 1
  fi
  touch "$venv/.complete"
}

mkdir -p "$cache"
# One build at a time (CI's background --prepare, another clone's run): the others wait for it.
exec 9> "$cache/checkov-$key.lock"
flock 9
if [ ! -e "$venv/.complete" ]; then
  build_venv
fi
flock -u 9
if [ "$stack" = --prepare ]; then
  exit 0
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
