"""The context object ``$$`` / ``$states.context`` has a fixed shape per state.

Reads of fields it cannot have in the reading state are errors, and the executor (faithful
to recorded AWS runs) agrees: each such machine fails with the error a bad read raises.
"""

from __future__ import annotations

from typing import Any

import pytest

from orderflow.checker import check_dataflow
from orderflow.testing import run_asl

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:echo"


def _pass(path: str) -> dict[str, Any]:
    return {
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Parameters": {"v.$": path}, "End": True}},
    }


def _task(path: str, resource: str = LAMBDA) -> dict[str, Any]:
    task = {"Type": "Task", "Resource": resource, "Parameters": {"v.$": path}, "End": True}
    return {"StartAt": "A", "States": {"A": task}}


def _jsonata(expression: str) -> dict[str, Any]:
    state = {"Type": "Pass", "Output": {"v": "{% " + expression + " %}"}, "End": True}
    return {"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": state}}


def _echo(name: str, payload: Any) -> Any:
    return payload


IMPOSSIBLE = [
    ("map-item-outside-a-map", _pass("$$.Map.Item.Value"), "States.Runtime", "ItemSelector"),
    ("map-index-outside-a-map", _pass("$$.Map.Item.Index"), "States.Runtime", "ItemSelector"),
    ("task-token-in-a-pass", _pass("$$.Task.Token"), "States.Runtime", "waitForTaskToken"),
    ("task-token-in-a-plain-task", _task("$$.Task.Token"), "States.Runtime", "waitForTaskToken"),
    ("unknown-execution-field", _pass("$$.Execution.Nope"), "States.Runtime", "RedriveCount?"),
    ("unknown-top-level-field", _pass("$$.Nope"), "States.Runtime", "StateMachine"),
    ("unknown-state-machine-field", _pass("$$.StateMachine.Arn"), "States.Runtime", "{Id, Name}"),
    ("retry-count-in-a-pass", _pass("$$.State.RetryCount"), "States.Runtime", "Task states"),
    (
        "jsonata-map-outside-a-map",
        _jsonata("$states.context.Map.Item.Value"),
        "States.QueryEvaluationError",
        "ItemSelector",
    ),
    (
        "jsonata-task-token-in-a-pass",
        _jsonata("$states.context.Task.Token"),
        "States.QueryEvaluationError",
        "waitForTaskToken",
    ),
]


@pytest.mark.parametrize(
    ("machine", "error", "hint"), [c[1:] for c in IMPOSSIBLE], ids=[c[0] for c in IMPOSSIBLE]
)
def test_fields_the_context_cannot_have_are_errors_and_fail_at_run_time(
    machine: dict[str, Any], error: str, hint: str
) -> None:
    [d] = check_dataflow(machine)
    assert (d.severity, d.code, d.state) == ("error", "path-cannot-exist", "A")
    assert hint in d.message
    execution = run_asl(machine, {"x": 1}, lambda_handler=_echo)
    assert (execution.status, execution.error) == ("FAILED", error)


POSSIBLE = [
    ("execution", _pass("$$.Execution.Id")),
    ("execution-input", _pass("$$.Execution.Input")),
    ("execution-name", _pass("$$.Execution.Name")),
    ("execution-role", _pass("$$.Execution.RoleArn")),
    ("execution-start", _pass("$$.Execution.StartTime")),
    ("state-name", _pass("$$.State.Name")),
    ("state-entered", _pass("$$.State.EnteredTime")),
    ("state-machine", _pass("$$.StateMachine.Id")),
    ("whole-context", _pass("$$")),
    ("retry-count-in-a-task", _task("$$.State.RetryCount")),
    ("jsonata-execution", _jsonata("$states.context.Execution.Id")),
]


@pytest.mark.parametrize("machine", [c[1] for c in POSSIBLE], ids=[c[0] for c in POSSIBLE])
def test_fields_every_such_state_has_are_clean_and_run(machine: dict[str, Any]) -> None:
    assert check_dataflow(machine) == []
    execution = run_asl(machine, {"x": 1}, lambda_handler=_echo)
    assert execution.status == "SUCCEEDED", execution.cause


def test_redrive_fields_are_optional() -> None:
    # RedriveCount is absent in Express executions, RedriveTime until a redrive.
    for path in ("$$.Execution.RedriveCount", "$$.Execution.RedriveTime"):
        [d] = check_dataflow(_pass(path))
        assert (d.severity, d.code) == ("warning", "path-may-be-missing")


def test_a_callback_task_has_its_token() -> None:
    machine = _task("$$.Task.Token", "arn:aws:states:::sqs:sendMessage.waitForTaskToken")
    assert check_dataflow(machine) == []
    jsonata = {
        "QueryLanguage": "JSONata",
        "StartAt": "A",
        "States": {
            "A": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Arguments": {"token": "{% $states.context.Task.Token %}"},
                "End": True,
            }
        },
    }
    assert check_dataflow(jsonata) == []


def _map(selector_field: str, inner: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "ItemsPath": "$.xs",
                selector_field: {"v.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index"},
                "ItemProcessor": {"StartAt": "I", "States": {"I": inner}},
                "End": True,
                **extra,
            }
        },
    }


@pytest.mark.parametrize("selector_field", ["ItemSelector", "Parameters"])
def test_a_map_item_is_there_while_building_the_iteration_input(selector_field: str) -> None:
    machine = _map(selector_field, {"Type": "Pass", "End": True})
    assert check_dataflow(machine) == []
    execution = run_asl(machine, {"xs": ["a", "b"]})
    assert execution.output == [{"v": "a", "i": 0}, {"v": "b", "i": 1}]


def test_a_map_item_field_that_cannot_exist_is_an_error() -> None:
    machine = _map("ItemSelector", {"Type": "Pass", "End": True})
    machine["States"]["M"]["ItemSelector"]["k.$"] = "$$.Map.Item.Nope"
    [d] = check_dataflow(machine)
    assert (d.severity, d.code, d.field) == ("error", "path-cannot-exist", "ItemSelector/k.$")


ITERATION_READS = [
    ("jsonpath-value", "Parameters", {"v.$": "$$.Map.Item.Value"}, "States.Runtime"),
    ("jsonpath-index", "Parameters", {"v.$": "$$.Map.Item.Index"}, "States.Runtime"),
    ("jsonpath-whole-map", "Parameters", {"v.$": "$$.Map"}, "States.Runtime"),
]


@pytest.mark.parametrize(
    ("field", "template", "error"),
    [c[1:] for c in ITERATION_READS],
    ids=[c[0] for c in ITERATION_READS],
)
def test_inside_an_iteration_the_map_item_cannot_exist(
    field: str, template: dict[str, Any], error: str
) -> None:
    # AWS documents $$.Map for the Map state's ItemSelector/Parameters only, not for the
    # states of the iteration; the executor fails such a read (a missing context path),
    # and the checker calls it an error, as it does outside any Map.
    inner = {"Type": "Pass", field: template, "End": True}
    machine = _map("ItemSelector", inner)
    [d] = check_dataflow(machine)
    assert (d.severity, d.code, d.state) == ("error", "path-cannot-exist", "I")
    assert "ItemSelector" in d.message
    execution = run_asl(machine, {"xs": ["a"]})
    assert (execution.status, execution.error) == ("FAILED", error)


def test_inside_an_iteration_the_jsonata_map_item_cannot_exist() -> None:
    inner = {"Type": "Pass", "Output": "{% $states.context.Map.Item.Value %}", "End": True}
    machine = {
        "QueryLanguage": "JSONata",
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "Items": "{% $states.input.xs %}",
                "ItemProcessor": {"StartAt": "I", "States": {"I": inner}},
                "End": True,
            }
        },
    }
    [d] = check_dataflow(machine)
    assert (d.severity, d.code, d.state) == ("error", "path-cannot-exist", "I")
    execution = run_asl(machine, {"xs": ["a"]})
    assert (execution.status, execution.error) == ("FAILED", "States.QueryEvaluationError")


def test_a_nested_map_selector_reads_its_own_item() -> None:
    inner_map = {
        "Type": "Map",
        "ItemsPath": "$.v",
        "ItemSelector": {"w.$": "$$.Map.Item.Value"},
        "ItemProcessor": {"StartAt": "J", "States": {"J": {"Type": "Pass", "End": True}}},
        "End": True,
    }
    machine = _map("ItemSelector", inner_map)
    assert check_dataflow(machine) == []
    execution = run_asl(machine, {"xs": [["p", "q"]]})
    assert execution.output == [[{"w": "p"}, {"w": "q"}]]
