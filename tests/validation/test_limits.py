"""Payload size, definition size, Map labels."""

from __future__ import annotations

import pytest

from orderflow.validation import has_errors, validate


def map_with_label(label: object) -> list[tuple[str, str]]:
    state = {
        "Type": "Map",
        "Label": label,
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "I",
            "States": {"I": {"Type": "Pass", "End": True}},
        },
        "End": True,
    }
    return [(d.code, d.message) for d in validate({"StartAt": "M", "States": {"M": state}})]


@pytest.mark.parametrize("label", ["batch-1", "Label_with_underscore", "x" * 40, "ünïcode"])
def test_valid_labels(label: str) -> None:
    assert map_with_label(label) == []


@pytest.mark.parametrize(
    ("label", "fragment"),
    [
        ("", "empty"),
        ("x" * 41, "exceed 40"),
        ("label_ ", "' '"),
        ("label_\t", "'\\t'"),
        ("label_\x00", "'\\x00'"),
        ("label_\x85", "'\\x85'"),
        ("label_/", "'/'"),
        *[(f"label_{c}", repr(c)) for c in '?*<>{}[]:;,\\|^~$#%&`"'],
        (3, "string"),
    ],
)
def test_invalid_labels(label: object, fragment: str) -> None:
    found = map_with_label(label)
    assert [code for code, _ in found] == ["invalid-label"]
    assert fragment in found[0][1]


def test_large_literal_is_a_warning_not_an_error() -> None:
    big = {"data": "x" * (256 * 1024)}
    diagnostics = validate(
        {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": big, "End": True}}}
    )
    assert not has_errors(diagnostics)
    assert [(d.code, d.field, d.severity) for d in diagnostics] == [
        ("payload-too-large", "Result", "warning")
    ]
    assert "States.DataLimitExceeded" in diagnostics[0].message


def test_literal_just_under_the_limit_is_fine() -> None:
    small = "x" * (256 * 1024 - 2)  # the JSON string adds two quotes
    assert (
        validate({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": small, "End": True}}})
        == []
    )


def test_definition_over_one_mebibyte_is_rejected() -> None:
    states = {
        f"S{i}": {"Type": "Pass", "Comment": "c" * 1000, "Next": f"S{i + 1}"} for i in range(1100)
    }
    states["S1100"] = {"Type": "Succeed"}
    diagnostics = validate({"StartAt": "S0", "States": states})
    assert [d.code for d in diagnostics] == ["definition-too-large"]
