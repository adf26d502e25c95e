"""AWS's execution quotas, enforced by the local executor as AWS enforces them.

* **History**: an execution's history holds at most 25,000 events. The event that would
  go past it ends the execution: ``ExecutionFailed`` with ``States.Runtime`` and AWS's
  cause, "The execution reached the maximum number of history events (25000).". The
  limit counts event ids, so it holds with history recording off as well.
* **Duration**: an Express execution runs at most 5 minutes, a Standard one at most a
  year, on the execution's clock (virtual by default). Past it the execution ends
  ``TIMED_OUT`` with ``States.Timeout``, as with ``TimeoutSeconds``; a machine's own
  ``TimeoutSeconds`` applies when it is shorter.
* **Payloads**: 256 KiB on the execution input and output, on every state's input and
  output and on each stage of a state's processing, counted as compact UTF-8 JSON
  (``States.DataLimitExceeded``; see :func:`orderflow.executor._states._base.check_size`).

``docs/limits.md`` lists these with the expression budgets of :mod:`orderflow.asl`.
"""

from __future__ import annotations

from typing import Final

MAX_HISTORY_EVENTS: Final = 25_000
"""Events in one execution's history (AWS service quota, not adjustable)."""

HISTORY_LIMIT_CAUSE: Final = (
    f"The execution reached the maximum number of history events ({MAX_HISTORY_EVENTS})."
)

EXPRESS_MAX_SECONDS: Final = 5 * 60
"""An Express execution's maximum duration (5 minutes)."""

STANDARD_MAX_SECONDS: Final = 365 * 24 * 60 * 60
"""A Standard execution's maximum duration (one year)."""


class HistoryLimitReached(Exception):
    """The next event would take the history past :data:`MAX_HISTORY_EVENTS`.

    Like the execution timing out, it is not a state failure: no Retry or Catch sees it,
    it unwinds every state and ends the execution.
    """


def max_duration_seconds(express: bool) -> int:
    """The longest an execution of this type may run."""
    return EXPRESS_MAX_SECONDS if express else STANDARD_MAX_SECONDS


__all__ = [
    "EXPRESS_MAX_SECONDS",
    "HISTORY_LIMIT_CAUSE",
    "MAX_HISTORY_EVENTS",
    "STANDARD_MAX_SECONDS",
    "HistoryLimitReached",
    "max_duration_seconds",
]
