"""Validate and compile an ASL definition into a :class:`Machine` plan, once.

A definition AWS would refuse at ``CreateStateMachine`` is refused here too: the
structural validator (:func:`orderflow.validation.validate`) runs first, for the machine
type the execution asks for, and any error raises :class:`orderflow.InvalidDefinition`.
Every path, template, intrinsic call and JSONata expression is then parsed; running the
plan afterwards only evaluates. Plans are cached by the definition's JSON text and machine
type, so running the same workflow many times validates and compiles it once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache

from orderflow._errors import DefinitionError, InvalidDefinition
from orderflow.asl import JSON, Definition
from orderflow.asl import _wire as wire
from orderflow.executor._interpreter import Machine
from orderflow.executor._states._base import PlanContext, State
from orderflow.executor._states._choice import ChoiceState
from orderflow.executor._states._map import MapState
from orderflow.executor._states._parallel import ParallelState
from orderflow.executor._states._simple import FailState, PassState, SucceedState
from orderflow.executor._states._task import TaskState
from orderflow.executor._states._wait import WaitState
from orderflow.validation import StateMachineType

STATE_TYPES: dict[str, type[State]] = {
    "Pass": PassState,
    "Task": TaskState,
    "Choice": ChoiceState,
    "Wait": WaitState,
    "Succeed": SucceedState,
    "Fail": FailState,
    "Parallel": ParallelState,
    "Map": MapState,
}


def compile_machine(data: Mapping[str, JSON], language: str = "JSONPath") -> Machine:
    """Compile a machine, branch or item processor (``StartAt`` + ``States``).

    Args:
        data: the ASL object.
        language: the query language inherited from the enclosing machine.

    Raises:
        orderflow.DefinitionError: the document cannot be run (missing ``StartAt``,
            unknown state type, a ``Next`` to nowhere, a malformed expression).
    """
    language = str(data.get("QueryLanguage", language))
    states_data = data.get("States")
    start_at = data.get("StartAt")
    if not isinstance(states_data, dict) or not states_data:
        raise DefinitionError("the definition has no States", field="States")
    if not isinstance(start_at, str) or start_at not in states_data:
        raise DefinitionError(f"StartAt {start_at!r} names no state", field="StartAt")
    plan = PlanContext(language, compile_machine)
    states: dict[str, State] = {}
    for name, state_data in states_data.items():
        if not isinstance(state_data, dict):
            raise DefinitionError("a state must be a JSON object", state=name)
        kind = state_data.get("Type")
        cls = STATE_TYPES.get(kind) if isinstance(kind, str) else None
        if cls is None:
            raise DefinitionError(f"unknown state Type {kind!r}", state=name, field="Type")
        _check_shape(name, str(kind), state_data)
        try:
            states[name] = cls(name, state_data, plan)
        except DefinitionError:
            raise
        except (TypeError, AttributeError, ValueError, KeyError) as exc:
            # A field of the wrong JSON type (Choices: 5, Retry: "x"…); the validator
            # names it precisely, the executor at least refuses to run it.
            raise DefinitionError(f"malformed {kind} state: {exc}", state=name) from None
    for name, state in states.items():
        targets = [state.next] if state.next else []
        if isinstance(state, ChoiceState):
            targets += [b.next for b in state.branches] + ([state.default] if state.default else [])
        handling = getattr(state, "handling", None)
        if handling is not None:
            targets += [c.next for c in handling.catchers]
        for target in targets:
            if target not in states:
                raise DefinitionError(
                    f"transition to unknown state {target!r}", state=name, field="Next"
                )
    timeout = data.get("TimeoutSeconds")
    return Machine(
        start_at,
        states,
        language=language,
        timeout_seconds=timeout
        if isinstance(timeout, int) and not isinstance(timeout, bool)
        else None,
        waits_for_tokens=".waitForTaskToken" in json.dumps(states_data),
    )


_TERMINAL = ("Choice", "Succeed", "Fail")
_WAIT_FIELDS = ("Seconds", "SecondsPath", "Timestamp", "TimestampPath")


def _check_shape(name: str, kind: str, data: Mapping[str, JSON]) -> None:
    """The structural rules the interpreter relies on (AWS enforces them at creation)."""
    if (
        kind not in _TERMINAL
        and not isinstance(data.get("Next"), str)
        and data.get("End") is not True
    ):
        raise DefinitionError(f'a {kind} state needs Next or "End": true', state=name, field="Next")
    if kind == "Choice" and not (isinstance(data.get("Choices"), list) and data["Choices"]):
        raise DefinitionError(
            "a Choice state needs a non-empty Choices list", state=name, field="Choices"
        )
    if kind == "Wait" and sum(field in data for field in _WAIT_FIELDS) != 1:
        raise DefinitionError(
            "a Wait state needs exactly one of Seconds, SecondsPath, Timestamp, TimestampPath",
            state=name,
        )
    if kind == "Parallel" and not (isinstance(data.get("Branches"), list) and data["Branches"]):
        raise DefinitionError(
            "a Parallel state needs a non-empty Branches list", state=name, field="Branches"
        )
    for field in ("Retry", "Catch"):
        if field in data and not (
            isinstance(data[field], list) and all(isinstance(item, dict) for item in data[field])
        ):
            raise DefinitionError(f"{field} must be a list of objects", state=name, field=field)


def _check_valid(
    text: str, state_machine_type: StateMachineType, refused: DefinitionError | None = None
) -> None:
    """Raise :class:`InvalidDefinition` when the validator finds errors in ``text``.

    ``refused`` is the compiler's own complaint, if it had one: it leads the message (it
    names the one thing the executor could not use) and the diagnostics follow.
    """
    from orderflow.validation import format_text, validate

    errors = [
        d for d in validate(text, state_machine_type=state_machine_type) if d.severity == "error"
    ]
    if not errors:
        return
    lead = f"{refused}\n" if refused is not None else ""
    error = InvalidDefinition(
        f"{lead}AWS would reject this {state_machine_type} state machine; fix these first:\n"
        + format_text(errors).rstrip(),
        errors,
    )
    if refused is not None:
        error.state, error.field, error.pointer = refused.state, refused.field, refused.pointer
    raise error


@lru_cache(maxsize=64)
def refuse_duplicate_keys(text: str | bytes, file: str | None = None) -> None:
    """Raise :class:`InvalidDefinition` when ASL JSON ``text`` repeats a key in an object.

    A decoder keeps the last of two equal keys, so the plan (built from decoded data) can
    no longer see them; ``orderflow check`` reports them from the text, and so must
    ``run``. ``text`` must be known to be valid JSON. Remembered per text once it passed.
    """
    from orderflow.validation import format_text
    from orderflow.validation._diagnostic import Collector
    from orderflow.validation._duplicates import check_duplicate_keys

    out = Collector()
    check_duplicate_keys(text, out)
    errors = [d for d in out.diagnostics if d.severity == "error"]
    if errors:
        raise InvalidDefinition(
            "AWS would reject this state machine; fix these first:\n"
            + format_text(errors).rstrip(),
            errors,
            file=file,
        )


@lru_cache(maxsize=256)
def _compile_text(text: str, state_machine_type: StateMachineType) -> Machine:
    # Only valid definitions reach the cache; an invalid one is re-checked (and refused)
    # each time, which costs nothing that matters since it never runs.
    try:
        machine = compile_machine(json.loads(text))
    except DefinitionError as exc:
        _check_valid(text, state_machine_type, exc)
        raise
    _check_valid(text, state_machine_type)
    return machine


def plan_for(definition: Definition, state_machine_type: StateMachineType = "STANDARD") -> Machine:
    """The validated, compiled plan for ``definition``, built once per distinct document.

    The definition goes through real JSON serialisation first, so what runs is exactly
    what AWS would receive.

    Args:
        definition: the ASL document.
        state_machine_type: ``STANDARD`` or ``EXPRESS``, the type validation applies.

    Raises:
        orderflow.InvalidDefinition: the validator found errors (``diagnostics`` holds
            them); AWS would not create this state machine.
        orderflow.DefinitionError: the document cannot be compiled.
    """
    try:
        text = wire.dumps(definition.data).decode()
    except wire.NotJson as exc:
        raise DefinitionError(
            f"the definition is not JSON-serialisable: {exc}", file=definition.file
        ) from None
    try:
        return _compile_text(text, state_machine_type)
    except DefinitionError as exc:
        exc.file = exc.file or definition.file
        raise


__all__ = ["STATE_TYPES", "compile_machine", "plan_for", "refuse_duplicate_keys"]
