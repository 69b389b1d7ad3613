"""One real policy pack per test session, started the way the engine starts it."""

from tests.policy.policy_fixtures import pack

__all__ = ["pack"]
