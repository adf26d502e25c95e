"""JSONata states: Arguments, Output, Assign, $states, QueryEvaluationError."""

from __future__ import annotations

from typing import Any

from orderflow.testing import run_asl

FN = "arn:aws:lambda:us-east-1:123456789012:function:f"


def test_arguments_and_output_read_states() -> None:
    machine = {
        "QueryLanguage": "JSONata",
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Arguments": {"FunctionName": "f", "Payload": {"n": "{% $states.input.n + 1 %}"}},
                "Output": "{% $states.result.Payload %}",
                "End": True,
            }
        },
    }
    assert run_asl(machine, {"n": 1}, lambda_handler=lambda name, p: p).output == {"n": 2}


def test_state_level_query_language_in_a_jsonpath_machine() -> None:
    machine = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Parameters": {"x.$": "$.x"}, "Next": "B"},
            "B": {
                "QueryLanguage": "JSONata",
                "Type": "Pass",
                "Output": "{% $states.input.x * 3 %}",
                "End": True,
            },
        },
    }
    assert run_asl(machine, {"x": 2}).output == 6


def test_assign_values_are_seen_from_the_next_state() -> None:
    machine = {
        "QueryLanguage": "JSONata",
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Assign": {"v": 1}, "Next": "B"},
            "B": {"Type": "Pass", "Assign": {"v": "{% $v + 1 %}", "seen": "{% $v %}"}, "Next": "C"},
            "C": {"Type": "Pass", "Output": {"v": "{% $v %}", "seen": "{% $seen %}"}, "End": True},
        },
    }
    assert run_asl(machine, {}).output == {"v": 2, "seen": 1}


def test_jsonpath_reads_variables() -> None:
    machine = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Assign": {"name.$": "$.who"}, "Next": "B"},
            "B": {"Type": "Pass", "Parameters": {"hello.$": "$name"}, "End": True},
        },
    }
    assert run_asl(machine, {"who": "ann"}).output == {"hello": "ann"}


def test_undefined_value_is_a_catchable_query_evaluation_error() -> None:
    machine: dict[str, Any] = {
        "QueryLanguage": "JSONata",
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": FN,
                "Arguments": {"x": "{% $nothing %}"},
                "Catch": [
                    {
                        "ErrorEquals": ["States.QueryEvaluationError"],
                        "Next": "C",
                        "Output": "{% $states.errorOutput.Error %}",
                    }
                ],
                "End": True,
            },
            "C": {"Type": "Pass", "End": True},
        },
    }
    execution = run_asl(machine, {}, lambda_handler=lambda n, p: p)
    assert execution.output == "States.QueryEvaluationError"
    del machine["States"]["T"]["Catch"]
    del machine["States"]["C"]  # unreachable without the Catch, which AWS rejects
    failed = run_asl(machine, {}, lambda_handler=lambda n, p: p)
    assert failed.error == "States.QueryEvaluationError"
    assert failed.cause == (
        "An error occurred while executing the state 'T' (entered at the event id #2). The JSONata "
        "expression '$nothing' specified for the field 'Arguments/x' returned nothing (undefined)."
    )
    assert "EvaluationFailed" in failed.history_types


def test_fail_state_with_jsonata_error_and_cause() -> None:
    machine = {
        "QueryLanguage": "JSONata",
        "StartAt": "F",
        "States": {
            "F": {
                "Type": "Fail",
                "Error": "{% $states.input.e %}",
                "Cause": "{% 'because ' & $states.input.c %}",
            }
        },
    }
    execution = run_asl(machine, {"e": "Bad", "c": "reasons"})
    assert (execution.error, execution.cause) == ("Bad", "because reasons")


def test_random_and_uuid_are_seeded() -> None:
    machine = {
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Pass",
                "Output": {"r": "{% $random() %}", "u": "{% $uuid() %}"},
                "End": True,
            }
        },
    }
    assert run_asl(machine, {}, seed=3).output == run_asl(machine, {}, seed=3).output
    assert run_asl(machine, {}, seed=3).output != run_asl(machine, {}, seed=4).output


def test_fields_of_the_other_query_language_are_refused() -> None:
    import pytest

    from orderflow import DefinitionError

    jsonata_with_result_path = {
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "ResultPath": "$.x", "End": True}},
    }
    with pytest.raises(DefinitionError, match="ResultPath is not allowed in a JSONata state"):
        run_asl(jsonata_with_result_path, {})
    jsonpath_with_output = {
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Output": 1, "End": True}},
    }
    with pytest.raises(DefinitionError, match="Output is not allowed in a JSONPath state"):
        run_asl(jsonpath_with_output, {})
