"""Convert each resource of a request once, not once per policy (opt-in: the preflight only).

The Python policy SDK (pulumi_policy 1.x, ``_PolicyAnalyzerServicer``) converts a resource's
properties for every policy it runs: in ``Analyze``, ``deserialize_properties(MessageToDict(
request.properties))`` wrapped in ``unknown_checking_proxy``, 68 times per resource for this pack;
in ``AnalyzeStack``, every resource of the stack once per stack policy. The conversion happens in
the servicer before a policy's ``validate`` is called, so no policy (and no type filter in
``validate``) can avoid it, and the SDK has no supported way for a policy to declare the resource
types it applies to. Most of the pack's time per resource was this conversion.

``install()`` shares the conversions between the policies of one call: while the servicer handles
an ``Analyze`` or ``AnalyzeStack`` call, ``MessageToDict``, ``deserialize_properties`` and
``unknown_checking_proxy`` remember their result per argument object (by identity; the argument is
kept alive for the call, so an identity cannot be reused), and the memo is dropped when the call
returns. All three are pure functions of an argument the call does not change, so each policy gets
exactly the value it would have computed itself; the SDK's own loop (levels, config, reporting,
diagnostics) runs unchanged. The policies share the read-only view they are given; no rule of this
pack writes to ``args.props`` (they read it through ``plain``, which copies).

``plain`` (the proxy unwrapped to plain data, which the rules read) is memoized the same way, and
the copy each rule gets is shared between the rules of that call; rules treat it as read-only.

Patching the SDK is only worth its risk where many resources are checked at once, so it is
opt-in: the pack's ``__main__`` calls ``install_if_requested()``, which installs the memo only
when ``DBTIER_POLICY_MEMO=1`` is in the pack's environment. The preflight sets it when it starts
the pack; ``pulumi preview --policy-pack policy`` does not, and runs the stock SDK.

The memo lives per thread: the SDK serves calls on a thread pool, one call per thread at a time.
If the SDK's internals differ from what this expects (another version), ``install()`` changes
nothing and returns False: the pack is then slower, never different.
"""

from __future__ import annotations

import functools
import itertools
import os
import threading
import types
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

ENV_VAR = "DBTIER_POLICY_MEMO"
"""Set to "1" in the pack's environment to install the memo (the preflight does)."""


class _Local(threading.local):
    memo: dict[tuple[int, int], tuple[Any, Any]] | None = None


_local = _Local()
_state = {"installed": False}
_tags = itertools.count()


def memoized(fn: F) -> F:
    """``fn(arg)`` computed once per ``arg`` object inside a call scope; otherwise just ``fn``.

    Calls with more arguments than ``arg`` are not memoized.
    """
    tag = next(_tags)

    @functools.wraps(fn)
    def wrapper(arg: Any, *rest: Any) -> Any:
        memo = _local.memo
        if memo is None or rest:
            return fn(arg, *rest)
        key = (tag, id(arg))
        hit = memo.get(key)
        if hit is not None and hit[0] is arg:
            return hit[1]
        result = fn(arg)
        memo[key] = (arg, result)  # keeps ``arg`` alive, so its id is not reused in this call
        return result

    return wrapper  # type: ignore[return-value]


def memoized_method(method: F) -> F:
    """``self.method(arg)`` memoized on ``arg`` alone, like ``memoized``."""
    per_arg: dict[int, Callable[[Any], Any]] = {}

    @functools.wraps(method)
    def wrapper(self: Any, arg: Any, *rest: Any) -> Any:
        if _local.memo is None or rest:
            return method(self, arg, *rest)
        bound = per_arg.get(id(self))
        if bound is None:
            bound = per_arg[id(self)] = memoized(functools.partial(method, self))
        return bound(arg)

    return wrapper  # type: ignore[return-value]


def call_scope(method: F) -> F:
    """Run a servicer method with a fresh memo for its thread, dropped when it returns."""

    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        outer = _local.memo
        _local.memo = {}
        try:
            return method(*args, **kwargs)
        finally:
            _local.memo = outer

    return wrapper  # type: ignore[return-value]


def install() -> bool:
    """Share conversions between the policies of one Analyze/AnalyzeStack call (idempotent)."""
    if _state["installed"]:
        return True
    try:
        from pulumi_policy import policy as sdk
    except ImportError:  # pragma: no cover - the pack cannot run without the SDK anyway
        return False
    servicer = getattr(sdk, "_PolicyAnalyzerServicer", None)
    json_format = getattr(sdk, "json_format", None)
    needed = (
        servicer is not None
        and callable(getattr(servicer, "Analyze", None))
        and callable(getattr(servicer, "AnalyzeStack", None))
        and callable(getattr(json_format, "MessageToDict", None))
        and callable(getattr(sdk, "deserialize_properties", None))
        and callable(getattr(sdk, "unknown_checking_proxy", None))
    )
    if not needed:
        return False
    assert servicer is not None and json_format is not None
    shim = types.SimpleNamespace(
        **{k: getattr(json_format, k) for k in dir(json_format) if not k.startswith("__")}
    )
    shim.MessageToDict = memoized(json_format.MessageToDict)
    sdk.json_format = shim
    sdk.deserialize_properties = memoized(sdk.deserialize_properties)
    sdk.unknown_checking_proxy = memoized(sdk.unknown_checking_proxy)
    # The request's resource options and provider, rebuilt per policy by the SDK: same story.
    for name in ("_get_resource_options", "_get_provider_resource"):
        if callable(getattr(servicer, name, None)):
            setattr(servicer, name, memoized_method(getattr(servicer, name)))
    servicer.Analyze = call_scope(servicer.Analyze)
    servicer.AnalyzeStack = call_scope(servicer.AnalyzeStack)
    _state["installed"] = True
    return True


def install_if_requested(environ: Mapping[str, str] = os.environ) -> bool:
    """``install()`` when ``DBTIER_POLICY_MEMO=1``; otherwise leave the SDK as it is."""
    return environ.get(ENV_VAR) == "1" and install()
