"""The rules of the dbtier policy pack, one module per service; ``registry.RULES`` lists them all.

Everything imports it as ``dbtier_policy``: the pack's ``__main__.py`` (the engine runs the pack
with ``policy/`` on ``sys.path``) and, through the installed project (``pip install .`` maps
``policy/dbtier_policy`` to that name), the preflight and the tests. What AWS offers is not here
but in ``awsdata``, which the components read too.
"""
