"""JSONPath input/output processing: InputPath, Parameters, ResultPath, OutputPath."""

from __future__ import annotations

from typing import Any

import pytest

from orderflow.testing import run_asl


def one_state(state: dict[str, Any], **machine: Any) -> dict[str, Any]:
    return {"StartAt": "S", "States": {"S": {**state, "End": True}}, **machine}


def test_pass_passes_input_through() -> None:
    assert run_asl(one_state({"Type": "Pass"}), {"a": 1}).output == {"a": 1}


def test_result_replaces_input_by_default() -> None:
    assert run_asl(one_state({"Type": "Pass", "Result": [1, 2]}), {"a": 1}).output == [1, 2]


def test_result_path_merges_into_a_copy_of_the_input() -> None:
    data = {"a": {"b": 1}}
    execution = run_asl(one_state({"Type": "Pass", "Result": 7, "ResultPath": "$.a.c"}), data)
    assert execution.output == {"a": {"b": 1, "c": 7}}
    assert data == {"a": {"b": 1}}


def test_result_path_null_discards_the_result() -> None:
    execution = run_asl(one_state({"Type": "Pass", "Result": 7, "ResultPath": None}), {"a": 1})
    assert execution.output == {"a": 1}


def test_input_path_and_output_path() -> None:
    state = {"Type": "Pass", "InputPath": "$.order", "OutputPath": "$.id"}
    assert run_asl(one_state(state), {"order": {"id": "o-1"}}).output == "o-1"


def test_input_path_null_gives_an_empty_object() -> None:
    assert run_asl(one_state({"Type": "Pass", "InputPath": None}), {"a": 1}).output == {}


def test_parameters_with_paths_and_intrinsics() -> None:
    state = {
        "Type": "Pass",
        "Parameters": {
            "id.$": "$.order.id",
            "greeting.$": "States.Format('hello {}', $.name)",
            "fixed": 1,
        },
    }
    output = run_asl(one_state(state), {"order": {"id": "o-1"}, "name": "ann"}).output
    assert output == {"id": "o-1", "greeting": "hello ann", "fixed": 1}


def test_math_add_truncates_like_aws() -> None:
    state = {"Type": "Pass", "Parameters": {"v.$": "States.MathAdd($.a, $.b)"}}
    assert run_asl(one_state(state), {"a": 1.49, "b": 1.5}).output == {"v": 3}


def test_missing_input_path_is_states_runtime_with_aws_wording() -> None:
    execution = run_asl(one_state({"Type": "Pass", "InputPath": "$.nope"}), {"a": 1})
    assert execution.status == "FAILED"
    assert execution.error == "States.Runtime"
    assert execution.cause == (
        "An error occurred while executing the state 'S' (entered at the event id #2). "
        "Invalid path '$.nope' : No results for path: $['nope']"
    )


def test_context_object_reaches_parameters() -> None:
    state = {
        "Type": "Pass",
        "Parameters": {"name.$": "$$.State.Name", "input.$": "$$.Execution.Input"},
    }
    output = run_asl(one_state(state), {"x": 1}).output
    assert output == {"name": "S", "input": {"x": 1}}


def test_state_machine_and_execution_ids_are_arns() -> None:
    state = {
        "Type": "Pass",
        "Parameters": {"sm.$": "$$.StateMachine.Id", "ex.$": "$$.Execution.Id"},
    }
    output = run_asl(one_state(state), {}).output
    assert output["sm"].startswith("arn:aws:states:us-east-1:")
    assert ":execution:" in output["ex"]


def test_express_execution_arns() -> None:
    state = {"Type": "Pass", "Parameters": {"ex.$": "$$.Execution"}}
    output = run_asl(one_state(state), {}, state_machine_type="EXPRESS").output
    assert ":express:" in output["ex"]["Id"]
    assert "RedriveCount" not in output["ex"]


def test_oversized_pass_result_is_data_limit_exceeded() -> None:
    state = {"Type": "Pass", "Result": {"big": "x" * (256 * 1024)}}
    execution = run_asl(one_state(state), {})
    assert execution.error == "States.DataLimitExceeded"


@pytest.mark.parametrize("source", ["json", "dict"])
def test_definition_as_json_text_or_dict(source: str) -> None:
    import json

    machine = one_state({"Type": "Pass", "Result": "ok"})
    definition = json.dumps(machine) if source == "json" else machine
    assert run_asl(definition, None).output == "ok"


@pytest.mark.parametrize(
    "states",
    [
        {"S": {"Type": "Pass"}},
        {"S": {"Type": "Choice", "Choices": 5}},
        {"S": {"Type": "Choice", "Choices": [5], "Default": "S"}},
        {"S": {"Type": "Task", "Resource": "x", "Retry": "x", "End": True}},
        {"S": {"Type": "Task", "Resource": "x", "Retry": [{"MaxAttempts": "a"}], "End": True}},
        {"S": {"Type": "Wait", "End": True}},
        {"S": {"Type": "Pass", "Next": "Nowhere"}},
        {"S": {"Type": "Bogus", "End": True}},
    ],
)
def test_malformed_definitions_are_definition_errors(states: dict[str, Any]) -> None:
    from orderflow import DefinitionError

    with pytest.raises(DefinitionError):
        run_asl({"StartAt": "S", "States": states}, {})
