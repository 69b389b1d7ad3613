"""The helpers every workload shares: errors and exit codes, secret redaction, the stack
outputs, credentials (from the secret, renewed after a rotation), retries, the endpoint type,
argument types, chunking, percentiles, reporting, and stopping on a signal.

A workload never prints a secret, a traceback or a multi-line error: the entry point
(``workloads.__main__``) turns a ``WorkloadError`` into one line on stderr and its ``exit_code``.
Nothing here loads OpenSSL, so a MySQL workload can still load its driver's own first.
"""

from workloads.common.args import bounded
from workloads.common.credentials import (
    add_credentials_argument,
    login,
    renew,
    renew_waiting,
    resolve_credentials,
    with_renewal,
)
from workloads.common.endpoint import Credentials, CredentialSource, Endpoint
from workloads.common.errors import (
    EXIT_BAD_INPUT,
    EXIT_CHECK_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TERMINATED,
    WorkloadError,
    check_exit_code,
    one_line,
)
from workloads.common.interrupts import (
    Terminated,
    install_handlers,
    quiet_child,
    stop_children,
)
from workloads.common.outputs import Outputs, load_outputs, outputs_from_json, outputs_from_stack
from workloads.common.redaction import RedactingFormatter, log, redact, register_secret
from workloads.common.report import Report, emit, finish, progress, render_table
from workloads.common.retry import is_transient_network_error, retrying
from workloads.common.sequences import chunked, percentile

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_CHECK_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_TERMINATED",
    "CredentialSource",
    "Credentials",
    "Endpoint",
    "Outputs",
    "RedactingFormatter",
    "Report",
    "Terminated",
    "WorkloadError",
    "add_credentials_argument",
    "bounded",
    "check_exit_code",
    "chunked",
    "emit",
    "finish",
    "install_handlers",
    "is_transient_network_error",
    "load_outputs",
    "log",
    "login",
    "one_line",
    "outputs_from_json",
    "outputs_from_stack",
    "percentile",
    "progress",
    "quiet_child",
    "redact",
    "register_secret",
    "render_table",
    "renew",
    "renew_waiting",
    "resolve_credentials",
    "retrying",
    "stop_children",
    "with_renewal",
]
