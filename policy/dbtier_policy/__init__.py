"""The rules of the dbtier policy pack, one module per service; ``registry.RULES`` lists them all.

The pack's ``__main__.py`` imports this package as ``dbtier_policy`` (the engine runs the pack with
``policy/`` on ``sys.path``); the tests and the preflight import it as ``policy.dbtier_policy``.
"""
