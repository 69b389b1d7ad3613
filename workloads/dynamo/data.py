"""The seed's UserProfiles generator, made deterministic, plus its DynamoDB JSON form.

User ``i`` depends only on ``(seed, i)``, never on the clock or on the users before it, so a
population can be generated in any order or chunk, written twice with the same result, and
re-created in memory by a test to check every query against.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

DEPARTMENTS = ("Engineering", "Marketing", "Sales", "HR", "Finance")
FIRST_NAMES = ("John", "Jane", "Bob", "Alice", "Charlie", "Diana", "Eve", "Frank")
LAST_NAMES = ("Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis")
SKILLS = ("Python", "Java", "JavaScript", "AWS", "Docker", "Kubernetes")
# The seed dates users relative to "now"; a fixed reference keeps runs reproducible.
REFERENCE_TIME = datetime(2026, 1, 1, tzinfo=UTC)
HIGH_SALARY = 100_000


@dataclass(frozen=True)
class User:
    """One generated user profile (the seed's attributes)."""

    user_id: str
    email: str
    first_name: str
    last_name: str
    department: str
    salary: int
    is_active: bool
    skills: tuple[str, ...]
    created_at: str
    last_login: str

    def item(self) -> dict[str, Any]:
        """The item as plain Python values (what the boto3 resource API and the model use)."""
        return {
            "userId": self.user_id,
            "email": self.email,
            "firstName": self.first_name,
            "lastName": self.last_name,
            "department": self.department,
            "salary": self.salary,
            "isActive": self.is_active,
            "skills": list(self.skills),
            "createdAt": self.created_at,
            "lastLogin": self.last_login,
        }

    def ddb_item(self) -> dict[str, Any]:
        """The item in DynamoDB JSON, built directly (TypeSerializer is slower per item)."""
        return {
            "userId": {"S": self.user_id},
            "email": {"S": self.email},
            "firstName": {"S": self.first_name},
            "lastName": {"S": self.last_name},
            "department": {"S": self.department},
            "salary": {"N": str(self.salary)},
            "isActive": {"BOOL": self.is_active},
            "skills": {"L": [{"S": s} for s in self.skills]},
            "createdAt": {"S": self.created_at},
            "lastLogin": {"S": self.last_login},
        }


def user_id(index: int) -> str:
    """The key of user ``index`` (the seed's ``user_0001`` form)."""
    return f"user_{index:04d}"


def generate_user(seed: int, index: int) -> User:
    """User ``index`` (1-based) of the population for ``seed``."""
    # A string seed hashes deterministically (sha512), unlike tuples of ints under PYTHONHASHSEED.
    rng = random.Random(f"{seed}:{index}")
    first = rng.choice(FIRST_NAMES)
    last = rng.choice(LAST_NAMES)
    created = REFERENCE_TIME - timedelta(days=rng.randint(1, 365), seconds=rng.randrange(86_400))
    last_login = REFERENCE_TIME - timedelta(days=rng.randint(1, 30), seconds=rng.randrange(86_400))
    return User(
        user_id=user_id(index),
        email=f"{first.lower()}.{last.lower()}@company.com",
        first_name=first,
        last_name=last,
        department=rng.choice(DEPARTMENTS),
        salary=rng.randint(50_000, 150_000),
        is_active=rng.random() < 0.5,
        skills=tuple(rng.sample(SKILLS, rng.randint(2, 4))),
        created_at=created.isoformat(),
        last_login=last_login.isoformat(),
    )


def generate_users(seed: int, count: int, start: int = 1) -> Iterator[User]:
    """Users ``start`` .. ``start + count - 1``, lazily."""
    for index in range(start, start + count):
        yield generate_user(seed, index)
