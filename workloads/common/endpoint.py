"""Where and how to reach one database server: the one endpoint type of every workload."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workloads.common.credentials import CredentialSource


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
