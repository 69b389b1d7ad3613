"""The plan as Terraform plan JSON (``terraform show -json`` format 1.2) for checkov, trivy and OPA.

- ``schema``: what each Pulumi type and input is called in Terraform (the type table, and the
  attribute names and shapes read from the installed SDK).
- ``convert``: the conversion of a plan (``to_tfplan``, ``render_tfplan``), which
  ``python -m preflight --format tfplan`` prints.
- ``waivers``: the check of checkov's findings against ``policy/checkov-waivers.yaml``, run as
  ``python -m preflight.tfplan waivers``.
"""

from preflight.tfplan.convert import MASK, render_tfplan, to_tfplan
from preflight.tfplan.schema import PROVIDERS, TERRAFORM_TYPES, is_exported, terraform_type

__all__ = [
    "MASK",
    "PROVIDERS",
    "TERRAFORM_TYPES",
    "is_exported",
    "render_tfplan",
    "terraform_type",
    "to_tfplan",
]
