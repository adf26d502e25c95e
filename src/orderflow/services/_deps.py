"""What services depend on, injected: a store, a clock, a random source, failure rates.

The defaults are deterministic: an in-memory store seeded with sample data, a clock that
starts at 2026-01-01T00:00:00Z and steps one second per reading, and ``random.Random(seed)``.
Only the Lambda adapter, at the process boundary, uses the real clock and OS entropy.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import MappingProxyType

from orderflow._errors import ContractError
from orderflow.services._storage import Store

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
"""Where the default clock starts."""

SAMPLE_USERS: tuple[dict[str, object], ...] = (
    {"user_id": "u-100", "email": "ada@example.com", "status": "active", "credit_score": 720},
    {"user_id": "u-200", "email": "bob@example.com", "status": "active", "credit_score": 600},
    {"user_id": "u-300", "email": "cy@example.com", "status": "suspended", "credit_score": 700},
)
"""Users in the default store: a good credit score, a poor one, a suspended account."""

SAMPLE_STOCK: Mapping[str, int] = MappingProxyType(
    {"p-1": 1000, "p-2": 1000, "p-3": 1000, "p-4": 1000, "p-5": 1000, "p-9": 2}
)
"""Units available per product in the default store (``p-9`` is nearly sold out)."""


class FixedClock:
    """A clock that always reads the same timezone-aware instant."""

    def __init__(self, now: datetime = EPOCH) -> None:
        if now.tzinfo is None:
            raise ContractError(
                f"FixedClock needs a timezone-aware datetime, not the naive {now.isoformat()}; "
                "give it a tzinfo (datetime(..., tzinfo=UTC))"
            )
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class SteppingClock:
    """A clock that starts at ``start`` and advances by ``step`` after every reading."""

    def __init__(self, start: datetime = EPOCH, step: timedelta = timedelta(seconds=1)) -> None:
        if start.tzinfo is None:
            raise ContractError(
                "SteppingClock needs a timezone-aware start, not the naive "
                f"{start.isoformat()}; give it a tzinfo (datetime(..., tzinfo=UTC))"
            )
        self._next = start
        self.step = step

    def __call__(self) -> datetime:
        now = self._next
        self._next = now + self.step
        return now


def utc_now() -> datetime:
    """The real clock (used only by the Lambda adapter)."""
    return datetime.now(UTC)


def seed_sample_data(store: Store) -> Store:
    """Write ``SAMPLE_USERS`` and ``SAMPLE_STOCK`` into ``store``; return it."""
    users = store.table("users")
    for user in SAMPLE_USERS:
        users.put(user)
    stock = store.table("stock")
    for product_id, available in SAMPLE_STOCK.items():
        stock.put({"product_id": product_id, "available": available})
    return store


@dataclass(frozen=True)
class ServiceDeps:
    """Everything a service handler may touch besides its request.

    Attributes:
        store: the tables.
        clock: returns the current timezone-aware time.
        rng: the only source of randomness (ids, simulated failures).
        failure_rates: service name -> probability in [0, 1] of a simulated transient
            failure (only ``authorize-payment`` uses one: ``PaymentGatewayTimeout``).

    Raises:
        ContractError: a failure rate is not a number in [0, 1].
    """

    store: Store
    clock: Callable[[], datetime]
    rng: random.Random
    failure_rates: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, rate in self.failure_rates.items():
            # bool is an int, but True as a probability is a mistake, not a rate of 1.
            if isinstance(rate, bool) or not isinstance(rate, int | float):
                raise ContractError(
                    f"failure rate for {name!r} must be a number in [0, 1], not {rate!r}"
                )
            if not 0.0 <= rate <= 1.0:
                raise ContractError(f"failure rate for {name!r} must be in [0, 1], not {rate!r}")

    def failure_rate(self, service: str) -> float:
        """The configured transient-failure probability of ``service`` (0 when unset)."""
        return self.failure_rates.get(service, 0.0)

    @classmethod
    def default(
        cls,
        *,
        seed: int = 0,
        clock: Callable[[], datetime] | None = None,
        failure_rates: Mapping[str, float] | None = None,
    ) -> ServiceDeps:
        """Deterministic deps: seeded in-memory store, stepping clock, ``Random(seed)``."""
        return cls(
            store=seed_sample_data(Store.in_memory()),
            clock=clock if clock is not None else SteppingClock(),
            rng=random.Random(seed),
            failure_rates=dict(failure_rates or {}),
        )


__all__ = [
    "EPOCH",
    "SAMPLE_STOCK",
    "SAMPLE_USERS",
    "FixedClock",
    "ServiceDeps",
    "SteppingClock",
    "seed_sample_data",
    "utc_now",
]
