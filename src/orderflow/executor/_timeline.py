"""How many Map iterations run at once.

The scheduling itself (every Parallel branch at the state's start, Map iterations on their
slots, in simulated-time order) is :mod:`orderflow.executor._scheduler`; this module holds
AWS's concurrency limits and turns a Map's ``MaxConcurrency`` into a slot count.
"""

from __future__ import annotations

INLINE_MAP_CONCURRENCY = 40
"""The Step Functions developer guide ("Using Map state in Inline mode") says an inline
Map state supports up to 40 concurrent iterations, so an inline Map with
``MaxConcurrency`` 0 (no limit) or above 40 is scheduled on 40 slots."""

DISTRIBUTED_MAP_CONCURRENCY = 10_000
"""The developer guide's distributed-mode page: without a limit, Step Functions runs
10,000 child workflow executions in parallel."""


def map_slots(max_concurrency: float | None, *, distributed: bool) -> int:
    """The number of iterations a Map state runs at once, given its ``MaxConcurrency``."""
    limit = DISTRIBUTED_MAP_CONCURRENCY if distributed else INLINE_MAP_CONCURRENCY
    if max_concurrency is None or max_concurrency <= 0:
        return limit
    return min(int(max_concurrency), limit)


__all__ = ["DISTRIBUTED_MAP_CONCURRENCY", "INLINE_MAP_CONCURRENCY", "map_slots"]
