"""Malformed stack-outputs files for `python -m workloads <name> --outputs FILE` (issue 11).

The outputs are built per session from live throw-away databases on the local engines (MariaDB,
PostgreSQL, Redis) and a moto server, so a malformed value that a workload wrongly tolerates
really connects and "succeeds" (exit 0), which no expected code allows. Every case expects
exit 2 and one line naming the dotted key (`relational.port`) or the file, and never prints a
password of the file.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.fuzz.fuzz_harness import Case, Dir, Fifo, Files, Sparse, Symlink

OUT = "outputs.json"
OUT_PATH = "{dir}/" + OUT
FILE_RE = re.escape(OUT)


@dataclass
class OutputsContext:
    """The session's valid outputs (every section) and what must never be printed."""

    base: dict[str, Any]
    secrets: list[str] = field(default_factory=list)
    closed_port: int = 1
    aws_endpoint: str = ""  # where the drills' AWS calls go (the session's moto server)

    def base_json(self) -> bytes:
        return _json(self.base)


# Per workload: the section(s) it reads, the host key, and arguments that keep a run short.
WORKLOADS: dict[str, dict[str, Any]] = {
    "relational": {"section": "relational", "host": "endpoint", "argv": ("--lag-timeout", "3")},
    "aurora-load": {
        "section": "aurora",
        "host": "writerEndpoint",
        "argv": ("--ops", "20", "--workers", "1", "--verify-timeout", "5"),
    },
    "warehouse": {
        "section": "warehouse",
        "host": "endpoint",
        "argv": ("--sales", "50", "--customers", "10", "--skip-queries"),
    },
    "migration-check": {"section": "relational", "host": "endpoint", "argv": ()},
    "dynamo": {"section": "dynamo", "host": "endpointUrl", "argv": ("--users", "5")},
    "redis": {"section": "redis", "host": "primaryEndpoint", "argv": ()},
    "binlog-retention": {"section": "relational", "host": "endpoint", "argv": ("--check",)},
    "failover": {
        "section": "relational",
        "host": "endpoint",
        "argv": ("--target", "relational", "--warmup", "0", "--settle", "0", "--timeout", "5"),
    },
    "restore-drill": {
        "section": "relational",
        "host": "endpoint",
        "argv": ("--target", "relational", "--restore-timeout", "5", "--restorable-timeout", "5"),
    },
}
AWS_FIRST = frozenset({"failover", "restore-drill"})
"""The drills: they ask AWS about the instance before connecting to it, so none may be asked
before the outputs are validated, and a wrong password or a closed port (found on connecting)
is not theirs to try."""
INSTANCE_ID = "dbtier-dev-relational-primary"  # the drills' `relational.instanceIds[0]`


def K(*keys: str) -> str:
    return "|".join(re.escape(k) for k in keys)


def _json(data: Any) -> bytes:
    return json.dumps(data).encode()


def _edit(section: str, change: Callable[[dict[str, Any]], None]) -> Callable[[Any], Files]:
    """Files: the session's outputs with `change` applied to one section."""

    def build(ctx: OutputsContext) -> Files:
        data = copy.deepcopy(ctx.base)
        change(data[section])
        return {OUT: _json(data)}

    return build


def _whole(make: Callable[[OutputsContext], Any]) -> Callable[[Any], Files]:
    def build(ctx: OutputsContext) -> Files:
        value = make(ctx)
        return {
            OUT: value if isinstance(value, bytes | Dir | Fifo | Symlink | Sparse) else _json(value)
        }

    return build


def _aws_env(ctx: OutputsContext) -> dict[str, str]:
    """The drills' AWS clients go to the session's moto server (boto3 reads the variable)."""
    return {"AWS_ENDPOINT_URL": ctx.aws_endpoint}


def _set(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(section: dict[str, Any]) -> None:
        section[key] = value

    return change


def _drop(key: str) -> Callable[[dict[str, Any]], None]:
    def change(section: dict[str, Any]) -> None:
        section.pop(key, None)

    return change


def all_cases() -> list[Case]:
    cases: list[Case] = []

    def add(
        workload: str,
        name: str,
        files: Callable[[Any], Files] | Files,
        expect: tuple[str, ...],
        *,
        slow: bool = False,
        timeout: float | None = None,
        extra_secrets: tuple[str, ...] = (),
        argv: tuple[str, ...] | None = None,
    ) -> None:
        spec = WORKLOADS[workload]
        kw: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
        cases.append(
            Case(
                id=f"outputs/{workload}/{name}",
                module="workloads",
                argv=(workload, "--outputs", OUT_PATH, *(spec["argv"] if argv is None else argv)),
                files=files,
                codes=(2,),
                expect=expect,
                secrets=extra_secrets,
                prefix=f"python -m workloads {workload}: ",
                slow=slow,
                note="secrets: the session's passwords",
                env=_aws_env if workload in AWS_FIRST else None,
                **kw,
            )
        )

    for workload, spec in WORKLOADS.items():
        sec, host = spec["section"], spec["host"]
        f = K(OUT)
        # --- the file itself ------------------------------------------------------------
        add(workload, "truncated-json", _whole(lambda ctx: _json(ctx.base)[:-7]), (f,))
        add(workload, "empty-file", {OUT: b""}, (f,))
        add(workload, "json-array", {OUT: b"[]"}, (f,))
        add(workload, "json-null", {OUT: b"null"}, (f,))
        add(
            workload,
            "latin-1-bytes",
            _whole(lambda ctx: _json(ctx.base)[:-1] + b', "x": "caf\xe9"}'),
            (f,),
        )
        add(
            workload, "utf-16-file", _whole(lambda ctx: json.dumps(ctx.base).encode("utf-16")), (f,)
        )
        add(workload, "nul-byte-in-file", _whole(lambda ctx: b"\x00" + _json(ctx.base)), (f,))
        add(workload, "directory", {OUT: Dir()}, (f,))
        add(workload, "missing-file", {OUT: None}, (f,))
        add(workload, "deep-nesting", {OUT: b"[" * 200_000 + b"]" * 200_000}, (f,))
        add(workload, "sparse-1gib-file", {OUT: Sparse(1 << 30, b"{")}, (f,), slow=True)
        if workload in ("relational", "redis", "dynamo"):
            add(workload, "dev-zero", {OUT: Symlink("/dev/zero")}, (f,), slow=True)
        if workload in ("relational", "redis"):
            add(workload, "fifo", {OUT: Fifo()}, (f,), slow=True)
        # --- the section ----------------------------------------------------------------
        add(
            workload,
            "section-missing",
            _whole(lambda ctx, s=sec: {k: v for k, v in ctx.base.items() if k != s}),
            (K(sec),),
        )
        add(
            workload,
            "section-is-a-list",
            _whole(lambda ctx, s=sec: {**ctx.base, s: [ctx.base[s]]}),
            (K(sec),),
        )
        add(
            workload,
            "section-is-a-string",
            _whole(lambda ctx, s=sec: {**ctx.base, s: "[secret]"}),
            (K(sec),),
        )
        # --- the host -------------------------------------------------------------------
        if workload != "dynamo":
            add(
                workload,
                "host-with-nul",
                _edit(sec, _set(host, "127.0.0.1\x00.evil")),
                (K(f"{sec}.{host}"),),
            )
            add(workload, "host-empty", _edit(sec, _set(host, "")), (K(f"{sec}.{host}"),))
            add(workload, "host-is-a-number", _edit(sec, _set(host, 127001)), (K(f"{sec}.{host}"),))
            add(
                workload,
                "host-100000-chars",
                _edit(sec, _set(host, "h" * 100_000)),
                (K(f"{sec}.{host}"),),
            )
            add(
                workload,
                "host-with-newline",
                _edit(sec, _set(host, "127.0.0.1\nInjected: yes")),
                (K(f"{sec}.{host}"),),
            )
            # --- the port ---------------------------------------------------------------
            for label, value in {
                "0": 0,
                "68842": 68842,
                "minus-1": -1,
                "3306x": "3306x",
                "unicode-digits": "\u0663\u0663\u0660\u0666",
                "true": True,
                "float": 3306.5,
                "65536": 65536,
                "huge": 10**40,
                "nan": float("nan"),
            }.items():
                add(workload, f"port-{label}", _edit(sec, _set("port", value)), (K(f"{sec}.port"),))
            add(workload, "port-missing", _edit(sec, _drop("port")), (K(f"{sec}.port"),))
            if workload not in AWS_FIRST:
                add(
                    workload,
                    "unreachable-closed-port",
                    lambda ctx, s=sec: _edit(s, _set("port", ctx.closed_port))(ctx),
                    (r"\bport\b|:\d+|" + K(sec),),
                    argv=(*spec["argv"], "--connect-timeout", "3") if workload != "redis" else None,
                )
        # --- credentials -----------------------------------------------------------------
        if sec in ("relational", "aurora", "warehouse"):
            for s in (sec,) if workload != "migration-check" else ("relational", "aurora"):
                add(
                    workload,
                    f"{s}-password-masked",
                    _edit(s, _set("password", "[secret]")),
                    (K(f"{s}.password"),),
                )
                add(
                    workload,
                    f"{s}-password-is-a-number",
                    _edit(s, _set("password", 12345678)),
                    (K(f"{s}.password"),),
                )
                wrong = "WrongPassw0rd-not-the-real-one-7x"
                if workload not in AWS_FIRST:
                    add(
                        workload,
                        f"{s}-password-wrong",
                        _edit(s, _set("password", wrong)),
                        (K(s),),
                        extra_secrets=(wrong,),
                    )
                add(
                    workload,
                    f"{s}-username-missing",
                    _edit(s, _drop("username")),
                    (K(f"{s}.username"),),
                )
                add(
                    workload,
                    f"{s}-database-with-nul",
                    _edit(s, _set("databaseName", "db\x00x")),
                    (K(f"{s}.databaseName"),),
                )
                add(workload, f"{s}-tls-string", _edit(s, _set("tls", "no")), (K(f"{s}.tls"),))
        if workload == "migration-check":
            add(
                workload,
                "aurora-missing",
                _whole(lambda ctx: {k: v for k, v in ctx.base.items() if k != "aurora"}),
                (K("aurora"),),
            )
            add(
                workload,
                "aurora-port-68842",
                _edit("aurora", _set("port", 68842)),
                (K("aurora.port"),),
            )
        if workload == "relational":
            add(
                workload,
                "reader-endpoints-string",
                _edit(sec, _set("readerEndpoints", "127.0.0.1")),
                (K(f"{sec}.readerEndpoints"),),
            )
            add(
                workload,
                "reader-endpoint-nul",
                _edit(sec, _set("readerEndpoints", ["127.0.0.1\x00"])),
                (K(f"{sec}.readerEndpoints"),),
            )
        if workload == "redis":
            add(
                workload,
                "auth-token-masked",
                _edit(sec, _set("authToken", "[secret]")),
                (K("redis.authToken"),),
            )
            add(workload, "tls-string", _edit(sec, _set("tls", "false")), (K("redis.tls"),))
        if workload == "dynamo":
            add(workload, "region-missing", _edit(sec, _drop("region")), (K("dynamo.region"),))
            add(
                workload,
                "region-made-up",
                _edit(sec, _set("region", "mars-north-9")),
                (K("dynamo.region"),),
            )
            add(
                workload,
                "region-with-nul",
                _edit(sec, _set("region", "us-east-1\x00")),
                (K("dynamo.region"),),
            )
            add(workload, "tables-empty", _edit(sec, _set("tables", {})), (K("dynamo.tables"),))
            add(
                workload,
                "tables-list",
                _edit(sec, _set("tables", ["UserProfiles"])),
                (K("dynamo.tables"),),
            )
            add(
                workload,
                "endpoint-url-not-a-url",
                _edit(sec, _set("endpointUrl", "not a url")),
                (K("dynamo.endpointUrl"),),
            )
            add(
                workload,
                "endpoint-url-closed-port",
                lambda ctx: _edit(
                    "dynamo", _set("endpointUrl", f"http://127.0.0.1:{ctx.closed_port}")
                )(ctx),
                (K("dynamo.endpointUrl") + r"|:\d+",),
            )
            add(
                workload,
                "endpoint-url-with-nul",
                _edit(sec, _set("endpointUrl", "http://127.0.0.1\x00:1")),
                (K("dynamo.endpointUrl"),),
            )
            add(
                workload,
                "table-name-with-nul",
                _edit(
                    sec,
                    lambda s: [
                        t.__setitem__("tableName", "User\x00Profiles") for t in s["tables"].values()
                    ],
                ),
                (K("dynamo.tables"),),
            )
    return cases
