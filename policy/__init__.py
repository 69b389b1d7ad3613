"""The dbtier CrossGuard policy pack; its rules are the package ``policy.dbtier_policy``."""
