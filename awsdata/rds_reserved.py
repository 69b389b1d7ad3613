"""The words each RDS engine reserves: a master user name or database name RDS refuses.

CreateDBInstance's ``MasterUsername`` and ``DBName`` "Can't be a reserved word for the chosen
database engine" (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html).
Not in cfn-lint or botocore; our own tables, copied from each engine vendor's list of reserved
(not merely non-reserved) keywords:

- MySQL 8.4: https://dev.mysql.com/doc/refman/8.4/en/keywords.html (the words marked (R));
- MariaDB: https://mariadb.com/kb/en/reserved-words/;
- PostgreSQL: https://www.postgresql.org/docs/current/sql-keywords-appendix.html ("reserved"
  in the PostgreSQL column, functions and types aside);
- SQL Server: https://learn.microsoft.com/en-us/sql/t-sql/language-elements/reserved-keywords-transact-sql;
- Oracle: https://docs.oracle.com/en/database/oracle/oracle-database/19/sqlrf/Oracle-SQL-Reserved-Words.html;

plus the accounts RDS or the engine keeps for itself (``RDS_USERS``), which a master user may
not take either, and PostgreSQL's reserved role prefix ``pg_`` ("Reserve role names beginning
with pg_", https://www.postgresql.org/docs/release/9.6.0/). Words are compared
case-insensitively.
"""

from __future__ import annotations

# The administrative accounts RDS creates or the engines own (rdsadmin on every engine, the
# engines' superusers), refused as master user names whatever the engine: dbtier has always
# refused these for MySQL, and a name one engine keeps is a confusing name on another.
RDS_USERS = frozenset({"admin", "root", "rdsadmin", "postgres", "rdsrepladmin", "mysql", "system"})
# Per engine family, the accounts it keeps besides those: SQL Server's sa and RDS's rdsa;
# Oracle's SYS, SYSTEM and the schemas RDS for Oracle creates.
ENGINE_USERS = {
    "sqlserver": frozenset({"sa", "rdsa"}),
    "oracle": frozenset({"sys", "system", "dbsnmp", "outln", "rdsadmin", "rdssec", "xdb"}),
}

# PostgreSQL refuses CREATE ROLE for names with this prefix: its predefined roles' namespace.
POSTGRES_ROLE_PREFIX = "pg_"

_MYSQL = """
accessible add all alter analyze and as asc asensitive before between bigint binary blob both
by call cascade case change char character check collate column condition constraint continue
convert create cross cube cume_dist current_date current_time current_timestamp current_user
cursor database databases day_hour day_microsecond day_minute day_second dec decimal declare
default delayed delete dense_rank desc describe deterministic distinct distinctrow div double
drop dual each else elseif empty enclosed escaped except exists exit explain false fetch
first_value float float4 float8 for force foreign from fulltext function generated get grant
group grouping groups having high_priority hour_microsecond hour_minute hour_second if ignore in
index infile inner inout insensitive insert int int1 int2 int3 int4 int8 integer intersect
interval into io_after_gtids io_before_gtids is iterate join json_table key keys kill lag
last_value lateral lead leading leave left like limit linear lines load localtime
localtimestamp lock long longblob longtext loop low_priority master_bind
master_ssl_verify_server_cert match maxvalue mediumblob mediumint mediumtext middleint
minute_microsecond minute_second mod modifies natural not no_write_to_binlog nth_value ntile
null numeric of on optimize optimizer_costs option optionally or order out outer outfile over
partition percent_rank precision primary procedure purge range rank read reads read_write real
recursive references regexp release rename repeat replace require resignal restrict return
revoke right rlike row rows row_number schema schemas second_microsecond select sensitive
separator set show signal smallint spatial specific sql sqlexception sqlstate sqlwarning
sql_big_result sql_calc_found_rows sql_small_result ssl starting stored straight_join system
table terminated then tinyblob tinyint tinytext to trailing trigger true undo union unique
unlock unsigned update usage use using utc_date utc_time utc_timestamp values varbinary varchar
varcharacter varying virtual when where while window with write xor year_month zerofill
"""
_MARIADB = """
accessible add all alter analyze and as asc asensitive before between bigint binary blob both
by call cascade case change char character check collate column condition constraint continue
convert create cross current_date current_role current_time current_timestamp current_user
cursor database databases day_hour day_microsecond day_minute day_second dec decimal declare
default delayed delete delete_domain_id desc describe deterministic distinct distinctrow div
do_domain_ids double drop dual each else elseif enclosed escaped except exists exit explain
false fetch float float4 float8 for force foreign from fulltext general grant group having
high_priority hour_microsecond hour_minute hour_second if ignore ignore_domain_ids
ignore_server_ids in index infile inner inout insensitive insert int int1 int2 int3 int4 int8
integer intersect interval into is iterate join key keys kill leading leave left like limit
linear lines load localtime localtimestamp lock long longblob longtext loop low_priority
master_heartbeat_period master_ssl_verify_server_cert match maxvalue mediumblob mediumint
mediumtext middleint minute_microsecond minute_second mod modifies natural not
no_write_to_binlog null numeric offset on optimize option optionally or order out outer outfile
over page_checksum parse_vcol_expr partition position precision primary procedure purge range
read reads read_write real recursive ref_system_id references regexp release rename repeat
replace require resignal restrict return returning revoke right rlike row_number rows schema
schemas second_microsecond select sensitive separator set show signal slow smallint spatial
specific sql sqlexception sqlstate sqlwarning sql_big_result sql_calc_found_rows
sql_small_result ssl starting stats_auto_recalc stats_persistent stats_sample_pages
straight_join table terminated then tinyblob tinyint tinytext to trailing trigger true undo
union unique unlock unsigned update usage use using utc_date utc_time utc_timestamp values
varbinary varchar varcharacter varying when where while window with write xor year_month
zerofill
"""
_POSTGRES = """
all analyse analyze and any array as asc asymmetric authorization binary both case cast check
collate collation column concurrently constraint create cross current_catalog current_date
current_role current_schema current_time current_timestamp current_user default deferrable desc
distinct do else end except false fetch for foreign freeze from full grant group having ilike in
initially inner intersect into is isnull join lateral leading left like limit localtime
localtimestamp natural not notnull null offset on only or order outer overlaps placing primary
references returning right select session_user similar some symmetric system_user table
tablesample then to trailing true union unique user using variadic verbose when where window
with
"""
_SQLSERVER = """
add all alter and any as asc authorization backup begin between break browse bulk by cascade
case check checkpoint close clustered coalesce collate column commit compute constraint contains
containstable continue convert create cross current current_date current_time current_timestamp
current_user cursor database dbcc deallocate declare default delete deny desc disk distinct
distributed double drop dump else end errlvl escape except exec execute exists exit external
fetch file fillfactor for foreign freetext freetexttable from full function goto grant group
having holdlock identity identity_insert identitycol if in index inner insert intersect into is
join key kill left like lineno load merge national nocheck nonclustered not null nullif of off
offsets on open opendatasource openquery openrowset openxml option or order outer over percent
pivot plan precision primary print proc procedure public raiserror read readtext reconfigure
references replication restore restrict return revert revoke right rollback rowcount rowguidcol
rule save schema securityaudit select semantickeyphrasetable semanticsimilaritydetailstable
semanticsimilaritytable session_user set setuser shutdown some statistics system_user table
tablesample textsize then to top tran transaction trigger truncate try_convert tsequal union
unique unpivot update updatetext use user values varying view waitfor when where while with
writetext
"""
_ORACLE = """
access add all alter and any as asc audit between by char check cluster column column_value
comment compress connect create current date decimal default delete desc distinct drop else
exclusive exists file float for from grant group having identified immediate in increment index
initial insert integer intersect into is level like lock long maxextents minus mlslabel mode
modify nested_table_id noaudit nocompress not nowait null number of offline on online option or
order pctfree prior public raw rename resource revoke row rowid rownum rows select session set
share size smallint start successful synonym sysdate table then to trigger uid union unique
update user validate values varchar varchar2 view whenever where with
"""

# The SQL reserved words of each engine family (see the module docstring for the sources).
RESERVED_WORDS: dict[str, frozenset[str]] = {
    family: frozenset(words.split())
    for family, words in (
        ("mysql", _MYSQL),
        ("mariadb", _MARIADB),
        ("postgres", _POSTGRES),
        ("sqlserver", _SQLSERVER),
        ("oracle", _ORACLE),
    )
}


def reserved(family: str, name: str, *, user: bool) -> bool:
    """True when ``family`` (mysql, mariadb, postgres, sqlserver, oracle) refuses ``name`` as a
    master user name (``user``) or a database name."""
    lowered = name.lower()
    if lowered in RESERVED_WORDS.get(family, frozenset()):
        return True
    if user and family == "postgres" and lowered.startswith(POSTGRES_ROLE_PREFIX):
        return True
    return user and (lowered in RDS_USERS or lowered in ENGINE_USERS.get(family, frozenset()))
