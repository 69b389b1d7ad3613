"""The shared fake cloud (preflight/mocks/): one answer per resource type, in AWS's shapes."""

from __future__ import annotations

import re
from types import SimpleNamespace

from preflight.mocks import (
    DbtierMocks,
    cloud,
    dms,
    dynamodb,
    elasticache,
    monitoring,
    network,
    random_provider,
    rds,
    redshift,
    security,
    serverless,
    storage,
)

SERVICES = (
    dms,
    dynamodb,
    elasticache,
    monitoring,
    network,
    random_provider,
    rds,
    redshift,
    security,
    serverless,
    storage,
)


def _new(mocks: DbtierMocks, typ: str, name: str, **inputs: object) -> tuple[str | None, dict]:
    args = SimpleNamespace(typ=typ, name=name, inputs=inputs, provider=None, resource_id=None)
    return mocks.new_resource(args)  # type: ignore[arg-type]


def test_every_type_is_answered_by_one_service_module() -> None:
    listed = [typ for service in SERVICES for typ in service.BUILDERS]
    assert sorted(t for t in set(listed) if listed.count(t) > 1) == []
    assert set(cloud.BUILDERS) == set(listed)


def test_a_managed_master_password_gets_an_rds_managed_secret_in_the_stack_region() -> None:
    _, out = _new(
        DbtierMocks("eu-west-3"), "aws:rds/instance:Instance", "db", manageMasterUserPassword=True
    )
    (secret,) = out["masterUserSecrets"]
    assert re.fullmatch(
        r"arn:aws:secretsmanager:eu-west-3:123456789012:secret:rds!db-"
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-[0-9a-f]{6}",
        secret["secretArn"],
    )
    assert out["address"].endswith(".eu-west-3.rds.amazonaws.com") and out["port"] == 3306


def test_a_type_without_an_answer_gets_an_id_and_arn_from_its_name() -> None:
    resource_id, out = _new(DbtierMocks(), "aws:sqs/queuePolicy:QueuePolicy", "dlq-policy", a=1)
    assert resource_id is not None and resource_id.startswith("dlq-policy-")
    assert out == {"a": 1, "arn": f"arn:aws:sqs:us-east-1:123456789012:queuepolicy/{resource_id}"}
