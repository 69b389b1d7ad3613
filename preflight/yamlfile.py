"""Reading a YAML input file defensively: bounded, strict, and one-line errors.

A project or stack file is read the way the Pulumi CLI reads it (YAML 1.2, values are strings,
numbers, booleans, lists and objects), but defensively, because it is input: the file must be a
regular file of at most `MAX_BYTES` in UTF-8; the document is scanned before it is built, so an
alias bomb, a 100,000-deep nesting or a million values are refused in milliseconds; a key given
twice, a non-string key, an explicit tag (`!!binary`, `!!set`, `!!python/...`) or a non-finite
number is an error naming the key; dates and YAML 1.1 words (`yes`, `on`) stay strings, as Pulumi
keeps them. Anchors, aliases and merge keys (`<<: *defaults`) are read as go-yaml v3 reads them. What the values mean is `preflight.stackfile`'s business. Every error is a
`StackFileError` whose message is one line; anything echoed from the input goes through
`contract.echo.echo`.
"""

from __future__ import annotations

import codecs
import math
import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml
from yaml import events, nodes

from contract.echo import echo

try:
    from yaml import CSafeLoader as _SafeLoader  # libyaml: the scan and the parse run in C
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]

MAX_BYTES = 4 << 20
"""Largest stack or project file read. Real stack files are a few KB; 4 MiB still lets a file
with 100,000 list items reach config validation, whose message names the key and AWS's quota."""
MAX_DEPTH = 64
"""Deepest nesting of lists and objects (dbtier's own settings nest about 8 deep)."""
MAX_NODES = 250_000
"""Most values (scalars, lists, objects) in a document, counting every alias expansion."""
MAX_ALIASES = 1_000
"""Most `*alias` references in a document (a hand-written stack file has none)."""
MAX_INT = 2**63
"""Numbers beyond a signed 64-bit integer are refused: the Pulumi engine (Go) cannot hold them."""

KEY_LIMIT = 80
"""Characters of a key or value from the input shown in a message."""

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"


class StackFileError(Exception):
    """A project or stack file that cannot be used; the message is one line naming file and key."""


# ---------------------------------------------------------------------------------------------
# YAML with limits
# ---------------------------------------------------------------------------------------------


class StackLoader(_SafeLoader):
    """PyYAML's safe loader with the YAML 1.2 core schema's implicit types only.

    No timestamps (`2024-01-01` stays a string), no YAML 1.1 booleans (`yes`, `on`, `y`), no
    sexagesimal or underscored numbers: what the Pulumi CLI (go-yaml v3) hands a program as
    config. A plain `<<` key is a merge key, as in go-yaml v3. Objects are built by `_Builder`, not by PyYAML's constructors.
    """

    yaml_implicit_resolvers: dict[Any, Any] = {}


for _tag, _pattern, _first in (
    (_MERGE, r"<<", ["<"]),
    (_NULL, r"~|null|Null|NULL|", ["~", "n", "N", ""]),
    (_BOOL, r"true|True|TRUE|false|False|FALSE", list("tTfF")),
    (_INT, r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+", list("-+0123456789")),
    (
        _FLOAT,
        r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)",
        list("-+0123456789."),
    ),
):
    StackLoader.add_implicit_resolver(_tag, re.compile(rf"(?:{_pattern})\Z"), _first)


def _show_tag(tag: str) -> str:
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org") else tag


def _line(mark: Any) -> str:
    return f" at line {mark.line + 1}" if mark is not None else ""


def _scan(loader: StackLoader, name: str) -> None:
    """Walk the parser's events and refuse runaway documents before any node is built.

    Sizes count every alias expansion (an alias costs the size of what it names), so a 350-byte
    "billion laughs" document is refused after a few dozen events.
    """
    open_frames: list[tuple[str | None, int]] = []
    sizes: dict[str, int] = {}
    total = aliases = 0
    while loader.check_event():
        event = loader.get_event()
        if event is None:
            break
        if isinstance(event, events.AliasEvent):
            aliases += 1
            if aliases > MAX_ALIASES:
                raise StackFileError(
                    f"{name} has more than {MAX_ALIASES:,} YAML aliases{_line(event.start_mark)}"
                )
            anchor = event.anchor or ""
            if any(a == anchor for a, _ in open_frames):
                raise StackFileError(
                    f"{name} has a recursive YAML alias *{echo(anchor)}{_line(event.start_mark)}"
                )
            if anchor not in sizes:
                raise StackFileError(
                    f"{name} is not valid YAML{_line(event.start_mark)}: "
                    f"undefined alias *{echo(anchor)}"
                )
            total += sizes[anchor]
        elif isinstance(event, events.ScalarEvent):
            total += 1
            if event.anchor:
                sizes[event.anchor] = 1
        elif isinstance(event, events.CollectionStartEvent):
            open_frames.append((event.anchor, total))
            total += 1
            if len(open_frames) > MAX_DEPTH:
                raise StackFileError(
                    f"{name} nests lists and objects more than {MAX_DEPTH} deep"
                    f"{_line(event.start_mark)}"
                )
        elif isinstance(event, events.CollectionEndEvent):
            opened, start = open_frames.pop()
            if opened:
                sizes[opened] = total - start
        if total > MAX_NODES:
            raise StackFileError(
                f"{name} holds more than {MAX_NODES:,} values (counting alias expansions)"
                f"{_line(event.start_mark)}"
            )


class _Builder:
    """Python values from a composed (already bounded) node tree, with the key path of each."""

    def __init__(self, name: str) -> None:
        self.name = name

    def fail(self, path: str, problem: str, node: nodes.Node | None = None) -> StackFileError:
        where = f" (line {node.start_mark.line + 1})" if node is not None else ""
        return StackFileError(f"{self.name}: {echo(path, KEY_LIMIT)} {problem}{where}")

    def key(self, path: str, node: nodes.Node) -> str:
        if not isinstance(node, nodes.ScalarNode):
            raise self.fail(path, "has a key that is a list or an object; keys are strings", node)
        if node.tag != _STR:
            raise self.fail(
                path,
                f"has a key that is not a string ({echo(node.value, 40)}); quote it",
                node,
            )
        return str(node.value)

    def build(self, node: nodes.Node, path: str) -> Any:
        if isinstance(node, nodes.MappingNode):
            if node.tag != _MAP:
                raise self.unsupported_tag(path, node)
            out: dict[str, Any] = {}
            lines: dict[str, int] = {}
            merges = [v for k, v in node.value if k.tag == _MERGE]
            if len(merges) > 1:
                raise self.fail(path, "has more than one merge key (<<); keep one", node)
            for key_node, value_node in node.value:
                if key_node.tag == _MERGE:
                    continue
                key = self.key(path, key_node)
                # A config key is its own path: `dbtier:tags.Owner`, not `config.dbtier:tags...`.
                child = key if path in ("", "config") else f"{path}.{key}"
                if key in out:
                    raise StackFileError(
                        f"{self.name}: {echo(child, KEY_LIMIT)} is given twice (lines "
                        f"{lines[key]} and {key_node.start_mark.line + 1}); keep one"
                    )
                lines[key] = key_node.start_mark.line + 1
                out[key] = self.build(value_node, child)
            for merged in merges:
                for key, value in self.merged(merged, path).items():
                    out.setdefault(key, value)  # keys written in the object win
            return out
        if isinstance(node, nodes.SequenceNode):
            if node.tag != _SEQ:
                raise self.unsupported_tag(path, node)
            return [self.build(item, f"{path}[{i}]") for i, item in enumerate(node.value)]
        return self.scalar(node, path)

    def merged(self, node: nodes.Node, path: str) -> dict[str, Any]:
        """The keys a merge key's value brings: one object, or a list of objects where an
        earlier one wins (go-yaml v3's order)."""
        sources = node.value if isinstance(node, nodes.SequenceNode) else [node]
        out: dict[str, Any] = {}
        for source in sources:
            if not isinstance(source, nodes.MappingNode):
                raise self.fail(
                    path, "merges (<<) something that is not an object or a list of objects", node
                )
            for key, value in self.build(source, path).items():
                out.setdefault(key, value)
        return out

    def unsupported_tag(self, path: str, node: nodes.Node) -> StackFileError:
        return self.fail(
            path,
            f"uses the YAML tag {echo(_show_tag(node.tag), 40)}; Pulumi config holds only "
            "strings, numbers, booleans, lists and objects",
            node,
        )

    def scalar(self, node: nodes.Node, path: str) -> Any:
        value = str(node.value)
        tag = node.tag
        if tag == _STR:
            return value
        if tag == _NULL and re.fullmatch(r"~|null|Null|NULL|", value):
            return None
        if tag == _BOOL and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if tag == _INT and re.fullmatch(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+", value):
            if len(value) > 30:
                raise self.fail(path, "is a number too large for Pulumi config", node)
            number = (
                int(value[2:], 8)
                if value.startswith("0o")
                else int(value[2:], 16)
                if value.startswith("0x")
                else int(value, 10)
            )
            if abs(number) >= MAX_INT:
                raise self.fail(path, "is a number too large for Pulumi config", node)
            return number
        if tag == _FLOAT:
            lowered = value.lower().lstrip("+-")
            if lowered in (".inf", ".nan"):
                raise self.fail(
                    path, f"is {echo(value)}, not a finite number (JSON config has none)", node
                )
            try:
                number_f = float(value)
            except ValueError:
                raise self.fail(path, f"is not a number ({echo(value)})", node) from None
            if not math.isfinite(number_f):
                raise self.fail(path, "is a number too large for Pulumi config", node)
            return number_f
        if tag in (_NULL, _BOOL, _INT):
            raise self.fail(path, f"is not a valid {_show_tag(tag)} ({echo(value)})", node)
        raise self.unsupported_tag(path, node)


def parse_yaml(text: str, name: str) -> Any:
    """The one YAML document in `text` as plain Python values; `name` is the file's name."""
    try:
        _scan(StackLoader(text), name)
        loader = StackLoader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        problem = f": {echo(exc.problem, 100)}" if exc.problem else ""
        raise StackFileError(
            f"{name} is not valid YAML{_line(exc.problem_mark)}{problem}"
        ) from None
    except yaml.YAMLError as exc:  # a ReaderError: a character YAML does not allow
        raise StackFileError(f"{name} is not valid YAML: {echo(exc, 100)}") from None
    if root is None:
        return None
    return _Builder(name).build(root, "")


# ---------------------------------------------------------------------------------------------
# Reading files
# ---------------------------------------------------------------------------------------------


def read_text(path: Path, missing: str) -> str:
    """The UTF-8 text of the regular file `path`, at most MAX_BYTES; `missing` if there is none.

    Opened without blocking, so a FIFO or a device where the file should be is refused rather than
    read forever.
    """
    name = echo(path.name, KEY_LIMIT)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise StackFileError(missing) from None
    except OSError as exc:
        raise StackFileError(f"cannot read {name}: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise StackFileError(f"{name} is a directory, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise StackFileError(f"{name} is not a regular file (a device, pipe or socket?)")
        if info.st_size > MAX_BYTES:
            raise StackFileError(f"{name} is larger than {MAX_BYTES >> 20} MiB")
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_BYTES:
            chunk = os.read(fd, MAX_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > MAX_BYTES:  # the file grew while it was read
            raise StackFileError(f"{name} is larger than {MAX_BYTES >> 20} MiB")
    except OSError as exc:
        raise StackFileError(f"cannot read {name}: {exc.strerror}") from None
    finally:
        os.close(fd)
    return decode(b"".join(chunks), name)


def decode(data: bytes, name: str) -> str:
    """`data` as UTF-8 text (a UTF-8 byte-order mark is allowed); anything else is refused."""
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "UTF-32"),
        (codecs.BOM_UTF32_BE, "UTF-32"),
        (codecs.BOM_UTF16_LE, "UTF-16"),
        (codecs.BOM_UTF16_BE, "UTF-16"),
    ):
        if data.startswith(bom):
            raise StackFileError(f"{name} is {encoding}-encoded; save it as UTF-8")
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise StackFileError(
            f"{name} contains a NUL byte at line {line} (UTF-16 or binary?); save it as UTF-8 text"
        )
    try:
        return data.removeprefix(codecs.BOM_UTF8).decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise StackFileError(
            f"{name} is not UTF-8 (byte 0x{data[exc.start]:02x} at line {line}); save it as UTF-8"
        ) from None


def read_yaml(path: Path, missing: str) -> Any:
    """Read and parse one YAML file with every limit of this module."""
    return parse_yaml(read_text(path, missing), echo(path.name, KEY_LIMIT))
