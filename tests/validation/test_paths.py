"""Where expressions appear and what syntax each place demands."""

from __future__ import annotations

from typing import Any

import pytest

from orderflow.validation import has_errors, validate

LAMBDA = "arn:aws:states:::lambda:invoke"


def errors(state: dict[str, Any], language: str = "JSONPath") -> list[tuple[str, str | None]]:
    definition = {
        "QueryLanguage": language,
        "StartAt": "S",
        "States": {"S": state, "F": {"Type": "Fail"}},
    }
    return [
        (d.code, d.field)
        for d in validate(definition)
        if d.severity == "error" and d.code != "unreachable-state"
    ]


def pass_state(**fields: Any) -> dict[str, Any]:
    return {"Type": "Pass", "End": True, **fields}


def test_input_and_output_paths_are_jsonpath() -> None:
    assert errors(pass_state(InputPath="$.a[?(@.x > 1)]", OutputPath="$$.Execution.Input")) == []
    assert errors(pass_state(InputPath="$[")) == [("invalid-path", "InputPath")]
    found = errors(pass_state(InputPath="States.Format('{}', 1)"))
    assert found == [("invalid-path", "InputPath")]


@pytest.mark.parametrize("path", ["$.a[*]", "$..a", "$.a[?(@.b)]", "$.a[0,1]"])
def test_result_path_must_be_a_reference_path(path: str) -> None:
    assert errors(pass_state(ResultPath=path)) == [("invalid-reference-path", "ResultPath")]


def test_result_path_cannot_write_to_the_context_object() -> None:
    assert errors(pass_state(ResultPath="$$.Execution")) == [
        ("invalid-reference-path", "ResultPath")
    ]
    assert errors(pass_state(ResultPath="$")) == []
    assert errors(pass_state(ResultPath=None)) == []


def test_star_path_fields_are_reference_paths() -> None:
    state = {"Type": "Wait", "SecondsPath": "$.waits[*]", "End": True}
    assert errors(state) == [("invalid-reference-path", "SecondsPath")]
    task = {"Type": "Task", "Resource": LAMBDA, "TimeoutSecondsPath": "$$.x", "End": True}
    assert errors(task) == []


def test_dynamic_keys_in_payload_templates() -> None:
    parameters = {
        "f0": 1,
        "good1.$": "$.g1",
        "bad1.$": 23,
        "bad2.$": "23",
        "f3": {
            "bad3.$": [1, 2, 3],
            "good2.$": "$.b[23]",
            "f5": ["f6", {"f7": {"bad4.$": {"f9": 1}}}],
        },
        "good4.$": "$$",
        "good5.$": "$$.g5",
        "bad5.$": "$$23",
        "var.$": "$order.id",
        "call.$": "States.Format('{} and {}', $.a, States.ArrayLength($.b))",
    }
    found = errors(pass_state(Parameters=parameters))
    assert sorted(f or "" for _, f in found) == [
        "Parameters.bad1.$",
        "Parameters.bad2.$",
        "Parameters.bad3.$",
        "Parameters.bad4.$",
        "Parameters.bad5.$",
    ]
    assert {c for c, _ in found} == {"invalid-dynamic-value"}


@pytest.mark.parametrize(
    "call",
    [
        "States.Xyz($.result)",
        "States.MathAdd(1)",
        "States.Format('unterminated)",
    ],
)
def test_invalid_intrinsic_calls(call: str) -> None:
    state = {"Type": "Task", "Resource": LAMBDA, "ResultSelector": {"abc.$": call}, "End": True}
    assert errors(state) == [("invalid-intrinsic", "ResultSelector.abc.$")]


def test_a_dynamic_value_must_start_with_a_path_or_states() -> None:
    state = {
        "Type": "Task",
        "Resource": LAMBDA,
        "ResultSelector": {"abc.$": " States.UUID()"},
        "End": True,
    }
    assert errors(state) == [("invalid-dynamic-value", "ResultSelector.abc.$")]


def test_error_and_cause_paths_take_paths_or_intrinsics() -> None:
    ok = {
        "Type": "Fail",
        "ErrorPath": "States.Format('e: {}', $.Error)",
        "CausePath": "States.UUID()",
    }
    assert errors(ok) == []
    assert errors({"Type": "Fail", "ErrorPath": "States.Nope()"}) == [
        ("invalid-intrinsic", "ErrorPath")
    ]


def test_paths_in_catchers_choices_and_assign() -> None:
    state = {
        "Type": "Task",
        "Resource": LAMBDA,
        "End": True,
        "Assign": {"x.$": "$.a["},
        "Catch": [
            {"ErrorEquals": ["X"], "Next": "F", "ResultPath": "$.e[*]", "Assign": {"y.$": 1}}
        ],
    }
    assert errors(state) == [
        ("invalid-dynamic-value", "Assign.x.$"),
        ("invalid-reference-path", "Catch[0].ResultPath"),
        ("invalid-dynamic-value", "Catch[0].Assign.y.$"),
    ]
    choice = {
        "Type": "Choice",
        "Choices": [{"Variable": "$.a[", "StringEqualsPath": "$.b", "Next": "F"}],
        "Default": "F",
    }
    assert errors(choice) == [("invalid-path", "Choices[0].Variable")]


def test_map_item_reader_parameters_are_templates() -> None:
    state: dict[str, Any] = {
        "Type": "Map",
        "ItemReader": {
            "Resource": "arn:aws:states:::s3:getObject",
            "Parameters": {"Bucket.$": "$..b"},
        },
        "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}},
        "End": True,
    }
    assert errors(state) == []  # "$..b" is a (non-reference) JSONPath: allowed in templates
    state["ItemReader"]["Parameters"] = {"Bucket.$": "$.["}
    assert errors(state) == [("invalid-dynamic-value", "ItemReader.Parameters.Bucket.$")]


def test_jsonata_expressions_must_parse_wherever_they_are() -> None:
    state = {
        "Type": "Pass",
        "Output": {"a": ["{% 1 + %}", {"b": "{% $states.input.x %}"}], "c": "plain text"},
        "Assign": {"v": "{% $x( %}"},
        "End": True,
    }
    found = errors(state, "JSONata")
    assert sorted(found) == [("invalid-jsonata", "Assign"), ("invalid-jsonata", "Output")]
    pointers = sorted(
        d.pointer
        for d in validate({"QueryLanguage": "JSONata", "StartAt": "S", "States": {"S": state}})
    )
    assert pointers == ["/States/S/Assign/v", "/States/S/Output/a/0"]


def test_valid_jsonata_state() -> None:
    state = {
        "Type": "Task",
        "Resource": LAMBDA,
        "Arguments": {"FunctionName": "f", "Payload": "{% $states.input %}"},
        "Output": "{% $states.result.Payload %}",
        "TimeoutSeconds": 10,
        "End": True,
    }
    assert not has_errors(
        validate({"QueryLanguage": "JSONata", "StartAt": "S", "States": {"S": state}})
    )
