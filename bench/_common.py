"""Shared helpers of the benchmarks: local databases in the stack-output shape, a timer."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from standins.local_outputs import new_password, provision_all

ROOT = Path(__file__).resolve().parents[1]

PREFIX = "dbtier_bench"


def bench_outputs(**engines: str) -> tuple[Path, dict[str, Any]]:
    """Provision the dbtier_bench_* databases and users; write and return the outputs file.
    ``engines``: ``relational_engine`` and ``aurora_engine`` (standins.local_outputs)."""
    passwords = {k: new_password() for k in ("relational", "aurora", "warehouse")}
    outputs = provision_all(PREFIX, passwords, **engines)
    path = Path(tempfile.mkdtemp(prefix="dbtier-bench-")) / "outputs.json"
    path.write_text(json.dumps(outputs))
    path.chmod(0o600)
    return path, outputs


def run_workload(*args: str) -> tuple[dict[str, Any], float]:
    """Run ``python -m workloads ... --json``; (parsed result, wall seconds)."""
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "workloads", *args, "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - began
    if done.returncode not in (0, 1):
        raise SystemExit(f"workload failed ({done.returncode}): {done.stderr.strip()}")
    return json.loads(done.stdout), wall
