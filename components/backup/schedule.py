"""AWS Backup schedules: the cron expressions of `dbtier:backup`'s rules, checked field by field
as EventBridge's cron syntax (which AWS Backup uses) defines them, and refused when they could
never run."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from components.settings import ConfigError

# A schedule as AWS Backup takes it: cron(minutes hours day-of-month month day-of-week year).
# https://docs.aws.amazon.com/aws-backup/latest/devguide/creating-a-backup-plan.html
# (cron syntax: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html#eb-cron-expressions)
CRON_DOCS = "https://docs.aws.amazon.com/aws-backup/latest/devguide/creating-a-backup-plan.html"
# Printable ASCII inside the parentheses: a no-break space between fields or a full-width digit
# (which int() and str.isdigit() read as a digit) is not cron to AWS.
_CRON = re.compile(r"cron\(([\x20-\x27\x2a-\x7e]+)\)", re.ASCII)

# Each cron field's values (EventBridge's cron syntax, which AWS Backup uses): its range, the
# names it takes, and the special characters beyond `, - * /` it allows.
_CRON_FIELDS = (
    ("minutes", 0, 59, (), ""),
    ("hours", 0, 23, (), ""),
    ("day-of-month", 1, 31, (), "?LW"),
    (
        "month",
        1,
        12,
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"),
        "",
    ),
    ("day-of-week", 1, 7, ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), "?L#"),
    ("year", 1970, 2199, (), ""),
)
# The longest each month can be (February in a leap year): a day past it in every month named
# means a schedule that never fires.
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _cron_values(item: str, lo: int, hi: int, names: tuple[str, ...]) -> list[int] | None:
    """The values one comma-separated item of a field stands for (`5`, `1-5`, `*/6`, `MON-FRI`),
    or None when it is not a plain value, range or step of that field."""
    base, _, step = item.partition("/")
    if step and not (step.isdigit() and 0 < int(step) <= hi):
        return None

    def value(text: str) -> int | None:
        if text.isdigit():
            return int(text) if lo <= int(text) <= hi else None
        upper = text.upper()
        return lo + names.index(upper) if upper in names else None

    if base == "*":
        first, last = lo, hi
    elif "-" in base:
        a, _, b = base.partition("-")
        first_v, last_v = value(a), value(b)
        if first_v is None or last_v is None:
            return None
        first, last = first_v, last_v
    else:
        single = value(base)
        if single is None:
            return None
        first, last = single, (hi if step else single)
    return list(range(first, last + 1, int(step) if step else 1))


def _cron_special(item: str, field_name: str) -> bool:
    """The day fields' own forms: `L`, `LW`, `15W` (day of month); `6L`, `2#3`, `L` (weekday)."""
    if field_name == "day-of-month":
        return bool(re.fullmatch(r"L|LW|([1-9]|[12][0-9]|3[01])W", item, re.ASCII))
    return bool(re.fullmatch(r"L|[1-7]L|[1-7]#[1-5]", item, re.ASCII))


def check_cron(key: str, value: str) -> None:
    """Refuse a schedule AWS Backup would not take or that would never run: six cron fields,
    each within its range, exactly one of day-of-month and day-of-week `?`, a single minute
    (AWS Backup runs a rule at most once an hour), and a date that exists in a year to come."""
    usage = (
        f"{key} must be cron(minutes hours day-of-month month day-of-week year),"
        f' e.g. "cron(0 6 ? * * *)" ({CRON_DOCS})'
    )
    match = _CRON.fullmatch(value) if len(value) <= 256 else None
    fields = [f for f in match.group(1).split(" ") if f] if match else []
    if len(fields) != 6:
        raise ConfigError(usage)
    values: dict[str, list[int] | None] = {}
    for text, (name, lo, hi, names, special) in zip(fields, _CRON_FIELDS, strict=True):
        if text == "?" and "?" in special:
            values[name] = None
            continue
        collected: list[int] = []
        for item in text.split(","):
            expanded = _cron_values(item, lo, hi, names)
            if expanded is not None:
                collected += expanded
            elif not (special and _cron_special(item, name)):
                shown = f"{lo}-{hi}" + (f" or {names[0]}-{names[-1]}" if names else "")
                raise ConfigError(
                    f"{key}: the {name} field is not a value, range or step of {shown}"
                    f" ({CRON_DOCS})"
                )
        values[name] = collected
    minute, dom, dow = fields[0], fields[2], fields[4]
    if (dom == "?") == (dow == "?"):
        raise ConfigError(
            f"{key}: exactly one of day-of-month and day-of-week must be ? ({CRON_DOCS})"
        )
    if not minute.isdigit():
        raise ConfigError(
            f"{key}: the minute must be one number 0-59; AWS Backup runs a rule at most once an"
            f" hour ({CRON_DOCS})"
        )
    years = values["year"]
    this_year = datetime.now(UTC).year
    if years and max(years) < this_year:
        raise ConfigError(f"{key}: every year it names has passed: it would never run")
    days, months = values["day-of-month"], values["month"]
    if days and months and min(days) > max(_MONTH_DAYS[m - 1] for m in months):
        raise ConfigError(f"{key}: no month it names has that day: it would never run")
