"""The Wait state: ``Seconds``, ``SecondsPath``, ``Timestamp``, ``TimestampPath``.

Time passes on the execution's clock, so with the default virtual clock a one-hour wait
ends at once while every later timestamp shows the hour went by.
"""

from __future__ import annotations

from collections.abc import Mapping

from orderflow.asl import JSON
from orderflow.executor._expr import Jsonata, ValueReader, path_or_intrinsic
from orderflow.executor._failure import QUERY_EVALUATION, runtime_failure
from orderflow.executor._runtime import Frame, Runtime
from orderflow.executor._states._base import Outcome, PlanContext, State
from orderflow.executor._states._guarded import ExecutionTimedOut
from orderflow.executor._timestamps import parse_timestamp

# AWS refuses waits longer than what a signed 32-bit count of seconds can hold.
_MAX_DELAY = 2**31 - 1


class WaitState(State):
    """Let time pass, then continue with the (optionally filtered) input."""

    type_name = "Wait"

    def __init__(self, name: str, data: Mapping[str, JSON], plan: PlanContext) -> None:
        super().__init__(name, data, plan)
        self.seconds: JSON = data.get("Seconds")
        self.timestamp: JSON = data.get("Timestamp")
        self.seconds_jsonata: Jsonata | None = None
        self.timestamp_jsonata: Jsonata | None = None
        self.seconds_path: ValueReader | None = None
        self.timestamp_path: ValueReader | None = None
        self.seconds_path_text = str(data.get("SecondsPath", ""))
        self.timestamp_path_text = str(data.get("TimestampPath", ""))
        if self.jsonata:
            if isinstance(self.seconds, str):
                self.seconds_jsonata = Jsonata(self.seconds, "Seconds")
            if isinstance(self.timestamp, str):
                self.timestamp_jsonata = Jsonata(self.timestamp, "Timestamp")
        if "SecondsPath" in data:
            self.seconds_path = path_or_intrinsic(self.seconds_path_text, field="SecondsPath")
        if "TimestampPath" in data:
            self.timestamp_path = path_or_intrinsic(self.timestamp_path_text, field="TimestampPath")

    def _delay(
        self, rt: Runtime, frame: Frame, raw: JSON, effective: JSON, ctx: JSON, entered_id: int
    ) -> float:
        variables = frame.variables
        name = self.name
        if self.seconds_path is not None:
            value = self.seconds_path.get(effective, ctx, variables)
            where = f"{self.seconds_path_text} == {_show(value)}"
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or value != int(value)
                or isinstance(value, float)
            ):
                raise runtime_failure(
                    name,
                    entered_id,
                    f"The SecondsPath parameter cannot be parsed as a long value: {where}",
                )
            if value < 0:
                raise runtime_failure(
                    name,
                    entered_id,
                    f"The SecondsPath parameter references a negative value: {where}",
                )
            return float(value)
        if self.timestamp_path is not None:
            value = self.timestamp_path.get(effective, ctx, variables)
            moment = parse_timestamp(value) if isinstance(value, str) else None
            if moment is None:
                raise runtime_failure(
                    name,
                    entered_id,
                    "The TimestampPath parameter does not reference a valid ISO-8601 extended "
                    f"offset date-time format string: {self.timestamp_path_text} == {_show(value)}",
                )
            return (moment - rt.clock.now()).total_seconds()
        states: dict[str, JSON] = {"input": raw}
        if ctx is not None:
            states["context"] = ctx
        seconds = self.seconds
        if self.seconds_jsonata is not None:
            seconds = self.seconds_jsonata.evaluate(states, variables, rt)
            if (
                isinstance(seconds, bool)
                or not isinstance(seconds, (int, float))
                or seconds != int(seconds)
                or seconds < 0
            ):
                raise runtime_failure(
                    name,
                    entered_id,
                    f"The Seconds field must be a non-negative integer, but was: {_show(seconds)}",
                    QUERY_EVALUATION,
                    location="Seconds",
                )
        if seconds is not None:
            return float(seconds)
        timestamp = self.timestamp
        if self.timestamp_jsonata is not None:
            timestamp = self.timestamp_jsonata.evaluate(states, variables, rt)
        moment = parse_timestamp(timestamp) if isinstance(timestamp, str) else None
        if moment is None:
            raise runtime_failure(
                name,
                entered_id,
                "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time "
                f"format string: {timestamp if isinstance(timestamp, str) else _show(timestamp)}",
                QUERY_EVALUATION if self.jsonata else "States.Runtime",
                location="Timestamp",
            )
        return (moment - rt.clock.now()).total_seconds()

    def execute(self, rt: Runtime, frame: Frame, raw: JSON, entered_id: int) -> Outcome:
        ctx = self.context(rt, self.entered_time(rt)) if self.uses_context else None
        effective = raw if self.jsonata else self.effective_input(raw, ctx, frame.variables)
        delay = self._delay(rt, frame, raw, effective, ctx, entered_id)
        if delay > _MAX_DELAY:
            raise runtime_failure(self.name, entered_id, "Wait state delay is too long.")
        if delay > 0:
            deadline = rt.deadline
            if deadline is not None and (deadline - rt.clock.now()).total_seconds() < delay:
                rt.clock.sleep((deadline - rt.clock.now()).total_seconds())
                raise ExecutionTimedOut
            rt.clock.sleep(delay)
        if self.jsonata:
            states: dict[str, JSON] = {"input": raw}
            if ctx is not None:
                states["context"] = ctx
            output, assigned = self.finish_jsonata(states, frame.variables, raw, rt)
            return Outcome(output, self.next, assigned)
        assigned = None
        if self.assign_path is not None:
            assigned = self.assign_path.render(effective, ctx, frame.variables, rt.rng)
        return Outcome(self.apply_output_path(effective, ctx, frame.variables), self.next, assigned)


def _show(value: JSON) -> str:
    from orderflow.executor._history import to_json_text

    return value if isinstance(value, str) else to_json_text(value)


__all__ = ["WaitState"]
