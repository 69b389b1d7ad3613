"""The component package's schema, and the command that keeps it and the modules it is read from
fresh.

    python -m dbtier.schema           # write dbtier/args/, dbtier/hosted.py, then sdk/schema.json
    python -m dbtier.schema --check   # change nothing; exit 1 when one of them is stale

The schema is what Pulumi's analyzer infers from `dbtier.hosted` (the same inference the provider
runs when the engine starts it), written with the package version. It is committed so that the
examples, `pulumi package add` from a local path and reviewers read the exact interface a tag
publishes. Run it from the project directory (or pass `--root`) after changing a config field, a
wiring field or a component's outputs.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pulumi.provider.experimental.component import ComponentProvider

from dbtier import codegen
from dbtier.hosted import COMPONENTS
from dbtier.version import __version__

PACKAGE = "dbtier"
SCHEMA = Path("sdk/schema.json")


def schema() -> dict[str, Any]:
    """The package's schema, as the provider serves it from GetSchema."""
    provider = ComponentProvider(list(COMPONENTS), PACKAGE, version=__version__)
    assert provider.schema is not None
    found: dict[str, Any] = json.loads(provider.schema)
    return found


def schema_text() -> str:
    """`sdk/schema.json` as it should read."""
    return json.dumps(schema(), indent=2) + "\n"


def _fresh_schema_text(root: Path) -> str:
    """The schema from modules just rewritten: this process imported the old ones."""
    return subprocess.run(
        [sys.executable, "-c", "import sys, dbtier.schema as s; sys.stdout.write(s.schema_text())"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def _sync(path: Path, text: str, check: bool) -> bool:
    """Whether `path` was stale; written unless `check`."""
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    if not check:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return True


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m dbtier.schema",
        description="Write the generated args and package modules, then sdk/schema.json.",
    )
    parser.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 when a file is stale"
    )
    parser.add_argument(
        "--root", type=Path, default=Path.cwd(), help="the project directory (default: .)"
    )
    args = parser.parse_args(argv)
    root = args.root.resolve()
    if not (root / "dbtier" / "catalog.py").is_file():
        print(
            f"dbtier.schema: {root} is not the dbtier project directory; run it there or pass"
            " --root",
            file=sys.stderr,
        )
        return 2
    stale = [
        path for path, text in codegen.render(root).items() if _sync(root / path, text, args.check)
    ]
    text = _fresh_schema_text(root) if stale and not args.check else schema_text()
    if _sync(root / SCHEMA, text, args.check):
        stale.append(SCHEMA)
    verb = "is stale; run python -m dbtier.schema" if args.check else "written"
    for path in stale:
        print(f"{path} {verb}", file=sys.stderr)
    return 1 if stale and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
