"""Deployability of Lambda code signing: an enforcing code-signing config needs signed code.

AWS accepts a code-signing config and a function on their own; with the config's
UntrustedArtifactOnDeployment set to Enforce, Lambda then refuses to create or update the function
unless its package carries a valid signature of an allowed publisher. An inline zip (`code`) or an
S3 object no Signer job produced has none, so `pulumi up` fails at the function. In Warn mode the
same package deploys and is only counted (SignatureValidationErrors): no error, no check.
https://docs.aws.amazon.com/lambda/latest/dg/configuration-codesigning.html

Like the other relation rules, it reads the engine's dependency graph first (the function's
`s3Key` comes from a SigningJob's signed objects), falls back to a known literal (the key under a
signing job's destination prefix in its bucket), and says nothing when a value is unknown and
nothing links it (it may well be fine).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource

from ._common import Rule, deps_of, is_unknown, prop
from .deploy_relations import FUNCTION, known_str, linked, of_type, relation_meta

CODE_SIGNING_CONFIG = "aws:lambda/codeSigningConfig:CodeSigningConfig"
SIGNING_JOB = "aws:signer/signingJob:SigningJob"
SIGNING_PROFILE = "aws:signer/signingProfile:SigningProfile"
FIXES = (
    "dbtier:dynamo.tables[].streamProcessor.codeSigning",
    "dbtier:dynamo.tables[].streamProcessor.untrustedArtifactPolicy",
)


def _enforcing_config(
    function: PolicyResource, configs: Sequence[PolicyResource]
) -> PolicyResource | None:
    """The function's code-signing config when its policy is known to be Enforce (AWS's default
    when `policies` is absent is Warn)."""
    for config in linked(function, "codeSigningConfigArn", configs, "arn"):
        action = prop(config.props, "policies", "untrustedArtifactOnDeployment")
        if not is_unknown(action) and action == "Enforce":
            return config
    return None


def _signing_jobs_of(
    function: PolicyResource, jobs: Sequence[PolicyResource]
) -> list[PolicyResource]:
    """The signing jobs whose signed object the function is deployed from: through `s3Key`'s
    dependencies, else by its literal key under a job's destination prefix (and bucket)."""
    job_urns = {j.urn for j in jobs}
    found = [d for d in deps_of(function, "s3Key") if d.urn in job_urns]
    if found:
        return [j for j in jobs if j.urn in {d.urn for d in found}]
    key = known_str(prop(function.props, "s3Key"))
    bucket = known_str(prop(function.props, "s3Bucket"))
    if key is None:
        return []
    matches = []
    for job in jobs:
        prefix = known_str(prop(job.props, "destination", "s3", "prefix")) or ""
        into = known_str(prop(job.props, "destination", "s3", "bucket"))
        if key.startswith(prefix) and (bucket is None or into is None or bucket == into):
            matches.append(job)
    return matches


def _profiles(
    resource: PolicyResource, key: str, profiles: Sequence[PolicyResource]
) -> set[str] | None:
    """The plan's signing profiles `resource`'s input `key` refers to (by dependency); None when
    it names none of them (external or literal: not knowable here)."""
    urns = {p.urn for p in profiles}
    found = {d.urn for d in deps_of(resource, key) if d.urn in urns}
    return found or None


def signed_code(
    resources: Sequence[PolicyResource], _c: Mapping[str, Any]
) -> Iterator[tuple[str, str]]:
    """A function under an enforcing code-signing config is deployed from a signed S3 object,
    signed by a profile the config allows."""
    configs = of_type(resources, CODE_SIGNING_CONFIG)
    jobs = of_type(resources, SIGNING_JOB)
    profiles = of_type(resources, SIGNING_PROFILE)
    for function in of_type(resources, FUNCTION):
        config = _enforcing_config(function, configs)
        if config is None or prop(function.props, "packageType") == "Image":
            continue
        where = (
            f"Function '{function.name}' has code-signing config '{config.name}' in Enforce mode"
        )
        # Read `code` directly: prop() unwraps the engine's envelopes, and an archive is one.
        if function.props.get("code") is not None and prop(function.props, "s3Key") is None:
            yield (
                function.urn,
                f"{where} but is deployed from an inline zip that no signing job signed: Lambda"
                " refuses the deployment. Upload the zip to S3, sign it with a Signer signing"
                " job and deploy from the job's signed object (dbtier does this with"
                " streamProcessor.codeSigning).",
            )
            continue
        key = prop(function.props, "s3Key")
        signed_by = _signing_jobs_of(function, jobs)
        if not signed_by:
            linked_elsewhere = any(True for _ in deps_of(function, "s3Key"))
            if known_str(key) is None and not linked_elsewhere:
                continue  # unknown and unlinked: cannot tell
            yield (
                function.urn,
                f"{where} but its S3 object ({known_str(key) or 'from ' + function.name + '.s3Key'})"
                " is not the output of a Signer signing job: Lambda refuses unsigned code. Deploy"
                " from the signing job's signed object (signedObjects[0].s3s[0].bucket/key).",
            )
            continue
        allowed = _profiles(config, "allowedPublishers", profiles)
        for job in signed_by:
            used = _profiles(job, "profileName", profiles)
            if allowed is not None and used is not None and not used & allowed:
                yield (
                    function.urn,
                    f"{where} but its code is signed by signing job '{job.name}' with a profile"
                    f" the config does not list as an allowed publisher: Lambda refuses the"
                    " signature. Name the job's profile version in allowedPublishers.",
                )


RULES: list[Rule] = [
    Rule(
        relation_meta(
            "deploy-lambda-signed-code",
            "A function whose code-signing config enforces signatures is deployed from an S3"
            " object a Signer signing job signed, with a profile the config allows.",
            "https://docs.aws.amazon.com/lambda/latest/dg/configuration-codesigning.html",
            FIXES,
            "deploy the function from the signing job's signed object (DynamoTable does with"
            " dbtier:dynamo.tables[].streamProcessor.codeSigning), or set untrustedArtifactPolicy"
            " Warn to accept unsigned code knowingly.",
        ),
        stack_check=signed_code,
    ),
]
