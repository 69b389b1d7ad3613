"""Every rule of the dbtier pack, importable without starting the analyzer's gRPC server.

``RULES`` is the one list of rules: the pack builds its policies from it and the tests read it.
"""

from __future__ import annotations

import os

from pulumi_policy import Policy

from . import (
    backup,
    credentials,
    deploy_alarms,
    deploy_catalog,
    deploy_dms,
    deploy_elasticache,
    deploy_engines,
    deploy_logs,
    deploy_network,
    deploy_promises,
    deploy_regions,
    deploy_relations,
    deploy_signing,
    dms,
    dynamodb,
    elasticache,
    elasticache_users,
    engines,
    kms,
    messaging,
    network,
    rds,
    rds_monitoring,
    rds_settings,
    redshift,
    regions,
    secrets,
    stack,
)
from ._common import Rule, RuleMeta

PACK_NAME = "dbtier-policy"
DESCRIPTION = (
    "Guards the dbtier database tier: encryption, exposure, credentials, backups, "
    "protection, availability and versions."
)

RULES: list[Rule] = [
    *rds.RULES,
    *rds_monitoring.RULES,
    *rds_settings.RULES,
    *dynamodb.RULES,
    *elasticache.RULES,
    *redshift.RULES,
    *dms.RULES,
    *kms.RULES,
    *secrets.RULES,
    *credentials.RULES,
    *messaging.RULES,
    *network.RULES,
    *engines.RULES,
    *stack.RULES,
    *elasticache_users.RULES,
    *regions.RULES,
    *deploy_catalog.RULES,
    *deploy_logs.RULES,
    *deploy_relations.RULES,
    *deploy_dms.RULES,
    *deploy_engines.RULES,
    *deploy_network.RULES,
    *deploy_alarms.RULES,
    *deploy_signing.RULES,
    *deploy_elasticache.RULES,
    *deploy_promises.RULES,
    *deploy_regions.RULES,
    *backup.RULES,
]

META: dict[str, RuleMeta] = {rule.meta.name: rule.meta for rule in RULES}


def policies() -> list[Policy]:
    """Fresh policy objects for a PolicyPack (building them is cheap and has no side effects).

    ``DBTIER_DEPLOYABILITY=off`` leaves the deployability rules out: only the benchmark
    (``bench/bench_deployability.py``) sets it, to measure what the pass costs.
    """
    names = [rule.meta.name for rule in RULES]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise ValueError(f"duplicate policy names: {sorted(duplicates)}")
    skip = {"deployability"} if os.environ.get("DBTIER_DEPLOYABILITY") == "off" else set()
    return [rule.policy() for rule in RULES if rule.meta.category not in skip]
