"""What `Pulumi.yaml` and `Pulumi.<stack>.yaml` mean: the project, its config, the stack's config.

Both files are read by `preflight.yamlfile` (bounded, strict YAML). Then their shape is checked:
the project must be dbtier and its config entries well-formed (`type`, `default`, `value`); a stack
file holds only the top-level keys Pulumi knows, `config` a mapping, every key of the dbtier
namespace a known setting, near-misses of the namespace (`dbteir:`, `DBTIER:`, `dbtier :`) and
unknown `aws:` keys refused with a "did you mean", `secure:` values in the dbtier namespace refused
without echoing the ciphertext. Values are returned as the engine passes config to a program
(strings, JSON for structured values). Every error is a `StackFileError` whose message is one line
that names the file and the key; anything echoed from the input goes through `contract.echo.echo`.
"""

from __future__ import annotations

import difflib
import functools
import importlib.util
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from components.stack_config import KNOWN_KEYS, NAMESPACE
from contract.echo import echo
from preflight.yamlfile import KEY_LIMIT, StackFileError, read_yaml

STACK_FILE_KEYS = ("config", "secretsprovider", "encryptedkey", "encryptionsalt", "environment")
PROJECT_CONFIG_FIELDS = ("type", "description", "default", "value", "secret", "items")
PROJECT_TYPES = {"string": str, "integer": int, "boolean": bool, "array": list}
STACK_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}")
STACK_NAME_RULE = "letters, digits, -, _ and ., at most 100 characters"

_PATH_LIMIT = 200  # characters of a file path shown in a message


def _show_path(path: Path | str) -> str:
    return echo(str(path), _PATH_LIMIT)


# ---------------------------------------------------------------------------------------------
# Keys and namespaces
# ---------------------------------------------------------------------------------------------


@functools.cache
def aws_config_keys() -> frozenset[str]:
    """The config keys of the installed pulumi-aws provider (`aws:<key>`), read from its
    generated `config/vars.py` without importing it; empty if the provider is not installed."""
    spec = importlib.util.find_spec("pulumi_aws")
    if spec is None or not spec.submodule_search_locations:
        return frozenset()
    source = Path(next(iter(spec.submodule_search_locations))) / "config" / "vars.py"
    try:
        text = source.read_text(encoding="utf-8")
    except OSError:
        return frozenset()
    return frozenset(re.findall(r"__config__\.get\w*\(\s*'(\w+)'", text))


def _did_you_mean(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str:
    close = difflib.get_close_matches(word[:200], list(choices), n=1, cutoff=cutoff)
    return f" (did you mean {close[0]}?)" if close else ""


def _near_namespace(namespace: str, wanted: str) -> bool:
    """`dbteir`, `DBTIER`, `dbtier `, `db-tier`, `dbtiers`: a namespace meant as `wanted`."""
    folded = namespace.strip().lower()
    if folded == wanted:
        return True
    squeezed = re.sub(r"[\s_.-]", "", folded)
    return difflib.SequenceMatcher(None, squeezed, wanted).ratio() >= 0.75


def check_key(key: str, name: str, project: str = NAMESPACE) -> str:
    """The full `namespace:key` of a config key, or StackFileError when nobody would read it."""
    known_names = [k.split(":", 1)[1] for k in KNOWN_KEYS]
    shown = echo(key, KEY_LIMIT)
    if ":" not in key:
        full = f"{project}:{key}"
        namespace, setting = project, key
    else:
        full = key
        namespace, setting = key.split(":", 1)
    if namespace == project:
        if setting in known_names:
            return full
        head = re.split(r"[.\[]", setting, maxsplit=1)[0]
        if head != setting and head in known_names:
            raise StackFileError(
                f"{name}: {shown} is not a setting; write {echo(setting[len(head) :].lstrip('.'))}"
                f" inside {project}:{head} (pulumi config set --path does)"
            )
        choices = [*KNOWN_KEYS, *known_names] if ":" not in key else list(KNOWN_KEYS)
        raise StackFileError(
            f"{name}: {shown} is not a known {project} setting{_did_you_mean(key, choices)}"
        )
    if _near_namespace(namespace, project):
        guess = f"{project}:{setting.strip()}"
        hint = f" (did you mean {echo(guess, KEY_LIMIT)}?)"
        raise StackFileError(f"{name}: {shown} is not in the {project} namespace{hint}")
    if namespace.strip().lower() == "aws" and namespace != "aws":
        raise StackFileError(
            f"{name}: {shown} is not in the aws namespace (did you mean "
            f"{echo('aws:' + setting.strip(), KEY_LIMIT)}?)"
        )
    if namespace == "aws":
        known_aws = aws_config_keys()
        if known_aws and setting not in known_aws:
            hint = _did_you_mean(setting, known_aws)
            hint = hint.replace("(did you mean ", "(did you mean aws:") if hint else ""
            raise StackFileError(
                f"{name}: {shown} is not a setting of the AWS provider (pulumi-aws){hint}"
            )
    return full


def _secure_paths(value: Any, path: str) -> Iterable[str]:
    """Where `value` holds a `secure:` value (`pulumi config set --secret`, maybe with --path)."""
    if isinstance(value, dict):
        if "secure" in value:
            yield path
            return
        for key, item in value.items():
            yield from _secure_paths(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _secure_paths(item, f"{path}[{i}]")


def config_string(value: Any) -> str:
    """Config as the engine passes it to a program: strings as is, the rest as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, allow_nan=False)


def quoted(value: str) -> str:
    """A string from the input, echoed safely between single quotes."""
    return f"'{echo(value, KEY_LIMIT)}'"


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "empty"
    return f"{type(value).__name__} {echo(value, 40)}"


# ---------------------------------------------------------------------------------------------
# Project and stack files
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Project:
    name: str
    config: dict[str, str]
    """Full key -> the project's value or default, as the engine passes config to a program."""


@dataclass(frozen=True)
class StackFile:
    config: dict[str, str]
    """Full key -> value as a string (JSON for structured values)."""
    secret_keys: tuple[str, ...]
    """Keys whose value is a `secure:` ciphertext (outside dbtier's namespace, a placeholder)."""


def validate_stack_name(stack: str) -> str:
    """`stack` if it is a valid Pulumi stack name, else StackFileError naming it."""
    if not STACK_NAME.fullmatch(stack):
        raise StackFileError(
            f"{quoted(stack)} is not a valid stack name ({STACK_NAME_RULE})"
            if stack
            else f"the stack name is empty ({STACK_NAME_RULE})"
        )
    return stack


def load_project(project_dir: Path) -> Project:
    """`Pulumi.yaml`: the project's name (must be dbtier) and its config values and defaults."""
    name = "Pulumi.yaml"
    data = read_yaml(project_dir / name, f"no project file {name} in {_show_path(project_dir)}")
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise StackFileError(f"{name} must be a YAML mapping (got {_kind(data)})")
    project = data.get("name")
    if project != NAMESPACE:
        raise StackFileError(
            f"{name}: name must be {NAMESPACE}, the namespace the program reads its settings from"
            f" (got {_kind(project) if not isinstance(project, str) else quoted(project)})"
        )
    raw = data.get("config")
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise StackFileError(f"{name}: config must be a mapping of key to value (got {_kind(raw)})")
    config: dict[str, str] = {}
    for key, spec in raw.items():
        path = f"config.{key}"
        full = check_key(key, f"{name}: config", project)
        if not isinstance(spec, dict):
            config[full] = config_string(spec)  # the short form: `aws:region: us-east-1`
            continue
        if not set(spec) <= set(PROJECT_CONFIG_FIELDS):
            if full.startswith(f"{project}:"):
                extra = sorted(set(spec) - set(PROJECT_CONFIG_FIELDS))[0]
                raise StackFileError(
                    f"{name}: {echo(path + '.' + extra, KEY_LIMIT)} is not a field of a project "
                    f"config key{_did_you_mean(extra, PROJECT_CONFIG_FIELDS)}"
                )
            continue  # another namespace's structured value: not ours to judge
        declared = spec.get("type")
        if declared is not None and declared not in PROJECT_TYPES:
            raise StackFileError(
                f"{name}: {echo(path, KEY_LIMIT)}.type must be one of "
                f"{', '.join(PROJECT_TYPES)} (got {_kind(declared)})"
            )
        for field in ("value", "default"):
            if field not in spec:
                continue
            value = spec[field]
            expected = PROJECT_TYPES.get(declared) if isinstance(declared, str) else None
            if expected is not None and (
                not isinstance(value, expected) or (expected is int and isinstance(value, bool))
            ):
                raise StackFileError(
                    f"{name}: {echo(path, KEY_LIMIT)}.{field} must be of type {declared} "
                    f"(got {_kind(value)})"
                )
            config[full] = config_string(value)
            break
    return Project(project, config)


def load_stack(project_dir: Path, stack: str, project: str = NAMESPACE) -> StackFile:
    """`Pulumi.<stack>.yaml`: its config, every key checked, as strings."""
    validate_stack_name(stack)
    name = f"Pulumi.{stack}.yaml"
    data = read_yaml(project_dir / name, f"no stack file {name} in {_show_path(project_dir)}")
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise StackFileError(f"{name} must be a YAML mapping with a config: section")
    for key in data:
        if key not in STACK_FILE_KEYS:
            raise StackFileError(
                f"{name}: {quoted(key)} is not a stack file key"
                f"{_did_you_mean(key.lower(), STACK_FILE_KEYS)}; a stack file holds "
                f"{', '.join(STACK_FILE_KEYS)}"
            )
    if data.get("environment"):
        raise StackFileError(
            f"{name}: environment (Pulumi ESC) cannot be read offline; put the settings the "
            "preflight needs under config:"
        )
    raw = data.get("config")
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise StackFileError(
            f"{name}: config must be a mapping of namespace:key to value (got {_kind(raw)})"
        )
    config: dict[str, str] = {}
    secret_keys: list[str] = []
    for key, value in raw.items():
        full = check_key(key, name, project)
        secure = next(iter(_secure_paths(value, key)), None)
        if secure is not None and full.startswith(f"{project}:"):
            raise StackFileError(
                f"{name}: {echo(secure, KEY_LIMIT)} is a secure value; secure values are not "
                f"supported offline: {project} settings hold no secrets, so set it without --secret"
            )
        if isinstance(value, dict) and set(value) == {"secure"}:
            # Another namespace's secret (a provider token): the plan sees a placeholder.
            secret_keys.append(full)
            config[full] = "[secure]"
        else:
            config[full] = config_string(value)
    return StackFile(config, tuple(secret_keys))


def merged_config(project: Project, stack: StackFile) -> dict[str, str]:
    """Project values and defaults, then the stack's values over them."""
    return {**project.config, **stack.config}
