"""Reading one `dbtier:` config object: typed getters, ranges, unknown-field detection, messages.

Every component's parser reads its key through `Fields`, so each bad value is reported the same
way: one `ConfigError` whose message names the full key, what is wrong and the value given. The
identifier rules several engines share (database and user names, log retention) live here too.
"""

from __future__ import annotations

import difflib
import math
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sized
from dataclasses import dataclass
from typing import Any, TypeVar

from contract.echo import echo

T = TypeVar("T")

# CloudWatch Logs accepts only these retention periods (days).
# fmt: off
LOG_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
)
# fmt: on

# MySQL/Aurora/Redshift master user names: a letter, then letters, digits, underscores; and not
# a reserved word the engines reject.
RESERVED_USERS = {"admin", "root", "rdsadmin", "postgres", "rdsrepladmin", "mysql", "system"}
DB_NAME = r"[A-Za-z][A-Za-z0-9_]{0,63}"
USER_NAME = r"[A-Za-z][A-Za-z0-9_]{0,15}"
# A KMS key ARN (key id or multi-Region key id; not an alias):
# https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id-key-ARN
KMS_KEY_ARN = (
    r"arn:aws(-[a-z]+)*:kms:[a-z]{2}(-[a-z]+)+-[0-9]:[0-9]{12}:key/"
    r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})"
)

# Numbers as `pulumi config set` writes them: ASCII digits only. `\d` and `str.isdigit()` accept
# every script's digits (Arabic-Indic one-zero-zero reads as 100), and `int()`/`float()` accept
# "8_0", "+2", "Infinity" and "NaN".
INTEGER = re.compile(r"-?[0-9]{1,18}", re.ASCII)
NUMBER = re.compile(
    r"-?([0-9]{1,18}(\.[0-9]{0,18})?|\.[0-9]{1,18})([eE][-+]?[0-9]{1,3})?", re.ASCII
)


class ConfigError(ValueError):
    """A stack config value is missing, malformed or out of range; the message names the key."""


class Fields:
    """Reads the fields of one config object, remembering which were used."""

    def __init__(self, key: str, raw: Any) -> None:
        if raw is None:
            raw = {}
        if not isinstance(raw, Mapping):
            raise ConfigError(f"{key} must be an object (got {show(raw)})")
        self.key = key
        self.raw = raw
        self.used: set[str] = set()

    def _name(self, name: str) -> str:
        return f"{self.key}.{name}"

    def get(self, name: str) -> Any:
        """The raw value of `name` (None when absent), marked as used."""
        self.used.add(name)
        return self.raw.get(name)

    def has(self, name: str) -> bool:
        return name in self.raw

    def flag(self, name: str, default: bool) -> bool:
        value = self.get(name)
        if value is None:
            return default
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if not isinstance(value, bool):
            raise ConfigError(f"{self._name(name)} must be true or false (got {describe(value)})")
        return value

    def integer(
        self, name: str, default: T, lo: int | None = None, hi: int | None = None
    ) -> int | T:
        value = self.get(name)
        if value is None:
            return default
        if isinstance(value, str) and INTEGER.fullmatch(value):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(
                f"{self._name(name)} must be an integer in ASCII digits (got {describe(value)})"
            )
        check_range(self._name(name), value, lo, hi)
        return value

    def number(
        self, name: str, default: T, lo: float | None = None, hi: float | None = None
    ) -> float | T:
        value = self.get(name)
        if value is None:
            return default
        if isinstance(value, str) and NUMBER.fullmatch(value):
            value = float(value)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(
                f"{self._name(name)} must be a number in ASCII digits (got {describe(value)})"
            )
        if not math.isfinite(value):
            raise ConfigError(f"{self._name(name)} must be a finite number (got {describe(value)})")
        check_range(self._name(name), value, lo, hi)
        return float(value)

    def text(self, name: str, default: T, pattern: str | None = None, hint: str = "") -> str | T:
        value = self.get(name)
        if value is None:
            return default
        if not isinstance(value, str) or not value:
            raise ConfigError(
                f"{self._name(name)} must be a non-empty string (got {describe(value)})"
            )
        # re.ASCII: `\d`, `\w` and `\s` in a pattern mean what AWS means, not any script's.
        if pattern is not None and not re.fullmatch(pattern, value, re.ASCII):
            # A free-text field may hold anything a user pasted, a password included: the
            # message names the key and the rule, never the value.
            raise ConfigError(
                f"{self._name(name)} must be {hint or pattern} (got {describe(value)})"
            )
        return value

    def choice(self, name: str, default: Any, choices: Iterable[str]) -> Any:
        """One of `choices` (typed Any so it fills the Literal fields it was validated for)."""
        value = self.get(name)
        options = tuple(choices)
        if value is None:
            return default
        if value not in options:
            listed = ", ".join(options)
            raise ConfigError(
                f"{self._name(name)} must be one of {listed} (got {near_miss(value, options)})"
            )
        return str(value)

    def strings(
        self, name: str, check: Callable[[str, str], None] | None = None
    ) -> tuple[str, ...] | None:
        """A list of non-empty strings, each once. How many it may hold is its field's `most`
        (`contract.fielddoc`), checked against the raw value before any part reads it
        (`components.fieldcheck`), so 100,000 items cost nothing."""
        value = self.get(name)
        if value is None:
            return None
        if not isinstance(value, list):
            raise ConfigError(
                f"{self._name(name)} must be a list of strings (got {describe(value)})"
            )
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item:
                raise ConfigError(
                    f"{self._name(name)}[{i}] must be a non-empty string (got {describe(item)})"
                )
        if len(set(value)) != len(value):
            seen: set[str] = set()
            for i, item in enumerate(value):
                if item in seen:
                    raise ConfigError(
                        f"{self._name(name)}[{i}] repeats an earlier item; list each once"
                    )
                seen.add(item)
        if check is not None:
            for i, item in enumerate(value):
                check(f"{self._name(name)}[{i}]", item)
        return tuple(value)

    def obj(self, name: str) -> Fields:
        return Fields(self._name(name), self.get(name))

    def done(self) -> None:
        unknown = sorted(set(self.raw) - self.used, key=str)
        if unknown:
            raise ConfigError(
                f"{self._name(echo(unknown[0]))} is not a known setting"
                f" (known: {', '.join(sorted(self.used))})"
            )


def offered(key: str, *problems: Callable[[], str | None]) -> None:
    """Refuse a value the catalog says AWS does not offer: the first problem found, named by key.

    Each problem is a thunk of ``awsdata`` (the source the policy pack also
    asks), evaluated in order so the cheapest and most basic check speaks first.
    ``DBTIER_DEPLOYABILITY=off`` skips them: only the benchmark sets it, to measure their cost.
    """
    if os.environ.get("DBTIER_DEPLOYABILITY") == "off":
        return
    for problem in problems:
        found = problem()
        if found:
            raise ConfigError(f"{key}: {found}")


def show(value: Any) -> str:
    """A value from a closed vocabulary (a mode, an engine, a flag) as a message quotes it: one
    safe line of at most 60 characters. Free text goes through `describe` instead."""
    if isinstance(value, str):
        return repr(echo(value, 58))
    if value is None or isinstance(value, bool | int | float):
        return describe(value)
    return describe(value)


def near_miss(value: Any, options: Iterable[str]) -> str:
    """A value a closed vocabulary refused, shown only when it is a typo of one of `options`
    (`Advanced`, `standrd`): that is worth seeing. Anything else may be a password pasted into
    the wrong field, so it is described, not repeated."""
    lowered = [o.lower() for o in options]
    if isinstance(value, str) and difflib.get_close_matches(value.lower(), lowered, 1, 0.6):
        return show(value)
    return describe(value)


def describe(value: Any) -> str:
    """What a value is, without its content: numbers and flags as they are, text by length.

    A free-text field (a user name, an ARN, a tag) may hold a password pasted into the wrong
    place, so messages say which rule the value breaks and never repeat it.
    """
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return echo(value, 24)
    if isinstance(value, float):
        return num(value) if math.isfinite(value) else str(value)
    if isinstance(value, str):
        ascii_note = "" if value.isascii() else ", not all ASCII"
        return f"a {len(value)}-character string{ascii_note}"
    if isinstance(value, Mapping):
        return f"an object of {len(value)} fields"
    if isinstance(value, list | tuple):
        return f"a list of {len(value)} items"
    if isinstance(value, Sized):
        return f"a {type(value).__name__} of {len(value)} items"
    return f"a {type(value).__name__}"


def check_range(name: str, value: float, lo: float | None, hi: float | None) -> None:
    """Refuse `value` outside lo..hi (either bound may be open), naming `name`."""
    if lo is not None and hi is not None and not lo <= value <= hi:
        raise ConfigError(f"{name} must be between {num(lo)} and {num(hi)} (got {num(value)})")
    if lo is not None and value < lo:
        raise ConfigError(f"{name} must be >= {num(lo)} (got {num(value)})")
    if hi is not None and value > hi:
        raise ConfigError(f"{name} must be <= {num(hi)} (got {num(value)})")


def num(value: float) -> str:
    """A number as a message shows it: 1 rather than 1.0."""
    if not math.isfinite(value):
        return str(value)
    return str(int(value)) if float(value).is_integer() else echo(value, 24)


def username(fields: Fields, default: str, engine_label: str, field: str = "username") -> str:
    """The `username` field (or another user-name `field`, such as `iamUser`): a valid user
    name that `engine_label` does not reserve."""
    name = fields.text(
        field, default, USER_NAME, "1-16 letters, digits or _, starting with a letter"
    )
    if name.lower() in RESERVED_USERS:
        raise ConfigError(
            f"{fields.key}.{field} {name.lower()!r} is reserved by {engine_label};"
            " choose another name"
        )
    return name


def iam_user(fields: Fields, default: str, engine_label: str, master: str) -> str:
    """The `iamUser` field: a user name by the `username` rules that is not the master user
    `master` (a token login for the master would bypass its managed, rotated password)."""
    name = username(fields, default, engine_label, "iamUser")
    if name.lower() == master.lower():
        raise ConfigError(
            f"{fields.key}.iamUser must differ from {fields.key}.username, the master user"
            f" (both are {name.lower()!r}); choose another name"
        )
    return name


def log_retention(fields: Fields, default: T, name: str = "logRetentionDays") -> int | T:
    """The `name` field (`logRetentionDays` by default): one of the periods CloudWatch Logs
    accepts; `default` when absent (None lets a part inherit `dbtier:logs.retentionDays`)."""
    days = fields.integer(name, None)
    if days is None:
        return default
    if days not in LOG_RETENTION_DAYS:
        raise ConfigError(
            f"{fields._name(name)} must be a CloudWatch Logs retention period"
            f" ({', '.join(map(str, LOG_RETENTION_DAYS[:12]))}, ... 3653; got {days})"
        )
    return days


# --- AWS names ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NameRule:
    """What AWS accepts as one kind of name: length, characters, and the hyphen rules several
    services share. ASCII only: a rule's `chars` is a character class matched with re.ASCII."""

    what: str
    """The kind of name, as a message says it ("a Redshift cluster identifier")."""
    lo: int
    hi: int
    chars: str
    """A regex character class of the allowed characters, e.g. `[a-z0-9-]`."""
    hint: str
    """The allowed characters in words, e.g. "lower-case letters, digits and hyphens"."""
    docs: str
    """The AWS page stating the rule."""
    letter_first: bool = False
    hyphens: bool = False
    """No two consecutive hyphens and no trailing hyphen."""

    def problem(self, value: str) -> str | None:
        """Why AWS would refuse `value` as this kind of name (None when it accepts it)."""
        if not self.lo <= len(value) <= self.hi:
            return f"{self.what} must be {self.lo}-{self.hi} characters (got {len(value)})"
        if not re.fullmatch(f"{self.chars}*", value, re.ASCII):
            return f"{self.what} may contain only {self.hint}"
        if self.letter_first and not re.match("[A-Za-z]", value, re.ASCII):
            return f"{self.what} must start with a letter"
        if self.hyphens and ("--" in value or value.endswith("-")):
            return f"{self.what} may not contain two consecutive hyphens or end with one"
        return None


# https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html
DYNAMO_TABLE = NameRule(
    "a DynamoDB table name", 3, 255, r"[A-Za-z0-9_.-]", "letters, digits, _ . and -",
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html",
)  # fmt: skip
DYNAMO_INDEX = NameRule(
    "a DynamoDB index name", 3, 255, r"[A-Za-z0-9_.-]", "letters, digits, _ . and -",
    DYNAMO_TABLE.docs,
)  # fmt: skip
REDSHIFT_CLUSTER = NameRule(
    "a Redshift cluster identifier", 1, 63, r"[a-z0-9-]", "lower-case letters, digits and -",
    "https://docs.aws.amazon.com/redshift/latest/APIReference/API_CreateCluster.html",
    letter_first=True, hyphens=True,
)  # fmt: skip
REDSHIFT_SERVERLESS = NameRule(
    "a Redshift Serverless namespace or workgroup name", 3, 64, r"[a-z0-9-]",
    "lower-case letters, digits and -",
    "https://docs.aws.amazon.com/redshift-serverless/latest/APIReference/API_CreateWorkgroup.html",
)  # fmt: skip
DMS_INSTANCE = NameRule(
    "a DMS replication instance identifier", 1, 63, r"[A-Za-z0-9-]", "letters, digits and -",
    "https://docs.aws.amazon.com/dms/latest/APIReference/API_CreateReplicationInstance.html",
    letter_first=True, hyphens=True,
)  # fmt: skip
DMS_IDENTIFIER = NameRule(
    "a DMS endpoint, task or subnet group identifier", 1, 255, r"[A-Za-z0-9-]",
    "letters, digits and -",
    "https://docs.aws.amazon.com/dms/latest/APIReference/API_CreateEndpoint.html",
    letter_first=True, hyphens=True,
)  # fmt: skip
ELASTICACHE_GROUP = NameRule(
    "an ElastiCache replication group id", 1, 40, r"[A-Za-z0-9-]", "letters, digits and -",
    "https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html",
    letter_first=True, hyphens=True,
)  # fmt: skip
# RDS DB instance and cluster identifiers; stored lower-case, and the Terraform provider (so
# pulumi-aws) accepts only lower-case: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Limits.html#RDS_Limits.Constraints
RDS_IDENTIFIER = NameRule(
    "an RDS DB instance or cluster identifier", 1, 63, r"[a-z0-9-]",
    "lower-case letters, digits and -",
    "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Limits.html#RDS_Limits.Constraints",
    letter_first=True, hyphens=True,
)  # fmt: skip


def rds_identifier(project: str, stack: str, name: str, role: str) -> str:
    """The DB instance or cluster identifier of `role` in the component `name`: per project and
    stack, known at plan time (AWS's log group names contain it); config validation checks it."""
    return f"{project}-{stack}-{name}-{role}".lower()


def cross_region_replica_identifier(primary_id: str, region: str) -> str:
    """A cross-region replica's DB identifier: the primary's and the region (unique per stack;
    an identifier is per region and account, and the primary's is the stack's)."""
    return f"{primary_id}-{region}"


LOG_GROUP = NameRule(
    "a CloudWatch Logs log group name", 1, 512, r"[A-Za-z0-9_./#-]", "letters, digits, _ . / # and -",
    "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html",
)  # fmt: skip
KMS_ALIAS = NameRule(
    "a KMS alias name", 7, 256, r"[A-Za-z0-9/_-]", "letters, digits, / _ and -",
    "https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html",
)  # fmt: skip
ALARM_NAME = NameRule(
    "a CloudWatch alarm name", 1, 255, r"[A-Za-z0-9_./#:-]", "letters, digits, _ . / # : and -",
    "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html",
)  # fmt: skip
# A Pulumi stack name (what dbtier puts into physical names): Pulumi's own rule.
STACK_NAME = NameRule(
    "a stack name", 1, 100, r"[A-Za-z0-9_.-]", "letters, digits, _ . and -",
    "https://www.pulumi.com/docs/iac/concepts/stacks/",
)  # fmt: skip


def check_name(key: str, rule: NameRule, value: str, source: str = "") -> None:
    """Refuse `value` when AWS would refuse it as `rule`'s kind of name, naming `key`.

    `source` says where a derived name comes from ("from stack name 'x'"), so a user knows
    which setting to change when dbtier built the name.
    """
    problem = rule.problem(value)
    if problem:
        where = f" {source}" if source else ""
        raise ConfigError(f"{key}: {problem}{where} ({rule.docs})")
