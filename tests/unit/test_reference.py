"""docs/configuration.md is what `python -m components.reference` writes, and what it says holds.

The reference is generated from the field metadata of the config dataclasses. These tests keep
it fresh, make every field carry metadata, and check the metadata against the parser: each
documented bound and closed set is probed through `components.stack_config.parse`, so a range in
the docs that the code does not enforce (or enforces differently) fails here.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import Any

import pytest

from components import reference
from components.reference import Row, Section, literal_values, sections
from components.settings import ConfigError, num
from components.stack_config import NAMESPACE, StackConfig, parse
from contract.fielddoc import config_key, doc

ROOT = Path(__file__).resolve().parents[2]


def documented_sections() -> list[Section]:
    """The reference's sections; none while a field lacks metadata (a test below says which)."""
    try:
        return sections()
    except reference.MissingDoc:
        return []


SECTIONS = documented_sections()

# A valid entry for each list of config objects, so a probe of one field inside it meets no
# other error first: a provisioned table with a stream and one index (both with capacity).
INDEX = {"name": "ByGroup", "hashKey": "g", "readCapacity": 5, "writeCapacity": 5}
TABLE = {
    "name": "Probe",
    "hashKey": "id",
    "attributes": {"id": "S", "g": "S"},
    "billingMode": "PROVISIONED",
    "readCapacity": 5,
    "writeCapacity": 5,
    "stream": "NEW_AND_OLD_IMAGES",
    "indexes": [INDEX],
}
BASES: dict[tuple[str, ...], dict[str, Any]] = {
    ("dynamo", "tables[]"): TABLE,
    ("dynamo", "tables[]", "indexes[]"): INDEX,
    ("redis", "users[]"): {"name": "probe"},
}


def raw_config(path: tuple[str, ...], key: str, value: Any) -> dict[str, Any]:
    """A stack config that sets `key` of the object at `path` to `value`, and nothing else
    beyond the bases that path needs."""
    obj: dict[str, Any] = {**BASES.get(path, {}), key: value}
    for depth in range(len(path) - 1, 0, -1):
        segment = path[depth]
        child: Any = [obj] if segment.endswith("[]") else obj
        obj = {**BASES.get(path[:depth], {}), segment.removesuffix("[]"): child}
    return {f"{NAMESPACE}:{path[0]}": obj}


def message_key(path: tuple[str, ...], key: str) -> str:
    """How an error message names the field: list entries by index."""
    return f"{NAMESPACE}:" + ".".join(s.replace("[]", "[0]") for s in (*path, key))


def refusal(path: tuple[str, ...], key: str, value: Any) -> str:
    with pytest.raises(ConfigError) as refused:
        parse(raw_config(path, key, value))
    message = str(refused.value)
    assert message_key(path, key) in message
    return message


def probed(kind: str) -> list[tuple[Section, Row]]:
    """The rows whose metadata makes a claim of `kind` (bound, choice, set) the parser can be
    asked about."""
    rows = []
    for section in SECTIONS:
        if len(section.path) == 1 and section.rows and section.rows[0].key.startswith(NAMESPACE):
            continue  # a key that is a plain value (protect, tags): nothing to probe
        for row in section.rows:
            values = row.doc.allowed or literal_values(row.annotation)
            numeric = bool(values) and all(isinstance(v, int) for v in values)
            claims = {
                "bound": row.doc.lo is not None or row.doc.hi is not None,
                "choice": bool(values) and not numeric and not row.type.startswith("map"),
                "set": numeric,
            }
            if claims[kind]:
                rows.append((section, row))
    return rows


def ids(rows: list[tuple[Section, Row]]) -> list[str]:
    return [message_key(s.path, r.key) for s, r in rows]


def test_reference_and_readme_are_fresh() -> None:
    stale = [
        str(path.relative_to(ROOT))
        for path, text in reference.outputs(ROOT).items()
        if path.read_text(encoding="utf-8") != text
    ]
    assert stale == [], "run python -m components.reference"


def test_check_fails_on_a_stale_copy_and_writing_fixes_it(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    shutil.copy(ROOT / "README.md", tmp_path / "README.md")
    (tmp_path / "docs" / "configuration.md").write_text("# old\n")
    assert reference.main(["--check", "--root", str(tmp_path)]) == 1
    assert (tmp_path / "docs" / "configuration.md").read_text() == "# old\n"
    assert reference.main(["--root", str(tmp_path)]) == 0
    assert reference.main(["--check", "--root", str(tmp_path)]) == 0
    assert (tmp_path / "docs" / "configuration.md").read_text() == (
        ROOT / "docs" / "configuration.md"
    ).read_text()


def test_a_readme_without_the_markers_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# no markers\n")
    assert reference.main(["--check", "--root", str(tmp_path)]) == 2


def test_every_key_has_a_section() -> None:
    titles = {s.title for s in SECTIONS}
    # By the key each field is read from (`network_regions` is dbtier:network.regions; the
    # stack's region is aws:region, no dbtier key).
    fields = dataclasses.fields(StackConfig)
    keys = {f"{NAMESPACE}:{config_key(f)}" for f in fields if config_key(f)}
    assert keys <= titles


def test_every_config_field_is_documented() -> None:
    assert reference.undocumented() == []


def test_a_field_without_metadata_stops_the_generator() -> None:
    @dataclasses.dataclass(frozen=True)
    class Undocumented:
        size: int = dataclasses.field(default=1, metadata=doc("Documented."))
        colour: str = "red"

    assert reference.undocumented(Undocumented) == [
        f"{__name__}.{Undocumented.__qualname__}.colour"
    ]
    with pytest.raises(reference.MissingDoc, match=r"Undocumented\.colour"):
        list(reference._walk(Undocumented, Undocumented(), ("probe",), "A probe."))


def test_the_defaults_shown_are_what_parsing_nothing_gives() -> None:
    # The reference reads defaults off the dataclasses; parsing empty config must agree.
    assert parse({}) == StackConfig()


@pytest.mark.parametrize(("section", "row"), probed("bound"), ids=ids(probed("bound")))
def test_documented_bounds_are_the_parsers(section: Section, row: Row) -> None:
    integer = row.type.startswith("integer")
    for bound, outside in ((row.doc.lo, -1), (row.doc.hi, 1)):
        if bound is None:
            continue
        value = int(bound) + outside if integer else bound + outside
        message = refusal(section.path, row.key, value)
        assert num(bound) in message, message


@pytest.mark.parametrize(("section", "row"), probed("choice"), ids=ids(probed("choice")))
def test_documented_choices_are_the_parsers(section: Section, row: Row) -> None:
    message = refusal(section.path, row.key, "no-such-choice")
    listed = row.doc.allowed or literal_values(row.annotation)
    assert f"must be one of {', '.join(map(str, listed))}" in message


@pytest.mark.parametrize(("section", "row"), probed("set"), ids=ids(probed("set")))
def test_documented_value_sets_are_the_parsers(section: Section, row: Row) -> None:
    allowed = set(row.doc.allowed)
    for value in sorted(allowed):
        parse(raw_config(section.path, row.key, value))
    gaps = {v + step for v in allowed for step in (-1, 1)} - allowed
    for value in sorted(gaps):
        refusal(section.path, row.key, value)
