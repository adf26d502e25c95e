"""Simulated concurrency: when Parallel branches and Map iterations start and end.

AWS runs Parallel branches side by side and Map iterations up to a concurrency limit at
once. The executor runs them one after another (so results, history order and every
random choice stay reproducible), but on the virtual clock it puts each one where it
would start on AWS: every branch at the Parallel's start, every iteration at the moment
one of the Map's slots frees up, in item order. The state then ends at the latest end.
Machine and task timeouts are judged on these simulated times, so a Parallel of a 10 s
and a 30 s Wait takes 30 s, as on AWS, not 40 s.

With any other clock (:class:`~orderflow.executor.RealClock`, or a clock of the
caller's own) time cannot be rewound: branches and iterations then really run one after
another and their durations add up.
"""

from __future__ import annotations

import heapq
from datetime import datetime

from orderflow.executor._clock import Clock, VirtualClock

INLINE_MAP_CONCURRENCY = 40
"""The Step Functions developer guide ("Using Map state in Inline mode") says an inline
Map state supports up to 40 concurrent iterations, so an inline Map with
``MaxConcurrency`` 0 (no limit) or above 40 is scheduled on 40 slots."""

DISTRIBUTED_MAP_CONCURRENCY = 10_000
"""The developer guide's distributed-mode page: without a limit, Step Functions runs
10,000 child workflow executions in parallel."""


class Timeline:
    """Schedules units of work (branches, iterations) on a limited number of slots.

    Call :meth:`begin` before running a unit and :meth:`end` after it succeeds; call
    :meth:`finish` once every unit has run. A failing unit needs no call: the clock stays
    at the moment it failed, which is when the state fails.

    Args:
        clock: the execution's clock; only a :class:`VirtualClock` is rescheduled.
        slots: how many units run at once (``None``: all of them).
    """

    __slots__ = ("_clock", "_free", "_latest", "_start")

    def __init__(self, clock: Clock, slots: int | None = None) -> None:
        self._clock: VirtualClock | None = clock if isinstance(clock, VirtualClock) else None
        start = clock.now()
        self._start = start
        self._latest = start
        # Min-heap of the times the busy slots free up; None when slots are unlimited.
        self._free: list[datetime] | None = [start] * slots if slots is not None else None

    def begin(self) -> None:
        """Move the clock to when the next unit starts: when the earliest slot frees."""
        clock = self._clock
        if clock is None:
            return
        free = self._free
        clock.set(heapq.heappop(free) if free is not None else self._start)

    def end(self) -> None:
        """Note that the unit begun last ended now."""
        clock = self._clock
        if clock is None:
            return
        now = clock.now()
        if now > self._latest:
            self._latest = now
        if self._free is not None:
            heapq.heappush(self._free, now)

    def finish(self) -> None:
        """Move the clock to the latest end: when the whole state is done."""
        if self._clock is not None:
            self._clock.set(self._latest)


def map_slots(max_concurrency: float | None, *, distributed: bool) -> int:
    """The number of iterations a Map state runs at once, given its ``MaxConcurrency``."""
    limit = DISTRIBUTED_MAP_CONCURRENCY if distributed else INLINE_MAP_CONCURRENCY
    if max_concurrency is None or max_concurrency <= 0:
        return limit
    return min(int(max_concurrency), limit)


__all__ = ["DISTRIBUTED_MAP_CONCURRENCY", "INLINE_MAP_CONCURRENCY", "Timeline", "map_slots"]
