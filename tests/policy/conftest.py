"""One real policy pack per test session, started the way the engine starts it."""

from policy_fixtures import pack

__all__ = ["pack"]
