"""The states that do no external work: Pass, Succeed and Fail."""

from __future__ import annotations

from collections.abc import Mapping

from orderflow.asl import JSON
from orderflow.executor._expr import Jsonata, ValueReader, path_or_intrinsic
from orderflow.executor._failure import PAYLOAD_LIMIT, StateFailure
from orderflow.executor._runtime import Frame, Runtime
from orderflow.executor._states._base import Outcome, PlanContext, State, check_size, payload_size


class PassState(State):
    """Pass its input on, optionally replaced by ``Result`` or shaped by ``Parameters``."""

    type_name = "Pass"

    def __init__(self, name: str, data: Mapping[str, JSON], plan: PlanContext) -> None:
        super().__init__(name, data, plan)
        self.has_result = "Result" in data
        self.result: JSON = data.get("Result")
        # A constant Result is checked against the payload limit once, here.
        self.result_too_large = self.has_result and payload_size(self.result) > PAYLOAD_LIMIT

    def execute(self, rt: Runtime, frame: Frame, raw: JSON, entered_id: int) -> Outcome:
        variables = frame.variables
        if self.jsonata:
            states: dict[str, JSON] = {"input": raw}
            if self.uses_context:
                states["context"] = self.context(rt, self.entered_time(rt))
            output, assigned = self.finish_jsonata(states, variables, raw, rt)
            return Outcome(output, self.next, assigned)
        ctx = self.context(rt, self.entered_time(rt)) if self.uses_context else None
        if self.has_result:
            if self.result_too_large:
                check_size(self.result, self.name)
            result = self.result
        else:
            effective = self.effective_input(raw, ctx, variables)
            # Checked for size: intrinsics such as States.ArrayRange can build a lot.
            result = self.apply_parameters(effective, ctx, variables, rt)
        output, assigned = self.finish_jsonpath(raw, result, ctx, variables, rt)
        return Outcome(output, self.next, assigned)


class SucceedState(State):
    """End this thread of execution successfully."""

    type_name = "Succeed"

    def execute(self, rt: Runtime, frame: Frame, raw: JSON, entered_id: int) -> Outcome:
        if self.jsonata:
            if self.output is None:
                return Outcome(raw, None)
            states: dict[str, JSON] = {"input": raw}
            if self.uses_context:
                states["context"] = self.context(rt, self.entered_time(rt))
            return Outcome(self.output.evaluate(states, frame.variables, rt), None)
        ctx = self.context(rt, self.entered_time(rt)) if self.uses_context else None
        effective = self.effective_input(raw, ctx, frame.variables)
        return Outcome(self.apply_output_path(effective, ctx, frame.variables), None)


class FailState(State):
    """Fail with ``Error`` and ``Cause`` (literal, ``*Path`` or JSONata)."""

    type_name = "Fail"
    records_exit = False

    def __init__(self, name: str, data: Mapping[str, JSON], plan: PlanContext) -> None:
        super().__init__(name, data, plan)
        self.error: JSON = data.get("Error")
        self.cause: JSON = data.get("Cause")
        self.error_reader: ValueReader | None = None
        self.cause_reader: ValueReader | None = None
        self.error_jsonata: Jsonata | None = None
        self.cause_jsonata: Jsonata | None = None
        if self.jsonata:
            if isinstance(self.error, str):
                self.error_jsonata = Jsonata(self.error, "Error")
            if isinstance(self.cause, str):
                self.cause_jsonata = Jsonata(self.cause, "Cause")
        else:
            if isinstance(data.get("ErrorPath"), str):
                self.error_reader = path_or_intrinsic(str(data["ErrorPath"]), field="ErrorPath")
            if isinstance(data.get("CausePath"), str):
                self.cause_reader = path_or_intrinsic(str(data["CausePath"]), field="CausePath")

    def execute(self, rt: Runtime, frame: Frame, raw: JSON, entered_id: int) -> Outcome:
        error, cause = self.error, self.cause
        variables = frame.variables
        if self.jsonata:
            states: dict[str, JSON] = {"input": raw}
            if self.uses_context:
                states["context"] = self.context(rt, self.entered_time(rt))
            if self.error_jsonata is not None:
                error = self.error_jsonata.evaluate(states, variables, rt)
            if self.cause_jsonata is not None:
                cause = self.cause_jsonata.evaluate(states, variables, rt)
        else:
            ctx = self.context(rt, self.entered_time(rt)) if self.uses_context else None
            if self.error_reader is not None:
                error = _read_text(self.error_reader, raw, ctx, variables, rt)
            if self.cause_reader is not None:
                cause = _read_text(self.cause_reader, raw, ctx, variables, rt)
        raise StateFailure(
            error if isinstance(error, str) or error is None else str(error),
            cause if isinstance(cause, str) or cause is None else str(cause),
        )


def _read_text(
    reader: ValueReader, raw: JSON, ctx: JSON, variables: Mapping[str, JSON], rt: Runtime
) -> JSON:
    from orderflow.asl.expressions import PathNotFound
    from orderflow.executor._history import to_json_text

    try:
        return reader.get(raw, ctx, variables, rt.rng)
    except PathNotFound as exc:
        raise exc.for_field(getattr(reader, "field", ""), to_json_text(raw)) from None


__all__ = ["FailState", "PassState", "SucceedState"]
