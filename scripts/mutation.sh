#!/usr/bin/env bash
# Mutation testing of the security-critical modules (issue 23) with mutmut: each module against its
# own targeted tests, then the score per module. Slow (minutes per module on two cores, under
# nice): it is not part of CI nor of scripts/test.sh.
#   bash scripts/mutation.sh                      every module of the table below
#   bash scripts/mutation.sh echo credentials     only those
# MUTATION_JOBS (default 2) mutants run at once. Each module's run is left in mutants/<module>/
# (run.log, results.txt); survivors: cd mutants/<module> && ../../.venv-mutation/bin/mutmut show NAME
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
venv=$root/.venv-mutation
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

# module | files mutmut mutates | mutants that count (mutmut names: module.x_function__mutmut_N;
# an export's masking counts the functions that mask, not the rest of its module) | its tests |
# pytest -k (in-process tests only: a subprocess or a planned stack would run per mutant).
MODULES=(
  "network|components/network/config.py awsdata/vpc.py|components.network.config.* awsdata.vpc.*|tests/unit/test_private_ranges.py tests/unit/test_network_config.py tests/unit/test_config_input.py tests/unit/test_config.py|"
  "echo|contract/echo.py|contract.echo.*|tests/unit/test_contract.py|"
  "stackfile|preflight/stackfile.py|preflight.stackfile.*|tests/unit/test_stackfile.py tests/unit/test_project_file.py tests/unit/test_stackfile_messages.py|"
  "yamlfile|preflight/yamlfile.py|preflight.yamlfile.*|tests/unit/test_yamlfile.py tests/unit/test_stackfile.py|"
  "masking|preflight/report.py preflight/tfplan/convert.py workloads/common/redaction.py|preflight.report.x_mask_secrets__* preflight.report.x_output_lines__* preflight.report.x_plan_json__* preflight.tfplan.convert.x__is_secret__* preflight.tfplan.convert.x__object__* preflight.tfplan.convert.x__value__* preflight.tfplan.convert.x__plain__* workloads.common.redaction.*|tests/unit/test_secret_masking.py tests/unit/test_tfplan.py tests/unit/test_workloads.py|not dev and not prod and not separate_runs and not gives_up_after_its_bound"
  "credentials|workloads/common/credentials.py|workloads.common.credentials.*|tests/unit/test_credential_renewal.py tests/unit/test_workloads.py|"
  "parameters|components/parameters.py|components.parameters.*|tests/unit/test_parameters.py tests/unit/test_change_management.py tests/unit/test_relational_engines_config.py|not switches_reach and not reach_every and not staggered"
)
names=()
for row in "${MODULES[@]}"; do names+=("${row%%|*}"); done
chosen=("$@")
[ ${#chosen[@]} -gt 0 ] || chosen=("${names[@]}")

lines() { tr ' ' '\n' <<< "$1" | sed '/^$/d; s/^/    /'; }

run_module() {
  local name=$1 files=$2 globs=$3 tests=$4 select=$5
  local work=$root/mutants/$name
  rm -rf "$work"
  mkdir -p "$work"
  # mutmut works in a copy of the tree (its own mutants/ under the folder it runs in) and reads
  # its settings from setup.cfg there: one folder per module, so each has its own tests.
  for item in awsdata components contract dbtier lambdas policy preflight standins workloads \
    tests examples docs __main__.py Pulumi.yaml Pulumi.dev.yaml Pulumi.prod.yaml README.md \
    pyproject.toml; do
    cp -r "$root/$item" "$work/"
  done
  {
    echo "[mutmut]"
    echo "source_paths ="; lines "awsdata components contract preflight workloads"
    echo "only_mutate ="; lines "$files"
    echo "also_copy ="; lines "dbtier lambdas policy standins examples docs __main__.py Pulumi.yaml Pulumi.dev.yaml Pulumi.prod.yaml README.md"
    echo "pytest_add_cli_args_test_selection ="; lines "$tests"
    echo "pytest_add_cli_args ="
    printf '    %s\n' -p no:cacheprovider -m "not integration and not policy"
    [ -z "$select" ] || printf '    %s\n' -k "$select"
  } > "$work/setup.cfg"
  # pyproject's [tool.mutmut] would win over setup.cfg; it has none (the table above is the config).
  read -ra patterns <<< "$globs"
  echo "mutation: $name ..." >&2
  if ! (cd "$work" && env -u PYTHONPATH nice -n 10 "$venv/bin/mutmut" run \
    --max-children "${MUTATION_JOBS:-2}" "${patterns[@]}" > run.log 2>&1); then
    tr '\r' '\n' < "$work/run.log" | grep -v '^\s*$' | tail -n 30 >&2
    echo "mutation: mutmut failed for $name (mutants/$name/run.log)" >&2
    return 1
  fi
  (cd "$work" && env -u PYTHONPATH "$venv/bin/mutmut" results --all true > results.txt)
  SPEC="$name $globs" "$venv/bin/python" - "$work/results.txt" <<'PY' | tee -a "$root/mutants/scores.txt"
import collections, fnmatch, os, sys

name, *globs = os.environ["SPEC"].split()
status = {}
for line in open(sys.argv[1], encoding="utf-8"):
    mutant, sep, state = line.strip().rpartition(": ")
    if sep and "__mutmut_" in mutant and any(fnmatch.fnmatch(mutant, g) for g in globs):
        status[mutant] = state
killed = sum(s in ("killed", "timeout") for s in status.values())
others = collections.Counter(s for s in status.values() if s not in ("killed", "timeout"))
score = f"{100 * killed / len(status):.1f}%" if status else "-"
print(f"{name:<12} killed {killed:>4} of {len(status):>4}  {score:>6}  {dict(others) or ''}")
PY
}

mkdir -p mutants
: > mutants/scores.txt
status=0
for name in "${chosen[@]}"; do
  found=
  for row in "${MODULES[@]}"; do
    IFS='|' read -r n files globs tests select <<< "$row"
    if [ "$n" = "$name" ]; then
      found=1
      run_module "$n" "$files" "$globs" "$tests" "$select" || status=1
    fi
  done
  [ -n "$found" ] || { echo "mutation: unknown module $name (${names[*]})" >&2; exit 2; }
done
exit $status
