"""`python -m preflight` as users run it: subprocesses on the real stack files, and the exit codes
of its error paths."""

from __future__ import annotations

import functools
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import preflight.__main__ as cli
from preflight.plan import SECRET_SIG, SECRET_VALUE, Plan
from tests.policy.policy_fixtures import ROOT, make_plan
from tests.policy.policy_fixtures import run_preflight as preflight


def secret_values(value: Any) -> Iterator[str]:
    """Every plaintext value held in a secret envelope, anywhere in ``value``."""
    if isinstance(value, dict):
        if value.get(SECRET_SIG) == SECRET_VALUE:
            yield str(value["value"])
        else:
            for v in value.values():
                yield from secret_values(v)
    elif isinstance(value, list):
        for v in value:
            yield from secret_values(v)


def in_process(capsys: pytest.CaptureFixture[str], *args: str) -> subprocess.CompletedProcess[str]:
    """``preflight ARGS`` in this process (``cli.main``), its exit code and both streams as
    ``preflight`` (a subprocess) gives them: for the error paths, where a new interpreter is not
    what the test is about (the subprocess tests above show the exit code reaches the shell)."""
    code = cli.main(list(args))
    captured = capsys.readouterr()
    return subprocess.CompletedProcess(["preflight", *args], code, captured.out, captured.err)


@functools.cache
def report_of(stack: str, fmt: str) -> subprocess.CompletedProcess[str]:
    """``preflight --stack STACK`` as a user runs it (text, the default, or ``--format json``),
    run once per module: several tests read the same report."""
    return preflight("--stack", stack, *(["--format", fmt] if fmt != "text" else []))


@pytest.fixture(scope="module", params=["dev", "prod"])
def stack(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def plan(stack: str, request: pytest.FixtureRequest) -> Plan:
    """The stack planned in this process (the session's dev_plan or prod_plan, conftest.py):
    what the preflight's subprocess plans too."""
    return request.getfixturevalue(f"{stack}_plan")


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_report_never_shows_a_secret_value(stack: str, plan: Plan, fmt: str) -> None:
    secrets = {
        s for s in secret_values([plan.outputs, *(r.inputs for r in plan.resources)]) if len(s) >= 8
    }
    assert secrets, "the plan holds generated passwords and tokens"
    run = report_of(stack, fmt)
    assert run.returncode == 0, run.stderr
    assert [s for s in secrets if s in run.stdout] == []


def test_text_plan_shows_the_tree_and_masked_outputs(stack: str, plan: Plan) -> None:
    run = report_of(stack, "text")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == f"Previewing stack dbtier-{stack} (offline, on mocks)"
    assert lines[2].split() == ["Type", "Name"]
    assert lines[3].split() == ["+", "pulumi:pulumi:Stack", f"dbtier-{stack}"]
    assert any(line.startswith(" +   ├─ dbtier:components:RelationalTier") for line in lines)
    assert any("│  ├─ aws:rds/instance:Instance" in line for line in lines)
    assert '"password": "[secret]"' in run.stdout
    assert f"Resources: {len(plan.resources)} to create" in lines
    assert lines[-1] == "Policy violations: none" or re.fullmatch(
        r"  0 mandatory, \d+ advisory", lines[-1]
    )
    assert run.stderr == ""


def test_prod_json_lists_the_foundation_resources_and_outputs() -> None:
    run = report_of("prod", "json")
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert set(report) == {"stack", "resources", "outputs", "violations"}
    assert report["stack"] == "prod"
    types = [r["type"] for r in report["resources"]]
    for expected in (
        "aws:kms/key:Key",
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:rds/subnetGroup:SubnetGroup",
        "aws:redshift/subnetGroup:SubnetGroup",
        "aws:redshift/cluster:Cluster",
        "aws:secretsmanager/secret:Secret",
    ):
        assert expected in types, expected
    instances = [r for r in report["resources"] if r["type"] == "aws:rds/instance:Instance"]
    primary = next(r for r in instances if r["name"] == "relational-primary")
    replicas = [r for r in instances if "replicateSourceDb" in r["inputs"]]
    assert len(replicas) == 2
    # Each replica reads from the primary: its source is the id the mocks give the primary.
    assert [r["inputs"]["replicateSourceDb"] for r in replicas] == [
        primary["inputs"]["identifier"]
    ] * 2
    aurora = [
        r for r in report["resources"] if r["type"] == "aws:rds/clusterInstance:ClusterInstance"
    ]
    assert aurora and all(r["inputs"]["instanceClass"] == "db.serverless" for r in aurora)
    assert {"relational", "aurora", "warehouse"} <= set(report["outputs"])
    for r in report["resources"]:
        assert set(r) == {"urn", "type", "name", "parent", "inputs", "protect"}
    assert "[secret]" in json.dumps(report["outputs"]["relational"]["password"])
    # Secrets stay wrapped in Pulumi's envelope, their value masked.
    assert primary["inputs"]["password"] == {
        "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
        "value": "[secret]",
    }


def test_missing_stack_exits_2_with_one_line() -> None:
    run = preflight("--stack", "staging")
    assert run.returncode == 2
    assert run.stderr.strip() == f"preflight: no stack file Pulumi.staging.yaml in {ROOT}"
    assert run.stdout == ""


@pytest.mark.parametrize(
    ("args", "error"),
    [
        pytest.param(
            ["--stack", "dev", "--format", "xml"],
            "argument --format: invalid choice: 'xml' (choose from ",
            id="unknown --format",
        ),
        pytest.param([], "the following arguments are required: --stack", id="no --stack"),
    ],
)
def test_usage_error_exits_2_with_usage(args: list[str], error: str) -> None:
    run = preflight(*args)
    assert run.returncode == 2
    assert run.stderr.startswith("usage: python -m preflight")
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith(f"python -m preflight: error: {error}"), last
    assert run.stdout == ""


def test_bad_config_exits_2_naming_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    (tmp_path / "__main__.py").write_text((ROOT / "__main__.py").read_text())
    (tmp_path / "Pulumi.bad.yaml").write_text(
        "config:\n  dbtier:relational:\n    readReplicas: 20\n"
    )
    run = in_process(capsys, "--stack", "bad", "--project-dir", str(tmp_path))
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert lines == [
        "preflight: Pulumi.bad.yaml: dbtier:relational.readReplicas must be between 0 and 15 (got 20)"
    ]


def test_malformed_stack_yaml_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "Pulumi.yaml").write_text((ROOT / "Pulumi.yaml").read_text())
    (tmp_path / "__main__.py").write_text("")
    (tmp_path / "Pulumi.broken.yaml").write_text("config: [unclosed\n")
    run = in_process(capsys, "--stack", "broken", "--project-dir", str(tmp_path))
    assert run.returncode == 2
    assert run.stderr == (
        "preflight: Pulumi.broken.yaml is not valid YAML at line 2: did not find expected ',' or ']'\n"
    )


@pytest.mark.parametrize(
    ("content", "error"),
    [
        pytest.param(None, "policy config {path} does not exist", id="missing file"),
        pytest.param("{not json", "policy config {path} is not JSON: ", id="not JSON"),
        pytest.param("[1, 2]", "policy config {path} must be a JSON object", id="not an object"),
        pytest.param(
            '{"rds-instance-storage-encryptd": "advisory"}',
            "policy config names unknown policies: rds-instance-storage-encryptd",
            id="misspelled policy",
        ),
        pytest.param(
            '{"all": "sometimes"}',
            "all: enforcement level must be one of advisory, mandatory, remediate, disabled "
            "(got 'sometimes')",
            id="unknown level",
        ),
        pytest.param(
            '{"rds-backup-retention": {"minimumDayz": 3}}',
            "rds-backup-retention: unknown config property 'minimumDayz'",
            id="misspelled property",
        ),
        pytest.param(
            '{"rds-backup-retention": 3}',
            "rds-backup-retention: config must be a level or an object",
            id="entry neither level nor object",
        ),
    ],
)
def test_bad_policy_config_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, error: str
) -> None:
    path = tmp_path / "policy.json"
    if content is not None:
        path.write_text(content)
    run = in_process(capsys, "--stack", "dev", "--policy-config", str(path))
    assert run.returncode == 2
    assert run.stderr.startswith("preflight: " + error.format(path=path)), run.stderr
    assert len(run.stderr.splitlines()) == 1
    assert run.stdout == ""


def test_unwritable_output_exits_2_and_leaves_no_partial_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "missing-dir" / "plan.json"
    run = in_process(capsys, "--stack", "dev", "--format", "json", "--output", str(target))
    assert run.returncode == 2
    assert run.stderr == (
        f"preflight: --output {target}: directory {target.parent} does not exist\n"
    )
    assert not target.parent.exists()


def test_a_failed_write_leaves_the_old_report_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "plan.txt"
    target.write_text("the previous report\n")
    monkeypatch.setattr(cli, "plan_stack", lambda *_: make_plan([]))
    monkeypatch.setattr(cli, "run_policy_report", lambda *_: _clean_report())

    def full_disk(self: Path, text: str) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", full_disk)
    assert cli.main(["--stack", "dev", "--output", str(target)]) == 2
    assert capsys.readouterr().err == (
        f"preflight: cannot write {target}: No space left on device\n"
    )
    monkeypatch.undo()
    assert target.read_text() == "the previous report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.txt"]


def _clean_report() -> Any:
    from preflight.policy import PolicyReport

    return PolicyReport(pack="dbtier", version="0", policies=(), violations=(), config={})


@pytest.mark.parametrize(
    ("args", "error"),
    [
        pytest.param(
            ["--stack", "dev.yaml/x"],
            "--stack: 'dev.yaml/x' is not a valid stack name (letters, digits, -, _ and ., "
            "at most 100 characters)",
            id="stack with a slash",
        ),
        pytest.param(["--stack", "s" * 101], "--stack: 'sssss", id="stack of 101 characters"),
        pytest.param(["--stack", ""], "--stack: the stack name is empty", id="empty stack"),
        pytest.param(
            ["--stack", "prod\x1b[31m\nx"],
            "--stack: 'prod\\x1b[31m\\nx' is not a valid stack name",
            id="stack with escapes",
        ),
        pytest.param(
            ["--stack", "dev", "--output", ""],
            "--output is empty; give the report's file name",
            id="empty output",
        ),
        pytest.param(
            ["--stack", "dev", "--output", "{tmp}"],
            "--output {tmp} is a directory; give a file name",
            id="output a directory",
        ),
        pytest.param(
            ["--stack", "dev", "--output", "{tmp}/file/report.txt"],
            "--output {tmp}/file/report.txt: {tmp}/file is not a directory",
            id="output under a file",
        ),
        pytest.param(
            ["--stack", "dev", "--policy-config", "{tmp}"],
            "--policy-config {tmp} is a directory, not a JSON file",
            id="policy config a directory",
        ),
        pytest.param(
            ["--stack", "dev", "--policy-config", "/dev/zero"],
            "--policy-config /dev/zero is not a regular file",
            id="policy config a device",
        ),
        pytest.param(
            ["--stack", "dev", "--policy-config", "{tmp}/latin1.json"],
            "--policy-config {tmp}/latin1.json: it is not UTF-8 (byte 0xe9 at line 1)",
            id="policy config not UTF-8",
        ),
        pytest.param(
            ["--stack", "dev", "--project-dir", "{tmp}/missing"],
            "--project-dir {tmp}/missing: no such directory",
            id="project dir missing",
        ),
        pytest.param(
            ["--stack", "dev", "--project-dir", "{tmp}/file"],
            "--project-dir {tmp}/file is not a directory",
            id="project dir a file",
        ),
    ],
)
def test_unusable_arguments_exit_2_with_one_line_naming_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], error: str
) -> None:
    (tmp_path / "file").write_text("x")
    (tmp_path / "latin1.json").write_bytes(b'{"x": "caf\xe9"}')
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args]
    assert cli.main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("preflight: " + error.replace("{tmp}", str(tmp_path)))
    assert captured.err.count("\n") == 1
    assert len(captured.err) < 600


def test_a_bug_is_one_line_with_exit_3(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("boom\n\x1b[31m" + "x" * 1000)

    monkeypatch.setattr(cli, "plan_stack", broken)
    assert cli.main(["--stack", "dev"]) == 3
    err = capsys.readouterr().err
    assert err.startswith("preflight: internal error: RuntimeError: boom\\n\\x1b[31mxxx")
    assert err.count("\n") == 1 and len(err) < 300


def test_error_lines_are_guarded_against_control_characters_and_length(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def bad_config(*_: object) -> None:
        raise cli.PlanError("Pulumi.dev.yaml: dbtier:\x1b]0;pwned\x07" + "k" * 5000)

    monkeypatch.setattr(cli, "plan_stack", bad_config)
    assert cli.main(["--stack", "dev"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("preflight: Pulumi.dev.yaml: dbtier:\\x1b]0;pwned\\x07kkk")
    assert err.count("\n") == 1 and len(err) <= len("preflight: ") + cli.MESSAGE_LIMIT + 1


def test_output_file_holds_the_whole_report(tmp_path: Path) -> None:
    target = tmp_path / "plan.json"
    run = preflight("--stack", "dev", "--format", "json", "--output", str(target))
    assert run.returncode == 0, run.stderr
    assert run.stdout == ""
    report = json.loads(target.read_text())
    assert (report["stack"], set(report)) == (
        "dev",
        {"stack", "resources", "outputs", "violations"},
    )
    assert report["resources"] and report["outputs"]
    assert [p.name for p in tmp_path.iterdir()] == ["plan.json"]


def _interrupt(*_: object, **__: object) -> None:
    raise KeyboardInterrupt


@pytest.mark.parametrize(
    ("step", "message"),
    [
        pytest.param("plan_stack", "preflight: interrupted\n", id="while planning"),
        pytest.param(
            "run_policy_report",
            "preflight: interrupted; the policy pack was stopped\n",
            id="while the pack runs",
        ),
    ],
)
def test_ctrl_c_exits_130_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], step: str, message: str
) -> None:
    if step == "run_policy_report":
        monkeypatch.setattr(cli, "plan_stack", lambda *_: make_plan([]))
    monkeypatch.setattr(cli, step, _interrupt)
    assert cli.main(["--stack", "dev"]) == 130
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", message)


def _pack_of(pid: int) -> set[int]:
    """Processes running ``pulumi.policy`` whose parent is ``pid``."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                cmd = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2 :].split()[1]) == pid and b"pulumi.policy" in cmd:
                found.add(int(entry.name))
    return found


def _alive(pids: set[int]) -> set[int]:
    return {p for p in pids if Path(f"/proc/{p}").exists() and "Z" not in _state(p)}


def _state(pid: int) -> str:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return "Z"
    return stat[stat.rindex(")") + 2]


@pytest.mark.parametrize(
    ("sig", "code", "line"),
    [
        pytest.param(
            signal.SIGTERM,
            143,
            "preflight: terminated (SIGTERM); the policy pack was stopped",
            id="SIGTERM",
        ),
        pytest.param(
            signal.SIGINT,
            130,
            "preflight: interrupted; the policy pack was stopped",
            id="SIGINT",
        ),
    ],
)
def test_a_signal_while_the_pack_runs_stops_the_pack(
    sig: signal.Signals, code: int, line: str
) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "preflight", "--stack", "prod"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not _pack_of(proc.pid) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    pack = _pack_of(proc.pid)
    assert pack, "the policy pack never started"
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == code
    assert err == line + "\n"
    time.sleep(0.2)
    assert not _alive(pack), "the policy pack outlived the preflight"


@pytest.mark.parametrize(("given", "seen"), [(None, "ERROR"), ("debug", "debug")])
def test_grpc_core_logs_only_errors_unless_the_user_asks(given: str | None, seen: str) -> None:
    # grpcio writes INFO lines ("Got goaway ...") to stderr by default; once seen in a report's
    # stderr when the pack exited as its channel closed.
    env = {k: v for k, v in os.environ.items() if k != "GRPC_VERBOSITY"}
    env |= {"GRPC_VERBOSITY": given} if given else {}
    code = "import preflight, os; print(os.environ['GRPC_VERBOSITY'])"
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == seen
