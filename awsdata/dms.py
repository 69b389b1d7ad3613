"""What DMS offers: replication instance classes and replication engine versions.

Not in cfn-lint; both tables are our own, copied from AWS's pages:

- classes: https://docs.aws.amazon.com/dms/latest/userguide/CHAP_ReplicationInstance.Types.html
  ("AWS DMS currently supports the T2, T3, C4, C5, C6i, R4, R5 and R6i ... instance classes");
- engine versions and when each stops creating instances:
  https://docs.aws.amazon.com/dms/latest/userguide/CHAP_ReleaseNotes.html
"""

from __future__ import annotations

from datetime import date

from ._cfnlint import shorten

DMS_CLASS_DOCS = (
    "https://docs.aws.amazon.com/dms/latest/userguide/CHAP_ReplicationInstance.Types.html"
)
_DMS_SIZES: dict[str, tuple[str, ...]] = {
    "t2": ("micro", "small", "medium", "large"),
    "t3": ("micro", "small", "medium", "large"),
    "c4": ("large", "xlarge", "2xlarge", "4xlarge"),
    "c5": ("large", "xlarge", "2xlarge", "4xlarge", "9xlarge", "12xlarge", "18xlarge", "24xlarge"),
    "c6i": (
        *("large", "xlarge", "2xlarge", "4xlarge", "8xlarge"),
        *("12xlarge", "16xlarge", "24xlarge", "32xlarge"),
    ),
    "r4": ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge"),
    "r5": ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge"),
    "r6i": (
        *("large", "xlarge", "2xlarge", "4xlarge", "8xlarge"),
        *("12xlarge", "16xlarge", "24xlarge", "32xlarge"),
    ),
}
DMS_CLASSES: frozenset[str] = frozenset(
    f"dms.{family}.{size}" for family, sizes in _DMS_SIZES.items() for size in sizes
)

# Replication engine versions and the date after which DMS creates no new instance with them
# (None: not announced).
DMS_VERSION_DOCS = "https://docs.aws.amazon.com/dms/latest/userguide/CHAP_ReleaseNotes.html"
DMS_VERSIONS: dict[str, date | None] = {
    "3.6.1": None,
    "3.6.0": date(2026, 4, 27),
    "3.5.4": date(2027, 1, 31),
    "3.5.3": date(2026, 2, 28),
    "3.5.2": date(2025, 3, 30),
    "3.5.1": date(2024, 11, 30),
    "3.4.7": date(2024, 9, 30),
}


def dms_class_problem(instance_class: str) -> str | None:
    """Why ``instance_class`` is not a DMS replication instance class, or None."""
    if instance_class in DMS_CLASSES:
        return None
    family = instance_class.rsplit(".", 1)[0] + "."
    same = sorted(c for c in DMS_CLASSES if c.startswith(family))
    return (
        f"{instance_class} is not a DMS replication instance class"
        f" (offered: {shorten(same or sorted(DMS_CLASSES), 6)})"
    )


def dms_version_problem(version: str, today: date | None = None) -> str | None:
    """Why DMS would not create a replication instance at ``version`` on ``today``, or None."""
    today = today or date.today()
    creatable = [v for v, ends in DMS_VERSIONS.items() if ends is None or today <= ends]
    if version in creatable:
        return None
    if version in DMS_VERSIONS:
        return (
            f"DMS {version} no longer creates new instances since {DMS_VERSIONS[version]}"
            f" (offered: {', '.join(creatable)})"
        )
    return f"DMS {version} is not a DMS engine version (offered: {', '.join(creatable)})"
