"""Clocks: simulated time by default, real time on request.

Wait states, retry back-off and timeouts all go through a clock. The :class:`VirtualClock`
advances instantly, so a one-hour Wait finishes at once while the history still shows the
simulated timestamps; :class:`RealClock` really sleeps (for demos against live services).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Protocol, runtime_checkable

# A fixed default start makes histories and $$.Execution.StartTime reproducible.
DEFAULT_START = datetime(2024, 1, 1, tzinfo=UTC)


@runtime_checkable
class Clock(Protocol):
    """What the executor needs from a clock."""

    def now(self) -> datetime:
        """The current time (timezone-aware, UTC)."""
        ...

    def sleep(self, seconds: float) -> None:
        """Let ``seconds`` pass."""
        ...


class VirtualClock:
    """Simulated time: :meth:`sleep` moves the clock forward without waiting.

    Args:
        start: the time the clock starts at (timezone-aware); a fixed date by default so
            runs are reproducible.

    Example:
        >>> clock = VirtualClock()
        >>> clock.sleep(3600)
        >>> clock.elapsed
        3600.0
    """

    __slots__ = ("_driver", "_now", "_start")

    def __init__(self, start: datetime | None = None) -> None:
        start = start or DEFAULT_START
        if start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
        self._start = start
        self._now = start
        # While Parallel branches or Map iterations are simulated, the executor's scheduler
        # takes the sleeps (it returns True when it did): see orderflow.executor._scheduler.
        self._driver: Callable[[float], bool] | None = None

    def now(self) -> datetime:
        return self._now

    def sleep(self, seconds: float) -> None:
        driver = self._driver
        if driver is not None and driver(seconds):
            return
        if seconds > 0:
            self._now += timedelta(seconds=seconds)

    def set(self, moment: datetime) -> None:
        """Put the clock at ``moment``, earlier or later than now.

        The executor's scheduler uses this to run each Parallel branch and Map iteration
        at its own simulated instant (see :mod:`orderflow.executor._scheduler`).
        """
        self._now = moment

    def advance(self, seconds: float) -> None:
        """Move the clock forward (a synonym of :meth:`sleep`, for tests that read better)."""
        self.sleep(seconds)

    @property
    def elapsed(self) -> float:
        """Seconds simulated since the clock started."""
        return (self._now - self._start).total_seconds()

    def __repr__(self) -> str:
        return f"VirtualClock(now={self._now.isoformat()})"


class RealClock:
    """Wall-clock time; :meth:`sleep` really sleeps."""

    __slots__ = ()

    def now(self) -> datetime:
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)

    def __repr__(self) -> str:
        return "RealClock()"


@lru_cache(maxsize=256)
def iso_timestamp(moment: datetime) -> str:
    """The ISO-8601 form AWS uses in the context object (millisecond precision, ``Z``)."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


__all__ = ["DEFAULT_START", "Clock", "RealClock", "VirtualClock", "iso_timestamp"]
