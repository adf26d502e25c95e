"""The interpreter loop: enter a state, run it, record it, follow ``Next``.

The loop is the same for the whole machine, each Parallel branch and each Map iteration;
it works on a compiled :class:`Machine` and never looks at ASL JSON itself.
"""

from __future__ import annotations

from collections.abc import Mapping

from orderflow.asl import JSON
from orderflow.asl.expressions import StatesError
from orderflow.executor._failure import StateFailure
from orderflow.executor._runtime import Frame, Runtime
from orderflow.executor._states._base import State, as_failure
from orderflow.executor._states._guarded import ExecutionTimedOut


class Machine:
    """A compiled state machine (or Parallel branch, or Map item processor).

    Attributes:
        start_at: the first state's name.
        states: every state, compiled, by name.
        timeout_seconds: the machine's ``TimeoutSeconds``, if any.
        language: the query language states default to.
        waits_for_tokens: whether any Task (nested ones included) uses
            ``.waitForTaskToken``, so the runner knows the execution may pause.
    """

    __slots__ = ("language", "start_at", "states", "timeout_seconds", "waits_for_tokens")

    def __init__(
        self,
        start_at: str,
        states: Mapping[str, State],
        *,
        language: str,
        timeout_seconds: int | None = None,
        waits_for_tokens: bool = False,
    ) -> None:
        self.start_at = start_at
        self.states = dict(states)
        self.language = language
        self.timeout_seconds = timeout_seconds
        self.waits_for_tokens = waits_for_tokens

    def __repr__(self) -> str:
        return f"Machine(start_at={self.start_at!r}, states={len(self.states)})"


def run_machine(machine: Machine, rt: Runtime, frame: Frame, value: JSON) -> JSON:
    """Run ``machine`` on ``value`` in ``frame``; return the last state's output.

    Raises:
        StateFailure: a state failed and nothing caught it.
        ExecutionTimedOut: the execution's ``TimeoutSeconds`` passed.
    """
    states = machine.states
    history = rt.history
    clock = rt.clock
    cursor = frame.cursor
    name = machine.start_at
    while True:
        if rt.deadline is not None and rt.timed_out():
            raise ExecutionTimedOut
        state = states[name]
        entered_id = history.record(
            state.entered_type, cursor, clock.now(), {"input": value, "name": name}
        )
        try:
            outcome = state.execute(rt, frame, value, entered_id)
        except (StatesError, StateFailure) as exc:
            raise as_failure(exc, name, entered_id, rt, frame) from None
        if rt.deadline is not None and rt.timed_out():
            raise ExecutionTimedOut
        assigned = outcome.assigned
        if assigned:
            frame.variables.update(assigned)
        if state.records_exit:
            details = {"name": name, "output": outcome.output}
            if assigned:
                details["assignedVariables"] = assigned
            history.record(state.exited_type, cursor, clock.now(), details)
        if outcome.next is None:
            return outcome.output
        name = outcome.next
        value = outcome.output


__all__ = ["Machine", "run_machine"]
