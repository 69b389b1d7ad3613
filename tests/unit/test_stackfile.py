"""The one loader of project and stack files (preflight/yamlfile.py, preflight/stackfile.py): its
limits and its messages."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from preflight import stackfile
from preflight.stackfile import StackFileError, load_project, load_stack
from preflight.yamlfile import parse_yaml
from tests.policy.policy_fixtures import ROOT

CIPHERTEXT = "v1:Yk9vZ2x5X2ZhenpfMTE=:ZmFrZS1jaXBoZXJ0ZXh0"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "Pulumi.yaml").write_bytes((ROOT / "Pulumi.yaml").read_bytes())
    return tmp_path


def stack_error(project: Path, text: str | bytes) -> str:
    path = project / "Pulumi.t.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    with pytest.raises(StackFileError) as caught:
        load_stack(project, "t")
    message = str(caught.value)
    assert "\n" not in message and len(message) < 400, message
    return message


def test_the_repository_stacks_load_as_strings() -> None:
    prod = load_stack(ROOT, "prod")
    assert prod.config["dbtier:protect"] == "true"
    assert prod.config["aws:region"] == "us-east-1"
    assert prod.config["dbtier:tags"] == '{"Environment": "prod"}'
    assert load_project(ROOT).config["dbtier:protect"] == "false"


# --- YAML: the core schema, as Pulumi reads it ----------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        pytest.param("2024-01-01", "2024-01-01", id="a date stays a string"),
        pytest.param("2001-12-14 21:59:43.10 -5", "2001-12-14 21:59:43.10 -5", id="timestamp"),
        pytest.param("yes", "yes", id="YAML 1.1 yes is a string"),
        pytest.param("on", "on", id="YAML 1.1 on is a string"),
        pytest.param("1:04", "1:04", id="no sexagesimal numbers"),
        pytest.param("1_0", "1_0", id="no underscores in numbers"),
        pytest.param("true", True, id="true"),
        pytest.param("False", False, id="False"),
        pytest.param("~", None, id="null"),
        pytest.param("0x1F", 31, id="hex"),
        pytest.param("-12", -12, id="int"),
        pytest.param("0.5", 0.5, id="float"),
        pytest.param("1e3", 1000.0, id="exponent"),
        pytest.param("'0.5'", "0.5", id="quoted stays a string"),
        pytest.param("!!str 5", "5", id="explicit str"),
    ],
)
def test_scalars_follow_the_yaml_1_2_core_schema(text: str, value: object) -> None:
    assert parse_yaml(f"v: {text}\n", "f.yaml") == {"v": value}


@pytest.mark.parametrize(
    ("text", "error"),
    [
        pytest.param("v: !!binary aGk=\n", "f.yaml: v uses the YAML tag !!binary", id="binary"),
        pytest.param("v: !!set {a, b}\n", "f.yaml: v uses the YAML tag !!set", id="set"),
        pytest.param(
            "v: !!python/object/apply:os.getpid []\n",
            "f.yaml: v uses the YAML tag !!python/object/apply:os.getpid",
            id="python object",
        ),
        pytest.param("v: !vault x\n", "f.yaml: v uses the YAML tag !vault", id="local tag"),
        pytest.param("v: !!timestamp 2024-01-01\n", "f.yaml: v uses the YAML tag", id="timestamp"),
        pytest.param("v: .nan\n", "f.yaml: v is .nan, not a finite number", id="nan"),
        pytest.param("v: -.inf\n", "f.yaml: v is -.inf, not a finite number", id="inf"),
        pytest.param("v: " + "9" * 5000 + "\n", "f.yaml: v is a number too large", id="huge int"),
        pytest.param("v: 9223372036854775808\n", "f.yaml: v is a number too large", id="2**63"),
        pytest.param("v: 1\nv: 2\n", "f.yaml: v is given twice (lines 1 and 2)", id="dup key"),
        pytest.param("a:\n  b: 1\n  b: 2\n", "f.yaml: a.b is given twice", id="dup nested key"),
        pytest.param("1: x\n", "f.yaml:  has a key that is not a string (1)", id="int key"),
        pytest.param("a: {null: x}\n", "f.yaml: a has a key that is not a string", id="null key"),
        pytest.param("a: {true: x}\n", "f.yaml: a has a key that is not a string", id="bool key"),
        pytest.param("a:\n  ? [x]\n  : y\n", "f.yaml: a has a key that is a list", id="list key"),
        pytest.param("a: [1\n", "f.yaml is not valid YAML at line 2", id="unclosed flow"),
        pytest.param("a: *nowhere\n", "f.yaml is not valid YAML at line 1", id="undefined alias"),
        pytest.param("a: &x [*x]\n", "f.yaml has a recursive YAML alias *x", id="recursive alias"),
        pytest.param("a: 1\n---\nb: 2\n", "f.yaml is not valid YAML", id="two documents"),
        pytest.param("a: 'x\x07'\n", "f.yaml is not valid YAML", id="control character"),
    ],
)
def test_what_yaml_cannot_mean_in_config_is_refused_naming_the_key(text: str, error: str) -> None:
    with pytest.raises(StackFileError) as caught:
        parse_yaml(text, "f.yaml")
    assert str(caught.value).startswith(error), caught.value


def _alias_bomb(levels: int, width: int) -> str:
    lines = ["a0: &a0 [lol]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        pytest.param(_alias_bomb(9, 9), "holds more than 250,000 values", id="350-byte alias bomb"),
        pytest.param(_alias_bomb(12, 12), "holds more than 250,000 values", id="large alias bomb"),
        pytest.param(
            "b: &r [1]\nl: [" + ", ".join(["*r"] * 2000) + "]\n",
            "has more than 1,000 YAML aliases",
            id="many aliases",
        ),
        pytest.param("v: " + "[" * 3000 + "]" * 3000 + "\n", "f.yaml", id="3000-deep lists"),
        pytest.param(
            "v: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n", "f.yaml", id="3000-deep maps"
        ),
        pytest.param(
            "".join("  " * i + f"k{i}:\n" for i in range(3000)) + "  " * 3000 + "v\n",
            "f.yaml",
            id="3000-deep block nesting",
        ),
        pytest.param("v: " + "[" * 100 + "]" * 100 + "\n", "nests lists and objects", id="100"),
    ],
)
def test_runaway_documents_are_refused_in_milliseconds(text: str, error: str) -> None:
    began = time.monotonic()
    with pytest.raises(StackFileError) as caught:
        parse_yaml(text, "f.yaml")
    assert time.monotonic() - began < 1.0
    assert error in str(caught.value)
    assert str(caught.value).startswith("f.yaml")


def test_a_small_anchor_used_a_few_times_is_fine() -> None:
    assert parse_yaml("a: &x {k: v}\nb: *x\n", "f.yaml") == {"a": {"k": "v"}, "b": {"k": "v"}}


# --- files -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "error"),
    [
        pytest.param(
            "config:\n  dbtier:tags: {Owner: José}\n".encode("latin-1"),
            "Pulumi.t.yaml is not UTF-8 (byte 0xe9 at line 2); save it as UTF-8",
            id="latin-1",
        ),
        pytest.param(
            "config: {}\n".encode("utf-16"),
            "Pulumi.t.yaml is UTF-16-encoded; save it as UTF-8",
            id="utf-16",
        ),
        pytest.param(
            "config: {}\n".encode("utf-32"),
            "Pulumi.t.yaml is UTF-32-encoded; save it as UTF-8",
            id="utf-32",
        ),
        pytest.param(
            "config: {}\n".encode("utf-16-be"),
            "Pulumi.t.yaml contains a NUL byte at line 1",
            id="utf-16 without BOM",
        ),
        pytest.param(b"config: {}\n#" + b"x" * (5 << 20), "larger than 4 MiB", id="5 MiB"),
    ],
)
def test_bad_bytes_are_refused_naming_the_file(project: Path, content: bytes, error: str) -> None:
    assert error in stack_error(project, content)


def test_a_utf8_byte_order_mark_is_accepted(project: Path) -> None:
    (project / "Pulumi.t.yaml").write_bytes(b"\xef\xbb\xbfconfig:\n  dbtier:protect: true\n")
    assert load_stack(project, "t").config["dbtier:protect"] == "true"


@pytest.mark.parametrize(
    ("make", "error"),
    [
        pytest.param(lambda p: p.mkdir(), "Pulumi.t.yaml is a directory, not a file", id="dir"),
        pytest.param(os.mkfifo, "Pulumi.t.yaml is not a regular file", id="fifo"),
        pytest.param(
            lambda p: p.symlink_to("/dev/zero"), "Pulumi.t.yaml is not a regular file", id="zero"
        ),
        pytest.param(
            lambda p: p.symlink_to(p.name), "cannot read Pulumi.t.yaml: Too many levels", id="loop"
        ),
        pytest.param(lambda p: None, "no stack file Pulumi.t.yaml in ", id="missing"),
    ],
)
def test_a_stack_file_that_is_not_a_file_is_refused_at_once(
    project: Path, make: object, error: str
) -> None:
    make(project / "Pulumi.t.yaml")  # type: ignore[operator]
    began = time.monotonic()
    with pytest.raises(StackFileError) as caught:
        load_stack(project, "t")
    assert time.monotonic() - began < 1.0
    assert str(caught.value).startswith(error), caught.value


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_stack_file_is_named(project: Path) -> None:
    path = project / "Pulumi.t.yaml"
    path.write_text("config: {}\n")
    path.chmod(0)
    with pytest.raises(StackFileError, match=r"^cannot read Pulumi.t.yaml: Permission denied$"):
        load_stack(project, "t")


# --- the stack file's shape, keys and namespaces ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "error"),
    [
        pytest.param(
            "confg:\n  dbtier:protect: true\n",
            "Pulumi.t.yaml: 'confg' is not a stack file key (did you mean config?)",
            id="misspelled config",
        ),
        pytest.param(
            "config:\n  dbtier:protect: true\nconfig:\n  aws:region: us-east-1\n",
            "Pulumi.t.yaml: config is given twice (lines 1 and 3); keep one",
            id="second config block",
        ),
        pytest.param(
            "config:\n  dbtier:protect: true\n  dbtier:protect: false\n",
            "Pulumi.t.yaml: dbtier:protect is given twice (lines 2 and 3); keep one",
            id="key given twice",
        ),
        pytest.param("- config\n", "Pulumi.t.yaml must be a YAML mapping", id="a list"),
        pytest.param(
            "config:\n  - aws:region\n",
            "Pulumi.t.yaml: config must be a mapping of namespace:key to value (got a list)",
            id="config a list",
        ),
        pytest.param(
            "config:\n  1: x\n",
            "Pulumi.t.yaml: config has a key that is not a string (1); quote it",
            id="int key",
        ),
        pytest.param(
            "environment:\n  - dev-env\n",
            "Pulumi.t.yaml: environment (Pulumi ESC) cannot be read offline",
            id="ESC environment",
        ),
        pytest.param(
            "config:\n  dbteir:relational: {readReplicas: 5}\n",
            "Pulumi.t.yaml: dbteir:relational is not in the dbtier namespace "
            "(did you mean dbtier:relational?)",
            id="dbteir",
        ),
        pytest.param(
            "config:\n  DBTIER:protect: true\n",
            "Pulumi.t.yaml: DBTIER:protect is not in the dbtier namespace "
            "(did you mean dbtier:protect?)",
            id="DBTIER",
        ),
        pytest.param(
            "config:\n  'dbtier :protect': true\n",
            "Pulumi.t.yaml: dbtier :protect is not in the dbtier namespace",
            id="space before the colon",
        ),
        pytest.param(
            "config:\n  db-tier:protect: true\n",
            "Pulumi.t.yaml: db-tier:protect is not in the dbtier namespace",
            id="db-tier",
        ),
        pytest.param(
            "config:\n  dbtier.relational: {readReplicas: 5}\n",
            "Pulumi.t.yaml: dbtier.relational is not a known dbtier setting "
            "(did you mean dbtier:relational?)",
            id="dot for colon",
        ),
        pytest.param(
            "config:\n  dbtier:protcet: true\n",
            "Pulumi.t.yaml: dbtier:protcet is not a known dbtier setting "
            "(did you mean dbtier:protect?)",
            id="misspelled setting",
        ),
        pytest.param(
            "config:\n  dbtier:relational.readReplicas: 5\n",
            "Pulumi.t.yaml: dbtier:relational.readReplicas is not a setting; write readReplicas "
            "inside dbtier:relational",
            id="flattened path",
        ),
        pytest.param(
            "config:\n  aws:regoin: us-east-1\n",
            "Pulumi.t.yaml: aws:regoin is not a setting of the AWS provider (pulumi-aws) "
            "(did you mean aws:region?)",
            id="misspelled aws key",
        ),
        pytest.param(
            "config:\n  AWS:region: us-east-1\n",
            "Pulumi.t.yaml: AWS:region is not in the aws namespace (did you mean aws:region?)",
            id="AWS",
        ),
    ],
)
def test_a_setting_nobody_would_read_is_an_error(project: Path, text: str, error: str) -> None:
    assert stack_error(project, text).startswith(error)


def test_other_namespaces_and_known_aws_keys_are_allowed(project: Path) -> None:
    (project / "Pulumi.t.yaml").write_text(
        "config:\n  aws:region: eu-west-1\n  aws:defaultTags: {tags: {a: b}}\n"
        "  pulumi:template: x\n  random:seed: 1\n  protect: true\n"
        f"  other:token:\n    secure: {CIPHERTEXT}\n"
    )
    stack = load_stack(project, "t")
    assert stack.config["dbtier:protect"] == "true"
    assert stack.config["aws:defaultTags"] == '{"tags": {"a": "b"}}'
    assert stack.config["other:token"] == "[secure]"
    assert stack.secret_keys == ("other:token",)


def test_aws_keys_come_from_the_installed_provider() -> None:
    keys = stackfile.aws_config_keys()
    assert {"region", "profile", "defaultTags", "skipCredentialsValidation"} <= keys


@pytest.mark.parametrize(
    ("text", "key"),
    [
        pytest.param(
            f"config:\n  dbtier:relational:\n    secure: {CIPHERTEXT}\n",
            "dbtier:relational",
            id="top",
        ),
        pytest.param(
            f"config:\n  dbtier:tags:\n    Owner:\n      secure: {CIPHERTEXT}\n",
            "dbtier:tags.Owner",
            id="nested with --path",
        ),
        pytest.param(f"config:\n  protect:\n    secure: {CIPHERTEXT}\n", "protect", id="bare"),
    ],
)
def test_a_secure_dbtier_value_is_named_and_never_echoed(
    project: Path, text: str, key: str
) -> None:
    message = stack_error(project, text)
    assert message == (
        f"Pulumi.t.yaml: {key} is a secure value; secure values are not supported offline: "
        "dbtier settings hold no secrets, so set it without --secret"
    )
    assert "Yk9v" not in message


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        pytest.param("dbtier:\x1b[2Jx", "dbtier:\\x1b[2Jx", id="escape sequence"),
        pytest.param("dbtier:a\nb", "dbtier:a\\nb", id="newline"),
        pytest.param("dbtier:a\u202eb", "dbtier:a\\u202eb", id="bidi override"),
    ],
)
def test_keys_are_echoed_safely(project: Path, key: str, shown: str) -> None:
    escaped = key.encode("unicode_escape").decode("ascii")
    message = stack_error(project, f'config:\n  "{escaped}": 1\n')
    assert message.startswith(f"Pulumi.t.yaml: {shown} is not a known dbtier setting")


def test_a_100000_character_key_makes_a_short_line(project: Path) -> None:
    message = stack_error(project, "config:\n  ? dbtier:" + "k" * 100_000 + "\n  : 1\n")
    assert message.startswith("Pulumi.t.yaml: dbtier:kkk")
    assert len(message) < 200


@pytest.mark.parametrize(
    "stack",
    ["dev.yaml/x", "../../etc/passwd", "", "s" * 101, "a b", "prod\nx", "\x1b[31m"],
    ids=["slash", "dot-dot", "empty", "too-long", "space", "newline", "escape"],
)
def test_invalid_stack_names_are_refused(project: Path, stack: str) -> None:
    with pytest.raises(StackFileError, match="stack name") as caught:
        load_stack(project, stack)
    assert "\n" not in str(caught.value) and "\x1b" not in str(caught.value)


# --- Pulumi.yaml -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "error"),
    [
        pytest.param(
            b"name: dbtier\nruntime: python\nconfig:\n  - aws:region\n",
            "Pulumi.yaml: config must be a mapping of key to value (got a list)",
            id="config a list",
        ),
        pytest.param(
            b"name: [dbtier]\nruntime: python\n",
            "Pulumi.yaml: name must be dbtier",
            id="name a list",
        ),
        pytest.param(
            b"name: 2024-01-01\nruntime: python\n", "Pulumi.yaml: name must be dbtier", id="date"
        ),
        pytest.param(
            b"name: dbtier\nconfig:\n  1:\n    default: x\n",
            "Pulumi.yaml: config has a key that is not a string (1)",
            id="int key",
        ),
        pytest.param(
            b"name: dbtier\nconfig:\n  protect:\n    type: boolean\n    default: 2024-01-01\n",
            "Pulumi.yaml: config.protect.default must be of type boolean (got str 2024-01-01)",
            id="default of the wrong type",
        ),
        pytest.param(
            b"name: dbtier\nconfig:\n  protect:\n    defualt: true\n",
            "Pulumi.yaml: config.protect.defualt is not a field of a project config key "
            "(did you mean default?)",
            id="misspelled field",
        ),
        pytest.param(
            b"name: dbtier\nconfig:\n  protcet:\n    default: true\n",
            "Pulumi.yaml: config: protcet is not a known dbtier setting",
            id="unknown setting",
        ),
        pytest.param(
            b"name: dbtier\ndescription: caf\xe9\n",
            "Pulumi.yaml is not UTF-8 (byte 0xe9 at line 2)",
            id="latin-1",
        ),
    ],
)
def test_project_file_errors_blame_pulumi_yaml(project: Path, content: bytes, error: str) -> None:
    (project / "Pulumi.yaml").write_bytes(content)
    with pytest.raises(StackFileError) as caught:
        load_project(project)
    assert str(caught.value).startswith(error), caught.value


def test_a_missing_project_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(StackFileError, match=r"^no project file Pulumi.yaml in "):
        load_project(tmp_path)
