"""What `pip install .` installs is the library: its public names import from the install alone,
and the package's schema read from the installed modules is the committed one.

The modules are laid out by setuptools' `build_py`, from pyproject.toml's package list, as the
wheel `pip install .` builds carries them; it runs offline (building the wheel itself would
first fetch the pinned setuptools into an isolated environment). The dependencies are the
project's pinned ones, already in this virtualenv. A fresh interpreter imports from that folder
with no site processing, so neither the checkout nor an editable install elsewhere stands in."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

import dbtier

ROOT = Path(__file__).resolve().parents[2]
# What the distribution is built from: pyproject.toml's packages, and the README it names.
_LEFT_OUT = shutil.ignore_patterns(
    ".*", "__pycache__", "build", "*.egg-info", "tests", "bench", "docs", "examples", "sdk"
)

CHECK = """
import json, sys
import dbtier, dbtier.schema
names = {name: getattr(dbtier, name) is not None for name in dbtier.__all__}
print(json.dumps({"file": dbtier.__file__, "names": sorted(names), "version": dbtier.__version__,
                  "schema": dbtier.schema.schema()}))
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("install")
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=_LEFT_OUT, symlinks=True)
    target = work / "site"
    setup = [sys.executable, "-c", "from setuptools import setup; setup()"]
    subprocess.run(
        [*setup, "--quiet", "build_py", "--build-lib", str(target)],
        cwd=source,
        check=True,
        capture_output=True,
        timeout=300,
    )
    version = subprocess.run(
        [*setup, "--version"], cwd=source, check=True, capture_output=True, text=True
    )
    (target / "VERSION").write_text(version.stdout.strip().splitlines()[-1])
    return target


def test_the_public_names_import_from_a_fresh_install(installed: Path) -> None:
    site_packages = sysconfig.get_paths()["purelib"]
    result = subprocess.run(
        [
            sys.executable,
            "-S",
            "-c",
            f"import sys; sys.path[:0] = {[str(installed), site_packages]!r}\n{CHECK}",
        ],
        cwd=installed,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    found = json.loads(result.stdout)
    assert Path(found["file"]).is_relative_to(installed)
    assert found["names"] == sorted(dbtier.__all__)
    assert found["version"] == dbtier.__version__
    assert (installed / "VERSION").read_text() == dbtier.__version__  # the distribution's
    committed = json.loads((ROOT / "sdk" / "schema.json").read_text(encoding="utf-8"))
    assert found["schema"] == committed
