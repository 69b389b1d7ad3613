"""Load mysql-connector's C extension while it still can load, and say which driver is in use.

Why the order matters: the mysql-connector-python wheel links its C extension
(``_mysql_connector``) against the OpenSSL 3.5 it vendors (``mysql/vendor/libssl.so.3`` and
``libcrypto.so.3``), which needs symbols of OpenSSL 3.2 and later. The system's OpenSSL (3.0 on
Debian 12) has the same sonames. The dynamic linker loads one library per soname per process, so
whichever comes first wins: once anything has loaded the system's libssl or libcrypto
(``import ssl``, ``hashlib``, ``hmac``, ``secrets``, and through them boto3, urllib3, requests,
psycopg2, redis ...), the extension fails with "version `OPENSSL_3.2.0' not found". Loaded
first, the vendored OpenSSL 3.5 serves the whole process, Python's ``ssl`` and ``hashlib``
included (OpenSSL keeps its ABI stable across 3.x, so modules built against 3.0 work with 3.5).

So :func:`preload` must run before any of those imports, and only where MySQL is used: the
packages of the MySQL workloads (``relational``, ``aurora_load``, ``migration_check``) call it
first thing, before their own imports. ``python -m workloads`` imports nothing that loads OpenSSL
before it imports the workload, and the worker processes of ``aurora-load --mode processes``
import the ``aurora_load`` package (so the preload) before anything else of ours. When it cannot
load (already too late, or no wheel with the extension), the workloads use the pure-Python
driver, which works everywhere, only costs more CPU per statement.

One side effect is repaired here: the vendored OpenSSL looks for the system's trusted CAs under
its own build prefix (``/usr/local/mysql/ssl``), which does not exist, so
``ssl.create_default_context()`` would trust nothing (redis over TLS and anything else relying
on the system's CAs would fail to verify). When those are missing and the environment does not
already say where the CAs are, ``SSL_CERT_FILE``/``SSL_CERT_DIR`` are pointed at the system's
bundle, which is what the system's OpenSSL would have used.
"""

from __future__ import annotations

import importlib
import os
import sys

C_EXTENSION = "c-extension"
PURE_PYTHON = "pure-python"

# The system CA locations of common distributions (Debian/Ubuntu, RHEL/Fedora, SUSE, Alpine).
_CA_FILES = (
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/pki/tls/cacert.pem",
    "/etc/ssl/cert.pem",
)
_CA_DIRS = ("/etc/ssl/certs", "/etc/pki/tls/certs")
_OPENSSL_MODULES = ("_ssl", "_hashlib")

_state: dict[str, str | None] = {"error": "not loaded yet"}


def preload() -> None:
    """Import ``_mysql_connector`` now if it can still load; remember why not otherwise."""
    if "_mysql_connector" in sys.modules:
        _state["error"] = None
        return
    early = [name for name in _OPENSSL_MODULES if name in sys.modules]
    if early:
        _state["error"] = f"the system's OpenSSL was loaded first (by {', '.join(early)})"
        return
    try:
        importlib.import_module("_mysql_connector")
    except ImportError as exc:
        _state["error"] = " ".join(str(exc).split())
        return
    _state["error"] = None
    _point_openssl_at_system_cas()


def _point_openssl_at_system_cas() -> None:
    # Safe now: Python's ssl binds to the OpenSSL the extension brought in.
    import ssl

    if "SSL_CERT_FILE" in os.environ or "SSL_CERT_DIR" in os.environ:
        return
    paths = ssl.get_default_verify_paths()
    if os.path.isfile(paths.openssl_cafile) or os.path.isdir(paths.openssl_capath):
        return  # the vendored OpenSSL's own defaults exist: leave them
    ca_file = next((p for p in _CA_FILES if os.path.isfile(p)), None)
    ca_dir = next((p for p in _CA_DIRS if os.path.isdir(p)), None)
    if ca_file:
        os.environ["SSL_CERT_FILE"] = ca_file
    if ca_dir:
        os.environ["SSL_CERT_DIR"] = ca_dir


def use_c_extension() -> bool:
    """True when ``mysql.connector.connect`` can use the C extension in this process."""
    return _state["error"] is None


def driver() -> str:
    """``c-extension`` or ``pure-python``: the mysql-connector implementation in use."""
    return C_EXTENSION if use_c_extension() else PURE_PYTHON


def describe() -> str:
    """One line for the verbose log: which driver, and why not the C extension."""
    if use_c_extension():
        return "MySQL driver: mysql-connector C extension (_mysql_connector)"
    return f"MySQL driver: mysql-connector pure Python (C extension unavailable: {_state['error']})"
