"""The Parallel state: run every branch on the same input; the output is their list.

All branches start at the state's start and run side by side on the simulated clock
(see :mod:`orderflow.executor._scheduler`): their steps interleave in simulated-time
order and the state ends with its slowest branch. The first branch to fail, earliest in
simulated time, fails the state at that moment and stops the others there: a Task they
already invoked completes (its side effects stay) but its result is discarded, their
waits are cut short and they enter no further state, each recording AWS's
``<Type>StateAborted`` for the state it was in. Outputs are in branch order.
"""

from __future__ import annotations

from collections.abc import Mapping

from orderflow.asl import JSON
from orderflow.executor._failure import StateFailure
from orderflow.executor._history import Cursor
from orderflow.executor._interpreter import never_sleeps
from orderflow.executor._runtime import Frame, Runtime
from orderflow.executor._scheduler import Unit
from orderflow.executor._states._base import Outcome, PlanContext, check_size
from orderflow.executor._states._guarded import GuardedState


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
        for machine in self.branches:
            machine.branch = True
        self.instant = all(never_sleeps(machine) for machine in self.branches)

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
        branches = self.branches
        results: list[JSON] = [None] * len(branches)
        ends = [started] * len(branches)
        failed: list[tuple[StateFailure, int]] = []

        def run_branch(index: int, unit: Unit | None) -> bool:
            child = Frame(Cursor(started), dict(variables), unit)
            try:
                results[index] = run_machine(branches[index], rt, child, branch_input)
            except StateFailure as failure:
                # Only the group's first failure gets here: later ones are stopped.
                failed.append((failure, child.cursor.last))
                return True
            finally:
                ends[index] = child.cursor.last
            return False

        rt.scheduler.run(clock, len(branches), None, run_branch, never_sleeps=self.instant)
        if failed:
            failure, cursor.last = failed[0]
            raise failure
        cursor.last = ends[-1] if ends else started
        history.record("ParallelStateSucceeded", cursor, clock.now())
        check_size(results, self.name)
        if states is not None:
            states["result"] = results
            output, assigned = self.finish_jsonata(states, variables, results, rt)
        else:
            output, assigned = self.finish_jsonpath(raw, results, ctx, variables, rt)
        return Outcome(output, self.next, assigned)


__all__ = ["ParallelState"]
