#!/usr/bin/env bash
# One-time and repeatable set-up: the virtualenv with pinned dependencies, then the local engines.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv" >&2
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.dbtier-requirements
if ! cmp -s <(cat requirements.txt constraints.txt pyproject.toml) "$stamp" 2>/dev/null; then
  echo "setup: installing pinned dependencies" >&2
  # This machine's pip config lists extra local indexes that may be absent: drop that noise only.
  .venv/bin/python -m pip install -q --upgrade pip 2>&1 | { grep -v '^WARNING: Location' || true; }
  # --no-compile: pip would byte-compile all ~11,000 modules (pulumi_aws alone is 270 MB of
  # source) one after another; Python compiles the few hundred a run imports, once, on first use.
  .venv/bin/python -m pip install -q --no-compile -r requirements.txt -c constraints.txt 2>&1 \
    | { grep -v '^WARNING: Location' || true; }
  cat requirements.txt constraints.txt pyproject.toml > "$stamp"
fi
if [ "${DBTIER_SKIP_ENGINES:-0}" != 1 ]; then
  bash scripts/engines.sh
fi
