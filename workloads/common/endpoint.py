"""Where and how to reach one database server: the one endpoint type of every workload, and the
credentials it carries (what they are and where they come from; resolving and renewing them is
``workloads.common.credentials``)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

SECRET = "secret"
OUTPUTS = "outputs"
"""Where credentials came from: the secret behind ``secretArn``, or the outputs' password."""


@dataclass(frozen=True)
class Credentials:
    """A username and password, and where they came from (``secret`` or ``outputs``)."""

    username: str
    password: str | None = field(repr=False)
    origin: str = OUTPUTS


@dataclass(frozen=True)
class CredentialSource:
    """Where one database's credentials come from: what was resolved at start-up and, when
    ``secret_arn`` is set, the secret that renews them. Picklable: a worker process renews its
    own."""

    section: str  # the outputs key, for messages: "aurora"
    initial: Credentials
    secret_arn: str | None = None  # a Secrets Manager ARN to renew from; None: no renewal
    kind: str = "sql"  # "redis": the secret's password is the AUTH token
    timeout: float = 10.0  # seconds to connect to and read from Secrets Manager

    @property
    def renewable(self) -> bool:
        return self.secret_arn is not None

    @property
    def key(self) -> tuple[str, str | None]:
        return (self.section, self.secret_arn)


@dataclass(frozen=True)
class Endpoint:
    """A server address with its credentials and TLS settings (picklable for worker processes).

    SQL servers use every field; Redis uses host, port, password (the AUTH token), tls and
    ca_bundle. ``ca_bundle`` None with TLS on means the system trust store. ``user`` and
    ``password`` are the credentials resolved at start-up; with ``credentials`` set, connections
    take theirs from ``workloads.common.credentials.login``, which renews them from the secret
    after a rotation.
    """

    host: str
    port: int
    password: str | None = None
    tls: bool = False
    ca_bundle: str | None = None
    name: str = ""  # what it is in messages, e.g. "relational" or "relational reader 1"
    database: str = ""
    user: str = ""
    connect_timeout: int = 10
    query_timeout: int = 60
    credentials: CredentialSource | None = None

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"

    def at(self, host: str, name: str) -> Endpoint:
        """The same credentials on another host (a reader)."""
        return replace(self, host=host, name=name)
