"""Field types shared by the travel contracts, plus the money and id helpers.

Money is integer cents (``Cents``), never a float: JSON ``12900`` means EUR 129.00. Numbers
are strict, so the string ``"3"`` is refused rather than coerced. Dates are ISO
``YYYY-MM-DD`` strings whose pattern admits real calendar dates only (29 February is left
out, so every string the pattern accepts parses), which keeps the JSON Schema exact for the
contract tests that draw payloads from it.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Annotated, Final

from pydantic import Field, StrictInt, StrictStr

MAX_CENTS: Final = 10**10
"""Upper bound on any amount in cents (EUR 100 million)."""

Cents = Annotated[StrictInt, Field(ge=0, le=MAX_CENTS)]
"""A non-negative amount of money in integer cents."""

PositiveCents = Annotated[StrictInt, Field(gt=0, le=MAX_CENTS)]
"""A strictly positive amount of money in integer cents."""

MAX_PRICE_CENTS: Final = 10**8
"""Upper bound on the price of one booking (EUR 1 million), so a trip's total of at most
six bookings stays far below ``MAX_CENTS``."""

Price = Annotated[StrictInt, Field(gt=0, le=MAX_PRICE_CENTS)]
"""The price of one booking in integer cents: positive, at most ``MAX_PRICE_CENTS``."""

Id = Annotated[StrictStr, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
"""An identifier: 1 to 64 letters, digits or ``_.:-``."""

Airport = Annotated[StrictStr, Field(pattern=r"^[A-Z]{3}$")]
"""An IATA airport code such as ``LIS``."""

City = Annotated[StrictStr, Field(min_length=1, max_length=40, pattern=r"^[A-Z][A-Za-z -]*$")]
"""A city name, capitalised (``Paris``, ``San Sebastian``)."""

Email = Annotated[
    StrictStr,
    Field(
        min_length=3, max_length=254, pattern=r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$"
    ),
]
"""An e-mail address (a plain shape check)."""

IsoDate = Annotated[
    StrictStr,
    Field(
        pattern=(
            r"^20[0-9]{2}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])"
            r"|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)$"
        ),
        examples=["2026-03-02"],
    ),
]
"""A calendar date ``YYYY-MM-DD`` (years 2000-2099, no 29 February)."""

Party = Annotated[StrictInt, Field(ge=1, le=9)]
"""How many people travel together (1 to 9, the most one booking holds)."""

Nights = Annotated[StrictInt, Field(ge=1, le=30)]
"""Nights in one hotel (1 to 30)."""


def parse_date(value: str) -> date:
    """The ``date`` an ``IsoDate`` string names."""
    return date.fromisoformat(value)


def format_cents(cents: int) -> str:
    """Integer cents as euros, exactly: ``format_cents(123456) == "EUR 1,234.56"``."""
    whole, rest = divmod(cents, 100)
    return f"EUR {whole:,}.{rest:02d}"


def derived_id(prefix: str, *parts: str) -> str:
    """A stable id derived from what the caller holds, so a retry finds the same record.

    The parts are length-prefixed before hashing, so ``("ab", "c")`` and ``("a", "bc")``
    give different ids.
    """
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode()
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return f"{prefix}-{digest.hexdigest()[:20]}"


__all__ = [
    "MAX_CENTS",
    "MAX_PRICE_CENTS",
    "Airport",
    "Cents",
    "City",
    "Email",
    "Id",
    "IsoDate",
    "Nights",
    "Party",
    "PositiveCents",
    "Price",
    "derived_id",
    "format_cents",
    "parse_date",
]
