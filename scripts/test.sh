#!/usr/bin/env bash
# The test command: set up (venv, engines), lint, then type-check and the whole test suite side by
# side: mypy in the background (its report printed after pytest's) while pytest runs on three
# pytest-xdist workers (DBTIER_TEST_WORKERS=N for another count; arguments that choose workers
# themselves, -n N, --dist or -p no:xdist, are left to pytest). Three on this two-core machine:
# the integration tests spend much of their time waiting on servers, drills and subprocesses, and a
# third worker fills that time (docs/measurements.md has the runs with two, three and four).
#
# --dist loadfile keeps each test file on one worker: module fixtures (plans of many variants, the
# fuzz suite's batch of every selected case, servers started per module) are built once, not once
# per worker.
set -euo pipefail
cd "$(dirname "$0")/.."
# Where the environment sets PYTHONDONTWRITEBYTECODE (this machine's does), each of the suite's
# hundreds of Python subprocesses compiled the project's modules again (~0.15-0.2 s of CPU each):
# their bytecode is kept instead (__pycache__, ignored by git), as Python does by default.
unset PYTHONDONTWRITEBYTECODE
bash scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .

# mypy's cache outlives the clone, as pip's does: mypy checks each cached module against its
# source's hash (and its own version and options), so another clone's cache is only ever a head
# start. A first run anywhere type-checks everything (~45 s of one core, beside pytest).
export MYPY_CACHE_DIR=${MYPY_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/dbtier/mypy}
mypy_log=$(mktemp)
.venv/bin/mypy > "$mypy_log" 2>&1 &
mypy_pid=$!
trap 'kill "$mypy_pid" 2>/dev/null || true; rm -f "$mypy_log"' EXIT

workers=(-n "${DBTIER_TEST_WORKERS:-3}" --dist loadfile)
for arg in "$@"; do
  case "$arg" in
    -n | -n* | --numprocesses* | --dist* | no:xdist | -pno:xdist) workers=() ;;
  esac
done
set +e
.venv/bin/python -m pytest ${workers[@]+"${workers[@]}"} "$@"
rc=$?
wait "$mypy_pid"
mypy_rc=$?
set -e
cat "$mypy_log"
if [ "$mypy_rc" -ne 0 ]; then
  echo "test: mypy failed" >&2
  exit 1
fi
if [ "$rc" -eq 5 ]; then
  echo "test: pytest collected no tests" >&2
  exit 1
fi
exit "$rc"
