"""Entry point of the dbtier policy pack: ``python -m pulumi.policy <engine-address> .`` runs it."""

from dbtier_policy import _sdk_memo, registry
from pulumi_policy import PolicyPack

_sdk_memo.install_if_requested()
PolicyPack(name=registry.PACK_NAME, description=registry.DESCRIPTION, policies=registry.policies())
