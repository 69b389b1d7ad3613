"""The one fake cloud: Pulumi mocks that answer like AWS, shared by the preflight and the tests.

Every resource gets what the real provider would compute: ids in AWS's shapes, ARNs in the
stack's region and a fixed account, endpoints and ports per engine, and random results that
obey the RandomPassword/RandomId inputs. Values are derived from the resource name, so two runs
of the same stack give the same plan.

- ``account``: the fixed account, its default VPC, ARNs and the names derived from a resource's.
- ``lookups``: the provider functions (data sources).
- one module per service family (``network``, ``security``, ``rds``, ``redshift``,
  ``elasticache``, ``dynamodb``, ``dms``, ``serverless``, ``storage``, ``monitoring``,
  ``random_provider``), each with the ``BUILDERS`` of its resource types.
- ``cloud``: ``DbtierMocks``, which sends each call and resource to its answer.
"""

from preflight.mocks.account import (
    ACCOUNT_ID,
    DEFAULT_REGION,
    DEFAULT_SUBNETS,
    DEFAULT_VPC_CIDR,
    DEFAULT_VPC_ID,
    ident,
)
from preflight.mocks.cloud import DbtierMocks
from preflight.mocks.random_provider import random_password

# The names tests have imported these helpers by since the mocks were one module.
_ident = ident
_random_password = random_password

__all__ = [
    "ACCOUNT_ID",
    "DEFAULT_REGION",
    "DEFAULT_SUBNETS",
    "DEFAULT_VPC_CIDR",
    "DEFAULT_VPC_ID",
    "DbtierMocks",
    "ident",
    "random_password",
]
