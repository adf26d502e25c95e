"""Choice rules in JSONPath and JSONata."""

from __future__ import annotations

from typing import Any

import pytest

from orderflow.validation import has_errors, validate


def choice(*rules: Any, language: str = "JSONPath") -> list[tuple[str, str | None]]:
    states = {
        "C": {"Type": "Choice", "Choices": list(rules), "Default": "D"},
        "D": {"Type": "Succeed"},
    }
    diagnostics = validate({"QueryLanguage": language, "StartAt": "C", "States": states})
    return [(d.code, d.field) for d in diagnostics if d.severity == "error"]


def test_valid_rules() -> None:
    assert (
        choice(
            {"Variable": "$.a", "StringEquals": "x", "Next": "D"},
            {
                "And": [
                    {"Variable": "$.a", "IsPresent": True},
                    {"Not": {"Variable": "$.b", "NumericGreaterThan": 1}},
                ],
                "Next": "D",
                "Comment": "nested",
            },
            {"Variable": "$.t", "TimestampLessThan": "2016-03-14T01:59:00Z", "Next": "D"},
            {"Variable": "$.n", "NumericEqualsPath": "$.m", "Next": "D", "Assign": {"x.$": "$.n"}},
        )
        == []
    )


def test_top_level_rules_need_next_and_nested_ones_cannot_have_it() -> None:
    found = choice({"And": [{"Variable": "$.a", "IsNull": False, "Next": "D"}]})
    assert ("missing-field", "Choices[0].Next") in found
    assert ("field-not-allowed", "Choices[0].And[0].Next") in found


def test_nested_rule_fields_are_reported_in_a_fixed_order() -> None:
    # The order once followed set iteration, so it changed with PYTHONHASHSEED.
    nested = {"Variable": "$.a", "IsNull": False, "Next": "D", "Assign": {"x": 1}}
    found = choice({"And": [nested], "Next": "D"})
    assert [f for code, f in found if code == "field-not-allowed"] == [
        "Choices[0].And[0].Next",
        "Choices[0].And[0].Assign",
    ]


@pytest.mark.parametrize(
    ("operator", "value", "code"),
    [
        ("StringEquals", 1, "invalid-type"),
        ("NumericEquals", "1", "invalid-type"),
        ("NumericEquals", True, "invalid-type"),
        ("BooleanEquals", "true", "invalid-type"),
        ("IsPresent", 1, "invalid-type"),
        ("TimestampEquals", "yesterday", "invalid-timestamp"),
    ],
)
def test_operand_types(operator: str, value: object, code: str) -> None:
    assert (code, f"Choices[0].{operator}") in choice(
        {"Variable": "$.a", operator: value, "Next": "D"}
    )


def test_exactly_one_comparison() -> None:
    assert ("missing-field", "Choices[0]") in choice({"Variable": "$.a", "Next": "D"})
    both = choice({"Variable": "$.a", "IsNull": True, "IsPresent": True, "Next": "D"})
    assert ("conflicting-fields", "Choices[0]") in both
    assert ("missing-field", "Choices[0].Variable") in choice({"IsNull": True, "Next": "D"})


def test_unknown_rule_field_and_empty_choices() -> None:
    assert ("field-not-allowed", "Choices[0].StringContains") in choice(
        {"Variable": "$.a", "StringContains": "x", "Next": "D"}
    )
    assert choice() == [("invalid-value", "Choices")]


def test_jsonata_rules() -> None:
    assert choice({"Condition": "{% $states.input.ok %}", "Next": "D"}, language="JSONata") == []
    assert ("invalid-jsonata", "Choices[0].Condition") in choice(
        {"Condition": "$states.input.ok", "Next": "D"}, language="JSONata"
    )
    assert ("field-not-allowed", "Choices[0].Variable") in choice(
        {"Variable": "$.a", "IsNull": True, "Condition": "{% true %}", "Next": "D"},
        language="JSONata",
    )


def test_jsonpath_choice_rules_are_valid_assign_holders() -> None:
    states = {
        "C": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.a", "IsNull": True, "Next": "D"}],
            "Default": "D",
        },
        "D": {"Type": "Succeed"},
    }
    assert not has_errors(validate({"StartAt": "C", "States": states}))
