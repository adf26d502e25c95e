"""What services depend on, injected: a store, a clock, a random source, failure rates.

Local deps are deterministic (:meth:`orderflow.App.deps` builds them): an in-memory store
with the app's tables and sample data, a clock that starts at 2026-01-01T00:00:00Z and steps
one second per reading, and ``random.Random(seed)``. Only the Lambda adapter, at the
process boundary, uses the real clock and OS entropy.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from orderflow._errors import ContractError
from orderflow.runtime._metrics import MetricsRecorder, NullMetrics
from orderflow.runtime._objects import Objects
from orderflow.runtime._storage import Store, TableKeys

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
"""Where the default clock starts."""


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


@dataclass(frozen=True)
class ServiceDeps:
    """Everything a service handler may touch besides its request.

    Attributes:
        store: the tables.
        clock: returns the current timezone-aware time.
        rng: the only source of randomness (ids, simulated failures).
        failure_rates: service name -> probability in [0, 1] of a simulated transient
            failure; a service reads its own with :meth:`failure_rate` and raises its
            transient error (the order app's ``authorize-payment`` raises
            ``PaymentGatewayTimeout``).
        metrics: where the service's business metrics go (``deps.metrics.add(metric,
            value, **dimensions)``); by default :class:`NullMetrics`, which checks each
            value and keeps none. The Lambda adapter injects a Powertools-backed one.
        objects: the buckets (``deps.objects.bucket("archive").put(key, body)``); none
            unless the app declares some.

    Raises:
        ContractError: a failure rate is not a number in [0, 1].
    """

    store: Store
    clock: Callable[[], datetime]
    rng: random.Random
    failure_rates: Mapping[str, float] = field(default_factory=dict)
    metrics: MetricsRecorder = field(default_factory=NullMetrics)
    objects: Objects = field(default_factory=lambda: Objects({}))

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
    def in_memory(
        cls,
        tables: TableKeys,
        *,
        seed: int = 0,
        clock: Callable[[], datetime] | None = None,
        failure_rates: Mapping[str, float] | None = None,
        metrics: MetricsRecorder | None = None,
        buckets: Iterable[str] = (),
    ) -> ServiceDeps:
        """Deterministic deps: an empty in-memory store with ``tables`` (name -> key
        attribute), empty in-memory ``buckets``, a stepping clock from :data:`EPOCH`
        (unless ``clock``), ``Random(seed)``, and ``metrics`` (default
        :class:`NullMetrics`).
        """
        return cls(
            store=Store.in_memory(tables),
            clock=clock if clock is not None else SteppingClock(),
            rng=random.Random(seed),
            failure_rates=dict(failure_rates or {}),
            metrics=metrics if metrics is not None else NullMetrics(),
            objects=Objects.in_memory(buckets),
        )


__all__ = [
    "EPOCH",
    "FixedClock",
    "ServiceDeps",
    "SteppingClock",
    "utc_now",
]
