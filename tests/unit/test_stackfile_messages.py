"""preflight/stackfile.py's messages and edge cases, exactly: the "did you mean" hints of
`check_key`, the near-namespace threshold, the missing-file and stack-file messages, `_kind`'s
wording and cut, stack names. Written to kill what mutation testing left alive (issue 23)."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import pytest

from preflight.stackfile import (
    STACK_NAME_RULE,
    Project,
    StackFile,
    StackFileError,
    check_key,
    config_string,
    load_project,
    load_stack,
    validate_stack_name,
)


def refused(call: Callable[..., object], *args: object) -> str:
    with pytest.raises(StackFileError) as caught:
        call(*args)
    return str(caught.value)


@pytest.mark.parametrize(
    ("key", "project", "message"),
    [
        # A bare key is matched against bare names and full keys; the bare name is closer.
        pytest.param(
            "protec", "dbtier", "f: protec is not a known dbtier setting (did you mean protect?)"
        ),
        # A namespaced key only against full keys, though a bare name would be closer.
        pytest.param(
            "o:protec", "o", "f: o:protec is not a known o setting (did you mean dbtier:protect?)"
        ),
        # The namespace ends at the first colon: the rest is the setting.
        pytest.param(
            "dbtier:protect:x",
            "dbtier",
            "f: dbtier:protect:x is not a known dbtier setting (did you mean dbtier:protect?)",
        ),
        pytest.param(
            "dbtier:tags.Xy",
            "dbtier",
            "f: dbtier:tags.Xy is not a setting; write Xy inside dbtier:tags"
            " (pulumi config set --path does)",
        ),
        # Spaces and dashes are squeezed out before the namespace is compared.
        pytest.param(
            "d b t i e r:protect",
            "dbtier",
            "f: d b t i e r:protect is not in the dbtier namespace (did you mean dbtier:protect?)",
        ),
        # A ratio of exactly 0.75 (12 / 16) is near.
        pytest.param(
            "dbtierxxxx:protect",
            "dbtier",
            "f: dbtierxxxx:protect is not in the dbtier namespace (did you mean dbtier:protect?)",
        ),
        # Nothing close among the provider's keys: no hint at all.
        pytest.param(
            "aws:zzzzzzzzzz",
            "dbtier",
            "f: aws:zzzzzzzzzz is not a setting of the AWS provider (pulumi-aws)",
        ),
    ],
)
def test_check_key_messages_exactly(key: str, project: str, message: str) -> None:
    assert refused(check_key, key, "f", project) == message


def test_a_namespace_below_the_threshold_is_another_one() -> None:
    # 12 / 17 < 0.75 without the squeeze: a namespace of its own, left to its reader.
    assert check_key("dbtierxxxxx:protect", "f") == "dbtierxxxxx:protect"


def test_missing_files_name_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / ("long-folder-name-" * 6)  # past echo's default 80 characters
    folder.mkdir()
    assert len(str(folder)) > 80
    assert refused(load_project, folder) == f"no project file Pulumi.yaml in {folder}"
    assert refused(load_stack, folder, "dev") == f"no stack file Pulumi.dev.yaml in {folder}"


def stack(tmp_path: Path, text: str, project: str = "dbtier") -> StackFile:
    (tmp_path / "Pulumi.dev.yaml").write_text(text)
    return load_stack(tmp_path, "dev", project)


def test_empty_stack_file_and_config_are_empty(tmp_path: Path) -> None:
    assert stack(tmp_path, "") == StackFile({}, ())
    assert stack(tmp_path, "config:\n") == StackFile({}, ())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "confg: {}\n",
            "Pulumi.dev.yaml: 'confg' is not a stack file key (did you mean config?); a stack"
            " file holds config, secretsprovider, encryptedkey, encryptionsalt, environment",
            id="a stack file key",
        ),
        pytest.param(
            "environment: [prod]\n",
            "Pulumi.dev.yaml: environment (Pulumi ESC) cannot be read offline; put the settings"
            " the preflight needs under config:",
            id="environment",
        ),
        pytest.param(
            "config:\n  dbtier:regions:\n    - {secure: AAAA}\n",
            "Pulumi.dev.yaml: dbtier:regions[0] is a secure value; secure values are not"
            " supported offline: dbtier settings hold no secrets, so set it without --secret",
            id="a secure list item",
        ),
    ],
)
def test_stack_file_messages_exactly(tmp_path: Path, text: str, message: str) -> None:
    assert refused(stack, tmp_path, text) == message


def test_the_stack_is_read_for_its_own_project(tmp_path: Path) -> None:
    assert (
        refused(stack, tmp_path, "config:\n  other:thing: 1\n", "other")
        == "Pulumi.dev.yaml: other:thing is not a known other setting"
    )


def project(tmp_path: Path, text: str) -> Project:
    (tmp_path / "Pulumi.yaml").write_text(text)
    return load_project(tmp_path)


NAME_RULE = "Pulumi.yaml: name must be dbtier, the namespace the program reads its settings from"


def test_kind_names_an_object_and_cuts_at_40(tmp_path: Path) -> None:
    assert refused(project, tmp_path, "name: {a: 1}\n") == f"{NAME_RULE} (got an object)"
    typed = "name: dbtier\nconfig:\n  protect:\n    type: integer\n    value: "
    must = "Pulumi.yaml: config.protect.value must be of type integer (got str "
    assert (
        refused(project, tmp_path, typed + "a" * 41) == must + "a" * 39 + "\N{HORIZONTAL ELLIPSIS})"
    )
    assert refused(project, tmp_path, typed + "a" * 40) == must + "a" * 40 + ")"


def test_every_project_config_field_at_once(tmp_path: Path) -> None:
    got = project(
        tmp_path,
        "name: dbtier\nconfig:\n  protect:\n    type: boolean\n    description: d\n"
        "    default: true\n    value: false\n    secret: false\n    items: {type: string}\n",
    )
    assert got == Project("dbtier", {"dbtier:protect": "false"})


@pytest.mark.parametrize(
    ("stack_name", "message"),
    [
        pytest.param("a b", f"'a b' is not a valid stack name ({STACK_NAME_RULE})", id="a space"),
        pytest.param("", f"the stack name is empty ({STACK_NAME_RULE})", id="empty"),
    ],
)
def test_stack_name_messages_exactly(stack_name: str, message: str) -> None:
    assert refused(validate_stack_name, stack_name) == message


def test_config_string_never_writes_nan() -> None:
    # NaN is not JSON: refused rather than passed to the program as `NaN`.
    with pytest.raises(ValueError, match="JSON compliant"):
        config_string(math.nan)
    assert config_string([1.5, "a"]) == '[1.5, "a"]'
