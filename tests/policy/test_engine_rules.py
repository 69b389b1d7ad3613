"""The rules that know every RDS engine, over gRPC: for each rule issue 18 changed or added, a
violating and a compliant case per engine (mysql, postgres, mariadb, sqlserver-ex/se/ee/web,
oracle-se2/ee). Every case's resources go into ONE plan that the pack analyses once; each test
then reads the verdicts of its own rule on its own cases.

A case is a handful of synthetic resources named after it (builders: tests/policy/engine_cases.py);
the resource a rule should report is the case's first. Other rules report plenty on these bare
resources: each test looks only at the rule it is about.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

import pytest
from dbtier_policy.rds_settings import log_parameters

from awsdata import dms, families, rds, rds_engine_rules
from awsdata.rds_engines import ENGINES, RDS_ENGINES
from awsdata.support import CURRENT_GENERATION
from preflight.plan import PlannedResource
from preflight.policy import PolicyReport
from tests.policy.engine_cases import (
    CERT,
    ENDPOINT,
    REGION_PROVIDER,
    Case,
    database,
    dms_path,
    dms_source,
    engine_params,
    in_region,
    instance,
    linked,
    params_group,
    replica,
    rotation,
    version,
)
from tests.policy.policy_fixtures import Pack, resource

pytestmark = pytest.mark.policy

MYSQL_LIKE = ("mysql", "mariadb")
SQLSERVER = ("sqlserver-ex", "sqlserver-se", "sqlserver-ee", "sqlserver-web")
ORACLE = ("oracle-se2", "oracle-ee")
# An engine's version that is another engine's (what deploy-rds-engine-version refuses).
FOREIGN_VERSION = {"postgres": "8.4.7", **{e: "17.5" for e in ENGINES if e != "postgres"}}
# A version outside standard support (supported-engine-version), per engine.
UNSUPPORTED_VERSION = {
    "mysql": "5.7.44",
    "mariadb": "10.6.21",
    "postgres": "13.20",
    **{e: "13.00.6455.2.v1" for e in SQLSERVER},
    **{e: "12.2.0.1.ru-2022-01.rur-2022-01.r1" for e in ORACLE},
}


def _family(engine: str) -> str:
    return families.parameter_group_family(engine, version(engine)) or engine


def _class_not_offered(engine: str) -> str:
    """A current-generation class RDS offers some engine in us-east-1 but not ``engine``."""
    offered = rds.rds_classes(engine, "us-east-1", version(engine)) or frozenset()
    every = {c for e in ENGINES for c in rds.rds_classes(e, "us-east-1", version(e)) or ()}
    current = [c for c in every - offered if c.startswith(tuple(CURRENT_GENERATION["rds"]))]
    return sorted(current)[0]


# -- TLS -------------------------------------------------------------------------------------


def tls_cases() -> Iterator[Case]:
    for e in ENGINES:
        engine = RDS_ENGINES[e]
        if engine.tls_parameters:
            yield Case(
                "rds-parameter-group-requires-tls",
                f"pg-tls-{e}-off",
                True,
                [params_group(f"pg-tls-{e}-off", _family(e), {})],
                next(iter(engine.tls_parameters)),
            )
        on = f"pg-tls-{e}-on"
        yield Case(
            "rds-parameter-group-requires-tls",
            on,
            False,
            [params_group(on, _family(e), dict(engine.tls_parameters))],
        )
        policy = "rds-instance-requires-tls"
        if engine.tls_option is not None:
            bare = f"tls-{e}-no-ssl"
            yield Case(policy, bare, True, database(bare, e, options=[]), "the SSL option")
            yield Case(policy, f"tls-{e}-ssl", False, database(f"tls-{e}-ssl", e))
            continue
        own = database(f"tls-{e}-own", e)
        yield Case(policy, f"tls-{e}-own", False, own)
        # A same-region replica without a group of its own runs with its source's.
        yield Case(policy, f"tls-{e}-replica", False, [replica(f"tls-{e}-replica", own[0])])
        default_violates = e != "postgres"  # PostgreSQL 15 and later force TLS by default
        yield Case(
            policy,
            f"tls-{e}-default",
            default_violates,
            database(f"tls-{e}-default", e, params={}),
            "default parameter group",
        )
    old = database("tls-postgres-14-default", "postgres", params={}, engineVersion="14.17")
    yield Case("rds-instance-requires-tls", "tls-postgres-14-default", True, old, "rds.force_ssl")


# -- logs ------------------------------------------------------------------------------------


def log_cases() -> Iterator[Case]:
    for e in ENGINES:
        engine = RDS_ENGINES[e]
        needed = log_parameters(e)
        name = f"pg-logs-{e}"
        yield Case(
            "rds-parameter-group-logging",
            name,
            False,
            [params_group(name, _family(e), engine_params(e))],
        )
        if needed:
            bare = f"{name}-tls-only"
            yield Case(
                "rds-parameter-group-logging",
                bare,
                True,
                [params_group(bare, _family(e), dict(engine.tls_parameters))],
                next(iter(needed)),
            )
        exports = list(engine.default_logs)
        yield Case(
            "deploy-rds-log-exports",
            f"exports-{e}",
            False,
            [instance(f"exports-{e}", e, enabledCloudwatchLogsExports=exports)],
        )
        foreign = "slowquery" if e == "postgres" else "postgresql"
        yield Case(
            "deploy-rds-log-exports",
            f"exports-{e}-foreign",
            True,
            [instance(f"exports-{e}-foreign", e, enabledCloudwatchLogsExports=[*exports, foreign])],
            "dbtier:relational.logExports",
        )
        # Every default export written, and MySQL's and MariaDB's audit log through the plugin.
        audit = ["audit"] if e in MYSQL_LIKE else []
        options = {"options": ["MARIADB_AUDIT_PLUGIN"]} if audit else {}
        written = database(
            f"logs-{e}", e, enabledCloudwatchLogsExports=[*exports, *audit], **options
        )
        if audit:
            yield Case(
                "deploy-rds-log-parameters",
                f"logs-{e}-no-plugin",
                True,
                database(f"logs-{e}-no-plugin", e, enabledCloudwatchLogsExports=["audit"]),
                "MARIADB_AUDIT_PLUGIN",
            )
        yield Case("deploy-rds-log-parameters", f"logs-{e}", False, written)
        if needed:
            bare = f"logs-{e}-unwritten"
            yield Case(
                "deploy-rds-log-parameters",
                bare,
                True,
                database(
                    bare,
                    e,
                    params=dict(engine.tls_parameters),
                    enabledCloudwatchLogsExports=list(engine.default_logs),
                ),
                next(iter(needed)),
            )


# -- what an engine or edition has -----------------------------------------------------------


def feature_cases() -> Iterator[Case]:
    policy = "deploy-rds-engine-features"
    for e in ENGINES:
        engine = RDS_ENGINES[e]
        name = f"multi-az-{e}"
        yield Case(policy, name, not engine.multi_az, [instance(name, e, multiAz=True)], "multiAz")
        name = f"iam-{e}"
        iam = instance(name, e, iamDatabaseAuthenticationEnabled=True)
        yield Case(policy, name, not engine.iam_auth, [iam], "dbtier:relational.iamAuth")
        name = f"storage-{e}"
        over = engine.max_storage_gib + 1
        yield Case(policy, name, True, [instance(name, e, maxAllocatedStorage=over)], "GiB")
        name = f"license-{e}"
        yield Case(policy, name, False, [instance(name, e, licenseModel=engine.license_models[0])])
        # The multi-AZ and IAM rules of the security pass skip what the engine lacks.
        single = instance(f"single-az-{e}", e, multiAz=False)
        yield Case("rds-instance-multi-az", single.name, engine.multi_az, [single], "single-AZ")
        no_iam = instance(f"no-iam-{e}", e, iamDatabaseAuthenticationEnabled=False)
        yield Case("rds-instance-iam-auth", no_iam.name, engine.iam_auth, [no_iam], "IAM")
    yield Case(
        policy,
        "license-oracle-ee-included",
        True,
        [instance("license-oracle-ee-included", "oracle-ee", licenseModel="license-included")],
        "dbtier:relational.licenseModel",
    )


def replica_cases() -> Iterator[Case]:
    for e in ENGINES:
        engine = RDS_ENGINES[e]
        # Oracle's replica source needs two or more vCPUs (not db.t3.small, its default class).
        source_class = "db.m5.large" if e in ORACLE else None
        primary = instance(f"replicated-{e}", e, instanceClass=source_class)
        yield Case(
            "deploy-rds-read-replicas",
            primary.name,
            not engine.max_replicas,
            [primary, replica(f"replicated-{e}-1", primary)],
            "dbtier:relational.readReplicas",
        )
        alone = instance(f"alone-{e}", e)
        wants = bool(engine.max_replicas)
        yield Case("stack-read-replicas", alone.name, wants, [alone], "read replicas")
    small = instance("replicated-oracle-ee-small", "oracle-ee", instanceClass="db.t3.small")
    yield Case(
        "deploy-rds-read-replicas",
        small.name,
        True,
        [small, replica("replicated-oracle-ee-small-1", small)],
        "two or more vCPUs",
    )


# -- DMS -------------------------------------------------------------------------------------


def dms_cases() -> Iterator[Case]:
    for e in ENGINES:
        engine = RDS_ENGINES[e]
        dms_name = dms.SOURCE_ENGINE_NAMES.get(e, "sqlserver")
        cdc = dict(engine.cdc_parameters or {})
        ready = database(f"cdc-{e}", e, params=engine_params(e, **cdc), backupRetentionPeriod=7)
        yield Case(
            "deploy-dms-cdc-source",
            ready[0].name,
            engine.cdc_refusal is not None,
            [*ready, *dms_source(f"cdc-{e}", ready[0], dms_name)],
            "no change data capture",
        )
        if engine.cdc_refusal is None:
            backups = "backups" if dms_name in dms.CDC_NEEDS_BACKUPS else next(iter(cdc))
            unready = database(f"cdc-{e}-unready", e, backupRetentionPeriod=0)
            yield Case(
                "deploy-dms-cdc-source",
                unready[0].name,
                True,
                [*unready, *dms_source(f"cdc-{e}-unready", unready[0], dms_name)],
                backups,
            )
        # The endpoint names the engine as DMS does, and DMS reads it at all.
        db = instance(f"read-{e}", e)
        right = dms_source(f"read-{e}", db, dms_name)
        yield Case(
            "deploy-dms-endpoint-engine",
            right[0].name,
            e not in dms.SOURCE_ENGINE_NAMES,
            [*right, db],
            "Enterprise and Standard",
        )
        # DMS reaches the database on its engine's client port (Oracle: the SSL option's).
        port = engine.client_port
        for suffix, opened, violates in (("", port, False), ("-closed", port + 1, True)):
            name = f"path-{e}{suffix}"
            path = dms_path(name, instance(name, e), dms_name, opened)
            yield Case("deploy-dms-database-paths", path[0].name, violates, path, f"port {port}")
        if e not in dms.SOURCE_ENGINE_NAMES:
            continue
        other = instance(f"misread-{e}", e)
        wrong = dms_source(f"misread-{e}", other, "postgres" if e != "postgres" else "mysql")
        yield Case("deploy-dms-endpoint-engine", wrong[0].name, True, [*wrong, other], "calls")
    # A full load needs no logical replication.
    plain = database("full-load-postgres", "postgres", backupRetentionPeriod=0)
    yield Case(
        "deploy-dms-cdc-source",
        plain[0].name,
        False,
        [*plain, *dms_source("full-load-postgres", plain[0], "postgres", "full-load")],
    )


def ssl_cases() -> Iterator[Case]:
    def endpoint(engine: str, mode: str | None, violates: bool, cert: bool = False, text: str = ""):
        name = f"ssl-{engine}-{mode or 'unset'}{'-cert' if cert else ''}"
        inputs = {"endpointType": "source", "engineName": engine, "sslMode": mode}
        if cert:
            inputs["certificateArn"] = CERT
        r = resource(ENDPOINT, name, {k: v for k, v in inputs.items() if v is not None})
        return Case("dms-endpoint-ssl", name, violates, [r], text)

    yield endpoint("mysql", "require", False)
    yield endpoint("mysql", None, True, text="unencrypted")
    yield endpoint("mariadb", "require", False)
    yield endpoint("mariadb", "none", True, text="unencrypted")
    yield endpoint("aurora", "require", False)
    yield endpoint("aurora", "verify-full", True, text="certificateArn")
    yield endpoint("postgres", "require", False)
    yield endpoint("postgres", "verify-full", False, cert=True)
    yield endpoint("aurora-postgresql", "require", False)
    yield endpoint("aurora-postgresql", "verify-ca", True, text="needs the CA imported")
    yield endpoint("sqlserver", "require", False)
    yield endpoint("sqlserver", "verify-ca", True, cert=True, text="no sslMode verify-ca")
    yield endpoint("oracle", "verify-ca", False, cert=True)
    yield endpoint("oracle", "require", True, text="only verify-ca")
    yield endpoint("oracle", "verify-ca", True, text="certificateArn")


def rotation_cases() -> Iterator[Case]:
    apps = sorted({RDS_ENGINES[e].rotation_app for e in ENGINES})
    for e in ENGINES:
        own = RDS_ENGINES[e].rotation_app
        db = instance(f"rotated-{e}", e)
        right = rotation(f"rotated-{e}", db, own)
        yield Case("deploy-rotation-application", right[0].name, False, [*right, db])
        other = instance(f"misrotated-{e}", e)
        foreign = next(a for a in apps if a != own)
        wrong = rotation(f"misrotated-{e}", other, foreign)
        yield Case("deploy-rotation-application", wrong[0].name, True, [*wrong, other], own)


# -- versions, classes, families ---------------------------------------------------------------


def catalog_cases() -> Iterator[Case]:
    for e in ENGINES:
        ok = instance(f"version-{e}", e)
        yield Case("deploy-rds-engine-version", ok.name, False, [ok])
        bad = instance(f"version-{e}-foreign", e, engineVersion=FOREIGN_VERSION[e])
        yield Case("deploy-rds-engine-version", bad.name, True, [bad], "is not offered")
        old = instance(f"support-{e}-old", e, engineVersion=UNSUPPORTED_VERSION[e])
        yield Case("supported-engine-version", old.name, True, [old], "outside standard support")
        yield Case("supported-engine-version", ok.name, False, [ok])
        default_class = rds_engine_rules.default_class(e, version(e))
        good = instance(f"class-{e}", e, instanceClass=default_class)
        yield Case("deploy-rds-instance-class", good.name, False, in_region([good]))
        yield Case("allowed-instance-class", good.name, False, [good])
        wrong = instance(f"class-{e}-wrong", e, instanceClass=_class_not_offered(e))
        yield Case("deploy-rds-instance-class", wrong.name, True, in_region([wrong]), "offered")
        old_class = instance(f"class-{e}-old", e, instanceClass="db.m5.large")
        yield Case("allowed-instance-class", old_class.name, True, [old_class], "generation")
        for name, family, violates in (
            (f"family-{e}", _family(e), False),
            (f"family-{e}-other", _other_family(e), True),
        ):
            group = params_group(f"{name}-params", family, {})
            db = linked(instance(name, e, parameterGroupName=group.name), parameterGroupName=group)
            yield Case("deploy-parameter-group-family", name, violates, [db, group], "needs")


def _other_family(engine: str) -> str:
    """A family of another major of ``engine`` (or of another engine where it has one)."""
    return {
        "mysql": "mysql8.0",
        "mariadb": "mariadb10.11",
        "postgres": "postgres16",
        **{e: f"{e}-15.0" for e in SQLSERVER},
        **{e: f"{e}-21" for e in ORACLE},
    }[engine]


CASES: list[Case] = [
    *tls_cases(),
    *log_cases(),
    *feature_cases(),
    *replica_cases(),
    *dms_cases(),
    *ssl_cases(),
    *rotation_cases(),
    *catalog_cases(),
]
POLICIES = sorted({c.policy for c in CASES})


@cache
def _resources() -> tuple[PlannedResource, ...]:
    """Every case's resources once (cases may share one, by name), and the region provider."""
    unique: dict[str, PlannedResource] = {}
    for case in CASES:
        for r in case.resources:
            unique.setdefault(r.urn, r)
    return (*unique.values(), REGION_PROVIDER)


@pytest.fixture(scope="module")
def report(pack: Pack) -> PolicyReport:
    return pack.run(list(_resources()))


def _cases(policy: str) -> list[Case]:
    return [c for c in CASES if c.policy == policy]


@pytest.mark.parametrize("policy", POLICIES)
def test_each_engine_violates_or_complies_as_its_case_says(
    report: PolicyReport, policy: str
) -> None:
    cases = {c.resources[0].urn: c for c in _cases(policy)}
    hits = [v for v in report.violations if v.policy == policy and v.urn in cases]
    reported = {cases[v.urn].name for v in hits}
    assert reported == {c.name for c in cases.values() if c.violates}
    for v in hits:
        case = cases[v.urn]
        assert case.text in v.message, (case.name, v.message)
        assert v.level == "mandatory" and "Fix:" in v.message


@pytest.mark.parametrize("policy", POLICIES)
def test_each_rule_has_a_violating_and_a_compliant_case_per_engine(policy: str) -> None:
    cases = _cases(policy)
    assert any(c.violates for c in cases) and any(not c.violates for c in cases)
    if policy != "dms-endpoint-ssl":  # per DMS endpoint engine, not RDS engine
        named = {e for e in ENGINES for c in cases if f"-{e}" in c.name}
        assert named == set(ENGINES), sorted(set(ENGINES) - named)


def test_case_names_are_unique() -> None:
    names = [(c.policy, c.name) for c in CASES]
    assert len(names) == len(set(names))
