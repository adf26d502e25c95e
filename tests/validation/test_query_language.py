"""QueryLanguage and the fields that belong to each language."""

from __future__ import annotations

from typing import Any

from orderflow.validation import has_errors, validate


def errors(definition: dict[str, Any]) -> list[tuple[str, str | None, str | None]]:
    return [(d.code, d.state, d.field) for d in validate(definition) if d.severity == "error"]


def test_jsonata_machine_cannot_contain_jsonpath_states() -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "QueryLanguage": "JSONPath", "End": True}},
    }
    assert errors(definition) == [("query-language-downgrade", "P", "QueryLanguage")]


def test_jsonpath_machine_may_mix_in_jsonata_states_at_any_depth() -> None:
    definition = {
        "StartAt": "M",
        "QueryLanguage": "JSONPath",
        "States": {
            "M": {
                "Type": "Map",
                "QueryLanguage": "JSONata",
                "Items": "{% [1, 2] %}",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "P",
                    "States": {"P": {"QueryLanguage": "JSONPath", "Type": "Pass", "End": True}},
                },
                "End": True,
            }
        },
    }
    assert errors(definition) == []


def test_jsonpath_fields_in_a_jsonata_state() -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {
            "P": {"Type": "Pass", "Parameters": {}, "ResultPath": "$.x", "Result": 1, "End": True}
        },
    }
    found = errors(definition)
    assert [f for c, _, f in found if c == "jsonpath-only-field"] == [
        "Parameters",
        "ResultPath",
        "Result",
    ]
    message = next(d.message for d in validate(definition) if d.field == "Parameters")
    assert "Arguments" in message


def test_jsonata_fields_in_a_jsonpath_state() -> None:
    definition = {
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Arguments": {},
                "Output": {},
                "End": True,
            }
        },
    }
    assert [f for c, _, f in errors(definition) if c == "jsonata-only-field"] == [
        "Arguments",
        "Output",
    ]


def test_a_state_can_switch_itself_to_jsonata() -> None:
    definition = {
        "StartAt": "P",
        "States": {
            "P": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% 1 + 1 %}", "End": True}
        },
    }
    assert not has_errors(validate(definition))


def test_invalid_query_language_values() -> None:
    definition = {
        "QueryLanguage": "XPath",
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "QueryLanguage": "jsonata", "End": True}},
    }
    assert [(c, f) for c, _, f in errors(definition)] == [
        ("invalid-value", "QueryLanguage"),
        ("invalid-value", "QueryLanguage"),
    ]


def test_jsonata_arguments_must_be_an_object_or_an_expression() -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Arguments": "$.x",
                "End": True,
            }
        },
    }
    assert ("invalid-jsonata", "T", "Arguments") in errors(definition)


def test_assign_variable_names() -> None:
    definition = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Pass",
                "Assign": {
                    "ok_1.$": "$.a",
                    "_x": 1,
                    "ünï": 2,
                    "1bad": 3,
                    "bad-name": 4,
                    "states": 5,
                },
                "End": True,
            }
        },
    }
    bad = [d.field for d in validate(definition) if d.code == "invalid-variable-name"]
    assert bad == ["Assign.1bad", "Assign.bad-name", "Assign.states"]


def test_jsonata_assign_names_take_no_dollar_suffix() -> None:
    definition = {
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {"P": {"Type": "Pass", "Assign": {"x.$": "$.a", "y": "{% 1 %}"}, "End": True}},
    }
    assert [(d.code, d.field) for d in validate(definition) if d.severity == "error"] == [
        ("invalid-variable-name", "Assign.x.$")
    ]
