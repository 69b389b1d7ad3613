"""The DMS full load, locally: copy the ``relational`` database into the ``aurora`` database.

    .venv/bin/python -m standins.full_load out/local-outputs.json

A deployed stack's Migration task does this with DMS; locally both sections point at the same
MariaDB, so ``mariadb-dump | mariadb`` (run as the local root) stands in for it before
``migration-check`` compares the two sides.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys

from contract import AuroraOutputs, RelationalOutputs, read_section

# The local MariaDB's administrator: root over TCP without a password (scripts/engines.sh).
ADMIN = ["-h127.0.0.1", "-uroot"]


def full_load(source_db: str, target_db: str) -> None:
    """Dump ``source_db`` and load it into ``target_db`` in one pipe; raise on any failure."""
    dump = [shutil.which("mariadb-dump") or "mariadb-dump", *ADMIN, "--single-transaction"]
    load = [shutil.which("mariadb") or "mariadb", *ADMIN, target_db]
    with subprocess.Popen([*dump, "--skip-comments", source_db], stdout=subprocess.PIPE) as src:
        loaded = subprocess.run(load, stdin=src.stdout, check=False)
        assert src.stdout is not None
        src.stdout.close()
    if src.returncode != 0 or loaded.returncode != 0:
        raise RuntimeError(
            f"full load {source_db} -> {target_db} failed "
            f"(mariadb-dump {src.returncode}, mariadb {loaded.returncode})"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outputs", help="the local outputs file (standins.local_outputs)")
    args = parser.parse_args()
    source = f"outputs file {args.outputs}"
    try:
        with open(args.outputs, encoding="utf-8") as handle:
            data = json.load(handle)
        relational = read_section(data, RelationalOutputs, source)
        aurora = read_section(data, AuroraOutputs, source)
        full_load(relational.database_name, aurora.database_name)
    except (OSError, ValueError, RuntimeError) as exc:
        print(f"full-load: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    print(
        f"full-load: {relational.database_name} -> {aurora.database_name} copied", file=sys.stderr
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
