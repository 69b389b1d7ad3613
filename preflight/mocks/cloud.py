"""The dispatcher: the Pulumi mocks that send each call and each new resource to the answer of
its service."""

from __future__ import annotations

import pulumi

from preflight.mocks.account import Account, Builder, ident
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
    """Answers resource registrations and provider calls the way AWS and pulumi-random would."""

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list[tuple[str, str]]]:
        return function_result(self, args), []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict]:
        inputs = dict(args.inputs)
        builder = BUILDERS.get(args.typ)
        if builder is None:
            return f"{ident(args.name)}", {**inputs, "arn": self._generic_arn(args.typ, args.name)}
        resource_id, outputs = builder(self, args.name, inputs)
        return resource_id, {**inputs, **outputs}

    def _generic_arn(self, typ: str, name: str) -> str:
        # "aws:sqs/queue:Queue" -> service "sqs", resource "queue/<name>"
        module = typ.split(":")[1].split("/", maxsplit=1)[0] if typ.startswith("aws:") else "pulumi"
        kind = typ.rsplit(":", 1)[-1].lower()
        return self.arn(module, f"{kind}/{ident(name)}")
