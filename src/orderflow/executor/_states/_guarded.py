"""States that can fail and recover: Task, Parallel and Map (Retry and Catch)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from orderflow.asl import JSON
from orderflow.asl.expressions import StatesError
from orderflow.executor._expr import result_path
from orderflow.executor._failure import UNCATCHABLE, StateFailure
from orderflow.executor._retry import Catcher, ErrorHandling, error_output
from orderflow.executor._runtime import Frame, Runtime
from orderflow.executor._states._base import Outcome, PlanContext, State, as_failure, check_size


class ExecutionTimedOut(Exception):
    """The execution's ``TimeoutSeconds`` passed while a state was waiting."""


class GuardedState(State):
    """A state with ``Retry`` and ``Catch``; subclasses implement :meth:`attempt`.

    ``failed_event`` (``MapStateFailed``…) is recorded once the state has failed for
    good: after the last retry, before a catcher takes over.
    """

    failed_event: ClassVar[str | None] = None

    def __init__(self, name: str, data: Mapping[str, JSON], plan: PlanContext) -> None:
        super().__init__(name, data, plan)
        self.handling = ErrorHandling(data, self.jsonata)

    def attempt(self, rt: Runtime, frame: Frame, raw: JSON, entered_id: int, retry: int) -> Outcome:
        """One try at the state's work (``retry`` counts earlier tries)."""
        raise NotImplementedError

    def execute(self, rt: Runtime, frame: Frame, raw: JSON, entered_id: int) -> Outcome:
        counts = [0] * len(self.handling.retriers)
        retry = 0
        while True:
            try:
                return self.attempt(rt, frame, raw, entered_id, retry)
            except (StateFailure, StatesError) as exc:
                failure = as_failure(exc, self.name, entered_id, rt, frame)
            if failure.error not in UNCATCHABLE:
                delay = self.handling.retry_delay(failure, counts, rt.rng)
                if delay is not None:
                    rt.clock.sleep(delay)
                    if rt.timed_out():
                        raise ExecutionTimedOut
                    retry += 1
                    continue
            if self.failed_event is not None and failure.error not in UNCATCHABLE:
                rt.history.record(self.failed_event, frame.cursor, rt.clock.now())
            catcher = None if failure.error in UNCATCHABLE else self.handling.catcher_for(failure)
            if catcher is None:
                raise failure
            return self.caught(rt, frame, raw, catcher, failure)

    def caught(
        self, rt: Runtime, frame: Frame, raw: JSON, catcher: Catcher, failure: StateFailure
    ) -> Outcome:
        """The state's output when ``catcher`` handles ``failure``."""
        err = error_output(failure)
        variables = frame.variables
        assigned: dict[str, Any] | None = None
        if self.jsonata:
            states: dict[str, JSON] = {"input": raw, "errorOutput": err}
            if self.uses_context:
                states["context"] = self.context(rt, self.entered_time(rt))
            if catcher.assign_jsonata is not None:
                assigned = catcher.assign_jsonata.evaluate(states, variables, rt)
            output = (
                err if catcher.output is None else catcher.output.evaluate(states, variables, rt)
            )
            return Outcome(output, catcher.next, assigned)
        ctx = self.context(rt, self.entered_time(rt)) if self.uses_context else None
        if catcher.assign_path is not None:
            assigned = catcher.assign_path.render(err, ctx, variables, rt.rng)
        output = result_path(raw, catcher.result_path, err)
        if catcher.result_path not in ("$", None):
            check_size(output, self.name)
        return Outcome(output, catcher.next, assigned)


__all__ = ["ExecutionTimedOut", "GuardedState"]
