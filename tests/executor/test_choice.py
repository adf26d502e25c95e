"""Choice rules: every operator family, Path forms, combinators and Default."""

from __future__ import annotations

from typing import Any

import pytest

from orderflow.testing import run_asl


def choose(rule: dict[str, Any], value: Any, **extra: Any) -> str:
    machine = {
        "StartAt": "C",
        "States": {
            "C": {"Type": "Choice", "Choices": [{**rule, "Next": "Yes"}], "Default": "No"},
            "Yes": {"Type": "Pass", "Result": "yes", "End": True},
            "No": {"Type": "Pass", "Result": "no", "End": True},
        },
    }
    execution = run_asl(machine, {"v": value, **extra})
    assert execution.status == "SUCCEEDED", execution.cause
    return str(execution.output)


@pytest.mark.parametrize(
    ("rule", "value", "expected"),
    [
        ({"StringEquals": "a"}, "a", "yes"),
        ({"StringEquals": "a"}, 1, "no"),
        ({"StringLessThan": "b"}, "a", "yes"),
        ({"StringGreaterThanEquals": "b"}, "b", "yes"),
        ({"NumericEquals": 3}, 3.0, "yes"),
        ({"NumericEquals": 3}, "3", "no"),
        ({"NumericLessThan": 3}, 2, "yes"),
        ({"NumericGreaterThan": 3}, 2, "no"),
        ({"BooleanEquals": True}, True, "yes"),
        ({"BooleanEquals": True}, 1, "no"),
        ({"TimestampEquals": "2024-01-01T00:00:00Z"}, "2024-01-01T01:00:00+01:00", "yes"),
        ({"TimestampLessThan": "2024-01-01T00:00:00Z"}, "2023-12-31T23:59:59.5Z", "yes"),
        ({"TimestampEquals": "2024-01-01T00:00:00Z"}, "2024-01-01 00:00:00Z", "no"),
        ({"StringMatches": "log-*.txt"}, "log-2024.txt", "yes"),
        ({"StringMatches": "a\\*b"}, "a*b", "yes"),
        ({"StringMatches": "a\\*b"}, "axxb", "no"),
        ({"IsNull": True}, None, "yes"),
        ({"IsNumeric": True}, 1.5, "yes"),
        ({"IsString": True}, 1, "no"),
        ({"IsBoolean": True}, False, "yes"),
        ({"IsTimestamp": True}, "2024-01-01T00:00:00Z", "yes"),
    ],
)
def test_comparisons(rule: dict[str, Any], value: Any, expected: str) -> None:
    assert choose({"Variable": "$.v", **rule}, value) == expected


def test_path_forms_compare_two_input_values() -> None:
    assert choose({"Variable": "$.v", "NumericGreaterThanPath": "$.w"}, 5, w=3) == "yes"
    assert choose({"Variable": "$.v", "StringEqualsPath": "$.w"}, "a", w="b") == "no"


def test_is_present() -> None:
    assert choose({"Variable": "$.missing", "IsPresent": False}, 1) == "yes"
    assert choose({"Variable": "$.v", "IsPresent": True}, None) == "yes"


def test_and_or_not() -> None:
    rule = {
        "And": [
            {"Variable": "$.v", "NumericGreaterThan": 1},
            {
                "Or": [
                    {"Variable": "$.v", "NumericEquals": 2},
                    {"Not": {"Variable": "$.v", "NumericLessThan": 10}},
                ]
            },
        ]
    }
    assert choose(rule, 2) == "yes"
    assert choose(rule, 5) == "no"
    assert choose(rule, 11) == "yes"


def test_missing_variable_is_states_runtime() -> None:
    machine = {
        "StartAt": "C",
        "States": {
            "C": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.nope", "NumericEquals": 1, "Next": "Y"}],
                "Default": "Y",
            },
            "Y": {"Type": "Succeed"},
        },
    }
    assert run_asl(machine, {}).error == "States.Runtime"


def test_no_match_without_default_fails() -> None:
    machine = {
        "StartAt": "C",
        "States": {
            "C": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.v", "NumericEquals": 1, "Next": "Y"}],
            },
            "Y": {"Type": "Succeed"},
        },
    }
    assert run_asl(machine, {"v": 2}).error == "States.NoChoiceMatched"


def test_jsonata_condition_with_output_and_assign() -> None:
    machine = {
        "QueryLanguage": "JSONata",
        "StartAt": "C",
        "States": {
            "C": {
                "Type": "Choice",
                "Choices": [
                    {
                        "Condition": "{% $states.input.n > 2 %}",
                        "Next": "Big",
                        "Assign": {"kind": "big"},
                        "Output": "{% $states.input.n * 10 %}",
                    }
                ],
                "Default": "Small",
            },
            "Big": {
                "Type": "Pass",
                "Output": {"kind": "{% $kind %}", "value": "{% $states.input %}"},
                "End": True,
            },
            "Small": {"Type": "Pass", "End": True},
        },
    }
    assert run_asl(machine, {"n": 3}).output == {"kind": "big", "value": 30}
    assert run_asl(machine, {"n": 1}).output == {"n": 1}
