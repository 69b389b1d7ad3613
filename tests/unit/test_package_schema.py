"""The component package's interface: the generated modules and `sdk/schema.json` are fresh, every
config field has its arg (and every setting its config field), the schema says what each
component takes and gives, and the version is written in one place."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any, Union, get_args, get_origin

import pytest

import dbtier.args
from components.base import output_names
from components.reference import sections
from contract.fielddoc import camel
from dbtier import codegen, library, schema
from dbtier.catalog import PUBLISHED, Published
from dbtier.convert import fields_of
from dbtier.version import __version__

ROOT = Path(__file__).resolve().parents[2]
HOSTED = [p for p in PUBLISHED if p.hosted]


@pytest.fixture(scope="module")
def committed_schema() -> dict[str, Any]:
    return json.loads((ROOT / schema.SCHEMA).read_text(encoding="utf-8"))


def test_generated_modules_are_fresh() -> None:
    stale = [
        str(path)
        for path, text in codegen.render(ROOT).items()
        if not (ROOT / path).is_file() or (ROOT / path).read_text(encoding="utf-8") != text
    ]
    assert stale == [], "stale; run python -m dbtier.schema"


def test_committed_schema_is_fresh(committed_schema: dict[str, Any]) -> None:
    assert committed_schema == schema.schema(), (
        "sdk/schema.json is stale; run python -m dbtier.schema"
    )
    assert (ROOT / schema.SCHEMA).read_text(encoding="utf-8") == schema.schema_text()


def test_the_command_refuses_a_folder_that_is_not_the_project(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert schema.main(["--check", "--root", str(tmp_path)]) == 2
    assert "not the dbtier project directory" in capsys.readouterr().err


def _args_of(published: Published) -> type:
    found: type = getattr(dbtier.args, published.args)
    return found


def _nested(args_type: type, field: str) -> type:
    """The TypedDict a settings field holds (itself, or its list's items)."""
    hint = fields_of(args_type)[field]
    if get_origin(hint) is list:
        hint = get_args(hint)[0]
    return hint


def _base_path(published: Published) -> tuple[str, ...]:
    """The reference's section path of the key a component's settings mirror."""
    key = published.key.removeprefix("dbtier:")
    return tuple(key.split("."))


def test_every_config_field_has_its_arg() -> None:
    """Each field of each `dbtier:` key a component mirrors, as docs/configuration.md lists it,
    is a field of the component's args (a nested object's, in the TypedDict it holds)."""
    missing = []
    for published in PUBLISHED:
        base = _base_path(published)
        for section in sections():
            if section.path[: len(base)] != base:
                continue
            args_type = _args_of(published)
            for step in section.path[len(base) :]:
                args_type = _nested(args_type, codegen.snake(step.removesuffix("[]")))
            fields = fields_of(args_type)
            for row in section.rows:
                if section.path == base and row.key == "enabled":
                    continue  # the component exists: that is what enabled says
                if codegen.snake(row.key) not in fields:
                    missing.append(f"{section.title}.{row.key} ({args_type.__name__})")
    assert missing == [], "run python -m dbtier.schema"


def test_every_setting_is_a_config_field() -> None:
    """No arg outlives its config field: each args field is wiring or a field of the key."""
    stray = []
    for published in PUBLISHED:
        base = _base_path(published)
        keys = {row.key for section in sections() if section.path == base for row in section.rows}
        wiring = set(fields_of(published.wiring))
        for field in fields_of(_args_of(published)):
            if field not in wiring and camel(field) not in keys:
                stray.append(f"{published.args}.{field}")
    assert stray == []


def test_the_schema_has_each_hosted_component_and_no_other(
    committed_schema: dict[str, Any],
) -> None:
    assert committed_schema["name"] == "dbtier"
    assert list(committed_schema["resources"]) == [f"dbtier:index:{p.name}" for p in HOSTED]
    assert "dbtier:index:Alarms" not in committed_schema["resources"]


@pytest.mark.parametrize("published", HOSTED, ids=lambda p: p.name)
def test_a_component_takes_its_args_and_gives_the_library_outputs(
    published: Published, committed_schema: dict[str, Any]
) -> None:
    resource = committed_schema["resources"][f"dbtier:index:{published.name}"]
    args = fields_of(_args_of(published))
    assert list(resource["inputProperties"]) == [camel(f) for f in args]
    required = {camel(f) for f in _args_of(published).__required_keys__}
    assert set(resource.get("requiredInputs", [])) == required
    outputs = output_names(getattr(library, published.name))
    assert list(resource["properties"]) == [camel(o) for o in outputs]
    assert published.key in resource["description"]


@pytest.mark.parametrize("published", HOSTED, ids=lambda p: p.name)
def test_settings_are_plain_and_every_property_is_described(
    published: Published, committed_schema: dict[str, Any]
) -> None:
    """Settings decide which resources exist: the SDKs take them as plain values. Wiring (ARNs,
    ids) takes any input. Each input and output has the docstring it was declared with."""
    resource = committed_schema["resources"][f"dbtier:index:{published.name}"]
    wiring = fields_of(published.wiring)
    for name, prop in resource["inputProperties"].items():
        assert prop.get("description"), name
        hint = wiring.get(codegen.snake(name))
        # pulumi.Input[T] is a Union of T, an Awaitable and an Output; a plain container (the
        # map of Backup's resources) may still hold inputs.
        takes_outputs = get_origin(hint) is Union
        assert prop.get("plain") is (None if takes_outputs else True), name
    for name, prop in resource["properties"].items():
        assert prop.get("description"), name


def test_nested_settings_are_types_of_the_package(committed_schema: dict[str, Any]) -> None:
    relational = committed_schema["resources"]["dbtier:index:RelationalTier"]
    credentials = relational["inputProperties"]["credentials"]
    assert credentials["$ref"] == "#/types/dbtier:index:CredentialsArgs"
    kinds = committed_schema["types"]["dbtier:index:CredentialsArgs"]["properties"]
    assert set(kinds) == {"mode", "rotationDays"}
    table = committed_schema["resources"]["dbtier:index:DynamoTable"]["inputProperties"]
    assert table["indexes"]["items"]["$ref"] == "#/types/dbtier:index:IndexArgs"
    assert table["attributes"]["additionalProperties"]["type"] == "string"


def test_the_version_is_written_once() -> None:
    """pyproject.toml reads dbtier/version.py; the schema, the provider and the changelog's top
    release say the same version."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"]
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "dbtier.version.__version__"
    }
    assert schema.schema()["version"] == __version__
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    first = re.search(r"^## \[?v?(\d+\.\d+\.\d+)\]?", changelog, re.MULTILINE)
    assert first is not None and first.group(1) == __version__
    literal = re.compile(rf"""["']{re.escape(__version__)}["']""")
    written = [
        str(path.relative_to(ROOT))
        for folder in ("dbtier", "provider", "components", "sdk")
        for path in (ROOT / folder).rglob("*.py")
        if literal.search(path.read_text(encoding="utf-8"))
    ]
    assert written == ["dbtier/version.py"]
