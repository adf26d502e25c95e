"""Parallel and Map: outputs in order, failures, tolerance, scopes, context."""

from __future__ import annotations

import itertools
from typing import Any

from orderflow import TaskFailure
from orderflow.testing import run_asl

FN = "arn:aws:lambda:us-east-1:123456789012:function:f"


_NAMES = itertools.count(1)


def branch(state: dict[str, Any]) -> dict[str, Any]:
    # State names must be unique across the whole machine, branches included.
    name = f"B{next(_NAMES)}"
    end = {} if state["Type"] in ("Fail", "Succeed") else {"End": True}
    return {"StartAt": name, "States": {name: {**state, **end}}}


def test_parallel_output_is_a_list_in_branch_order() -> None:
    machine = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [
                    branch({"Type": "Pass", "Result": 1}),
                    branch({"Type": "Pass", "InputPath": "$.x"}),
                ],
                "End": True,
            }
        },
    }
    assert run_asl(machine, {"x": "two"}).output == [1, "two"]


def test_parallel_branch_failure_fails_the_state_and_can_be_caught() -> None:
    machine = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [
                    branch({"Type": "Pass"}),
                    branch({"Type": "Fail", "Error": "Boom", "Cause": "why"}),
                ],
                "Catch": [{"ErrorEquals": ["Boom"], "Next": "Caught", "ResultPath": "$.err"}],
                "End": True,
            },
            "Caught": {"Type": "Pass", "End": True},
        },
    }
    execution = run_asl(machine, {"a": 1})
    assert execution.output == {"a": 1, "err": {"Error": "Boom", "Cause": "why"}}
    assert "ParallelStateFailed" in execution.history_types


def map_machine(**fields: Any) -> dict[str, Any]:
    processor = fields.pop("processor", branch({"Type": "Pass"}))
    return {
        "StartAt": "M",
        "States": {"M": {"Type": "Map", "ItemProcessor": processor, "End": True, **fields}},
    }


def test_map_items_path_and_item_selector_with_context() -> None:
    machine = map_machine(
        ItemsPath="$.items",
        ItemSelector={
            "index.$": "$$.Map.Item.Index",
            "value.$": "$$.Map.Item.Value",
            "tag.$": "$.tag",
        },
    )
    output = run_asl(machine, {"items": ["a", "b"], "tag": "t"}).output
    assert output == [
        {"index": 0, "value": "a", "tag": "t"},
        {"index": 1, "value": "b", "tag": "t"},
    ]


def test_map_max_concurrency_does_not_change_results() -> None:
    items = list(range(20))
    outputs = [run_asl(map_machine(MaxConcurrency=n), items).output for n in (0, 1, 7)]
    assert outputs[0] == outputs[1] == outputs[2] == items


def test_map_legacy_iterator_and_parameters() -> None:
    machine = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "Iterator": branch({"Type": "Pass"}),
                "Parameters": {"v.$": "$$.Map.Item.Value"},
                "End": True,
            }
        },
    }
    assert run_asl(machine, [1, 2]).output == [{"v": 1}, {"v": 2}]


def _reads_in_iteration(field: str, state: dict[str, Any], **machine: Any) -> dict[str, Any]:
    processor = {"StartAt": "I", "States": {"I": {"Type": "Pass", field: state, "End": True}}}
    return {
        **machine,
        "StartAt": "M",
        "States": {"M": {"Type": "Map", "ItemProcessor": processor, "End": True}},
    }


def test_map_item_is_not_in_the_context_of_the_iteration_states() -> None:
    # AWS documents $$.Map.Item for the Map's ItemSelector/Parameters only: inside the
    # iteration it is a missing context path, which fails the state like any other.
    machine = _reads_in_iteration("Parameters", {"v.$": "$$.Map.Item.Value"})
    execution = run_asl(machine, [7])
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
    assert execution.cause == (
        "An error occurred while executing the state 'I' (entered at the event id #5). "
        "The JSONPath '$$.Map.Item.Value' specified for the field 'v.$' could not be found "
        "in the input '7'"
    )
    whole = run_asl(_reads_in_iteration("Parameters", {"c.$": "$$"}), [7])
    assert set(whole.output[0]["c"]) == {"Execution", "State", "StateMachine"}


def test_map_item_is_not_in_the_jsonata_context_of_the_iteration_states() -> None:
    machine = _reads_in_iteration(
        "Output", {"v": "{% $states.context.Map.Item.Index %}"}, QueryLanguage="JSONata"
    )
    execution = run_asl(machine, [7])
    assert (execution.status, execution.error) == ("FAILED", "States.QueryEvaluationError")
    assert "'$states.context.Map.Item.Index'" in (execution.cause or "")


def test_a_nested_map_selector_sees_its_own_item() -> None:
    inner_map = {
        "Type": "Map",
        "ItemsPath": "$.xs",
        "ItemSelector": {"x.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index"},
        "ItemProcessor": branch({"Type": "Pass"}),
        "End": True,
    }
    machine = map_machine(processor=branch(inner_map))
    output = run_asl(machine, [{"xs": ["a", "b"]}, {"xs": ["c"]}]).output
    assert output == [[{"x": "a", "i": 0}, {"x": "b", "i": 1}], [{"x": "c", "i": 0}]]


def test_map_non_array_input_fails() -> None:
    assert run_asl(map_machine(), {"a": 1}).status == "FAILED"


def test_map_tolerated_failures() -> None:
    def handler(name: str, payload: Any) -> Any:
        if payload % 2:
            raise TaskFailure("Odd", str(payload))
        return payload

    processor = branch({"Type": "Task", "Resource": FN})
    ok = run_asl(
        map_machine(processor=processor, ToleratedFailureCount=2),
        [0, 1, 2, 3],
        lambda_handler=handler,
    )
    assert ok.status == "SUCCEEDED"
    assert ok.output[0] == 0 and ok.output[1]["Error"] == "Odd"
    too_many = run_asl(
        map_machine(processor=processor, ToleratedFailureCount=1), [1, 3], lambda_handler=handler
    )
    assert too_many.error == "States.ExceedToleratedFailureThreshold"
    untolerated = run_asl(map_machine(processor=processor), [0, 1], lambda_handler=handler)
    assert (untolerated.error, untolerated.cause) == ("Odd", "1")


def test_map_iteration_variables_do_not_leak() -> None:
    machine = {
        "QueryLanguage": "JSONata",
        "StartAt": "Init",
        "States": {
            "Init": {"Type": "Pass", "Assign": {"outer": 10}, "Next": "M"},
            "M": {
                "Type": "Map",
                "Items": "{% $states.input %}",
                "ItemProcessor": {
                    "StartAt": "Inner",
                    "States": {
                        "Inner": {
                            "Type": "Pass",
                            "Assign": {"inner": "{% $states.input %}"},
                            "Next": "Read",
                        },
                        "Read": {"Type": "Pass", "Output": "{% $inner + $outer %}", "End": True},
                    },
                },
                "Next": "After",
            },
            "After": {
                "Type": "Pass",
                "Output": {"r": "{% $states.input %}", "outer": "{% $outer %}"},
                "End": True,
            },
        },
    }
    assert run_asl(machine, [1, 2]).output == {"r": [11, 12], "outer": 10}


def test_map_history_events() -> None:
    types = run_asl(map_machine(), [1]).history_types
    assert types == [
        "ExecutionStarted",
        "MapStateEntered",
        "MapStateStarted",
        "MapIterationStarted",
        "PassStateEntered",
        "PassStateExited",
        "MapIterationSucceeded",
        "MapStateSucceeded",
        "MapStateExited",
        "ExecutionSucceeded",
    ]


def test_item_reader_and_result_writer_go_through_handlers() -> None:
    written: list[Any] = []
    machine = map_machine(
        ItemReader={
            "Resource": "arn:aws:states:::s3:getObject",
            "ReaderConfig": {"InputType": "JSON", "MaxItems": 2},
            "Parameters": {"Bucket.$": "$.bucket", "Key": "items.json"},
        },
        ResultWriter={"Resource": "arn:aws:states:::s3:putObject", "Parameters": {"Bucket": "out"}},
    )
    handlers = {
        "arn:aws:states:::s3:getObject": lambda p: [p["Bucket"], p["Key"], "dropped"],
        "arn:aws:states:::s3:putObject": lambda p: (
            written.append(p) or {"Bucket": "out", "Key": "r.json"}
        ),
    }
    execution = run_asl(machine, {"bucket": "in"}, handlers=handlers)
    assert written == [{"Parameters": {"Bucket": "out"}, "Results": ["in", "items.json"]}]
    assert execution.output["ResultWriterDetails"] == {"Bucket": "out", "Key": "r.json"}


def test_item_reader_without_a_handler_is_refused() -> None:
    import pytest

    from orderflow import ExecutionError

    machine = map_machine(
        ItemReader={"Resource": "arn:aws:states:::s3:getObject", "Parameters": {}}
    )
    with pytest.raises(ExecutionError, match="reads its items"):
        run_asl(machine, {})
