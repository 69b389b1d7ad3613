"""What a policy pass works with: the pack's policies, their violations, and the policy config.

The policy config is the file ``pulumi preview --policy-pack-config`` reads: per policy a level
(``"mandatory"``) or an object with ``enforcementLevel`` and the policy's own properties, and
``"all"`` for every policy at once. ``resolve_config`` turns it into what the engine sends the
pack: an explicit level and the full properties (schema defaults filled in) for every policy.
The pack process and the gRPC calls are in ``preflight.client``; the reports in
``preflight.report``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Level = Literal["mandatory", "advisory", "remediate", "disabled"]
LEVELS: tuple[Level, ...] = ("advisory", "mandatory", "remediate", "disabled")


def find_project_dir(start: Path | None = None) -> Path:
    """The Pulumi project directory as the CLI finds it: the nearest folder from `start` (the
    working directory) upwards that holds Pulumi.yaml, else `start` itself. Not this file's
    folder: an installed dbtier lives in site-packages, away from the project it plans."""
    start = (start or Path.cwd()).resolve()
    return next((d for d in (start, *start.parents) if (d / "Pulumi.yaml").is_file()), start)


PROJECT_DIR = find_project_dir()
DEFAULT_PACK_DIR = PROJECT_DIR / "policy"


# The tags the pack puts on a policy (``dbtier_policy._common.RuleMeta.tags``): its category, the
# documentation URL of the constraint it checks and the dbtier config keys that fix it.
CATEGORY_TAG = "category:"
DOCS_TAG = "docs:"
FIXES_TAG = "fixes:"
# A dotted dbtier config key as messages name it (dbtier:relational.instanceClass,
# dbtier:dynamo.tables[0].streamProcessor.maximumRecordAgeSeconds), or aws:region.
_CONFIG_KEY = re.compile(r"dbtier:[A-Za-z]+(?:\.[A-Za-z][A-Za-z0-9]*|\[\d+\])*|aws:region\b")


def tag_values(tags: Sequence[str], prefix: str) -> list[str]:
    """The values of the tags that start with ``prefix`` (``docs:`` -> the URL)."""
    return [t[len(prefix) :] for t in tags if t.startswith(prefix)]


class PolicyPackError(Exception):
    """The pack could not be started, configured or run (a preflight usage/config error: exit 2)."""


@dataclass(frozen=True)
class Violation:
    """One policy violation on one resource (or on the stack)."""

    policy: str
    level: Level
    severity: str
    urn: str
    message: str
    description: str = ""
    remediation: str = ""
    tags: tuple[str, ...] = ()
    pack: str = ""
    pack_version: str = ""

    @property
    def blocking(self) -> bool:
        """A violation that fails the run, as a mandatory one fails ``pulumi preview``."""
        return self.level in ("mandatory", "remediate")

    @property
    def category(self) -> str:
        """The policy's category (``deployability``, ``encryption``, ...), from its tags."""
        return next(iter(tag_values(self.tags, CATEGORY_TAG)), "")

    @property
    def docs(self) -> str:
        """The documentation URL of the constraint the policy checks ("" when it has none)."""
        return next(iter(tag_values(self.tags, DOCS_TAG)), "")

    @property
    def fixes(self) -> str:
        """The config key that fixes this violation.

        The key the message names when the policy lists it among its fixes (a rule on several
        resource types lists one key per type), else any config key the message names, else the
        policy's first key; "" when neither says.
        """
        keys = tag_values(self.tags, FIXES_TAG)
        named = _CONFIG_KEY.findall(self.message)
        for key in named:
            if key in keys:
                return key
        if named:
            return named[0]
        return keys[0] if keys else ""

    def as_json(self) -> dict[str, str]:
        """The violation as the preflight's JSON report lists it."""
        return {
            "policy": self.policy,
            "level": self.level,
            "severity": self.severity,
            "urn": self.urn,
            "message": self.message,
            "category": self.category,
            "docs": self.docs,
            "fixes": self.fixes,
        }


@dataclass(frozen=True)
class PolicyInfo:
    """What GetAnalyzerInfo says about one policy."""

    name: str
    description: str
    level: Level
    severity: str
    remediation: str
    tags: tuple[str, ...]
    config_schema: Mapping[str, Any]
    stack_policy: bool


@dataclass(frozen=True)
class PolicyReport:
    """Everything one run of the pack produced."""

    pack: str
    version: str
    policies: tuple[PolicyInfo, ...]
    violations: tuple[Violation, ...]
    config: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def mandatory(self) -> list[Violation]:
        return [v for v in self.violations if v.blocking]


def default_config_path(stack: str, pack_dir: Path = DEFAULT_PACK_DIR) -> Path | None:
    """``policy/config/<stack>.json`` when it exists; otherwise the pack's own levels apply."""
    path = pack_dir / "config" / f"{stack}.json"
    return path if path.is_file() else None


def load_policy_config(path: Path | None) -> dict[str, Any]:
    """Read a ``--policy-pack-config`` JSON file; an absent path means no config."""
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError as exc:
        raise PolicyPackError(f"policy config {path} does not exist") from exc
    except json.JSONDecodeError as exc:
        raise PolicyPackError(f"policy config {path} is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise PolicyPackError(f"policy config {path} must be a JSON object")
    return data


def _level(value: Any, where: str) -> Level:
    if value not in LEVELS:
        raise PolicyPackError(
            f"{where}: enforcement level must be one of {', '.join(LEVELS)} (got {value!r})"
        )
    level: Level = value
    return level


def resolve_config(
    policies: Sequence[PolicyInfo], config: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    """Per policy: its explicit enforcement level and its properties with schema defaults.

    Precedence, as in the Pulumi CLI: the policy's own entry, then ``"all"``, then the level the
    pack declares. Unknown policy names are an error, so a typo cannot silently relax a rule.
    """
    known = {p.name for p in policies}
    unknown = sorted(set(config) - known - {"all"})
    if unknown:
        raise PolicyPackError(f"policy config names unknown policies: {', '.join(unknown)}")
    default_level = _level(config["all"], "all") if "all" in config else None
    resolved: dict[str, dict[str, Any]] = {}
    for policy in policies:
        entry = config.get(policy.name)
        properties = {
            key: schema["default"]
            for key, schema in policy.config_schema.get("properties", {}).items()
            if isinstance(schema, Mapping) and "default" in schema
        }
        level: Level = default_level or policy.level
        if isinstance(entry, str):
            level = _level(entry, policy.name)
        elif isinstance(entry, Mapping):
            if "enforcementLevel" in entry:
                level = _level(entry["enforcementLevel"], policy.name)
            schema_props = policy.config_schema.get("properties", {})
            for key, value in entry.items():
                if key == "enforcementLevel":
                    continue
                if key not in schema_props:
                    raise PolicyPackError(f"{policy.name}: unknown config property {key!r}")
                properties[key] = value
        elif entry is not None:
            raise PolicyPackError(f"{policy.name}: config must be a level or an object")
        resolved[policy.name] = {"level": level, "properties": properties}
    return resolved
