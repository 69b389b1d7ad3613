#!/usr/bin/env bash
# Mutation testing of the security-critical modules (issue 23) with mutmut, each module against its
# targeted tests ([tool.mutmut] in pyproject.toml), then the score per module. Slow (tens of
# minutes on two cores): it is not part of CI nor of scripts/test.sh.
#   bash scripts/mutation.sh                 every module below
#   bash scripts/mutation.sh echo network    only those (names of the MODULES table)
# MUTATION_JOBS (default 2) mutants run at once, under nice. Survivors afterwards:
#   .venv-mutation/bin/mutmut results; .venv-mutation/bin/mutmut show NAME
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv-mutation
python=$(.venv/bin/python -c 'import sys; print(sys._base_executable)')

# The project and the [mutation] extra in their own virtualenv, rebuilt when a pin changed.
if [ ! -x "$venv/bin/mutmut" ] || ! cat pyproject.toml constraints*.txt | cmp -s - "$venv/.pins"; then
  echo "mutation: building $venv" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv"
  if ! "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -c constraints.txt -c constraints-mutation.txt -e '.[dev,mutation]' > "$venv/pip.log" 2>&1; then
    grep -v "^WARNING: Location" "$venv/pip.log" | tail -n 20 >&2
    echo "mutation: pip could not install .[dev,mutation] into $venv" >&2
    exit 1
  fi
  cat pyproject.toml constraints*.txt > "$venv/.pins"
fi

# name -> the mutants that count for it (mutmut names: module.x_function__mutmut_N). The exports'
# masking is scored on the functions that mask, not on the rest of those modules.
declare -A MODULES=(
  [network]="components.network.config.* awsdata.vpc.*"
  [echo]="contract.echo.*"
  [stackfile]="preflight.stackfile.*"
  [yamlfile]="preflight.yamlfile.*"
  [masking]="preflight.report.x_mask_secrets__* preflight.report.x_output_lines__* preflight.report.x_plan_json__* preflight.tfplan.convert.x__is_secret__* preflight.tfplan.convert.x__object__* preflight.tfplan.convert.x__value__* preflight.tfplan.convert.x__plain__* workloads.common.redaction.*"
  [credentials]="workloads.common.credentials.*"
  [parameters]="components.parameters.*"
)
ORDER=(network echo stackfile yamlfile masking credentials parameters)
chosen=("$@")
[ ${#chosen[@]} -gt 0 ] || chosen=("${ORDER[@]}")
patterns=()
for name in "${chosen[@]}"; do
  [ -n "${MODULES[$name]:-}" ] || { echo "mutation: unknown module $name (${ORDER[*]})" >&2; exit 2; }
  read -ra globs <<< "${MODULES[$name]}"
  patterns+=("${globs[@]}")
done

rm -rf mutants  # a fresh copy: mutmut reuses earlier results otherwise
env -u PYTHONPATH nice -n 10 "$venv/bin/mutmut" run --max-children "${MUTATION_JOBS:-2}" \
  "${patterns[@]}" > mutants.log 2>&1 || { tail -n 40 mutants.log >&2; exit 1; }
mv mutants.log mutants/run.log
env -u PYTHONPATH "$venv/bin/mutmut" results --all true > mutants/results.txt

# Score per module: killed (or timed out) / all mutants of its functions.
spec=$(for name in "${chosen[@]}"; do echo "$name ${MODULES[$name]}"; done)
SPEC="$spec" "$venv/bin/python" - mutants/results.txt <<'PY'
import collections, fnmatch, os, sys

status = {}
for line in open(sys.argv[1], encoding="utf-8"):
    name, sep, state = line.strip().rpartition(": ")
    if sep and "__mutmut_" in name:
        status[name] = state
killed_states = {"killed", "timeout"}
print(f"{'module':<12} {'killed':>7} {'total':>6} {'score':>7}  survivors / other")
for row in os.environ["SPEC"].splitlines():
    module, *globs = row.split()
    mine = {n: s for n, s in status.items() if any(fnmatch.fnmatch(n, g) for g in globs)}
    killed = sum(s in killed_states for s in mine.values())
    others = collections.Counter(s for s in mine.values() if s not in killed_states)
    score = f"{100 * killed / len(mine):.1f}%" if mine else "-"
    print(f"{module:<12} {killed:>7} {len(mine):>6} {score:>7}  {dict(others) or ''}")
PY
