"""The bounded YAML reader (preflight/yamlfile.py) at its edges: each limit just inside and just
outside, merge keys in go-yaml v3's order, every scalar tag's valid and invalid forms, the exact
messages (line numbers included). Written to kill what mutation testing left alive."""

from __future__ import annotations

from pathlib import Path

import pytest

from preflight import yamlfile
from preflight.yamlfile import (
    MAX_ALIASES,
    MAX_DEPTH,
    StackFileError,
    decode,
    parse_yaml,
    read_text,
    read_yaml,
)


def error(text: str) -> str:
    with pytest.raises(StackFileError) as caught:
        parse_yaml(text, "f.yaml")
    return str(caught.value)


# --- merge keys -------------------------------------------------------------------------------


def test_keys_written_in_the_object_win_over_merged_ones() -> None:
    text = "a: &d {x: 1, y: 2}\nb:\n  <<: *d\n  y: 3\n"
    assert parse_yaml(text, "f.yaml")["b"] == {"x": 1, "y": 3}


def test_in_a_list_of_merges_the_earlier_object_wins() -> None:
    text = "a: &d {x: 1}\nc: &e {x: 2, z: 3}\nb:\n  <<: [*d, *e]\n"
    assert parse_yaml(text, "f.yaml")["b"] == {"x": 1, "z": 3}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "b:\n  <<: {a: 1}\n  <<: {b: 2}\n",
            "f.yaml: b has more than one merge key (<<); keep one (line 2)",
            id="two merge keys",
        ),
        pytest.param(
            "b:\n  <<: 5\n",
            "f.yaml: b merges (<<) something that is not an object or a list of objects (line 2)",
            id="a number",
        ),
        pytest.param(
            "b:\n  <<: [{a: 1}, 5]\n",
            "f.yaml: b merges (<<) something that is not an object or a list of objects (line 2)",
            id="a number in the list",
        ),
    ],
)
def test_a_merge_of_anything_but_objects_is_refused(text: str, message: str) -> None:
    assert error(text) == message


def test_a_merged_object_is_checked_like_any_other() -> None:
    assert error("b:\n  <<: {a: !!binary aGk=}\n").startswith("f.yaml: b.a uses the YAML tag")


# --- limits, just inside and just outside -------------------------------------------------------


def _nested(depth: int) -> str:
    return "v: " + "[" * (depth - 1) + "]" * (depth - 1) + "\n"


def test_nesting_up_to_the_limit_is_read() -> None:
    value = parse_yaml(_nested(MAX_DEPTH), "f.yaml")["v"]
    for _ in range(MAX_DEPTH - 2):
        value = value[0]
    assert value == []


def test_one_level_more_is_refused_with_its_line() -> None:
    assert error(_nested(MAX_DEPTH + 1)) == (
        f"f.yaml nests lists and objects more than {MAX_DEPTH} deep at line 1"
    )


def _aliases(count: int) -> str:
    return "b: &r 1\nl: [" + ", ".join(["*r"] * count) + "]\n"


def test_aliases_up_to_the_limit_are_read() -> None:
    assert parse_yaml(_aliases(MAX_ALIASES), "f.yaml")["l"] == [1] * MAX_ALIASES


def test_one_alias_more_is_refused_with_its_line() -> None:
    assert error(_aliases(MAX_ALIASES + 1)) == (
        f"f.yaml has more than {MAX_ALIASES:,} YAML aliases at line 2"
    )


def test_values_are_counted_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    # The mapping, the key, the list and its 5 items: 8 values; an alias costs the size of what
    # it names (the scalar 1; the list of two 3, so the second document holds 9).
    monkeypatch.setattr(yamlfile, "MAX_NODES", 8)
    assert parse_yaml("l: [&a 1, *a, *a, *a, *a]\n", "f.yaml") == {"l": [1] * 5}
    monkeypatch.setattr(yamlfile, "MAX_NODES", 7)
    with pytest.raises(StackFileError, match=r"^f.yaml holds more than 7 values .* at line 1$"):
        parse_yaml("l: [&a 1, *a, *a, *a, *a]\n", "f.yaml")
    monkeypatch.setattr(yamlfile, "MAX_NODES", 9)
    assert parse_yaml("l: &a [1, 2]\nm: *a\n", "f.yaml")["m"] == [1, 2]
    monkeypatch.setattr(yamlfile, "MAX_NODES", 8)
    with pytest.raises(StackFileError, match="holds more than 8 values"):
        parse_yaml("l: &a [1, 2]\nm: *a\n", "f.yaml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("a: *nowhere\n", "f.yaml is not valid YAML at line 1", id="undefined"),
        pytest.param("a: &x [*x]\n", "f.yaml has a recursive YAML alias *x at line 1", id="self"),
        pytest.param(
            "a: &x {b: [1, &y 2, {c: *x}]}\n",
            "f.yaml has a recursive YAML alias *x at line 1",
            id="nested",
        ),
    ],
)
def test_alias_errors_name_the_line(text: str, message: str) -> None:
    assert error(text).startswith(message)


def test_an_alias_to_a_closed_sibling_is_not_recursive() -> None:
    assert parse_yaml("a: [&x 1, *x]\nb: {c: &y [2], d: *y}\n", "f.yaml") == {
        "a": [1, 1],
        "b": {"c": [2], "d": [2]},
    }


def test_an_empty_document_is_none() -> None:
    assert parse_yaml("", "f.yaml") is None
    assert parse_yaml("# only a comment\n", "f.yaml") is None


# --- scalars ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0o17", 15),
        ("0x1f", 31),
        ("+7", 7),
        ("007", 7),
        ("NULL", None),
        ("Null", None),
        ("", None),
        ("TRUE", True),
        ("FALSE", False),
        ("9223372036854775807", 2**63 - 1),
        ("-9223372036854775807", -(2**63) + 1),
        ("-0.5", -0.5),
        (".5", 0.5),
        ("1.7976931348623157e308", 1.7976931348623157e308),
        ("!!bool true", True),
        ("!!int 12", 12),
        ("!!null ~", None),
        ("0x" + "f" * 15, 16**15 - 1),
    ],
)
def test_every_core_schema_form_is_read(text: str, value: object) -> None:
    read = parse_yaml(f"v: {text}\n", "f.yaml")["v"]
    assert read == value and type(read) is type(value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("!!int abc", "f.yaml: v is not a valid !!int (abc) (line 1)"),
        ("!!bool maybe", "f.yaml: v is not a valid !!bool (maybe) (line 1)"),
        ("!!null x", "f.yaml: v is not a valid !!null (x) (line 1)"),
        ("!!float abc", "f.yaml: v is not a number (abc) (line 1)"),
        ("1e999", "f.yaml: v is a number too large for Pulumi config (line 1)"),
        ("-1e999", "f.yaml: v is a number too large for Pulumi config (line 1)"),
        ("-9223372036854775808", "f.yaml: v is a number too large for Pulumi config (line 1)"),
        ("0x" + "f" * 29, "f.yaml: v is a number too large for Pulumi config (line 1)"),
        ("0o" + "7" * 28, "f.yaml: v is a number too large for Pulumi config (line 1)"),
        ("+.INF", "f.yaml: v is +.INF, not a finite number (JSON config has none) (line 1)"),
        (".NaN", "f.yaml: v is .NaN, not a finite number (JSON config has none) (line 1)"),
        ("!!float .inf", "f.yaml: v is .inf, not a finite number (JSON config has none) (line 1)"),
        ("!!map {a: 1}", None),
        ("!!seq [1]", None),
        ("!vault {a: 1}", "f.yaml: v uses the YAML tag !vault; Pulumi config holds only strings, "),
        ("!vault [1]", "f.yaml: v uses the YAML tag !vault; Pulumi config holds only strings, "),
    ],
)
def test_every_invalid_scalar_names_its_key_and_line(text: str, message: str | None) -> None:
    if message is None:  # the explicit core tags of a collection are what it is anyway
        assert parse_yaml(f"v: {text}\n", "f.yaml")["v"] in ({"a": 1}, [1])
    else:
        assert error(f"\nv: {text}\n".removeprefix("\n")).startswith(message)


def test_the_line_is_the_node_s_own() -> None:
    assert error("a: 1\nb:\n  c: !!int x\n") == "f.yaml: b.c is not a valid !!int (x) (line 3)"
    assert error("a: 1\na: 2\n") == "f.yaml: a is given twice (lines 1 and 2); keep one"
    assert error("a: [1,\n").startswith("f.yaml is not valid YAML at line 2: ")


def test_config_keys_are_their_own_paths() -> None:
    assert error("config:\n  k: !!int x\n").startswith("f.yaml: k is not a valid !!int")
    assert error("other:\n  k: !!int x\n").startswith("f.yaml: other.k is not a valid !!int")
    assert error("l:\n  - !!int x\n").startswith("f.yaml: l[0] is not a valid !!int")
    assert error("l: [1, [2, !!int x]]\n").startswith("f.yaml: l[1][1] is not a valid !!int")


def test_a_key_that_is_a_long_non_string_is_shown_cut() -> None:
    shown = error(f"{'9' * 100}: x\n")
    assert shown.startswith("f.yaml:  has a key that is not a string (" + "9" * 30)
    assert "9" * 41 not in shown and shown.endswith("; quote it (line 1)")


def test_a_reader_error_is_one_line() -> None:
    assert error("a: '\x07'\n").startswith("f.yaml is not valid YAML: ")


# --- bytes and files --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"a: 1\nb: \xff\n", "f.yaml is not UTF-8 (byte 0xff at line 2); save it as UTF-8"),
        (b"a: 1\n\nb: \x00\n", "f.yaml contains a NUL byte at line 3 (UTF-16 or binary?); "),
        (b"\xff\xfe\x00\x00a", "f.yaml is UTF-32-encoded; save it as UTF-8"),
        (b"\x00\x00\xfe\xffa", "f.yaml is UTF-32-encoded; save it as UTF-8"),
        (b"\xff\xfea\x00", "f.yaml is UTF-16-encoded; save it as UTF-8"),
        (b"\xfe\xff\x00a", "f.yaml is UTF-16-encoded; save it as UTF-8"),
    ],
)
def test_bytes_that_are_not_utf8_text_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(StackFileError) as caught:
        decode(data, "f.yaml")
    assert str(caught.value).startswith(message)


def test_a_bom_is_dropped_and_the_text_kept() -> None:
    assert decode(b"\xef\xbb\xbfa: \xc3\xa9\n", "f.yaml") == "a: é\n"


def test_a_file_of_exactly_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_bytes(b"a: 1\n#" + b"x" * (yamlfile.MAX_BYTES - 6))
    assert len(read_text(path, "none")) == yamlfile.MAX_BYTES
    path.write_bytes(b"a: 1\n#" + b"x" * (yamlfile.MAX_BYTES - 5))
    with pytest.raises(StackFileError, match=r"^f.yaml is larger than 4 MiB$"):
        read_text(path, "none")


def test_a_missing_file_gives_the_caller_s_message(tmp_path: Path) -> None:
    with pytest.raises(StackFileError, match=r"^no such thing$"):
        read_yaml(tmp_path / "f.yaml", "no such thing")


def test_read_yaml_names_the_file_in_parse_errors(tmp_path: Path) -> None:
    (tmp_path / "g.yaml").write_text("v: !!int x\n")
    with pytest.raises(StackFileError, match=r"^g.yaml: v is not a valid !!int \(x\) \(line 1\)$"):
        read_yaml(tmp_path / "g.yaml", "none")


# --- exact messages: what is cut, where the line is ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "a: *nowhere\n",
            "f.yaml is not valid YAML at line 1: undefined alias *nowhere",
            id="undefined alias",
        ),
        pytest.param(
            "k" * 100 + ": 1\n" + "k" * 100 + ": 2\n",
            "f.yaml: " + "k" * 79 + "… is given twice (lines 1 and 2); keep one",
            id="a long key twice",
        ),
        pytest.param(
            "p" * 100 + ": !!int x\n",
            "f.yaml: " + "p" * 79 + "… is not a valid !!int (x) (line 1)",
            id="a long path",
        ),
        pytest.param(
            "9" * 100 + ": x\n",
            "f.yaml:  has a key that is not a string (" + "9" * 39 + "…); quote it (line 1)",
            id="a long number key",
        ),
        pytest.param(
            "a:\n  ? [x]\n  : y\n",
            "f.yaml: a has a key that is a list or an object; keys are strings (line 2)",
            id="a list key",
        ),
        pytest.param(
            "v: !" + "t" * 100 + " x\n",
            "f.yaml: v uses the YAML tag !" + "t" * 38 + "…; Pulumi config holds only strings,"
            " numbers, booleans, lists and objects (line 1)",
            id="a long tag",
        ),
        pytest.param(
            "a: [1\n",
            "f.yaml is not valid YAML at line 2: did not find expected ',' or ']'",
            id="a parser problem",
        ),
        pytest.param(
            "v: 0x" + "0" * 28 + "1\n",
            "f.yaml: v is a number too large for Pulumi config (line 1)",
            id="31 characters",
        ),
    ],
)
def test_messages_exactly(text: str, message: str) -> None:
    assert error(text) == message


def test_a_30_character_number_is_still_read() -> None:
    assert parse_yaml("v: 0x" + "0" * 27 + "1\n", "f.yaml") == {"v": 1}


def test_the_first_nul_byte_is_the_one_named() -> None:
    with pytest.raises(StackFileError, match="NUL byte at line 2 "):
        decode(b"a\n\x00\nb\x00", "f")


def test_a_long_file_name_is_cut_in_messages(tmp_path: Path) -> None:
    path = tmp_path / ("n" * 100)
    path.write_text("v: !!int x\n")
    with pytest.raises(StackFileError) as caught:
        read_yaml(path, "none")
    assert str(caught.value).startswith("n" * 79 + "…: v is not a valid")
    path.write_bytes(b"\xff")
    with pytest.raises(StackFileError) as caught:
        read_text(path, "none")
    assert str(caught.value).startswith("n" * 79 + "… is not UTF-8")
