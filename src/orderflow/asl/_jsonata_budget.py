"""The evaluation budget of one JSONata expression: steps, depth, allocation and time.

A JSONata expression is code in the workflow definition, and code can loop for ever
(``($f := function($n){$f($n+1)}; $f(0))`` is tail-recursive, so it never overflows a
stack), recurse deeply, or allocate without bound (``[[1..1e7], [1..1e7], …]``). AWS
stops such expressions and fails the state with ``States.QueryEvaluationError``; the
local executor does the same, counting its budget in evaluation steps (so a given
expression on given data always stops at the same point) with a wall-clock limit only as
a last resort for single steps that are slow in themselves.

The counters hook into jsonata-python's per-step entry and exit callbacks (the same hooks
its own ``Timebox`` uses), bound fresh for every evaluation.
"""

from __future__ import annotations

import time
from typing import Any, Final

from jsonata.jexception import JException

MAX_STEPS: int = 1_000_000
"""Evaluation steps (one per node of the expression evaluated) before the expression is
stopped as a probable infinite loop. Read at evaluation time; tests may lower it."""

MAX_DEPTH: int = 1_500
"""Nested evaluation depth (JSONata's stack) before the expression is stopped as a stack
overflow (about 500 levels of a recursive function). Python's own stack ends past 2,000
levels of jsonata-python, so the budget stops recursion first, the same way every time."""

MAX_ALLOCATED_ITEMS: int = 10_000_000
"""Sequence and array items the expression may produce in total (the sum of the lengths
of every array-valued intermediate result); JSONata's own limit is 10^7 items for one
range (``[1..n]``), this bounds all of them together."""

MAX_SECONDS: float = 30.0
"""Wall-clock safety net, checked every 4,096 steps."""

STACK_OVERFLOW: Final = (
    "U1001: Stack overflow error: Check for non-terminating recursive function.  "
    "Consider rewriting as tail-recursive."
)
_TIMEOUT: Final = "U1002: Expression evaluation timeout: Check for infinite loop"


def _stop(code: str, message: str) -> JException:
    # A JException passes unchanged through jsonata-python's own error handling (some of
    # its operators turn any other exception into a bare "Unexpected").
    error = JException(code, -1)
    error.message = message
    return error


class EvaluationBudget:
    """The counters of one evaluation; :meth:`hooks` gives the bindings to install."""

    __slots__ = ("allocated", "deadline", "depth", "steps")

    def __init__(self) -> None:
        self.steps = 0
        self.depth = 0
        self.allocated = 0
        self.deadline = time.monotonic() + MAX_SECONDS

    def hooks(self) -> dict[str, Any]:
        """The engine bindings that call :meth:`enter` and :meth:`leave` on every step."""
        return {"__evaluate_entry": self.enter, "__evaluate_exit": self.leave}

    def enter(self, expr: Any, focus: Any, env: Any) -> None:
        steps = self.steps + 1
        self.steps = steps
        if steps > MAX_STEPS:
            raise _stop(
                "U1002",
                f"Expression evaluation timeout: Check for infinite loop (more than "
                f"{MAX_STEPS:,} evaluation steps)",
            )
        if not steps & 4095 and time.monotonic() > self.deadline:
            raise _stop("U1002", _TIMEOUT.partition(": ")[2])
        # Parallel calls (the arguments of one function) do not nest; jsonata's Timebox
        # skips them too.
        if not env.is_parallel_call:
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise _stop("U1001", STACK_OVERFLOW.partition(": ")[2])

    def leave(self, expr: Any, focus: Any, env: Any, result: Any) -> None:
        if not env.is_parallel_call:
            self.depth -= 1
        if isinstance(result, list):
            self.allocated += len(result)
            if self.allocated > MAX_ALLOCATED_ITEMS:
                raise _stop(
                    "D2014",
                    f"The sequences allocated by this expression exceed "
                    f"{MAX_ALLOCATED_ITEMS:,} items in total",
                )


__all__ = [
    "MAX_ALLOCATED_ITEMS",
    "MAX_DEPTH",
    "MAX_SECONDS",
    "MAX_STEPS",
    "STACK_OVERFLOW",
    "EvaluationBudget",
]
