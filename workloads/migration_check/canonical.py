"""One text per value, whatever the engine: the SQL that renders a column of MySQL, MariaDB or
PostgreSQL so that equal values give equal bytes on both sides of a migration, and the hash both
engines compute from them.

A column is compared in the form its *pair* of types allows (``pair_form``): the same type on the
same engine keeps its own text (cheapest); otherwise both sides render one canonical text:

- booleans ``1``/``0`` (TINYINT(1), BIT(1) and boolean; an integer against a boolean as ``<> 0``);
- integers in decimal; decimals at the larger of the two scales (``1.50`` and ``1.5000`` both
  ``1.5000``), or with trailing zeros trimmed when a side has no fixed scale (PostgreSQL
  ``numeric``) or is a float; floats through their shortest round-trip text, read back as decimal;
- dates ``YYYY-MM-DD``; DATETIME/TIMESTAMP/timestamp with or without time zone
  ``YYYY-MM-DD HH:MM:SS.ffffff`` in UTC (both sessions run in UTC), so fractional precision and
  time zone storage do not matter; times ``HH:MM:SS.ffffff``;
- text as its UTF-8 bytes (MySQL columns in another character set are converted), so collations
  do not matter; binary as upper-case hex;
- JSON as stored when both sides keep the text (MariaDB's JSON, PostgreSQL json or text), else
  as jsonb prints it (PostgreSQL ``::jsonb``, MySQL 8's JSON type). MariaDB's JSON text against a
  normalising side has no common SQL form: that column is *streamed* (``json_value`` in Python).

NULL is the one-byte marker ``\\x1e`` and columns are joined by ``\\x1f``. A row hashes to 60 bits
of its MD5 (MySQL ``CONV(SUBSTRING(MD5(..)))``, PostgreSQL ``('x' || substr(md5(..)))::bit(60)``),
or to CRC32 when both sides speak MySQL (four times cheaper there; PostgreSQL has no CRC32).
A chunk's rows are summed (``aggregate_sql``), or XORed between MySQLs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from workloads.sql.engines import MYSQL, POSTGRES

BOOL, INT, DECIMAL, FLOAT = "bool", "int", "decimal", "float"
TEXT, BINARY, DATE, TIMESTAMP, TIME = "text", "binary", "date", "timestamp", "time"
JSON, OTHER = "json", "other"

MD5, CRC32 = "md5", "crc32"
RAW, JSONB = "raw", "jsonb"  # the two texts of a JSON value: as stored, as jsonb prints it

_MYSQL_KINDS = {
    **dict.fromkeys(("tinyint", "smallint", "mediumint", "int", "integer", "bigint", "year"), INT),
    **dict.fromkeys(("decimal", "numeric"), DECIMAL),
    **dict.fromkeys(("float", "double", "real", "double precision"), FLOAT),
    **dict.fromkeys(
        ("char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set"), TEXT
    ),
    **dict.fromkeys(("binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob"), BINARY),
    "date": DATE,
    "datetime": TIMESTAMP,
    "timestamp": TIMESTAMP,
    "time": TIME,
    "json": JSON,
}
_PG_KINDS = {
    **dict.fromkeys(("smallint", "integer", "bigint"), INT),
    "numeric": DECIMAL,
    **dict.fromkeys(("real", "double precision"), FLOAT),
    "boolean": BOOL,
    # enums, citext and domains over text are USER-DEFINED: their text is the value.
    **dict.fromkeys(
        ("text", "character varying", "character", "name", "uuid", "user-defined"), TEXT
    ),
    "bytea": BINARY,
    "date": DATE,
    **dict.fromkeys(("timestamp without time zone", "timestamp with time zone"), TIMESTAMP),
    "time without time zone": TIME,
    **dict.fromkeys(("json", "jsonb"), JSON),
}
# MySQL character sets whose bytes are already UTF-8.
_UTF8 = {"utf8mb4", "utf8mb3", "utf8", "ascii"}
# Kinds whose order is the same on every engine (numbers and time), so a key range taken on one
# side selects the same rows on the other.
ORDERED_ALIKE = {INT, DECIMAL, DATE, TIMESTAMP}


@dataclass(frozen=True)
class Column:
    """A column as the catalog describes it (``catalog``), enough to choose its canonical form."""

    name: str
    data_type: str  # lower case, as information_schema names it ("int", "timestamp with time zone")
    full_type: str = ""  # with modifiers: MySQL's column_type, PostgreSQL's format_type()
    nullable: bool = True
    scale: int | None = None  # numeric scale; None for PostgreSQL's unconstrained numeric
    charset: str | None = None  # MySQL text columns
    collation: str | None = None  # text columns: the effective collation
    json_text: bool = False  # MariaDB's JSON: LONGTEXT with a json_valid() check

    def kind(self, family: str) -> str:
        if family == MYSQL:
            if self.json_text:
                return JSON
            if self.data_type == "bit":
                return BOOL if self.full_type == "bit(1)" else OTHER
            return _MYSQL_KINDS.get(self.data_type, OTHER)
        return _PG_KINDS.get(self.data_type, OTHER)

    def boolish(self, family: str) -> bool:
        """MySQL's BOOLEAN: TINYINT(1)."""
        return family == MYSQL and self.full_type.startswith("tinyint(1)")

    def json_texts(self, family: str) -> set[str]:
        """Which texts of a JSON value this column can render in SQL."""
        kind = self.kind(family)
        if family == MYSQL:
            # MySQL 8's JSON type prints its normalised form, which is also what a copy holds.
            return {RAW, JSONB} if kind == JSON and not self.json_text else {RAW}
        if self.data_type == "jsonb":
            return {JSONB}
        return {RAW, JSONB} if kind in {JSON, TEXT} else set()


@dataclass(frozen=True)
class Form:
    """How one column is compared: its kind, and the details both sides render alike."""

    kind: str
    native: bool = False  # same engine and type on both sides: each side's own text
    scale: int | None = None  # DECIMAL: the fixed scale both render at; None: zeros trimmed
    json: str | None = None  # JSON: RAW or JSONB
    streamed: bool = False  # no SQL text both sides share: compared in Python (``json_value``)


def pair_form(s_family: str, source: Column, t_family: str, target: Column) -> Form:
    """The form in which a source column and its target column compare equal when equal."""
    s_kind, t_kind = source.kind(s_family), target.kind(t_family)
    same_type = source.full_type == target.full_type and source.charset == target.charset
    if s_family == t_family and s_kind == t_kind and same_type:
        return Form(s_kind, native=True)
    kinds = {s_kind, t_kind}
    if JSON in kinds:
        return _json_form(s_family, source, t_family, target)
    if BOOL in kinds and kinds <= {BOOL, INT}:
        return Form(BOOL)
    if kinds == {INT}:
        return Form(INT)
    if kinds <= {INT, DECIMAL}:
        sides = ((source, s_family), (target, t_family))
        scales = [c.scale if c.kind(f) == DECIMAL else 0 for c, f in sides]
        if None in scales:
            return Form(DECIMAL)
        return Form(DECIMAL, scale=max(s for s in scales if s is not None))
    if FLOAT in kinds and kinds <= {INT, DECIMAL, FLOAT}:
        return Form(FLOAT)
    if kinds <= {DATE, TIMESTAMP}:
        return Form(DATE if kinds == {DATE} else TIMESTAMP)
    if len(kinds) == 1 and kinds & {TIME, BINARY, TEXT}:
        return Form(s_kind)
    return Form(OTHER)


def _json_form(s_family: str, source: Column, t_family: str, target: Column) -> Form:
    common = source.json_texts(s_family) & target.json_texts(t_family)
    for text in (RAW, JSONB):
        if text in common:
            return Form(JSON, json=text)
    return Form(JSON, streamed=True)


def render(family: str, quoted: str, column: Column, form: Form, *, recollate: bool = False) -> str:
    """The SQL text of ``quoted`` (the column, quoted) in ``form`` on ``family``; NULL stays NULL.

    ``recollate``: the MySQL table's text columns have different collations, which MySQL 8
    refuses to concatenate (error 1267); each is then converted to one (the bytes are the same).
    """
    if family == MYSQL:
        if recollate and column.charset and form.kind in {TEXT, JSON, OTHER}:
            return f"CONVERT({quoted} USING utf8mb4) COLLATE utf8mb4_bin"
        return _mysql(quoted, column, form)
    return _postgres(quoted, column, form)


def _trim_zeros_mysql(text: str) -> str:
    return f"TRIM(TRAILING '.' FROM TRIM(TRAILING '0' FROM {text}))"


def _mysql(q: str, column: Column, form: Form) -> str:
    kind = column.kind(MYSQL)
    if kind == FLOAT and (form.native or form.kind != FLOAT):
        return f"({q} + 0E0)"  # a FLOAT prints 6 digits; as DOUBLE, every digit it holds
    if form.native or form.kind in {INT, DATE, OTHER} or form.kind == JSON:
        return q
    if form.kind == BOOL:
        return f"({q} <> 0)"
    if form.kind == DECIMAL:
        if form.scale is not None:
            return q if column.scale == form.scale else f"CAST({q} AS DECIMAL(65, {form.scale}))"
        return _trim_zeros_mysql(q) if (column.scale or 0) > 0 else q
    if form.kind == FLOAT:
        if kind == FLOAT:
            # The shortest round-trip digits, read back as a decimal (exact for 65 digits).
            return _trim_zeros_mysql(f"CAST(CAST({q} + 0E0 AS CHAR) AS DECIMAL(65, 30))")
        return _trim_zeros_mysql(q) if (column.scale or 0) > 0 else q
    if form.kind == TEXT:
        return q if (column.charset or "utf8mb4") in _UTF8 else f"CONVERT({q} USING utf8mb4)"
    if form.kind == BINARY:
        return f"HEX({q})"
    if form.kind == TIMESTAMP:
        return f"CAST(CAST({q} AS DATETIME(6)) AS CHAR)"
    return f"CAST(CAST({q} AS TIME(6)) AS CHAR)"  # TIME


def _postgres(q: str, column: Column, form: Form) -> str:
    kind = column.kind(POSTGRES)
    if form.native or form.kind in {INT, DATE, TEXT, OTHER}:
        return f"{q}::text"
    if form.kind == BOOL:
        return f"{q}::int::text" if kind == BOOL else f"({q} <> 0)::int::text"
    if form.kind == DECIMAL:
        if form.scale is not None:
            if column.scale == form.scale:
                return f"{q}::text"
            return f"round({q}::numeric, {form.scale})::text"
        return f"trim_scale({q})::text" if kind == DECIMAL else f"{q}::text"
    if form.kind == FLOAT:
        if kind == FLOAT:
            return f"trim_scale(round({q}::float8::text::numeric, 30))::text"
        return f"trim_scale(round({q}, 30))::text" if kind == DECIMAL else f"{q}::text"
    if form.kind == BINARY:
        return f"upper(encode({q}, 'hex'))"
    if form.kind == TIMESTAMP:
        value = f"{q}::timestamp" if kind == DATE else q
        return f"to_char({value}, 'YYYY-MM-DD HH24:MI:SS.US')"
    if form.kind == TIME:
        return f"to_char({q}, 'HH24:MI:SS.US')"
    return f"{q}::jsonb::text" if form.json == JSONB else f"{q}::text"  # JSON


def row_text(family: str, parts: list[str], nullable: list[bool]) -> str:
    """The columns' texts joined by \\x1f, a NULL as the marker \\x1e."""
    if family == MYSQL:
        sep, null, concat = "_utf8mb4 X'1f'", "_utf8mb4 X'1e'", "CONCAT_WS"
    else:
        sep, null, concat = "chr(31)", "chr(30)", "concat_ws"
    items = [f"COALESCE({p}, {null})" if n else p for p, n in zip(parts, nullable, strict=True)]
    return f"{concat}({sep}, {', '.join(items)})"


def hash_sql(family: str, text: str, algorithm: str, utf8: bool = True) -> str:
    """An unsigned integer hash of ``text``: CRC32 (MySQL only), or the first 60 bits of its MD5,
    the same number on both engines. ``utf8`` False: a PostgreSQL database in another encoding,
    whose text is converted to UTF-8 first."""
    if family == MYSQL:
        if algorithm == CRC32:
            return f"CRC32({text})"
        return f"CAST(CONV(SUBSTRING(MD5({text}), 1, 15), 16, 10) AS UNSIGNED)"
    if algorithm == CRC32:
        raise ValueError("PostgreSQL has no CRC32: both sides hash with MD5")
    value = text if utf8 else f"convert_to({text}, 'UTF8')"
    return f"('x' || substr(md5({value}), 1, 15))::bit(60)::bigint"


def aggregate_sql(algorithm: str, row_hash: str) -> str:
    """The rows' hashes combined, whatever their order: their SUM (exact: a DECIMAL or numeric),
    or between MySQLs their BIT_XOR of CRC32s (cheaper there; as strong within a chunk, whose
    keys are unique). 0 for no rows."""
    if algorithm == CRC32:
        return f"BIT_XOR({row_hash})"
    return f"COALESCE(SUM({row_hash}), 0)"


def json_value(text: str | None) -> str | None:
    """A JSON document's canonical text in Python (a streamed column): keys sorted, numbers by
    value (``1.50`` = ``1.5``), ``true`` distinct from ``1``; text that is not JSON stays itself."""
    if text is None:
        return None
    try:
        value = json.loads(text, parse_float=Decimal, parse_int=Decimal)
    except ValueError:
        return f"text:{text}"
    return repr(_tagged(value))


def _tagged(value: Any) -> Any:
    if isinstance(value, dict):
        return ("object", tuple(sorted((k, _tagged(v)) for k, v in value.items())))
    if isinstance(value, list):
        return ("array", tuple(_tagged(v) for v in value))
    if isinstance(value, bool) or value is None:
        return ("literal", value)
    if isinstance(value, Decimal):
        return ("number", str(value.normalize()))
    return ("string", value)


def naive_utc(value: Any) -> Any:
    """An aware datetime (PostgreSQL's timestamptz, read in the UTC session) as naive UTC, the
    way MySQL binds and reports it; any other value unchanged."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value
