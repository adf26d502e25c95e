"""Field types shared by the service contracts, plus the money and id helpers.

Money is always integer cents (``Cents``), never a binary float: JSON ``1234`` means $12.34.
Numeric fields are strict, so the string ``"12"`` is refused rather than coerced, and so is
``true``. Ids are non-empty strings of at most 128 characters.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Final

from pydantic import Field, StrictInt, StrictStr

MAX_CENTS: Final = 10**12
"""Upper bound on any amount in cents ($10 billion): keeps totals far inside DynamoDB's
38-digit numbers and JavaScript's exact integers."""

Cents = Annotated[StrictInt, Field(ge=0, le=MAX_CENTS)]
"""A non-negative amount of money in integer cents."""

PositiveCents = Annotated[StrictInt, Field(gt=0, le=MAX_CENTS)]
"""A strictly positive amount of money in integer cents."""

Id = Annotated[StrictStr, Field(min_length=1, max_length=128)]
"""An identifier: a non-empty string."""

CreditScore = Annotated[StrictInt, Field(ge=300, le=850)]
"""A FICO-style credit score."""

Email = Annotated[
    StrictStr,
    Field(
        min_length=3, max_length=254, pattern=r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$"
    ),
]
"""An e-mail address (a deliberately plain shape check; delivery is the mailer's job)."""


def format_cents(cents: int) -> str:
    """Format integer cents as dollars, exactly: ``format_cents(123456) == "$1,234.56"``."""
    sign = "-" if cents < 0 else ""
    dollars, rest = divmod(abs(cents), 100)
    return f"{sign}${dollars:,}.{rest:02d}"


def derived_id(prefix: str, *parts: str) -> str:
    """A stable id derived from the key the caller holds (so retries find the same record).

    ``derived_id("txn", key)`` is ``"txn-"`` plus 24 hex digits of SHA-256 over the parts;
    the parts are length-prefixed so ``("ab", "c")`` and ``("a", "bc")`` differ.
    """
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode()
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return f"{prefix}-{digest.hexdigest()[:24]}"


__all__ = [
    "MAX_CENTS",
    "Cents",
    "CreditScore",
    "Email",
    "Id",
    "PositiveCents",
    "derived_id",
    "format_cents",
]
