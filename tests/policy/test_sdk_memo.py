"""The pack converts each resource once per call (policy/_sdk_memo.py), and only within a call."""

from __future__ import annotations

from typing import Any

from policy import _sdk_memo


def test_install_applies_to_the_pinned_sdk() -> None:
    # If a new pulumi_policy changes its internals, install() becomes a no-op (slower, not
    # different); this test says so instead of letting the pack silently lose its fast path.
    assert _sdk_memo.install() is True


def test_memo_only_inside_a_call_and_per_argument_object() -> None:
    calls: list[Any] = []

    @_sdk_memo.memoized
    def convert(value: dict[str, Any], *rest: Any) -> dict[str, Any]:
        calls.append(value)
        return dict(value)

    first, second = {"a": 1}, {"a": 1}
    assert convert(first) is not convert(first)  # no call in progress: no memo
    assert len(calls) == 2

    @_sdk_memo.call_scope
    def one_call() -> list[dict[str, Any]]:
        return [convert(first), convert(first), convert(second), convert(first, True)]

    a, b, c, d = one_call()
    assert a is b  # same argument object: converted once
    assert c is not a and c == a  # an equal but different object is converted on its own
    assert d is not a  # extra arguments are never memoized
    assert len(calls) == 2 + 3
    assert convert(first) is not a  # the memo ends with the call
