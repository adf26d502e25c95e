"""Local child state machines for ``states:startExecution`` (async and ``.sync:2``).

Register a machine under its name (``state_machines["shipping"] = definition``); a
StartExecution of ``arn:...:stateMachine:shipping`` runs it in-process with the same fakes
and Lambda handler, on its own virtual clock. The asynchronous form answers with the
child's ``ExecutionArn`` and ``StartDate`` (the child has already run to its end, which a
caller cannot tell apart from a fast child); ``.sync:2`` answers with the finished
execution, ``Output`` parsed, or fails with ``States.TaskFailed`` and the description as the
cause, as AWS does.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from orderflow._errors import TaskFailure
from orderflow.asl import JSON
from orderflow.executor._fakes._common import Ids, metadata, name_of, need, service_error

StartChild = Callable[[Any, JSON, str, str], Any]
"""``start(definition, input, execution_name, state_machine_arn) -> Execution``."""


def _millis(moment: datetime | None) -> float:
    return 0.0 if moment is None else moment.timestamp() * 1000


class FakeStepFunctions:
    """Child state machines by name, and the executions started, in order."""

    def __init__(self, ids: Ids, start: StartChild) -> None:
        self.ids = ids
        self._start = start
        self.state_machines: dict[str, Any] = {}
        self.executions: list[Any] = []

    def _run(self, params: Any) -> tuple[Any, str, Any]:
        arn = str(need(params, "StateMachineArn", self.ids, "StepFunctions", "AWSStepFunctions"))
        definition = self.state_machines.get(name_of(arn))
        if definition is None:
            raise service_error(
                self.ids,
                "StepFunctions",
                "AWSStepFunctions",
                "StateMachineDoesNotExist",
                f"State Machine Does Not Exist: '{arn}'",
            )
        value = params.get("Input")
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        name = str(params.get("Name") or self.ids.uuid())
        execution = self._start(definition, value, name, arn)
        self.executions.append(execution)
        return execution, arn, value

    def start_execution(self, params: Any) -> dict[str, Any]:
        execution, _arn, _value = self._run(params)
        return {
            "ExecutionArn": execution.execution_arn,
            "StartDate": _millis(execution.start_date),
            **metadata(self.ids),
        }

    def start_execution_sync(self, params: Any) -> dict[str, Any]:
        execution, arn, value = self._run(params)
        described: dict[str, Any] = {
            "ExecutionArn": execution.execution_arn,
            "Input": value,
            "InputDetails": {"Included": True},
            "Name": execution.execution_arn.rsplit(":", 1)[-1],
            "StartDate": _millis(execution.start_date),
            "StateMachineArn": arn,
            "Status": execution.status,
            "StopDate": _millis(execution.stop_date),
        }
        if execution.status == "SUCCEEDED":
            return {**described, "Output": execution.output, "OutputDetails": {"Included": True}}
        if execution.status == "RUNNING":
            execution.stop("States.Runtime", "the local child execution waited for a task token")
        failure = {**described, "Error": execution.error, "Cause": execution.cause}
        raise TaskFailure("States.TaskFailed", json.dumps(failure, separators=(",", ":")))


__all__ = ["FakeStepFunctions", "StartChild"]
