"""The Parallel state: run every branch on the same input; the output is their list.

Branches run one after another, in order, in this process: the result is the same as
AWS's (outputs in branch order) and every run is reproducible. On the virtual clock every
branch starts at the state's start and the state ends with its slowest branch, as if they
ran side by side (see :mod:`orderflow.executor._timeline`). The first failing branch in
branch order fails the state at the moment it fails; the later branches are not run (AWS
would stop them). A later branch that would have failed *earlier* in simulated time is not
noticed: the state then fails with the first branch's error rather than that one's.
"""

from __future__ import annotations

from collections.abc import Mapping

from orderflow.asl import JSON
from orderflow.executor._failure import StateFailure
from orderflow.executor._history import Cursor
from orderflow.executor._runtime import Frame, Runtime
from orderflow.executor._states._base import Outcome, PlanContext, check_size
from orderflow.executor._states._guarded import GuardedState
from orderflow.executor._timeline import Timeline


class ParallelState(GuardedState):
    """Run ``Branches`` and collect their outputs."""

    type_name = "Parallel"
    failed_event = "ParallelStateFailed"

    def __init__(self, name: str, data: Mapping[str, JSON], plan: PlanContext) -> None:
        super().__init__(name, data, plan)
        language = "JSONata" if self.jsonata else "JSONPath"
        self.branches = [
            plan.compile_machine(branch, language) for branch in data.get("Branches") or ()
        ]

    def attempt(self, rt: Runtime, frame: Frame, raw: JSON, entered_id: int, retry: int) -> Outcome:
        from orderflow.executor._interpreter import run_machine

        variables = frame.variables
        ctx = self.context(rt, self.entered_time(rt)) if self.uses_context else None
        states: dict[str, JSON] | None = None
        if self.jsonata:
            states = {"input": raw}
            if ctx is not None:
                states["context"] = ctx
            branch_input = (
                raw if self.arguments is None else self.arguments.evaluate(states, variables, rt)
            )
        else:
            effective = self.effective_input(raw, ctx, variables)
            branch_input = self.apply_parameters(effective, ctx, variables, rt)
        history, clock, cursor = rt.history, rt.clock, frame.cursor
        history.record("ParallelStateStarted", cursor, clock.now())
        started = cursor.last
        results: list[JSON] = []
        last = started
        timeline = Timeline(clock)
        for machine in self.branches:
            child = Frame(Cursor(started), dict(variables))
            timeline.begin()
            try:
                results.append(run_machine(machine, rt, child, branch_input))
            except StateFailure:
                cursor.last = child.cursor.last
                raise
            timeline.end()
            last = child.cursor.last
        timeline.finish()
        cursor.last = last
        history.record("ParallelStateSucceeded", cursor, clock.now())
        check_size(results, self.name)
        if states is not None:
            states["result"] = results
            output, assigned = self.finish_jsonata(states, variables, results, rt)
        else:
            output, assigned = self.finish_jsonpath(raw, results, ctx, variables, rt)
        return Outcome(output, self.next, assigned)


__all__ = ["ParallelState"]
