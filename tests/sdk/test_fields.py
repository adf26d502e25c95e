"""The completed SDK classes, used directly the way an SDK user would."""

from __future__ import annotations

import json
from typing import Any

import pytest

pytest.importorskip("stepfunctions")

from stepfunctions import steps
from stepfunctions.inputs import ExecutionInput

from orderflow import sdk


def as_json(obj: Any) -> Any:
    return json.loads(obj.to_json())


def test_task_with_result_selector_credentials_and_jittered_retry() -> None:
    task = sdk.Task(
        "Pay",
        resource="arn:aws:states:::lambda:invoke",
        parameters={"FunctionName": "pay", "Payload.$": "$"},
        result_selector={"receipt.$": "$.Payload"},
        credentials={"RoleArn": "arn:aws:iam::123456789012:role/payer"},
        retry=sdk.Retry(
            error_equals=["Lambda.ServiceException"],
            max_attempts=3,
            max_delay_seconds=10,
            jitter_strategy="FULL",
        ),
    )
    assert isinstance(task, steps.Task)
    assert as_json(task) == {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "pay", "Payload.$": "$"},
        "ResultSelector": {"receipt.$": "$.Payload"},
        "Credentials": {"RoleArn": "arn:aws:iam::123456789012:role/payer"},
        "End": True,
        "Retry": [
            {
                "ErrorEquals": ["Lambda.ServiceException"],
                "MaxAttempts": 3,
                "MaxDelaySeconds": 10,
                "JitterStrategy": "FULL",
            }
        ],
    }


def test_unknown_fields_are_still_refused() -> None:
    with pytest.raises(TypeError, match="not supported"):
        sdk.Task("T", resource="r", result_selectr={})
    with pytest.raises(TypeError, match="not supported"):
        sdk.Pass("P", credentials={})  # Credentials belong to Task only


def test_map_with_item_processor_and_selector() -> None:
    body = steps.Chain([steps.Pass("Ship"), steps.Succeed("Shipped")])
    each = sdk.Map(
        "Each",
        items_path="$.items",
        item_selector={"item.$": "$$.Map.Item.Value"},
        item_processor=body,
        processor_config={"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
        tolerated_failure_percentage=5,
        label="each",
    )
    assert as_json(each) == {
        "Type": "Map",
        "ItemsPath": "$.items",
        "ItemSelector": {"item.$": "$$.Map.Item.Value"},
        "ToleratedFailurePercentage": 5,
        "Label": "each",
        "End": True,
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
            "StartAt": "Ship",
            "States": {
                "Ship": {"Type": "Pass", "Next": "Shipped"},
                "Shipped": {"Type": "Succeed"},
            },
        },
    }
    with pytest.raises(ValueError, match="not both"):
        sdk.Map("M", iterator=steps.Pass("x"), item_processor=steps.Pass("y"))


def test_legacy_iterator_form_is_kept() -> None:
    each = sdk.Map("Each", iterator=steps.Pass("Item"), item_selector={"v.$": "$$.Map.Item.Value"})
    written = as_json(each)
    assert "ItemProcessor" not in written
    item = {"Type": "Pass", "End": True}
    assert written["Iterator"] == {"StartAt": "Item", "States": {"Item": item}}


def test_explicit_none_and_empty_lists_keep_their_asl_meaning() -> None:
    # Output: null (JSONata) and Catch: [] mean something; the SDK classes drop both.
    out = sdk.Pass("Out", query_language="JSONata", output=None)
    assert as_json(out) == {"Type": "Pass", "QueryLanguage": "JSONata", "Output": None, "End": True}
    assert "Output" not in as_json(steps.Pass("Out", result=None))
    task = sdk.Task("T", resource="r", catch=[], retry=[])
    assert as_json(task) == {"Type": "Task", "Resource": "r", "End": True, "Retry": [], "Catch": []}


def test_placeholders_in_result_selector_become_paths() -> None:
    order = ExecutionInput()
    task = sdk.Task("T", resource="r", result_selector={"order": order["id"], "fixed": 1})
    assert as_json(task)["ResultSelector"] == {
        "order.$": "$$.Execution.Input['id']",
        "fixed": 1,
    }


def test_catch_and_graph_extras() -> None:
    fallback = steps.Fail("Failed", error="E")
    task = sdk.Task("T", resource="r")
    task.add_catch(
        sdk.Catch(error_equals=["States.ALL"], next_step=fallback, assign={"failed": True})
    )
    graph = sdk.Graph(task, query_language="JSONPath", comment="c")
    assert as_json(graph) == {
        "QueryLanguage": "JSONPath",
        "Comment": "c",
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": "r",
                "End": True,
                "Catch": [
                    {"ErrorEquals": ["States.ALL"], "Assign": {"failed": True}, "Next": "Failed"}
                ],
            },
            "Failed": {"Type": "Fail", "Error": "E"},
        },
    }


def test_the_sdk_modules_are_reexported() -> None:
    assert sdk.steps is steps
    assert sdk.inputs.ExecutionInput is ExecutionInput
    with pytest.raises(AttributeError):
        _ = sdk.LambdaStep
