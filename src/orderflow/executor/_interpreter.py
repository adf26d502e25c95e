"""The interpreter loop: enter a state, run it, record it, follow ``Next``.

The loop is the same for the whole machine, each Parallel branch and each Map iteration;
it works on a compiled :class:`Machine` and never looks at ASL JSON itself.

Inside a simulated branch or iteration (a frame with a scheduler unit, see
:mod:`orderflow.executor._scheduler`) the loop stops when the unit's group is stopped: a
state in progress then ends with AWS's ``<Type>StateAborted`` event (Task, Wait,
Parallel, Map; other states have none) and no further state is entered.
"""

from __future__ import annotations

from collections.abc import Mapping

from orderflow.asl import JSON
from orderflow.asl.expressions import StatesError
from orderflow.executor._failure import StateFailure
from orderflow.executor._history import Cursor
from orderflow.executor._runtime import Frame, Runtime
from orderflow.executor._scheduler import Stopped
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
        branch: whether this is a Parallel branch: AWS ends the state a branch fails in
            with ``<Type>StateAborted`` (recorded executions show ``TaskStateAborted``
            after ``TaskFailed``), as the whole Parallel stops.
    """

    __slots__ = (
        "branch",
        "language",
        "start_at",
        "states",
        "timeout_seconds",
        "waits_for_tokens",
    )

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
        self.branch = False

    def __repr__(self) -> str:
        return f"Machine(start_at={self.start_at!r}, states={len(self.states)})"


def run_machine(machine: Machine, rt: Runtime, frame: Frame, value: JSON) -> JSON:
    """Run ``machine`` on ``value`` in ``frame``; return the last state's output.

    Raises:
        StateFailure: a state failed and nothing caught it.
        ExecutionTimedOut: the execution's ``TimeoutSeconds`` passed.
        Stopped: the frame's unit was stopped (a sibling branch or iteration failed).
    """
    states = machine.states
    history = rt.history
    clock = rt.clock
    cursor = frame.cursor
    unit = frame.unit
    name = machine.start_at
    while True:
        if rt.deadline is not None and rt.timed_out():
            raise ExecutionTimedOut
        state = states[name]
        entered_id = history.record(
            state.entered_type, cursor, clock.now(), {"input": value, "name": name}
        )
        try:
            if unit is not None and machine.waits_for_tokens and _waits_for_token(state):
                # It may block the whole process until someone answers: the other units
                # due by now go first, as on AWS they would not wait for this one.
                rt.scheduler.defer()
            outcome = state.execute(rt, frame, value, entered_id)
        except (StatesError, StateFailure) as exc:
            failure = as_failure(exc, name, entered_id, rt, frame)
            if unit is not None and unit.stopped:
                # A sibling failed first: this failure is not the group's.
                _aborted(state, rt, cursor)
                raise Stopped from None
            if machine.branch:
                _aborted(state, rt, cursor)
            raise failure from None
        except Stopped:
            _aborted(state, rt, cursor)
            raise
        if rt.deadline is not None and rt.timed_out():
            raise ExecutionTimedOut
        if unit is not None and unit.stopped and state.type_name in _ABORTED:
            # The state ran to its end (a Task already invoked keeps its side effects) but
            # its group has stopped meanwhile: its result is discarded.
            _aborted(state, rt, cursor)
            raise Stopped
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
        if unit is not None and unit.stopped:
            raise Stopped  # a stopped branch or iteration enters no further state
        name = outcome.next
        value = outcome.output


# The states AWS can abort in progress, and the event it then records.
_ABORTED = {kind: f"{kind}StateAborted" for kind in ("Task", "Wait", "Parallel", "Map")}


_INSTANT = frozenset({"Pass", "Choice", "Succeed", "Fail"})


def never_sleeps(machine: Machine) -> bool:
    """Whether ``machine`` can never let simulated time pass (nor start units of its own):
    its branches or iterations then need no coroutines to be simulated."""
    return all(state.type_name in _INSTANT for state in machine.states.values())


def _waits_for_token(state: State) -> bool:
    target = getattr(state, "target", None)
    return bool(getattr(target, "wait_for_token", False))


def _aborted(state: State, rt: Runtime, cursor: Cursor) -> None:
    aborted = _ABORTED.get(state.type_name)
    if aborted is not None:
        rt.history.record(aborted, cursor, rt.clock.now())


__all__ = ["Machine", "never_sleeps", "run_machine"]
