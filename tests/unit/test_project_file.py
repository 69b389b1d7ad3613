"""`Pulumi.yaml` as preflight/stackfile.py reads it: every message exactly and what each config
entry becomes. Written to kill what mutation testing left alive in `load_project`."""

from __future__ import annotations

from pathlib import Path

import pytest

from preflight.stackfile import Project, StackFileError, load_project

NAME_RULE = "Pulumi.yaml: name must be dbtier, the namespace the program reads its settings from"


def project(tmp_path: Path, text: str) -> Project:
    (tmp_path / "Pulumi.yaml").write_text(text)
    return load_project(tmp_path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("", f"{NAME_RULE} (got empty)", id="empty"),
        pytest.param("[1]\n", "Pulumi.yaml must be a YAML mapping (got a list)", id="a list"),
        pytest.param("name: other\n", f"{NAME_RULE} (got 'other')", id="another name"),
        pytest.param("name: 5\n", f"{NAME_RULE} (got int 5)", id="a number"),
        pytest.param(
            "name: dbtier\nconfig:\n  protect: {a: b}\n",
            "Pulumi.yaml: config.protect.a is not a field of a project config key",
            id="a field",
        ),
        pytest.param(
            "name: dbtier\nconfig:\n  other:thing: {x: 1}\n  protect:\n    type: bool\n",
            "Pulumi.yaml: config.protect.type must be one of string, integer, boolean, array"
            " (got str bool)",
            id="a type",
        ),
        pytest.param(
            "name: dbtier\nconfig:\n  protect:\n    type: integer\n    value: true\n",
            "Pulumi.yaml: config.protect.value must be of type integer (got bool True)",
            id="a value",
        ),
        pytest.param(
            "name: dbtier\nconfig:\n  protect:\n    type: boolean\n    default: 1\n",
            "Pulumi.yaml: config.protect.default must be of type boolean (got int 1)",
            id="a default",
        ),
    ],
)
def test_project_file_messages_exactly(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(StackFileError) as caught:
        project(tmp_path, text)
    assert str(caught.value) == message


def test_config_entries_become_strings(tmp_path: Path) -> None:
    got = project(
        tmp_path,
        "name: dbtier\nconfig:\n  other:thing: {x: 1}\n  aws:region: us-east-1\n"
        "  tags: {default: {a: b}}\n  protect:\n    type: boolean\n    value: true\n"
        "    default: false\n  redis: {description: no value}\n  backup: {type: array}\n",
    )
    assert got == Project(
        "dbtier",
        {"aws:region": "us-east-1", "dbtier:tags": '{"a": "b"}', "dbtier:protect": "true"},
    )


def test_an_empty_config_is_none(tmp_path: Path) -> None:
    assert project(tmp_path, "name: dbtier\nconfig:\n") == Project("dbtier", {})
    assert project(tmp_path, "name: dbtier\n") == Project("dbtier", {})


def test_an_untyped_value_is_kept_as_given(tmp_path: Path) -> None:
    assert project(tmp_path, "name: dbtier\nconfig:\n  protect:\n    default: 1\n").config == {
        "dbtier:protect": "1"
    }
