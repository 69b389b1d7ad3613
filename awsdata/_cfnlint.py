"""cfn-lint's data files, as every module of ``awsdata`` reads them, and the helpers their
messages share.

Most of what ``awsdata`` knows comes from cfn-lint (``cfn-lint`` on PyPI, maintained by AWS and
refreshed from AWS's APIs; the pinned version is in ``requirements.txt``). Its JSON files are read
directly: the package is located with ``importlib.util.find_spec`` and never imported
(``import cfnlint`` loads the whole linter, ~400 ms), and each file is loaded once per process, on
first use (``functools.cache``). Each service's module names the files it reads; where cfn-lint
has no data, the tables there are our own, each with the AWS page it copies.

Regional lists lag: a class missing for a region may be new there. Messages name the cfn-lint
version (``data_version``) so a stale verdict can be recognised; updating the pin refreshes the
data.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import re
from collections.abc import Iterable
from typing import Any

# Where cfn-lint keeps its per-resource-type extensions of the CloudFormation schemas.
EXT = "schemas/extensions"


class CatalogUnavailable(RuntimeError):
    """cfn-lint (the catalog's data) is not installed."""


@functools.cache
def data_dir() -> str:
    """cfn-lint's data directory, found without importing cfn-lint."""
    spec = importlib.util.find_spec("cfnlint")
    if spec is None or spec.origin is None:
        raise CatalogUnavailable("cfn-lint is not installed: pip install -r requirements.txt")
    return os.path.join(os.path.dirname(spec.origin), "data")


@functools.cache
def load(rel: str) -> Any:
    """The JSON file ``rel`` of cfn-lint's data directory, read once per process."""
    with open(os.path.join(data_dir(), rel), encoding="utf-8") as fh:
        return json.load(fh)


@functools.cache
def data_version() -> str:
    """``cfn-lint <version> (AWS data of <date>)``, for messages that depend on the data."""
    base = os.path.dirname(data_dir())
    version = "?"
    try:
        with open(os.path.join(base, "version.py"), encoding="utf-8") as fh:
            match = re.search(r"__version__\s*=\s*[\"']([^\"']+)", fh.read())
            version = match.group(1) if match else "?"
    except OSError:
        pass
    schema_date = str(load("schemas/version.json").get("schema_date", "?"))[:10]
    return f"cfn-lint {version} (AWS data of {schema_date})"


def engine_enum(rel: str, prop: str) -> dict[str, tuple[str, ...]]:
    """``{engine: values}`` from an allOf of ``if Engine const -> then <prop> enum``."""
    out: dict[str, tuple[str, ...]] = {}
    for branch in load(rel)["allOf"]:
        engine = branch["if"]["properties"].get("Engine", {}).get("const")
        then = branch["then"]["properties"].get(prop, {}) if branch.get("then") else {}
        if engine and "enum" in then:
            out[engine] = tuple(then["enum"])
    return out


def regional_enum(rel: str, region: str) -> frozenset[str] | None:
    """The values a per-region file ``{region: {"enum": [...]}}`` lists for ``region``; None
    without data for it."""
    data = load(rel).get(region)
    return None if data is None else frozenset(data["enum"])


def shorten(values: Iterable[str], limit: int = 8) -> str:
    """A list for a one-line message: the first ``limit`` values and how many more."""
    items = list(values)
    if len(items) <= limit:
        return ", ".join(items)
    return ", ".join(items[:limit]) + f", ... ({len(items) - limit} more)"


def version_key(version: str) -> tuple[Any, ...]:
    """A version as a tuple that sorts numerically ("3.10.0" after "3.9.1")."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"[.\-]", version))
