"""Malformed stack files, project files and preflight arguments, named by the class of issue 11.

Each case is a temporary project directory (Pulumi.yaml and __main__.py copied from the
repository unless the case overrides them) holding one `Pulumi.prod.yaml` (so the prod policy
config applies), and the `python -m preflight` arguments to run on it. Most stack files are the
repository's prod stack with one key made hostile, so a case that is wrongly accepted plans a
clean prod stack and exits 0, which no expected code allows.

Classes (issue 11): security-bypass, crash, runaway, silent-acceptance, nonsense, secrets,
messages. Randomized families use a fixed seed (DBTIER_FUZZ_SEED, default 11): every run makes
the same cases, and a different seed explores other ones with the same ids.
"""

from __future__ import annotations

import ipaddress
import os
import random
import re
from collections.abc import Callable, Iterable
from typing import Any

import yaml

from tests.fuzz.fuzz_harness import ROOT, Case, Dir, Fifo, Files, Symlink

SEED = int(os.environ.get("DBTIER_FUZZ_SEED", "11"))
STACK = "prod"
STACK_FILE = f"Pulumi.{STACK}.yaml"
ARGV = ("--stack", STACK, "--project-dir", "{dir}")
PREFIX = "preflight: "

PROJECT = (ROOT / "Pulumi.yaml").read_bytes()
PROGRAM = (ROOT / "__main__.py").read_bytes()
BASE: dict[str, Any] = dict(yaml.safe_load((ROOT / STACK_FILE).read_text())["config"])

# A Pulumi passphrase-provider ciphertext and a password typed where it does not belong: neither
# may be echoed.
CIPHERTEXT = "v1:Yk9vZ2x5X2ZhenpfMTE=:ZmFrZS1jaXBoZXJ0ZXh0LWRidGllci1mdXp6LTExLXNlY3JldA=="
SECRET = "Xq7-Hunter2-s3cr3t-W0rd!"


def K(*keys: str) -> str:
    """A regex naming any one of `keys` literally."""
    return "|".join(re.escape(k) for k in keys)


FILE_RE = re.escape(STACK_FILE)
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def stack_text(
    over: dict[str, Any] | None = None, drop: Iterable[str] = (), raw: str = "", tail: str = ""
) -> str:
    """The prod stack's YAML with keys replaced (`over`), removed (`drop`), raw YAML lines
    appended inside `config:` (`raw`, indented two spaces) and after it (`tail`)."""
    over = over or {}
    gone = set(drop) | set(over)
    config = {k: v for k, v in BASE.items() if k not in gone}
    config.update(over)
    body = yaml.dump({"config": config}, Dumper=DUMPER, sort_keys=False, width=10**9)
    return body + raw + tail


def project_files(stack: str | bytes | Any, **extra: Any) -> dict[str, Any]:
    files: dict[str, Any] = {"Pulumi.yaml": PROJECT, "__main__.py": PROGRAM, STACK_FILE: stack}
    files.update(extra)
    return files


class Builder:
    def __init__(self) -> None:
        self.cases: list[Case] = []

    def add(
        self,
        cid: str,
        files: Files | Callable[[Any], Files],
        expect: Iterable[str] = (),
        *,
        codes: tuple[int, ...] = (2,),
        argv: tuple[str, ...] = ARGV,
        secrets: Iterable[str] = (),
        slow: bool = False,
        note: str = "",
    ) -> None:
        if any(c.id == cid for c in self.cases):
            raise ValueError(f"duplicate case id {cid}")
        self.cases.append(
            Case(
                id=cid,
                module="preflight",
                argv=argv,
                files=files,
                codes=codes,
                expect=tuple(expect),
                secrets=tuple(secrets),
                prefix=PREFIX,
                slow=slow,
                note=note,
            )
        )

    def stack(
        self,
        cid: str,
        text: str | bytes | Callable[[], str | bytes],
        expect: Iterable[str] = (),
        **kw: Any,
    ) -> None:
        """A case whose stack file is `text` (a function of nothing for large or slow ones)."""
        if callable(text):
            make = text
            self.add(cid, lambda _ctx: project_files(make()), expect, **kw)
        else:
            self.add(cid, project_files(text), expect, **kw)

    def over(self, cid: str, over: dict[str, Any], expect: Iterable[str] = (), **kw: Any) -> None:
        """A case whose stack file is the prod stack with the keys of `over` replaced."""
        self.stack(cid, lambda: stack_text(over), expect, **kw)


# --- security-bypass ---------------------------------------------------------------------------

NET = "dbtier:network"
CIDRS = K(f"{NET}.allowedCidrs")
SGS = K(f"{NET}.allowedSecurityGroupIds")


def _split(net: ipaddress._BaseNetwork, pieces: int, rng: random.Random) -> list[str]:
    """A random partition of `net` into about `pieces` subnets (their union is `net`)."""
    parts = [net]
    while len(parts) < pieces:
        i = rng.randrange(len(parts))
        if parts[i].prefixlen >= net.max_prefixlen - 1:
            continue
        parts[i : i + 1] = list(parts[i].subnets(1))
    rng.shuffle(parts)
    return [str(p) for p in parts]


def security_bypass(b: Builder) -> None:
    rng = random.Random(SEED)
    fixed: dict[str, list[str]] = {
        "two-ipv4-halves": ["0.0.0.0/1", "128.0.0.0/1"],
        "two-ipv4-halves-reversed": ["128.0.0.0/1", "0.0.0.0/1"],
        "four-slash-2": [str(n) for n in ipaddress.ip_network("0.0.0.0/0").subnets(new_prefix=2)],
        "eight-slash-3": [str(n) for n in ipaddress.ip_network("0.0.0.0/0").subnets(new_prefix=3)],
        "sixteen-slash-4": [
            str(n) for n in ipaddress.ip_network("0.0.0.0/0").subnets(new_prefix=4)
        ],
        "halves-with-private": ["10.0.0.0/8", "0.0.0.0/1", "128.0.0.0/1"],
        "uneven-cover": ["0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/2"],
        "overlapping-cover": ["0.0.0.0/1", "64.0.0.0/2", "128.0.0.0/1", "10.0.0.0/8"],
        "public-half": ["0.0.0.0/1"],
        "public-upper-half": ["128.0.0.0/1"],
        "public-slash-2": ["64.0.0.0/2"],
        "public-slash-3": ["32.0.0.0/3"],
        "public-slash-6": ["52.0.0.0/6"],
        "public-slash-8-aws": ["3.0.0.0/8"],
        "public-slash-8-google-dns": ["8.0.0.0/8"],
        "public-slash-4-with-vpn": ["10.20.0.0/16", "16.0.0.0/4"],
        "ipv6-everything": ["::/0"],
        "ipv6-halves": ["::/1", "8000::/1"],
        "ipv6-lower-half": ["::/1"],
        "ipv6-upper-half": ["8000::/1"],
        "ipv6-global-unicast": ["2000::/3"],
        "ipv6-global-unicast-split": ["2000::/4", "3000::/4"],
        "ipv6-quarters": ["::/2", "4000::/2", "8000::/2", "c000::/2"],
        "ipv4-mapped-ipv6-all": ["::ffff:0:0/96"],
        "mixed-v4-halves-v6-all": ["0.0.0.0/1", "128.0.0.0/1", "::/0"],
        "mixed-v4-private-v6-halves": ["10.0.0.0/8", "::/1", "8000::/1"],
        "mixed-v6-private-v4-public": ["fd00::/8", "0.0.0.0/1"],
    }
    for name, cidrs in fixed.items():
        b.over(f"security-bypass/{name}", {NET: {"allowedCidrs": cidrs}}, [CIDRS])
    for i in range(10):  # random partitions of the whole IPv4 space
        parts = _split(ipaddress.ip_network("0.0.0.0/0"), rng.randint(3, 24), rng)
        b.over(
            f"security-bypass/random-ipv4-cover-{i:02d}", {NET: {"allowedCidrs": parts}}, [CIDRS]
        )
    for i in range(4):  # random partitions of the whole IPv6 space
        parts = _split(ipaddress.ip_network("::/0"), rng.randint(3, 12), rng)
        b.over(
            f"security-bypass/random-ipv6-cover-{i:02d}", {NET: {"allowedCidrs": parts}}, [CIDRS]
        )
    for i in range(4):  # a private range plus a random cover of the public half
        parts = ["172.16.0.0/12", *_split(ipaddress.ip_network("128.0.0.0/1"), 6, rng)]
        b.over(
            f"security-bypass/random-public-half-{i:02d}", {NET: {"allowedCidrs": parts}}, [CIDRS]
        )
    spelled = {
        "host-bits-zero-prefix": ["1.2.3.4/0"],
        "leading-zeros": ["000.000.000.000/0"],
        "slash-00": ["0.0.0.0/00"],
        "padded": [" 0.0.0.0/0 "],
        "comma-joined-string": "0.0.0.0/1,128.0.0.0/1",
        "netmask-form": ["0.0.0.0/0.0.0.0"],
        "ipv6-zero-spelled": ["0:0:0:0:0:0:0:0/0"],
        "ipv6-zone": ["fe80::1%eth0/64"],
    }
    for name, value in spelled.items():
        b.over(f"security-bypass/{name}", {NET: {"allowedCidrs": value}}, [CIDRS])
    groups: dict[str, Any] = {
        "sg-empty-suffix": ["sg-"],
        "sg-uppercase": ["SG-0123ABCD"],
        "sg-wildcard": ["sg-*"],
        "sg-cidr": ["0.0.0.0/0"],
        "sg-other-kind": ["subnet-0123abcd"],
        "sg-number": [123],
        "sg-object": [{"id": "sg-0123abcd"}],
        "sg-string-not-list": "sg-0123abcd",
        "sg-duplicated": ["sg-0123abcd", "sg-0123abcd"],
        "sg-newline": ["sg-0123abcd\nsg-89abcdef"],
        "sg-too-many": [f"sg-{i:08x}" for i in range(1, 80)],
        "sg-account-prefixed": ["123456789012/sg-0123abcd"],
    }
    for name, value in groups.items():
        b.over(
            f"security-bypass/{name}",
            {NET: {"allowedSecurityGroupIds": value}},
            [SGS],
        )


# --- crash -----------------------------------------------------------------------------------


def crash(b: Builder) -> None:
    tags = "dbtier:tags"
    yaml_values = {
        "yaml-date-tag-value": "CreatedOn: 2024-01-01",
        "yaml-timestamp-tag-value": "CreatedAt: 2024-01-01T10:00:00Z",
        "yaml-spaced-timestamp-tag-value": "CreatedAt: 2001-12-14 21:59:43.10 -5",
        "yaml-binary-tag-value": "Blob: !!binary aGVsbG8gd29ybGQ=",
        "yaml-set-tag-value": "Owners: !!set {alice, bob}",
        "yaml-float-nan-tag-value": "Ratio: .nan",
        "yaml-null-tag-value": "Owner: null",
        "yaml-list-tag-value": "Owner: [alice, bob]",
        "yaml-bool-tag-key": "true: yes",
        "yaml-null-tag-key": "null: nothing",
        "yaml-date-tag-key": "2024-01-01: created",
    }
    # Pulumi reads stack files as YAML 1.2 and hands config to the program as strings (go-yaml
    # v3 keeps a timestamp decoded into interface{} a string), so a date is the string
    # "2024-01-01": a valid tag key or value, not an error. These cases check it plans cleanly
    # (exit 0) instead of crashing; where a date is not a valid value, the cases below expect 2.
    dates_are_strings = {
        "yaml-date-tag-value",
        "yaml-timestamp-tag-value",
        "yaml-spaced-timestamp-tag-value",
        "yaml-date-tag-key",
    }
    for name, line in yaml_values.items():
        b.stack(
            f"crash/{name}",
            stack_text(drop=[tags], raw=f"  {tags}:\n    Environment: prod\n    {line}\n"),
            [K(tags)],
            codes=(0,) if name in dates_are_strings else (2,),
        )
    placed = {
        "yaml-date-as-database-name": ("dbtier:relational", "databaseName: 2024-01-01"),
        "yaml-timestamp-as-min-capacity": ("dbtier:aurora", "minCapacity: 2024-01-01T00:00:00Z"),
        "yaml-binary-as-username": ("dbtier:relational", "username: !!binary ZGJhZG1pbg=="),
        "yaml-set-as-allowed-cidrs": ("dbtier:network", "allowedCidrs: !!set {10.0.0.0/8}"),
        "yaml-date-as-node-type": ("dbtier:redis", "nodeType: 2024-01-01"),
        "yaml-binary-as-email": ("dbtier:alarms", "enabled: true\n    email: !!binary YUBiLmM="),
        "yaml-date-in-include": ("dbtier:migration", "enabled: true\n    include: [2024-01-01]"),
        "yaml-non-string-field-key": ("dbtier:relational", "1: 2"),
        "yaml-nan-max-capacity": ("dbtier:aurora", "maxCapacity: .nan"),
        "yaml-inf-allocated-storage": ("dbtier:relational", "allocatedStorage: .inf"),
        "yaml-huge-int-read-replicas": ("dbtier:relational", "readReplicas: " + "9" * 5000),
    }
    for name, (key, line) in placed.items():
        b.stack(f"crash/{name}", stack_text(drop=[key], raw=f"  {key}:\n    {line}\n"), [K(key)])
    toplevel = {
        "yaml-date-as-protect": ("dbtier:protect", "2024-01-01"),
        "yaml-binary-as-protect": ("dbtier:protect", "!!binary dHJ1ZQ=="),
        "yaml-set-as-tags": ("dbtier:tags", "!!set {a, b}"),
        "yaml-date-as-region": ("aws:region", "2024-01-01"),
        "yaml-list-as-region": ("aws:region", "[us-east-1, eu-west-1]"),
    }
    for name, (key, value) in toplevel.items():
        b.stack(f"crash/{name}", stack_text(drop=[key], raw=f"  {key}: {value}\n"), [K(key)])
    non_string_keys = {
        "config-int-key": "  1: x\n",
        "config-null-key": "  null: x\n",
        "config-bool-key": "  true: x\n",
        "config-float-key": "  1.5: x\n",
        "config-date-key": "  2024-01-01: x\n",
        "config-list-key": "  ? [a, b]\n  : x\n",
    }
    for name, raw in non_string_keys.items():
        b.stack(f"crash/{name}", stack_text(raw=raw), [f"{FILE_RE}|config"])
    text = stack_text(drop=[tags], raw=f"  {tags}:\n    Environment: prod\n    Owner: Jos\u00e9\n")
    b.stack("crash/latin-1-stack-file", text.encode("latin-1"), [FILE_RE])
    b.stack("crash/cp1252-stack-file", text.replace("\u00e9", "\u20ac").encode("cp1252"), [FILE_RE])
    bad = stack_text({"dbtier:relational": {"readReplicas": 5000}})
    either = f"{FILE_RE}|{K('dbtier:relational')}"
    b.stack("crash/utf-16-stack-file", bad.encode("utf-16"), [either])
    b.stack("crash/utf-16-be-no-bom-stack-file", bad.encode("utf-16-be"), [either])
    b.stack("crash/utf-32-stack-file", bad.encode("utf-32"), [either])
    b.stack(
        "crash/invalid-utf-8-sequence", stack_text().encode() + b"  # \xed\xa0\x80\xff\n", [FILE_RE]
    )
    b.stack(
        "crash/nul-byte-in-stack-file",
        stack_text().encode() + b"  dbtier:protect: tr\x00ue\n",
        [FILE_RE],
    )
    b.stack("crash/stack-file-is-a-list", "- config\n- dbtier:protect\n", [FILE_RE])
    b.stack("crash/stack-file-is-a-scalar", "just a string\n", [FILE_RE])
    b.stack("crash/config-is-a-list", "config:\n  - aws:region\n", [f"{FILE_RE}|config"])
    b.stack("crash/config-is-a-number", "config: 5\n", [f"{FILE_RE}|config"])
    b.stack(
        "crash/python-object-tag",
        stack_text(raw="  dbtier:protect: !!python/object/apply:os.getpid []\n"),
        [FILE_RE],
    )
    b.stack(
        "crash/unknown-local-tag",
        stack_text(raw="  dbtier:protect: !vault true\n"),
        [FILE_RE + "|" + K("dbtier:protect")],
    )
    b.stack(
        "crash/tab-indentation", stack_text().replace("  aws:region", "\taws:region", 1), [FILE_RE]
    )
    b.stack(
        "crash/unclosed-flow",
        stack_text(raw="  dbtier:network: {allowedCidrs: [10.0.0.0/8\n"),
        [FILE_RE],
    )

    # The stack file itself is not a readable regular file.
    b.add("crash/stack-file-is-a-directory", project_files(Dir()), [FILE_RE])
    b.add("crash/stack-file-symlink-loop", project_files(Symlink(STACK_FILE)), [FILE_RE])
    b.add(
        "crash/stack-file-dangling-symlink",
        project_files(Symlink("/nonexistent/x.yaml")),
        [FILE_RE],
    )

    # Pulumi.yaml (the project file) is malformed: the error must blame Pulumi.yaml.
    good = stack_text()
    pj = re.escape("Pulumi.yaml")
    project_variants: dict[str, Any] = {
        "project-config-is-a-list": b"name: dbtier\nruntime: python\nconfig:\n  - aws:region\n",
        "project-config-is-a-string": b"name: dbtier\nruntime: python\nconfig: everything\n",
        "project-is-a-list": b"- name\n- dbtier\n",
        "project-invalid-yaml": b"name: dbtier\nruntime: {python\n",
        "project-name-is-a-list": b"name: [dbtier, other]\nruntime: python\n",
        "project-name-is-a-date": b"name: 2024-01-01\nruntime: python\n",
        "project-config-value-is-a-date": b"name: dbtier\nruntime: python\nconfig:\n  tags:\n    default: 2024-01-01\n",
        "project-config-int-key": b"name: dbtier\nruntime: python\nconfig:\n  1:\n    default: x\n",
        "project-latin-1": b"name: dbtier\ndescription: caf\xe9\nruntime: python\n",
        "project-is-a-directory": Dir(),
        "project-missing": None,
    }
    for name, content in project_variants.items():
        b.add(f"crash/{name}", project_files(good, **{"Pulumi.yaml": content}), [pj])

    # Arguments that name impossible paths.
    other = {"Pulumi.dev.yaml": stack_text()}
    b.add(
        "crash/stack-name-with-slash",
        project_files(good, **other),
        ["stack"],
        argv=("--stack", "dev.yaml/x", "--project-dir", "{dir}"),
    )
    b.add(
        "crash/stack-name-300-chars",
        project_files(good),
        ["stack"],
        argv=("--stack", "s" * 300, "--project-dir", "{dir}"),
    )
    b.add(
        "crash/stack-name-empty",
        project_files(good),
        ["stack"],
        argv=("--stack", "", "--project-dir", "{dir}"),
    )
    b.add(
        "crash/stack-name-dotdot",
        project_files(good),
        ["stack"],
        argv=("--stack", "../../etc/passwd", "--project-dir", "{dir}"),
    )
    b.add(
        "crash/output-empty-string", project_files(good), ["output"], argv=(*ARGV, "--output", "")
    )
    b.add(
        "crash/output-is-a-directory",
        project_files(good, out=Dir()),
        ["output|out"],
        argv=(*ARGV, "--output", "{dir}/out"),
    )
    b.add(
        "crash/output-in-missing-directory",
        project_files(good),
        ["output|missing"],
        argv=(*ARGV, "--output", "{dir}/missing/report.txt"),
    )
    b.add(
        "crash/policy-config-is-a-directory",
        project_files(good, pc=Dir()),
        ["policy"],
        argv=(*ARGV, "--policy-config", "{dir}/pc"),
    )
    b.add(
        "crash/policy-config-missing",
        project_files(good),
        ["policy"],
        argv=(*ARGV, "--policy-config", "{dir}/nope.json"),
    )
    b.add(
        "crash/policy-config-invalid-json",
        project_files(good, **{"pc.json": b"{not json"}),
        ["policy|pc\\.json"],
        argv=(*ARGV, "--policy-config", "{dir}/pc.json"),
    )
    b.add(
        "crash/policy-config-latin-1",
        project_files(good, **{"pc.json": b'{"x": "caf\xe9"}'}),
        ["policy|pc\\.json"],
        argv=(*ARGV, "--policy-config", "{dir}/pc.json"),
    )
    b.add(
        "crash/policy-config-is-a-list",
        project_files(good, **{"pc.json": b"[1, 2]"}),
        ["policy|pc\\.json"],
        argv=(*ARGV, "--policy-config", "{dir}/pc.json"),
    )
    b.add(
        "crash/policy-pack-missing",
        project_files(good),
        ["policy"],
        argv=(*ARGV, "--policy-pack", "{dir}/no-pack"),
    )
    b.add(
        "crash/policy-pack-is-a-file",
        project_files(good, pack=b"x"),
        ["policy|pack"],
        argv=(*ARGV, "--policy-pack", "{dir}/pack"),
    )
    b.add(
        "crash/project-dir-is-a-file",
        project_files(good, pd=b"x"),
        ["pd|project"],
        argv=("--stack", STACK, "--project-dir", "{dir}/pd"),
    )
    b.add(
        "crash/project-dir-missing",
        project_files(good),
        ["missing|project"],
        argv=("--stack", STACK, "--project-dir", "{dir}/missing"),
    )


# --- runaway --------------------------------------------------------------------------------


def _alias_bomb(levels: int, width: int, indent: str = "  ") -> str:
    lines = [f"{indent}a0: &a0 [lol]"]
    for i in range(1, levels):
        refs = ", ".join([f"*a{i - 1}"] * width)
        lines.append(f"{indent}a{i}: &a{i} [{refs}]")
    return "\n".join(lines) + "\n"


def runaway(b: Builder) -> None:
    small = _alias_bomb(9, 9, "    ")  # ~350 bytes, 9**8 = 43 million leaves once expanded
    large = _alias_bomb(12, 12, "    ")
    b.stack(
        "runaway/alias-bomb-small-ignored-key",
        stack_text(raw="  other:bombs:\n" + small),
        [FILE_RE],
        slow=True,
    )
    b.stack(
        "runaway/alias-bomb-small-in-tags",
        stack_text(drop=["dbtier:tags"], raw="  dbtier:tags:\n" + small),
        [FILE_RE + "|" + K("dbtier:tags")],
        slow=True,
    )
    b.stack(
        "runaway/alias-bomb-large", stack_text(raw="  other:bombs:\n" + large), [FILE_RE], slow=True
    )
    b.stack(
        "runaway/alias-bomb-top-level",
        stack_text(tail="bombs:\n" + _alias_bomb(9, 9)),
        [FILE_RE],
        slow=True,
    )
    many_refs = (
        "  other:refs:\n    base: &r [1, 2, 3]\n    list: [" + ", ".join(["*r"] * 200_000) + "]\n"
    )
    b.stack(
        "runaway/two-hundred-thousand-aliases",
        lambda: stack_text(raw=many_refs),
        [FILE_RE],
        slow=True,
    )
    for depth in (3000, 100_000):
        nested = "[" * depth + "]" * depth
        b.stack(
            f"runaway/nested-lists-{depth}-deep-in-tags",
            stack_text(drop=["dbtier:tags"], raw=f"  dbtier:tags: {nested}\n"),
            [FILE_RE + "|" + K("dbtier:tags")],
            slow=True,
        )
    mapping = "{a: " * 3000 + "1" + "}" * 3000
    b.stack(
        "runaway/nested-maps-3000-deep-ignored-key",
        stack_text(raw=f"  other:deep: {mapping}\n"),
        [FILE_RE],
        slow=True,
    )
    block = "".join("  " * (i + 2) + f"k{i}:\n" for i in range(3000)) + "  " * 3002 + "v\n"
    b.stack(
        "runaway/block-nesting-3000-deep",
        stack_text(raw="  other:block:\n" + block),
        [FILE_RE],
        slow=True,
    )
    b.stack(
        "runaway/huge-file-64mb-comment",
        lambda: stack_text() + "#" + "x" * (64 << 20) + "\n",
        [FILE_RE],
        slow=True,
    )
    b.stack(
        "runaway/huge-tag-value-16mb",
        lambda: stack_text(
            drop=["dbtier:tags"], raw="  dbtier:tags:\n    Note: " + "y" * (16 << 20) + "\n"
        ),
        [FILE_RE + "|" + K("dbtier:tags")],
        slow=True,
    )
    b.stack(
        "runaway/million-config-keys",
        lambda: stack_text() + "".join(f"  x:k{i}: 1\n" for i in range(1_000_000)),
        [FILE_RE],
        slow=True,
    )
    b.add("runaway/stack-file-is-a-fifo", project_files(Fifo()), [FILE_RE], slow=True)
    b.add(
        "runaway/stack-file-is-dev-zero", project_files(Symlink("/dev/zero")), [FILE_RE], slow=True
    )
    b.add(
        "runaway/stack-file-is-dev-urandom",
        project_files(Symlink("/dev/urandom")),
        [FILE_RE],
        slow=True,
    )
    redis = "dbtier:redis"
    quotas: dict[str, tuple[str, dict[str, Any]]] = {
        "redis-500-shards-5-replicas": (
            redis,
            {"nodeType": "cache.r7g.large", "shards": 500, "replicasPerShard": 5},
        ),
        "redis-100-shards-5-replicas": (
            redis,
            {"nodeType": "cache.r7g.large", "shards": 100, "replicasPerShard": 5},
        ),
        "redis-500-shards": (
            redis,
            {"nodeType": "cache.r7g.large", "shards": 500, "replicasPerShard": 1},
        ),
        "read-replicas-5000": (
            "dbtier:relational",
            {**BASE["dbtier:relational"], "readReplicas": 5000},
        ),
        "aurora-readers-5000": ("dbtier:aurora", {**BASE["dbtier:aurora"], "readers": 5000}),
        "warehouse-nodes-100000": (
            "dbtier:warehouse",
            {**BASE["dbtier:warehouse"], "nodes": 100_000},
        ),
        "allocated-storage-1e12": (
            "dbtier:relational",
            {**BASE["dbtier:relational"], "maxAllocatedStorage": 10**12},
        ),
        "aurora-max-capacity-1e300": (
            "dbtier:aurora",
            {**BASE["dbtier:aurora"], "maxCapacity": 1e300},
        ),
    }
    for name, (key, value) in quotas.items():
        b.over(f"runaway/{name}", {key: value}, [K(key)], slow=True)
    for count in (2600, 10_000):
        tables = [
            {"name": f"T{i:05d}", "hashKey": "id", "attributes": {"id": "S"}} for i in range(count)
        ]
        b.over(
            f"runaway/dynamo-{count}-tables",
            {"dbtier:dynamo": {"tables": tables}},
            [K("dbtier:dynamo")],
            slow=True,
        )
    many_gsi = [{"name": f"Index{i:03d}", "hashKey": "id"} for i in range(500)]
    b.over(
        "runaway/dynamo-500-indexes",
        {
            "dbtier:dynamo": {
                "tables": [
                    {
                        "name": "Wide",
                        "hashKey": "id",
                        "attributes": {"id": "S"},
                        "indexes": many_gsi,
                    }
                ]
            }
        },
        [K("dbtier:dynamo")],
        slow=True,
    )
    b.over(
        "runaway/cidrs-100000",
        {NET: {"allowedCidrs": [f"10.{i >> 8 & 255}.{i & 255}.0/24" for i in range(100_000)]}},
        [CIDRS],
        slow=True,
    )
    b.over(
        "runaway/include-100000-patterns",
        {
            "dbtier:migration": {
                **BASE["dbtier:migration"],
                "include": [f"db.t{i}" for i in range(100_000)],
            }
        },
        [K("dbtier:migration")],
        slow=True,
    )
    b.over(
        "runaway/tags-100000",
        {"dbtier:tags": {f"k{i}": "v" for i in range(100_000)}},
        [K("dbtier:tags")],
        slow=True,
    )


# --- silent-acceptance ------------------------------------------------------------------------


def _near_misses(word: str, rng: random.Random, count: int) -> list[str]:
    """Distinct one-edit misspellings of `word` (swap, drop, double, replace)."""
    out: set[str] = set()
    letters = "abcdefghijklmnopqrstuvwxyz"
    while len(out) < count:
        i = rng.randrange(len(word))
        op = rng.choice("sdxr")
        if op == "s" and i < len(word) - 1:
            w = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        elif op == "d":
            w = word[:i] + word[i + 1 :]
        elif op == "x":
            w = word[:i] + word[i] + word[i:]
        else:
            w = word[:i] + rng.choice(letters) + word[i + 1 :]
        if w != word:
            out.add(w)
    return sorted(out)


def silent_acceptance(b: Builder) -> None:
    rng = random.Random(SEED + 1)
    bad_rel = {"readReplicas": 5000}
    spellings = {
        "dbteir": "dbteir", "DBTIER": "upper", "Dbtier": "capitalized", "dbtier ": "trailing-space",
        " dbtier": "leading-space", "dbtier_": "underscore", "db-tier": "hyphen",
        "dbtiers": "plural", "dbtie": "truncated", "dbtierr": "doubled-r", "dbtler": "l-for-i",
        "dbt1er": "digit-for-i",
    }  # fmt: skip
    for ns, slug in spellings.items():
        key = f"{ns}:relational"
        b.over(f"silent-acceptance/namespace-{slug}", {key: bad_rel}, [K(key.strip(), key)])
    for ns in _near_misses("dbtier", rng, 8):
        key = f"{ns}:relational"
        b.over(f"silent-acceptance/namespace-random-typo-{ns}", {key: bad_rel}, [K(key)])
    b.over(
        "silent-acceptance/namespace-space-before-colon",
        {"dbtier :relational": bad_rel},
        [K("dbtier :relational")],
    )
    b.over(
        "silent-acceptance/namespace-double-colon",
        {"dbtier::relational": bad_rel},
        [K("dbtier::relational")],
    )
    b.over(
        "silent-acceptance/namespace-dot", {"dbtier.relational": bad_rel}, [K("dbtier.relational")]
    )
    b.over(
        "silent-acceptance/namespace-typo-protect-dropped",
        {"dbteir:protect": True},
        [K("dbteir:protect")],
    )
    b.over(
        "silent-acceptance/dbtier-protect-typo-kept-false",
        {"dbtier:protect": False, "dbtier:protcet": True},
        [K("dbtier:protcet")],
    )
    b.over(
        "silent-acceptance/flat-path-key",
        {"dbtier:relational.readReplicas": 5000},
        [K("dbtier:relational.readReplicas")],
    )
    body = stack_text()
    for top in ("confg", "Config", "CONFIG", "configs", "settings"):
        b.stack(
            f"silent-acceptance/top-level-{top.lower()}{'-upper' if top.isupper() else ''}{'-capital' if top == 'Config' else ''}",
            body.replace("config:", f"{top}:", 1),
            [K(top)],
        )
    b.stack(
        "silent-acceptance/top-level-unknown-beside-config",
        body + "confg:\n  dbtier:protect: false\n",
        [K("confg")],
    )
    b.stack(
        "silent-acceptance/second-config-block",
        body + "config:\n  aws:region: us-east-1\n",
        ["config"],
    )
    b.stack(
        "silent-acceptance/duplicate-config-key",
        body + "  dbtier:protect: false\n",
        [K("dbtier:protect")],
    )
    b.stack(
        "silent-acceptance/duplicate-region", body + "  aws:region: us-west-2\n", [K("aws:region")]
    )
    rel = yaml.safe_dump(BASE["dbtier:relational"], sort_keys=False)
    rel_block = "".join(f"    {ln}\n" for ln in rel.splitlines())
    b.stack(
        "silent-acceptance/duplicate-field-key",
        stack_text(
            drop=["dbtier:relational"],
            raw=f"  dbtier:relational:\n{rel_block}    readReplicas: 0\n",
        ),
        [K("readReplicas", "dbtier:relational")],
    )
    b.stack(
        "silent-acceptance/duplicate-tag-key",
        stack_text(
            drop=["dbtier:tags"],
            raw="  dbtier:tags:\n    Environment: prod\n    Environment: dev\n",
        ),
        [K("Environment", "dbtier:tags")],
    )
    for region in (
        "mars-north-9",
        "us-east-1x",
        "US-EAST-1",
        "us_east_1",
        "",
        "eu-west-1 ",
        "global",
    ):
        slug = re.sub(r"[^a-z0-9]+", "-", region.lower()).strip("-") or "empty"
        suffix = "-upper" if region.isupper() else ("-padded" if region != region.strip() else "")
        b.over(
            f"silent-acceptance/region-{slug}{suffix}", {"aws:region": region}, [K("aws:region")]
        )
    wh = "dbtier:warehouse"
    mode = {
        "serverless-with-nodes": ("nodes", {"mode": "serverless", "nodes": 4}),
        "serverless-with-node-type": (
            "nodeType",
            {"mode": "serverless", "nodeType": "ra3.4xlarge"},
        ),
        "provisioned-with-base-capacity": ("baseCapacity", {**BASE[wh], "baseCapacity": 64}),
    }
    for name, (field, value) in mode.items():
        b.over(f"silent-acceptance/warehouse-{name}", {wh: value}, [K(f"{wh}.{field}")])
    b.over(
        "silent-acceptance/aurora-postgresql-with-backtrack",
        {"dbtier:aurora": {**BASE["dbtier:aurora"], "engine": "aurora-postgresql"}},
        [K("dbtier:aurora.backtrackHours", "dbtier:aurora")],
    )
    b.over(
        "silent-acceptance/auto-pause-without-zero-min",
        {"dbtier:aurora": {**BASE["dbtier:aurora"], "secondsUntilAutoPause": 600}},
        [K("dbtier:aurora.secondsUntilAutoPause")],
    )
    b.over(
        "silent-acceptance/redis-replicas-without-shards",
        {"dbtier:redis": {**BASE["dbtier:redis"], "replicasPerShard": 2}},
        [K("dbtier:redis.replicasPerShard")],
    )
    b.over(
        "silent-acceptance/dynamo-on-demand-with-capacity",
        {
            "dbtier:dynamo": {
                "tables": [
                    {
                        "name": "Orders",
                        "hashKey": "id",
                        "attributes": {"id": "S"},
                        "readCapacity": 5,
                        "writeCapacity": 5,
                    }
                ]
            }
        },
        [K("dbtier:dynamo")],
    )
    b.over(
        "silent-acceptance/alarm-email-with-alarms-off",
        {"dbtier:alarms": {"enabled": False, "email": "ops@example.com"}},
        [K("dbtier:alarms")],
    )
    b.over(
        "silent-acceptance/migration-disabled-but-configured",
        {
            "dbtier:migration": {
                **BASE["dbtier:migration"],
                "enabled": False,
                "include": ["appdb.%"],
                "bogusField": 1,
            }
        },
        [K("dbtier:migration.bogusField")],
    )
    yaml11 = {
        "protect-yes": ("dbtier:protect", "yes"),
        "protect-on": ("dbtier:protect", "on"),
        "protect-y-capital": ("dbtier:protect", "Y"),
    }
    for name, (key, value) in yaml11.items():
        b.stack(
            f"silent-acceptance/yaml-1-1-bool-{name}",
            stack_text(drop=[key], raw=f"  {key}: {value}\n"),
            [K(key)],
        )
    nested11 = {
        "multi-az-off": ("dbtier:relational", "multiAz: off", "multiAz"),
        "deletion-protection-no": (
            "dbtier:relational",
            "deletionProtection: no",
            "deletionProtection",
        ),
        "sexagesimal-max-capacity": ("dbtier:aurora", "maxCapacity: 1:04", "maxCapacity"),
        "underscore-replicas": ("dbtier:relational", "readReplicas: 1_0", "readReplicas"),
    }
    for name, (key, line, field) in nested11.items():
        rest = {k: v for k, v in BASE[key].items() if k != field}
        block = "".join(f"    {ln}\n" for ln in yaml.safe_dump(rest, sort_keys=False).splitlines())
        b.stack(
            f"silent-acceptance/yaml-1-1-{name}",
            stack_text(drop=[key], raw=f"  {key}:\n{block}    {line}\n"),
            [K(f"{key}.{field}")],
        )
    for field in (
        "readReplica",
        "multiAZ",
        "backupRetention",
        "instanceclass",
        "allocated_storage",
    ):
        b.over(
            f"silent-acceptance/field-typo-{field.lower().replace('_', '-')}",
            {"dbtier:relational": {**BASE["dbtier:relational"], field: 1}},
            [K(f"dbtier:relational.{field}")],
        )


# --- nonsense --------------------------------------------------------------------------------

UNICODE_DIGITS = {
    "arabic-indic": "\u0660",
    "fullwidth": "\uff10",
    "devanagari": "\u0966",
    "bengali": "\u09e6",
}


def _digits(text: str, zero: str) -> str:
    return "".join(chr(ord(zero) + int(c)) if c.isdigit() else c for c in text)


NUMERIC_FIELDS: list[tuple[str, str, str]] = [
    ("dbtier:relational", "readReplicas", "2"),
    ("dbtier:relational", "allocatedStorage", "100"),
    ("dbtier:relational", "backupRetentionDays", "14"),
    ("dbtier:relational", "monitoringInterval", "30"),
    ("dbtier:aurora", "readers", "1"),
    ("dbtier:aurora", "maxCapacity", "16"),
    ("dbtier:aurora", "backtrackHours", "24"),
    ("dbtier:redis", "nodes", "3"),
    ("dbtier:redis", "snapshotRetentionDays", "7"),
    ("dbtier:warehouse", "nodes", "2"),
    ("dbtier:migration", "allocatedStorage", "100"),
    ("dbtier:alarms", "cpuPercent", "80"),
]


def nonsense(b: Builder) -> None:
    rng = random.Random(SEED + 2)
    enc = "dbtier:encryption"
    kms = K(f"{enc}.kmsKeyArn")
    uuid = "1234abcd-12ab-34cd-56ef-1234567890ab"
    arns = {
        "kms-key-other-region": f"arn:aws:kms:eu-west-1:123456789012:key/{uuid}",
        "kms-key-other-partition": f"arn:aws-cn:kms:us-east-1:123456789012:key/{uuid}",
        "kms-key-made-up-region": f"arn:aws:kms:mars-north-9:123456789012:key/{uuid}",
        "kms-key-unicode-account": f"arn:aws:kms:us-east-1:{_digits('123456789012', chr(0x660))}:key/{uuid}",
        "kms-key-alias-not-key": "arn:aws:kms:us-east-1:123456789012:alias/my-key",
        "kms-mrk-other-region": "arn:aws:kms:ap-south-1:123456789012:key/mrk-" + "a" * 32,
    }
    for name, arn in arns.items():
        b.over(f"nonsense/{name}", {enc: {"kmsKeyArn": arn}}, [kms])
    for key, field, good in NUMERIC_FIELDS:
        for script, zero in rng.sample(sorted(UNICODE_DIGITS.items()), 2):
            value = {**BASE.get(key, {}), field: _digits(good, zero)}
            if key == "dbtier:alarms":
                value["enabled"] = True
            slug = re.sub(r"(?<!^)([A-Z])", r"-\1", field).lower()
            b.over(
                f"nonsense/unicode-digits-{key.split(':')[1]}-{slug}-{script}",
                {key: value},
                [K(f"{key}.{field}")],
            )
    b.over(
        "nonsense/unicode-digits-allocated-storage-100",
        {
            "dbtier:relational": {
                **BASE["dbtier:relational"],
                "allocatedStorage": "\u0661\u0660\u0660",
            }
        },
        [K("dbtier:relational.allocatedStorage")],
    )
    b.over(
        "nonsense/unicode-digits-engine-version",
        {"dbtier:relational": {**BASE["dbtier:relational"], "engineVersion": "8.4.\u0663"}},
        [K("dbtier:relational.engineVersion")],
    )
    b.over(
        "nonsense/unicode-digits-aurora-version",
        {
            "dbtier:aurora": {
                **BASE["dbtier:aurora"],
                "engineVersion": "8.0.mysql_aurora.3.\u0661\u0660.0",
            }
        },
        [K("dbtier:aurora.engineVersion")],
    )
    underscores = {
        "underscore-string-max-capacity": ("dbtier:aurora", "maxCapacity", "1_6"),
        "underscore-string-cpu-percent": ("dbtier:alarms", "cpuPercent", "8_0"),
        "infinity-string-cpu-percent": ("dbtier:alarms", "cpuPercent", "Infinity"),
        "nan-string-max-capacity": ("dbtier:aurora", "maxCapacity", "NaN"),
        "hex-string-read-replicas": ("dbtier:relational", "readReplicas", "0x2"),
        "plus-sign-read-replicas": ("dbtier:relational", "readReplicas", "+2"),
    }
    for name, (key, field, raw) in underscores.items():
        value = {**BASE.get(key, {}), field: raw}
        if key == "dbtier:alarms":
            value["enabled"] = True
        b.over(f"nonsense/{name}", {key: value}, [K(f"{key}.{field}")])
    long_table = "T" * 255
    names = {
        "dynamo-table-name-255": {"name": long_table, "hashKey": "id", "attributes": {"id": "S"}},
        "dynamo-table-name-slash": {
            "name": "orders/2024",
            "hashKey": "id",
            "attributes": {"id": "S"},
        },
        "dynamo-table-name-unicode": {
            "name": "Bestellungen\u00fc",
            "hashKey": "id",
            "attributes": {"id": "S"},
        },
        "dynamo-index-name-256": {
            "name": "Orders",
            "hashKey": "id",
            "attributes": {"id": "S", "e": "S"},
            "indexes": [{"name": "I" * 256, "hashKey": "e"}],
        },
        "dynamo-duplicate-non-key-attributes": {
            "name": "Orders",
            "hashKey": "id",
            "attributes": {"id": "S", "e": "S"},
            "indexes": [
                {
                    "name": "ByE",
                    "hashKey": "e",
                    "projection": "INCLUDE",
                    "nonKeyAttributes": ["x", "x"],
                }
            ],
        },
        "dynamo-non-key-attribute-is-a-key": {
            "name": "Orders",
            "hashKey": "id",
            "attributes": {"id": "S", "e": "S"},
            "indexes": [
                {"name": "ByE", "hashKey": "e", "projection": "INCLUDE", "nonKeyAttributes": ["id"]}
            ],
        },
        "dynamo-two-indexes-same-keys": {
            "name": "Orders",
            "hashKey": "id",
            "attributes": {"id": "S", "e": "S"},
            "indexes": [{"name": "ByE1", "hashKey": "e"}, {"name": "ByE2", "hashKey": "e"}],
        },
        "dynamo-ttl-on-missing-attribute-type": {
            "name": "Orders",
            "hashKey": "id",
            "attributes": {"id": "S"},
            "ttlAttribute": "id ",
        },
    }
    for name, table in names.items():
        b.over(
            f"nonsense/{name}",
            {"dbtier:dynamo": {"tables": [table]}},
            [K("dbtier:dynamo.tables[0]")],
        )
    for stack, why in (
        ("my_stack", "underscore"),
        ("s" * 61, "61-chars"),
        ("-prod", "leading-dash"),
    ):
        b.add(
            f"nonsense/stack-name-{why}",
            {"Pulumi.yaml": PROJECT, "__main__.py": PROGRAM, f"Pulumi.{stack}.yaml": stack_text()},
            ["stack"],
            argv=(f"--stack={stack}", "--project-dir", "{dir}"),
        )
    tag_cases: dict[str, dict[str, Any]] = {
        "tag-key-newline": {"Own\ner": "x"},
        "tag-value-newline": {"Owner": "line1\nline2"},
        "tag-value-bell": {"Owner": "x\x07"},
        "tag-value-escape": {"Owner": "\x1b[31mred"},
        "tag-key-tab": {"Owner\t": "x"},
        "tag-value-markup": {"Owner": "<script>alert(1)</script>"},
        "tag-key-markup": {"<b>Owner</b>": "x"},
        "tag-value-nul": {"Owner": "a\x00b"},
        "tag-key-empty": {"": "x"},
        "tag-value-bidi-override": {"Owner": "abc\u202edef"},
        "tag-overrides-project": {"Project": "other"},
        "tag-overrides-stack": {"Stack": "dev"},
        "tag-overrides-managed-by": {"ManagedBy": "hand"},
    }
    for name, extra in tag_cases.items():
        b.over(
            f"nonsense/{name}",
            {"dbtier:tags": {**BASE["dbtier:tags"], **extra}},
            [K("dbtier:tags")],
        )
    net = {
        "duplicated-subnet": {
            "vpcId": "vpc-0123abcd",
            "subnetIds": ["subnet-0123abcd", "subnet-0123abcd"],
        },
        "duplicated-subnet-three": {
            "vpcId": "vpc-0123abcd",
            "subnetIds": ["subnet-0123abcd", "subnet-0123abcd", "subnet-0123abcd"],
        },
        "duplicated-cidr": {"allowedCidrs": ["10.0.0.0/16", "10.0.0.0/16"]},
        "cidrs-over-rule-quota": {"allowedCidrs": [f"10.{i}.0.0/16" for i in range(80)]},
        "vpc-id-unicode-digits": {"vpcId": "vpc-\u0660\u0661\u0662\u0663abcd"},
    }
    for name, value in net.items():
        b.over(f"nonsense/network-{name}", {NET: value}, [K(NET)])
    mig = "dbtier:migration"
    b.over(
        "nonsense/migration-empty-include",
        {mig: {**BASE[mig], "include": []}},
        [K(f"{mig}.include")],
    )
    b.over(
        "nonsense/migration-include-with-spaces",
        {mig: {**BASE[mig], "include": ["app db.%"]}},
        [K(f"{mig}.include")],
    )
    b.over(
        "nonsense/migration-exclude-everything",
        {mig: {**BASE[mig], "exclude": ["%.%"]}},
        [K(f"{mig}.exclude", f"{mig}.include")],
    )
    deploy = {
        "relational-instance-class-made-up": ("dbtier:relational", "instanceClass", "db.zz9.mega"),
        "relational-engine-version-made-up": ("dbtier:relational", "engineVersion", "8.4.99"),
        "redis-node-type-made-up": ("dbtier:redis", "nodeType", "cache.zz9.mega"),
        "migration-instance-class-made-up": (mig, "instanceClass", "dms.zz9.mega"),
        "aurora-engine-version-made-up": (
            "dbtier:aurora",
            "engineVersion",
            "8.0.mysql_aurora.3.99.0",
        ),
    }
    for name, (key, field, value) in deploy.items():
        b.over(
            f"nonsense/{name}",
            {key: {**BASE[key], field: value}},
            [K(f"{key}.{field}")],
            codes=(2, 1),
            note="a deployability violation is as right",
        )


# --- secrets ---------------------------------------------------------------------------------


def secrets(b: Builder) -> None:
    secure = {"secure": CIPHERTEXT}
    for key in ("dbtier:network", "dbtier:encryption", "dbtier:relational", "dbtier:aurora",
                "dbtier:dynamo", "dbtier:redis", "dbtier:warehouse", "dbtier:migration",
                "dbtier:alarms", "dbtier:tags", "dbtier:protect"):  # fmt: skip
        name = key.split(":")[1]
        b.over(
            f"secrets/secure-value-{name}",
            {key: secure},
            [K(key), "secure|secret"],
            secrets=[CIPHERTEXT],
        )
    b.over(
        "secrets/secure-nested-tag",
        {"dbtier:tags": {"Owner": secure}},
        [K("dbtier:tags"), "secure|secret"],
        secrets=[CIPHERTEXT],
    )
    b.over(
        "secrets/secure-nested-email",
        {"dbtier:alarms": {"enabled": True, "email": secure}},
        [K("dbtier:alarms"), "secure|secret"],
        secrets=[CIPHERTEXT],
    )
    b.over(
        "secrets/secure-with-extra-field",
        {"dbtier:relational": {**secure, "note": "x"}},
        [K("dbtier:relational")],
        secrets=[CIPHERTEXT],
    )
    wrong = {
        "password-as-username": ("dbtier:relational", "username", SECRET),
        "password-as-database-name": ("dbtier:aurora", "databaseName", SECRET),
        "password-as-warehouse-username": ("dbtier:warehouse", "username", SECRET),
        "password-as-node-type": ("dbtier:redis", "nodeType", SECRET),
        "password-as-kms-key": ("dbtier:encryption", "kmsKeyArn", SECRET),
        "password-as-vpc-id": ("dbtier:network", "vpcId", SECRET),
        "password-as-email": ("dbtier:alarms", "email", SECRET),
        "password-field-relational": ("dbtier:relational", "password", SECRET),
        "password-field-aurora": ("dbtier:aurora", "masterPassword", SECRET),
        "auth-token-field-redis": ("dbtier:redis", "authToken", SECRET),
        "password-as-include": ("dbtier:migration", "include", [SECRET]),
    }
    for name, (key, field, value) in wrong.items():
        content = {**BASE.get(key, {}), field: value}
        if key == "dbtier:alarms":
            content["enabled"] = True
        b.over(f"secrets/{name}", {key: content}, [K(f"{key}.{field}")], secrets=[SECRET])
    b.over(
        "secrets/password-as-protect",
        {"dbtier:protect": SECRET},
        [K("dbtier:protect")],
        secrets=[SECRET],
    )
    b.over(
        "secrets/password-as-tag-key",
        {"dbtier:tags": {"aws:" + SECRET: "x"}},
        [K("dbtier:tags")],
        secrets=[SECRET],
    )
    b.over("secrets/password-as-cidr", {NET: {"allowedCidrs": [SECRET]}}, [CIDRS], secrets=[SECRET])


# --- messages --------------------------------------------------------------------------------


def messages(b: Builder) -> None:
    hostile = {
        "escape-sequence": "\x1b[2J\x1b[31mreadReplicas",
        "osc-title": "\x1b]0;pwned\x07readReplicas",
        "newline": "read\nReplicas",
        "carriage-return": "readReplicas\rdbtier:relational.readReplicas is fine",
        "nul": "read\x00Replicas",
        "backspace": "readReplicasX\x08",
        "bidi-override": "read\u202eReplicas",
        "c1-csi": "read\x9b31mReplicas",
        "del": "read\x7fReplicas",
    }
    for name, field in hostile.items():
        b.over(
            f"messages/field-name-{name}",
            {"dbtier:relational": {**BASE["dbtier:relational"], field: 1}},
            [K("dbtier:relational")],
        )
        b.over(f"messages/config-key-{name}", {f"dbtier:{field}": 1}, [K("dbtier:")])
    b.over(
        "messages/field-name-100000-chars",
        {"dbtier:relational": {**BASE["dbtier:relational"], "r" * 100_000: 1}},
        [K("dbtier:relational")],
    )
    b.over("messages/config-key-100000-chars", {"dbtier:" + "k" * 100_000: 1}, [K("dbtier:")])
    b.over(
        "messages/tag-key-100000-chars", {"dbtier:tags": {"t" * 100_000: "x"}}, [K("dbtier:tags")]
    )
    b.over(
        "messages/value-100000-chars",
        {"dbtier:relational": {**BASE["dbtier:relational"], "instanceClass": "d" * 100_000}},
        [K("dbtier:relational.instanceClass")],
    )
    b.over(
        "messages/value-with-escapes",
        {
            "dbtier:relational": {
                **BASE["dbtier:relational"],
                "instanceClass": "\x1b[31mdb.m7g.large",
            }
        },
        [K("dbtier:relational.instanceClass")],
    )
    b.add(
        "messages/stack-name-escape-sequence",
        project_files(stack_text()),
        ["stack|Pulumi"],
        argv=("--stack", "\x1b[31mred\x1b[0m", "--project-dir", "{dir}"),
    )
    b.add(
        "messages/stack-name-newline",
        project_files(stack_text()),
        ["stack|Pulumi"],
        argv=("--stack", "prod\nInjected: line", "--project-dir", "{dir}"),
    )
    b.add(
        "messages/project-dir-escape-sequence",
        project_files(stack_text()),
        ["project|Pulumi"],
        argv=("--stack", STACK, "--project-dir", "{dir}/\x1b]0;x\x07"),
    )


def all_cases() -> list[Case]:
    b = Builder()
    for family in (security_bypass, crash, runaway, silent_acceptance, nonsense, secrets, messages):
        family(b)
    return b.cases
