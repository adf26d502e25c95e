"""What every state shares: its transitions and its input/output processing.

A state is compiled once from its ASL JSON. JSONPath states get the classic pipeline
(``InputPath`` → ``Parameters`` → work → ``ResultSelector`` → ``ResultPath`` →
``OutputPath``, with ``Assign`` reading the result); JSONata states get ``Arguments``,
``Output`` and ``Assign`` evaluated against ``$states``. Subclasses implement
:meth:`State.execute` for their type.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, ClassVar, NamedTuple

from orderflow._errors import DefinitionError
from orderflow.asl import JSON
from orderflow.asl import _wire as wire
from orderflow.asl.expressions import StatesError
from orderflow.executor._clock import iso_timestamp
from orderflow.executor._expr import Jsonata, Payload, result_path
from orderflow.executor._failure import (
    DATA_LIMIT,
    PAYLOAD_LIMIT,
    QUERY_EVALUATION,
    StateFailure,
    data_limit_cause,
    located_cause,
)
from orderflow.executor._paths import PathReader
from orderflow.executor._runtime import Frame, Runtime

_JSONPATH_ONLY = ("InputPath", "Parameters", "ResultSelector", "ResultPath", "OutputPath")
_JSONATA_ONLY = ("Arguments", "Output")

MISSING: Any = object()
"""Marks an absent ``$states.result`` / ``errorOutput`` (JSON null is a real value)."""


class Outcome(NamedTuple):
    """What a state hands back to the interpreter."""

    output: JSON
    next: str | None
    assigned: dict[str, JSON] | None = None


class PlanContext:
    """What compiling one state needs to know about its surroundings.

    Attributes:
        language: the query language in force (machine or enclosing default).
        compile_machine: compiles a nested machine (Parallel branch, Map processor).
    """

    __slots__ = ("compile_machine", "language")

    def __init__(self, language: str, compile_machine: Any) -> None:
        self.language = language
        self.compile_machine = compile_machine


def payload_size(value: JSON) -> int:
    """The byte size AWS counts against the 256 KiB limit (compact UTF-8 JSON)."""
    return wire.size(value)


# Numbers, booleans and null are a few bytes; only these can reach the limit.
_SIZED = frozenset({dict, list, str})


def check_size(value: JSON, state: str) -> None:
    """Fail with ``States.DataLimitExceeded`` when ``value`` is over 256 KiB."""
    if type(value) in _SIZED and wire.size(value) > PAYLOAD_LIMIT:
        raise StateFailure(DATA_LIMIT, data_limit_cause(state))


class State:
    """A compiled state. Subclasses set ``type_name`` and implement :meth:`execute`.

    Attributes:
        name: the state name.
        next: the ``Next`` state, or ``None`` for an ``End`` state.
        jsonata: whether the state uses JSONata (``QueryLanguage``).
        uses_context: whether any expression reads the context object, so the
            interpreter builds it only when needed.
    """

    type_name: ClassVar[str] = ""
    records_exit: ClassVar[bool] = True

    def __init__(self, name: str, data: Mapping[str, JSON], plan: PlanContext) -> None:
        self.name = name
        self.data = data
        language = data.get("QueryLanguage", plan.language)
        self.jsonata = language == "JSONata"
        nxt = data.get("Next")
        self.next: str | None = nxt if isinstance(nxt, str) else None
        text = json.dumps(data)
        self.uses_context = "$$" in text or "context" in text
        self.entered_type = f"{self.type_name}StateEntered"
        self.exited_type = f"{self.type_name}StateExited"
        # JSONPath pipeline
        self.input_path: PathReader | None = None
        self.discard_input = False
        self.output_path: PathReader | None = None
        self.discard_output = False
        self.parameters: Payload | None = None
        self.result_selector: Payload | None = None
        self.result_path: str | None = "$"
        self.assign_path: Payload | None = None
        # JSONata
        self.arguments: Jsonata | None = None
        self.output: Jsonata | None = None
        self.assign_jsonata: Jsonata | None = None
        # AWS refuses these definitions at CreateStateMachine; running them would silently
        # ignore the misplaced field.
        misplaced = _JSONPATH_ONLY if self.jsonata else _JSONATA_ONLY
        for field in misplaced:
            if field in data:
                language, instead = (
                    ("JSONata", "use Arguments and Output")
                    if self.jsonata
                    else ("JSONPath", "set QueryLanguage to JSONata to use them")
                )
                raise DefinitionError(
                    f"{field} is not allowed in a {language} state ({instead})",
                    state=name,
                    field=field,
                )
        try:
            if self.jsonata:
                self._compile_jsonata(data)
            else:
                self._compile_jsonpath(data)
        except DefinitionError as exc:
            exc.state = exc.state or name
            raise

    # --- compilation ---------------------------------------------------------------

    def _compile_jsonpath(self, data: Mapping[str, JSON]) -> None:
        if "InputPath" in data:
            if data["InputPath"] is None:
                self.discard_input = True
            elif data["InputPath"] != "$":
                self.input_path = PathReader(str(data["InputPath"]), "InputPath")
        if "OutputPath" in data:
            if data["OutputPath"] is None:
                self.discard_output = True
            elif data["OutputPath"] != "$":
                self.output_path = PathReader(str(data["OutputPath"]), "OutputPath")
        if "Parameters" in data:
            self.parameters = Payload(data["Parameters"], "Parameters")
        if "ResultSelector" in data:
            self.result_selector = Payload(data["ResultSelector"], "ResultSelector")
        if "ResultPath" in data:
            rp = data["ResultPath"]
            self.result_path = None if rp is None else str(rp)
        if "Assign" in data:
            self.assign_path = Payload(data["Assign"], "Assign")

    def _compile_jsonata(self, data: Mapping[str, JSON]) -> None:
        if "Arguments" in data:
            self.arguments = Jsonata(data["Arguments"], "Arguments")
        if "Output" in data:
            self.output = Jsonata(data["Output"], "Output")
        if "Assign" in data:
            self.assign_jsonata = Jsonata(data["Assign"], "Assign")

    # --- context ---------------------------------------------------------------------

    def context(
        self,
        rt: Runtime,
        entered: str,
        *,
        retry_count: int | None = None,
        token: str | None = None,
    ) -> dict[str, JSON]:
        """The context object (``$$`` / ``$states.context``) as this state sees it.

        It has no ``Map`` member, even inside a Map iteration: AWS documents
        ``$$.Map.Item`` for the Map state's own ``ItemSelector`` (or legacy
        ``Parameters``) only, and tells users to read it there rather than in the
        iteration's states, so a read there fails like any missing context path
        (``States.Runtime``). The recorded AWS runs read it only there, never inside an
        iteration. ``MapState`` adds the item while it builds each iteration's input.
        """
        ctx = dict(rt.execution_context)
        state: dict[str, JSON] = {"Name": self.name, "EnteredTime": entered}
        if retry_count is not None:
            state["RetryCount"] = retry_count
        ctx["State"] = state
        if token is not None:
            ctx["Task"] = {"Token": token}
        return ctx

    def entered_time(self, rt: Runtime) -> str:
        return iso_timestamp(rt.clock.now()) if self.uses_context else ""

    # --- JSONPath pipeline ---------------------------------------------------------

    def effective_input(self, raw: JSON, ctx: JSON, variables: Mapping[str, JSON]) -> JSON:
        """``InputPath`` applied to the raw state input."""
        if self.discard_input:
            return {}
        if self.input_path is None:
            return raw
        return self.input_path.get(raw, ctx, variables)

    def apply_parameters(
        self,
        effective: JSON,
        ctx: JSON,
        variables: Mapping[str, JSON],
        rt: Runtime,
        *,
        check: bool = True,
    ) -> JSON:
        """``Parameters`` rendered over the effective input, size-checked unless ``check``
        is false (a Lambda task measures the payload once, as it copies it to the function).
        """
        if self.parameters is None:
            return effective
        rendered = self.parameters.render(effective, ctx, variables, rt.rng)
        if check:
            # Intrinsics and the context object can build a value larger than the input.
            check_size(rendered, self.name)
        return rendered

    def finish_jsonpath(
        self,
        raw: JSON,
        result: JSON,
        ctx: JSON,
        variables: Mapping[str, JSON],
        rt: Runtime,
    ) -> tuple[JSON, dict[str, JSON] | None]:
        """``ResultSelector`` → ``Assign`` → ``ResultPath`` → ``OutputPath``."""
        if self.result_selector is not None:
            result = self.result_selector.render(result, ctx, variables, rt.rng)
            check_size(result, self.name)
        assigned = None
        if self.assign_path is not None:
            assigned = self.assign_path.render(result, ctx, variables, rt.rng)
        # "$" (the default) replaces the input: no merge to do, and the result was checked.
        if self.result_path == "$":
            combined = result
        else:
            combined = result_path(raw, self.result_path, result)
            if self.result_path is not None:
                # Input and result were each within the limit; merged they may not be.
                check_size(combined, self.name)
        # OutputPath selects a part of a checked value: it cannot grow.
        return self.apply_output_path(combined, ctx, variables), assigned

    def apply_output_path(self, value: JSON, ctx: JSON, variables: Mapping[str, JSON]) -> JSON:
        if self.discard_output:
            return {}
        if self.output_path is None:
            return value
        return self.output_path.get(value, ctx, variables)

    # --- JSONata -------------------------------------------------------------------

    def finish_jsonata(
        self,
        states: dict[str, JSON],
        variables: Mapping[str, JSON],
        default: JSON,
        rt: Runtime,
    ) -> tuple[JSON, dict[str, JSON] | None]:
        """``Assign`` then ``Output`` (default ``default``), both reading ``$states``."""
        assigned = None
        if self.assign_jsonata is not None:
            assigned = self.assign_jsonata.evaluate(states, variables, rt)
        if self.output is None:
            return default, assigned
        output = self.output.evaluate(states, variables, rt)
        check_size(output, self.name)
        return output, assigned

    # --- the state's work ------------------------------------------------------------

    def execute(self, rt: Runtime, frame: Frame, raw: JSON, entered_id: int) -> Outcome:
        """Run the state on ``raw`` (its input) and say where to go next.

        Raises:
            StateFailure: the state failed and nothing in it handled the failure.
            StatesError: an expression failed (the interpreter words the cause).
        """
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


_FIELD = re.compile(r"specified for the field '([^']*)'")


def as_failure(
    exc: StatesError | StateFailure, state: str, entered_id: int, rt: Runtime, frame: Frame
) -> StateFailure:
    """A :class:`StateFailure` with AWS's located cause for an expression error.

    A ``States.QueryEvaluationError`` is also recorded as an ``EvaluationFailed`` event
    (once, where it happened), as AWS does.
    """
    if isinstance(exc, StateFailure):
        failure = exc
    else:
        failure = StateFailure(exc.error, located_cause(state, entered_id, exc.cause), located=True)
    if failure.error == QUERY_EVALUATION and not failure.evaluation_recorded:
        failure.evaluation_recorded = True
        details: dict[str, JSON] = {"error": failure.error, "cause": failure.cause}
        where = _FIELD.search(failure.cause or "")
        if failure.location or where:
            details["location"] = failure.location or (where.group(1) if where else None)
        details["state"] = state
        rt.history.record("EvaluationFailed", frame.cursor, rt.clock.now(), details)
    return failure


__all__ = [
    "MISSING",
    "Outcome",
    "PlanContext",
    "State",
    "as_failure",
    "check_size",
    "payload_size",
]
