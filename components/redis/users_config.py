"""`dbtier:redis.users`: ElastiCache users (role-based access control) and their access strings.

Each user has a name, an access (one of `ACCESS_PRESETS` on a key prefix, or an access string
written out) and how it authenticates: `password` (generated, kept in a Secrets Manager secret
and rotated) or `iam` (a short-lived token signed with the client's AWS credentials). A user
named `default` sets the access of the group's required default user, which otherwise is off.

Access strings follow ElastiCache's rules for them: `on` or `off` stated (a string without
either leaves the user off), no passwords (`>`, `<`, `#`, `!`, `nopass`, `resetpass`) and no
`reset`, which ElastiCache manages itself:
https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Clusters.RBAC.html
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from awsdata import elasticache
from components.settings import ConfigError, Fields, describe
from contract.fielddoc import doc

AUTH_MODES = ("password", "iam")
DEFAULT_USER = "default"
# The commands every preset adds back: cluster clients read the slot map (CLUSTER SLOTS or
# SHARDS) and INFO; ElastiCache users without them fail to discover shards (redis/ioredis#1902).
CLUSTER_DISCOVERY = "+cluster +info"
ACCESS_PRESETS = {
    "read-only": "-@all +@read +@connection " + CLUSTER_DISCOVERY,
    "read-write": "+@all -@dangerous " + CLUSTER_DISCOVERY,
}
"""Named accesses: the commands a preset allows; keys and channels come from keyPrefix."""
OFF = "off -@all"
"""The default user's access unless a `default` user is configured: no login, no command."""
# User names: lower-case letters, digits and hyphens, starting with a letter, the pattern of
# ElastiCache user ids (an IAM user's id and name must be equal), at most 40 characters here so
# the ids dbtier derives from them stay readable.
NAME = re.compile(r"[a-z][a-z0-9-]{0,39}", re.ASCII)
# ElastiCache takes at most 100 users in a user group (quota "Users per user group"):
# https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/quota-limits.html
MAX_USERS = 100
_FORBIDDEN_RULES = re.compile(r"^(?:[<>#!].*|nopass|resetpass|reset)$", re.ASCII)
_KEY_PREFIX = re.compile(r"[!-~]{0,100}", re.ASCII)


@dataclass(frozen=True)
class RedisUserConfig:
    name: str = field(
        metadata=doc(
            "The user name clients log in with (AUTH name password); `default` sets the access"
            " of the group's default user.",
            rule="lower-case letters, digits and -, starting with a letter, at most 40; unique",
            aws=elasticache.RBAC_DOCS,
            default="required",
        )
    )
    access: str = field(
        default="read-write",
        metadata=doc(
            "What the user may do: read-only or read-write on keys and channels under keyPrefix,"
            " or an ElastiCache access string written out (on ~app:* +@read ...).",
            rule="a preset, or an access string stating on or off, with no password and no reset",
            aws=elasticache.RBAC_DOCS,
        ),
    )
    key_prefix: str = field(
        default="",
        metadata=doc(
            "With a preset: the keys and channels the user may touch (those starting with it;"
            " empty: all).",
            rule="printable ASCII without spaces, at most 100; not with an access string",
        ),
    )
    auth: Literal["password", "iam"] = field(
        default="password",
        metadata=doc(
            "password: generated, kept in a Secrets Manager secret and rotated (rotationDays);"
            " iam: a short-lived token signed with the client's AWS credentials.",
            rule="iam needs Redis OSS 7.0+ or Valkey 7.2+",
            aws=(elasticache.IAM_AUTH_DOCS, elasticache.RBAC_DOCS),
        ),
    )

    @property
    def access_string(self) -> str:
        """The access string ElastiCache stores for the user."""
        command_rules = ACCESS_PRESETS.get(self.access)
        if command_rules is None:
            return self.access
        pattern = f"{self.key_prefix}*"
        return f"on ~{pattern} &{pattern} {command_rules}"

    @property
    def is_default(self) -> bool:
        return self.name == DEFAULT_USER

    @property
    def enabled(self) -> bool:
        """Whether the user can log in at all (its access string says on)."""
        return "on" in self.access_string.split()


def check_access_string(key: str, text: str) -> None:
    """ElastiCache's rules for an access string written out (see the module docstring)."""
    # Redis splits an ACL on ASCII spaces only: checked whole first, so the rules split here
    # are the rules ElastiCache applies (str.split() also splits on no-break and other spaces).
    if not text.isascii() or not text.isprintable():
        raise ConfigError(f"{key} must be printable ASCII (got {describe(text)})")
    rules = [rule for rule in text.split(" ") if rule]
    if not rules:
        raise ConfigError(f"{key} must not be empty")
    if "on" not in rules and "off" not in rules:
        raise ConfigError(
            f"{key} must say on or off (ElastiCache leaves a user without either off;"
            f" {elasticache.RBAC_DOCS})"
        )
    for rule in rules:
        if _FORBIDDEN_RULES.fullmatch(rule):
            raise ConfigError(
                f"{key} must not set passwords or reset (ElastiCache sets passwords through the"
                f" user's authentication, and refuses them in an access string;"
                f" {elasticache.RBAC_DOCS})"
            )


def parse_user(key: str, raw: Any) -> RedisUserConfig:
    """One entry of `dbtier:redis.users`."""
    f = Fields(key, raw)
    name = f.get("name")
    if name is None:
        raise ConfigError(f"{key}.name is required")
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise ConfigError(
            f"{key}.name must be lower-case letters, digits and -, starting with a letter, at"
            f" most 40 (got {describe(name)})"
        )
    access = f.text("access", "read-write")
    prefix = f.get("keyPrefix")
    if access in ACCESS_PRESETS:
        prefix = f.text("keyPrefix", "", _KEY_PREFIX.pattern, "printable ASCII without spaces")
    else:
        check_access_string(f"{key}.access", access)
        if prefix is not None:
            raise ConfigError(
                f"{key}.keyPrefix goes with a preset access ({', '.join(ACCESS_PRESETS)});"
                " an access string names its own keys (~pattern)"
            )
        prefix = ""
    user = RedisUserConfig(
        name=name, access=access, key_prefix=prefix, auth=f.choice("auth", "password", AUTH_MODES)
    )
    f.done()
    if user.is_default and user.auth == "iam":
        raise ConfigError(
            f"{key}.auth iam is not possible for the default user: an IAM user's id and name are"
            f" the same, and user ids are unique in the region ({elasticache.IAM_AUTH_DOCS})"
        )
    return user


def parse_users(key: str, raw: Any) -> tuple[RedisUserConfig, ...]:
    """`dbtier:redis.users`: a list of users, each named once."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ConfigError(f"{key} must be a list of users (got {describe(raw)})")
    if len(raw) > MAX_USERS:
        raise ConfigError(
            f"{key} has {len(raw)} users; ElastiCache takes at most {MAX_USERS} in a user group"
        )
    users = tuple(parse_user(f"{key}[{i}]", item) for i, item in enumerate(raw))
    seen: set[str] = set()
    for i, user in enumerate(users):
        if user.name in seen:
            raise ConfigError(f"{key}[{i}].name repeats an earlier user's; name each once")
        seen.add(user.name)
    return users


def check_users(key: str, users: tuple[RedisUserConfig, ...], engine: str, version: str) -> None:
    """What the engine version allows: users at all (RBAC), and IAM users."""
    if not users:
        return
    problem = elasticache.rbac_problem(engine, version)
    if problem:
        raise ConfigError(f"{key}: {problem}")
    for i, user in enumerate(users):
        if user.auth == "iam":
            problem = elasticache.iam_auth_problem(engine, version)
            if problem:
                raise ConfigError(f"{key}[{i}].auth iam: {problem}")
