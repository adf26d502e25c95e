"""The execution history: AWS's event types, ids and previous-event ids."""

from __future__ import annotations

import json
from typing import Any

from orderflow.testing import run_asl

FN = "arn:aws:lambda:us-east-1:123456789012:function:f"


def test_simple_machine_history_shape() -> None:
    machine = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"x": 1}, "End": True}}}
    history = run_asl(machine, {"in": True}).history
    assert [(e["id"], e["previousEventId"], e["type"]) for e in history] == [
        (1, 0, "ExecutionStarted"),
        (2, 0, "PassStateEntered"),
        (3, 2, "PassStateExited"),
        (4, 3, "ExecutionSucceeded"),
    ]
    entered = history[1]["stateEnteredEventDetails"]
    assert entered == {"input": '{"in":true}', "inputDetails": {"truncated": False}, "name": "A"}
    assert json.loads(history[3]["executionSucceededEventDetails"]["output"]) == {"x": 1}


def test_lambda_events_for_function_arns_and_task_events_for_integrations() -> None:
    direct = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": FN, "End": True}}}
    assert run_asl(direct, {}, lambda_handler=lambda n, p: p).history_types[2:5] == [
        "LambdaFunctionScheduled",
        "LambdaFunctionStarted",
        "LambdaFunctionSucceeded",
    ]
    invoke: dict[str, Any] = {
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "f"},
                "End": True,
            }
        },
    }
    history = run_asl(invoke, {}, lambda_handler=lambda n, p: p).history
    scheduled = history[2]
    assert scheduled["type"] == "TaskScheduled"
    assert scheduled["taskScheduledEventDetails"]["resource"] == "invoke"
    assert scheduled["taskScheduledEventDetails"]["resourceType"] == "lambda"


def test_failure_event_carries_error_and_cause() -> None:
    machine = {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E", "Cause": "C"}}}
    history = run_asl(machine, {}).history
    assert history[-1]["type"] == "ExecutionFailed"
    assert history[-1]["executionFailedEventDetails"] == {"error": "E", "cause": "C"}
    assert [e["type"] for e in history] == [
        "ExecutionStarted",
        "FailStateEntered",
        "ExecutionFailed",
    ]


def test_assigned_variables_are_recorded_as_json_text() -> None:
    machine = {
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Assign": {"v": "s", "n": 1}, "End": True}},
    }
    exited = run_asl(machine, {}).history[2]["stateExitedEventDetails"]
    assert exited["assignedVariables"] == {"v": '"s"', "n": "1"}
