"""Deployability across regions: what AWS refuses when a stack spans regions (`dbtier:regions`).

- keys in the right region: KMS keys are regional, and every service encrypts a resource only
  with a key of the resource's own region (a table replica with one of the replica's region);
- global tables (version 2019.11.21): each replica in another region of the table's partition,
  once, on a table whose stream has both images and whose provisioned writes are auto scaled;
- Aurora Global Database: an engine version and region that offer it, no backtrack;
- cross-region automated backups: a destination that is another region of the partition.

Regions are read from each resource's `region` input, else its provider's (``region_of``); a
region unknown at preview is compliant.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource

from awsdata import global_databases as g

from ._common import Resource, Rule, as_number, deps_of, prop
from .deploy_relations import known_str, of_type, relation_meta
from .regions import (
    BACKUPS_REPLICATION,
    CLUSTER,
    GLOBAL_CLUSTER,
    TABLE,
    region_of,
    replica_regions,
    replicas,
)

KMS_KEY = "aws:kms/key:Key"
SCALABLE_TARGET = "aws:appautoscaling/target:Target"
# Inputs that name the key a resource is encrypted with, by the resource's own region.
KEY_INPUTS = (
    "kmsKeyId",
    "kmsKeyArn",
    "performanceInsightsKmsKeyId",
    "masterUserSecretKmsKeyId",
    "kmsMasterKeyId",
    "serverSideEncryption",
    "encryptionConfiguration",
)
KMS_DOCS = "https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-overview.html"


def _key_region_problem(key_region: str, region: str, where: str) -> str | None:
    if key_region == region:
        return None
    return f"{where} in {region} is encrypted with a KMS key of {key_region}"


def keys_in_region(
    resources: Sequence[PolicyResource], _c: Mapping[str, Any]
) -> Iterator[tuple[str, str]]:
    """Each resource's key (by dependency on a key of the stack, or a literal ARN) is in the
    resource's region; a table's replica keys each in their replica's region."""
    keys = {k.urn: k for k in of_type(resources, KMS_KEY)}
    for r in resources:
        if r.resource_type in (KMS_KEY, "aws:kms/alias:Alias") or r.resource_type.startswith(
            "pulumi:providers:"
        ):
            continue
        region = region_of(r)
        if region is None:
            continue
        where = f"'{r.name}' ({r.resource_type})"
        for name in KEY_INPUTS:
            for dep in deps_of(r, name):
                key_region = region_of(keys[dep.urn]) if dep.urn in keys else None
                if key_region and (p := _key_region_problem(key_region, region, where)):
                    yield r.urn, f"{p} ('{dep.name}'); use a key of {region}."
            literal = prop(r.props, name)
            if isinstance(literal, Mapping):
                literal = literal.get("kmsKeyArn")
            key_region = g.region_from_arn(known_str(literal) or "")
            if key_region and (p := _key_region_problem(key_region, region, where)):
                yield r.urn, f"{p} ({literal}); use a key of {region}."
        if r.resource_type != TABLE:
            continue
        wanted = {str(b.get("regionName")) for b in replicas(r)}
        for dep in deps_of(r, "replicas"):
            key_region = region_of(keys[dep.urn]) if dep.urn in keys else None
            if key_region and key_region not in wanted:
                yield (
                    r.urn,
                    f"DynamoDB table '{r.name}' gives a replica the key '{dep.name}' of"
                    f" {key_region}, where it has no replica ({', '.join(sorted(wanted))}).",
                )
        for block in replicas(r):
            key_region = g.region_from_arn(known_str(block.get("kmsKeyArn")) or "")
            replica_region = str(block.get("regionName"))
            if key_region and (
                p := _key_region_problem(key_region, replica_region, f"'{r.name}' replica")
            ):
                yield r.urn, f"{p}; use a key of {replica_region}."


def _write_autoscaled(table: PolicyResource, targets: Sequence[PolicyResource]) -> bool:
    for target in targets:
        if prop(target.props, "scalableDimension") != "dynamodb:table:WriteCapacityUnits":
            continue
        if any(d.urn == table.urn for d in deps_of(target)):
            return True
        name = known_str(prop(table.props, "name"))
        if name and prop(target.props, "resourceId") == f"table/{name}":
            return True
    return False


def global_tables(
    resources: Sequence[PolicyResource], _c: Mapping[str, Any]
) -> Iterator[tuple[str, str]]:
    """A table with replicas: each in another region of its partition, once; a stream with
    both images; write capacity on demand or auto scaled (`awsdata.global_databases`)."""
    targets = of_type(resources, SCALABLE_TARGET)
    tables = of_type(resources, TABLE)
    for table in tables:
        regions = replica_regions(table, resources)
        if not regions:
            continue
        say = f"DynamoDB table '{table.name}'"
        home = region_of(table)
        for region in sorted(set(regions)):
            if regions.count(region) > 1:
                yield table.urn, f"{say} has {regions.count(region)} replicas in {region}."
            if home and (problem := g.secondary_region_problem(home, region)):
                yield table.urn, f"{say}: replica region {problem}."
        enabled, view = prop(table.props, "streamEnabled"), prop(table.props, "streamViewType")
        if enabled is False or (
            known_str(view) and view != g.GLOBAL_TABLES_STREAM_VIEW and enabled is not None
        ):
            yield (
                table.urn,
                f"{say} has replicas but its stream is {'off' if enabled is False else view}: global"
                f" tables replicate from a {g.GLOBAL_TABLES_STREAM_VIEW} stream.",
            )
        if prop(table.props, "billingMode") == "PROVISIONED" and not _write_autoscaled(
            table, targets
        ):
            yield (
                table.urn,
                f"{say} is provisioned with replicas and its write capacity is not auto scaled"
                " (AWS: 'Table write capacity should either be Pay-Per-Request or AutoScaled').",
            )


def global_database(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    """The global cluster's engine version, and each member cluster's in its region, offer
    Aurora Global Database; no member backtracks."""
    if r.type == CLUSTER and r.get("globalClusterIdentifier") in (None, ""):
        return
    engine, version = known_str(r.get("engine")), known_str(r.get("engineVersion"))
    region = known_str(r.get("region")) or r.region
    if engine and version and (problem := g.global_database_problem(engine, version, region)):
        yield f"'{r.name}': {problem}."
    window = as_number(r.get("backtrackWindow"))
    if r.type == CLUSTER and window:
        yield (
            f"Aurora cluster '{r.name}' is in a global database and backtracks"
            f" ({window:g} s): Aurora Global Database does not support backtrack."
        )


def backups_replication(r: Resource, _c: Mapping[str, Any]) -> Iterator[str]:
    """The destination (the resource's region) is another region of the source's partition."""
    source = known_str(r.get("sourceDbInstanceArn"))
    source_region = g.region_from_arn(source or "")
    region = known_str(r.get("region")) or r.region
    if source_region and region and (problem := g.secondary_region_problem(source_region, region)):
        yield f"Cross-region automated backups '{r.name}': destination {problem}."


RULES: list[Rule] = [
    Rule(
        relation_meta(
            "deploy-key-region",
            "Every resource is encrypted with a KMS key of its own region (a table replica with"
            " one of the replica's region).",
            KMS_DOCS,
            ("dbtier:regions", "dbtier:encryption.kmsKeyArn"),
            "use the key of the resource's region: components.regions makes one per"
            " dbtier:regions entry; dbtier:encryption.kmsKeyArn must be in aws:region.",
        ),
        stack_check=keys_in_region,
    ),
    Rule(
        relation_meta(
            "deploy-global-table-replicas",
            "A DynamoDB global table's replicas are each in another region of its partition,"
            " once, and the table has a NEW_AND_OLD_IMAGES stream and on-demand or auto-scaled"
            " write capacity.",
            g.GLOBAL_TABLES_REQS_DOCS,
            ("dbtier:regions", "dbtier:dynamo.tables[].regions"),
            "list each secondary region once in dbtier:regions (not aws:region); keep the"
            " table's stream NEW_AND_OLD_IMAGES and its writes on demand or auto scaled.",
        ),
        stack_check=global_tables,
    ),
    Rule(
        relation_meta(
            "deploy-global-database-version",
            "An Aurora Global Database runs an engine version that supports it in every region"
            " it spans, and none of its clusters backtracks.",
            g.GLOBAL_DATABASE_DOCS,
            ("dbtier:aurora.engineVersion", "dbtier:regions"),
            "choose an Aurora version AWS lists for global databases in every region of"
            " dbtier:regions, and no backtrack.",
            resource_types=(GLOBAL_CLUSTER, CLUSTER),
        ),
        global_database,
    ),
    Rule(
        relation_meta(
            "deploy-cross-region-backups",
            "Cross-region automated backups go to another region of the source's partition.",
            g.CROSS_REGION_BACKUPS_DOCS,
            ("dbtier:regions",),
            "name a secondary region (not aws:region, same partition) for the backups.",
            resource_types=(BACKUPS_REPLICATION,),
        ),
        backups_replication,
    ),
]
