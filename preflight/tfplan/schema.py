"""What a Pulumi resource is called in Terraform: its type, and each input's attribute name and shape.

pulumi-aws and pulumi-random are bridged Terraform providers: a Pulumi resource's inputs are the
Terraform resource's arguments under Pulumi's names. This module holds that naming, so the
conversion (``preflight.tfplan.convert``) can undo it:

- Types: ``TERRAFORM_TYPES`` maps every Pulumi type dbtier plans to its Terraform type (the bridge's
  own names are not in the Python SDK, so this is a table, and a test checks that every type of
  the dev and prod plans is in it). An unlisted type gets ``unlisted_type()``'s guess, the bridge's
  default rule ``<provider>_<module>_<snake_name>``.
- Attributes, from the installed Python SDK's input types (``<Name>Args``: each property's Pulumi
  name, and whether it is a map, one nested block or a list of blocks): camelCase becomes the
  provider's snake_case, and a list of blocks Pulumi named in the plural gets its Terraform
  singular name back (``globalSecondaryIndexes`` -> ``global_secondary_index``).
"""

from __future__ import annotations

import functools
import importlib
import re
from dataclasses import dataclass

from preflight.plan import PlannedResource

PROVIDERS = {
    "aws": "registry.terraform.io/hashicorp/aws",
    "random": "registry.terraform.io/hashicorp/random",
}
"""The providers whose resources are Terraform resources, by Pulumi package."""

TERRAFORM_TYPES: dict[str, str] = {
    "aws:cloudwatch/dashboard:Dashboard": "aws_cloudwatch_dashboard",
    "aws:cloudwatch/logGroup:LogGroup": "aws_cloudwatch_log_group",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "aws_cloudwatch_metric_alarm",
    "aws:backup/plan:Plan": "aws_backup_plan",
    "aws:backup/restoreTestingPlan:RestoreTestingPlan": "aws_backup_restore_testing_plan",
    "aws:backup/restoreTestingSelection:RestoreTestingSelection": (
        "aws_backup_restore_testing_selection"
    ),
    "aws:backup/selection:Selection": "aws_backup_selection",
    "aws:backup/vault:Vault": "aws_backup_vault",
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration": "aws_backup_vault_lock_configuration",
    "aws:backup/vaultNotifications:VaultNotifications": "aws_backup_vault_notifications",
    "aws:dms/endpoint:Endpoint": "aws_dms_endpoint",
    "aws:dms/replicationInstance:ReplicationInstance": "aws_dms_replication_instance",
    "aws:dms/replicationSubnetGroup:ReplicationSubnetGroup": "aws_dms_replication_subnet_group",
    "aws:dms/replicationTask:ReplicationTask": "aws_dms_replication_task",
    "aws:dynamodb/table:Table": "aws_dynamodb_table",
    "aws:ec2/securityGroup:SecurityGroup": "aws_security_group",
    "aws:ec2/securityGroupRule:SecurityGroupRule": "aws_security_group_rule",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "aws_vpc_endpoint",
    "aws:elasticache/parameterGroup:ParameterGroup": "aws_elasticache_parameter_group",
    "aws:elasticache/replicationGroup:ReplicationGroup": "aws_elasticache_replication_group",
    "aws:elasticache/subnetGroup:SubnetGroup": "aws_elasticache_subnet_group",
    "aws:iam/policy:Policy": "aws_iam_policy",
    "aws:iam/role:Role": "aws_iam_role",
    "aws:iam/rolePolicy:RolePolicy": "aws_iam_role_policy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "aws_iam_role_policy_attachment",
    "aws:kms/alias:Alias": "aws_kms_alias",
    "aws:kms/key:Key": "aws_kms_key",
    "aws:lambda/codeSigningConfig:CodeSigningConfig": "aws_lambda_code_signing_config",
    "aws:lambda/eventSourceMapping:EventSourceMapping": "aws_lambda_event_source_mapping",
    "aws:lambda/function:Function": "aws_lambda_function",
    "aws:lambda/permission:Permission": "aws_lambda_permission",
    "aws:rds/cluster:Cluster": "aws_rds_cluster",
    "aws:rds/clusterInstance:ClusterInstance": "aws_rds_cluster_instance",
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": "aws_rds_cluster_parameter_group",
    "aws:rds/instance:Instance": "aws_db_instance",
    "aws:rds/optionGroup:OptionGroup": "aws_db_option_group",
    "aws:rds/parameterGroup:ParameterGroup": "aws_db_parameter_group",
    "aws:rds/subnetGroup:SubnetGroup": "aws_db_subnet_group",
    "aws:redshift/cluster:Cluster": "aws_redshift_cluster",
    "aws:redshift/logging:Logging": "aws_redshift_logging",
    "aws:redshift/parameterGroup:ParameterGroup": "aws_redshift_parameter_group",
    "aws:redshift/subnetGroup:SubnetGroup": "aws_redshift_subnet_group",
    "aws:s3/bucketV2:BucketV2": "aws_s3_bucket",
    "aws:s3/bucket:Bucket": "aws_s3_bucket",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": (
        "aws_s3_bucket_lifecycle_configuration"
    ),
    "aws:s3/bucketObjectv2:BucketObjectv2": "aws_s3_object",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "aws_s3_bucket_ownership_controls",
    "aws:s3/bucketPolicy:BucketPolicy": "aws_s3_bucket_policy",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "aws_s3_bucket_public_access_block",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        "aws_s3_bucket_server_side_encryption_configuration"
    ),
    "aws:s3/bucketVersioning:BucketVersioning": "aws_s3_bucket_versioning",
    "aws:secretsmanager/secret:Secret": "aws_secretsmanager_secret",
    "aws:secretsmanager/secretRotation:SecretRotation": "aws_secretsmanager_secret_rotation",
    "aws:secretsmanager/secretVersion:SecretVersion": "aws_secretsmanager_secret_version",
    "aws:redshiftserverless/namespace:Namespace": "aws_redshiftserverless_namespace",
    "aws:redshiftserverless/workgroup:Workgroup": "aws_redshiftserverless_workgroup",
    "aws:serverlessrepository/cloudFormationStack:CloudFormationStack": (
        "aws_serverlessapplicationrepository_cloudformation_stack"
    ),
    "aws:signer/signingJob:SigningJob": "aws_signer_signing_job",
    "aws:signer/signingProfile:SigningProfile": "aws_signer_signing_profile",
    "aws:sns/topic:Topic": "aws_sns_topic",
    "aws:sns/topicPolicy:TopicPolicy": "aws_sns_topic_policy",
    "aws:sns/topicSubscription:TopicSubscription": "aws_sns_topic_subscription",
    "aws:sqs/queue:Queue": "aws_sqs_queue",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": (
        "aws_vpc_security_group_egress_rule"
    ),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (
        "aws_vpc_security_group_ingress_rule"
    ),
    "random:index/randomId:RandomId": "random_id",
    "random:index/randomPassword:RandomPassword": "random_password",
    "random:index/randomString:RandomString": "random_string",
}
"""Pulumi type -> Terraform type, as the bridge names them (pulumi-aws 7.x, pulumi-random 4.x)."""

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_ARGS_REF = re.compile(r"ForwardRef\('(\w+Args)'\)")


def snake(name: str) -> str:
    """The engine's camelCase as the provider's snake_case: ``kmsKeyId`` -> ``kms_key_id``."""
    return _CAMEL.sub("_", name).lower()


# Block lists whose Terraform name is already plural (the bridge keeps it): aws_db_option_group's
# `option { option_settings { ... } }`.
PLURAL_BLOCKS = frozenset({"option_settings"})


def singular(name: str) -> str:
    """The Terraform name of a block list Pulumi named in the plural."""
    if name in PLURAL_BLOCKS:
        return name
    if name.endswith("ies"):
        return name[:-3] + "y"
    if name.endswith(("xes", "sses", "ches", "shes")):
        return name[:-2]
    if name.endswith("s") and not name.endswith("ss"):
        return name[:-1]
    return name


def unlisted_type(token: str) -> str:
    """The bridge's default naming, for a type not in TERRAFORM_TYPES."""
    package, module, name = _split(token)
    module = module.split("/")[0]
    parts = [package] + ([] if module == "index" else [snake(module)]) + [snake(name)]
    return "_".join(parts)


def terraform_type(token: str) -> str:
    return TERRAFORM_TYPES.get(token) or unlisted_type(token)


def is_exported(resource: PlannedResource) -> bool:
    """A provider's resource (not a component, a provider or the stack)."""
    package = resource.type.split(":", 1)[0]
    return resource.custom and package in PROVIDERS and not resource.type.startswith("pulumi:")


def _split(token: str) -> tuple[str, str, str]:
    package, module, name = token.split(":", 2)
    return package, module, name


# ---------------------------------------------------------------------------------------------
# Attribute schema, from the installed SDK's input types
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One input as a Terraform attribute: its name, its shape and a block's own input type."""

    tf_name: str
    kind: str  # "scalar", "map", "block" (one, MaxItems 1) or "blocks" (a list)
    nested: type | None = None


@functools.cache
def args_class(token: str) -> type | None:
    """The SDK's input type of resource type `token` (``<Name>Args``); None if there is none."""
    package, module, name = _split(token)
    module = module.split("/")[0]
    path = f"pulumi_{package}" if module == "index" else f"pulumi_{package}.{module}"
    for candidate in (path, path + "_"):  # `lambda` is `lambda_` in Python
        try:
            loaded = importlib.import_module(candidate)
        except ImportError:
            continue
        # When a nested block type already has the name `<Name>Args` (pulumi_aws.s3's
        # BucketVersioningArgs is the legacy Bucket's `versioning` block), the SDK names the
        # resource's own arguments `<Name>InitArgs`.
        for cls in (getattr(loaded, f"{name}InitArgs", None), getattr(loaded, f"{name}Args", None)):
            if isinstance(cls, type):
                return cls
    return None


@functools.cache
def fields_of(cls: type) -> dict[str, Field]:
    """Pulumi name -> Field for every property of an input type."""
    module = importlib.import_module(cls.__module__)
    fields: dict[str, Field] = {}
    for py_name, prop in vars(cls).items():
        if not isinstance(prop, property) or prop.fget is None:
            continue
        pulumi_name = getattr(prop.fget, "_pulumi_name", py_name)
        annotation = repr(prop.fget.__annotations__.get("return", ""))
        ref = _ARGS_REF.search(annotation)
        nested = getattr(module, ref.group(1), None) if ref else None
        if isinstance(nested, type):
            if "Sequence[" in annotation:
                fields[pulumi_name] = Field(singular(py_name), "blocks", nested)
            else:
                fields[pulumi_name] = Field(py_name, "block", nested)
        elif "Mapping[" in annotation:
            fields[pulumi_name] = Field(py_name, "map")
        else:
            fields[pulumi_name] = Field(py_name, "scalar")
    return fields


def field_of(cls: type | None, key: str) -> Field:
    """The attribute of input `key` of input type `cls` (a scalar under its snake_case name if
    the type does not list it)."""
    if cls is not None:
        found = fields_of(cls).get(key)
        if found is not None:
            return found
    return Field(snake(key), "scalar")
