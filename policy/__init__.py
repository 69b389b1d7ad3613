"""The dbtier CrossGuard policy pack. ``policy.registry.RULES`` lists every rule."""
