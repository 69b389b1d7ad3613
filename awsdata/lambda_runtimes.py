"""Lambda runtimes: where each is in its lifecycle (supported, deprecated, creation or update
blocked) and its successor.

Source: cfn-lint's ``AdditionalSpecs/LmbdRuntimeLifecycle.json`` (see ``_cfnlint``), which copies
https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html
"""

from __future__ import annotations

from datetime import date

from ._cfnlint import load

LAMBDA_DOCS = "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html"


def lambda_runtime_status(runtime: str, today: date | None = None) -> str:
    """``unknown``, ``supported``, ``deprecated``, ``create-blocked`` or ``update-blocked``.

    cfn-lint's own W2531 wording speaks of the blocks in the past tense even for future dates,
    so the dates are compared here.
    """
    life = load("AdditionalSpecs/LmbdRuntimeLifecycle.json").get(runtime)
    if life is None:
        return "unknown"
    today = today or date.today()

    def passed(key: str) -> bool:
        return bool(life.get(key)) and date.fromisoformat(life[key]) <= today

    for status in ("update-block", "create-block", "deprecated"):
        if passed(status):
            return status + ("ed" if status.endswith("block") else "")
    return "supported"


def lambda_runtime_problem(runtime: str, today: date | None = None) -> str | None:
    """Why a function should not use ``runtime`` on ``today``, or None."""
    status = lambda_runtime_status(runtime, today)
    if status in ("supported", "unknown"):
        return None
    life = load("AdditionalSpecs/LmbdRuntimeLifecycle.json")[runtime]
    successor = life.get("successor")
    return (
        f"Lambda runtime {runtime} is {status.replace('-', ' ')} (deprecated {life.get('deprecated')},"
        f" creation blocked {life.get('create-block')})"
        + (f"; use {successor}" if successor else "")
    )
