"""Entry point of the dbtier policy pack.

The engine runs ``python -m pulumi.policy <engine-address> .`` in this directory, which executes
this file with the directory on ``sys.path`` but not as a package. The rules use relative imports
so that tests can import them as ``policy.*``; here the directory is loaded as the package
``dbtier_policy`` so the same modules serve both ways.
"""

import importlib.util
import sys
from pathlib import Path

from pulumi_policy import PolicyPack

_HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location(
    "dbtier_policy", _HERE / "__init__.py", submodule_search_locations=[str(_HERE)]
)
assert _spec is not None and _spec.loader is not None
_package = importlib.util.module_from_spec(_spec)
sys.modules["dbtier_policy"] = _package
_spec.loader.exec_module(_package)

from dbtier_policy import _sdk_memo, registry  # noqa: E402  (the package exists only now)

# Convert each resource once per call instead of once per policy (see _sdk_memo).
_sdk_memo.install()

PolicyPack(
    name=registry.PACK_NAME,
    description="Guards the dbtier database tier: encryption, exposure, credentials, backups, "
    "protection, availability and versions.",
    policies=registry.policies(),
)
