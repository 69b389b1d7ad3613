"""The dispatcher: the Pulumi mocks that send each call and each new resource to the answer of
its service."""

from __future__ import annotations

import pulumi

from preflight.mocks.account import DEFAULT_REGION, Account, Builder, ident
from preflight.mocks.dms import BUILDERS as DMS
from preflight.mocks.dynamodb import BUILDERS as DYNAMODB
from preflight.mocks.elasticache import BUILDERS as ELASTICACHE
from preflight.mocks.lookups import function_result
from preflight.mocks.monitoring import BUILDERS as MONITORING
from preflight.mocks.network import BUILDERS as NETWORK
from preflight.mocks.random_provider import BUILDERS as RANDOM_PROVIDER
from preflight.mocks.rds import BUILDERS as RDS
from preflight.mocks.redshift import BUILDERS as REDSHIFT
from preflight.mocks.security import BUILDERS as SECURITY
from preflight.mocks.serverless import BUILDERS as SERVERLESS
from preflight.mocks.storage import BUILDERS as STORAGE

BUILDERS: dict[str, Builder] = {
    **RANDOM_PROVIDER,
    **NETWORK,
    **SECURITY,
    **RDS,
    **REDSHIFT,
    **ELASTICACHE,
    **DYNAMODB,
    **DMS,
    **SERVERLESS,
    **STORAGE,
    **MONITORING,
}
"""Pulumi type -> what the provider computes for a new resource of it; any other type gets an id
and an ARN from its name."""


class DbtierMocks(Account, pulumi.runtime.Mocks):
    """Answers resource registrations and provider calls the way AWS and pulumi-random would.

    The account's region is the stack's (`aws:region`); a resource or call whose AWS provider
    names another region (a secondary region's provider) is answered from that region: its
    ARNs, endpoints and zones carry it, as AWS's would.
    """

    def __init__(self, region: str = DEFAULT_REGION) -> None:
        super().__init__(region)
        # An AWS provider's id (what new_resource answered) -> the region it deploys to.
        self._provider_regions: dict[str, str] = {}

    def where(self, provider: str | None) -> Account:
        """The account as seen through the provider reference `provider` (`urn::id`)."""
        region = self._provider_regions.get((provider or "").rsplit("::", 1)[-1])
        return self if region in (None, self.region) else Account(region)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list[tuple[str, str]]]:
        return function_result(self.where(args.provider), args), []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict]:
        inputs = dict(args.inputs)
        m = self.where(args.provider)
        builder = BUILDERS.get(args.typ)
        if builder is None:
            resource_id = ident(args.name)
            if args.typ == "pulumi:providers:aws" and isinstance(inputs.get("region"), str):
                self._provider_regions[resource_id] = inputs["region"]
            return resource_id, {**inputs, "arn": _generic_arn(m, args.typ, args.name)}
        resource_id, outputs = builder(m, args.name, inputs)
        return resource_id, {**inputs, **outputs}


def _generic_arn(m: Account, typ: str, name: str) -> str:
    # "aws:sqs/queue:Queue" -> service "sqs", resource "queue/<name>"
    module = typ.split(":")[1].split("/", maxsplit=1)[0] if typ.startswith("aws:") else "pulumi"
    kind = typ.rsplit(":", 1)[-1].lower()
    return m.arn(module, f"{kind}/{ident(name)}")
