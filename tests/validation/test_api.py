"""The public surface of orderflow.validation, the Diagnostic type and the output formats."""

from __future__ import annotations

import json
import sys

import pytest

import orderflow.validation as validation
from orderflow import DefinitionError
from orderflow.asl import Definition
from orderflow.validation import CODES, Diagnostic, format_json, format_text, has_errors, validate

BROKEN = {
    "StartAt": "A",
    "States": {
        "A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "Gone"},
        "B": {"Type": "Pass", "End": True},
    },
}


def test_exported_names_are_exactly_the_public_ones() -> None:
    assert sorted(validation.__all__) == [
        "CODES",
        "CodeInfo",
        "Diagnostic",
        "Severity",
        "StateMachineType",
        "format_json",
        "format_text",
        "has_errors",
        "validate",
    ]


def test_validate_accepts_everything_as_definition_accepts() -> None:
    text = json.dumps(BROKEN)
    results = [
        validate(BROKEN),
        validate(text),
        validate(text.encode()),
        validate(Definition(BROKEN)),
    ]
    assert all(r == results[0] for r in results)


def test_unreadable_input_and_bad_type_raise() -> None:
    with pytest.raises(DefinitionError):
        validate("not json")
    with pytest.raises(DefinitionError):
        validate("[]")
    with pytest.raises(DefinitionError):
        validate(BROKEN, state_machine_type="FAST")  # type: ignore[arg-type]


def test_diagnostic_shape() -> None:
    diagnostic = validate(BROKEN)[0]
    assert isinstance(diagnostic, Diagnostic)
    assert list(diagnostic.to_dict()) == [
        "severity",
        "code",
        "state",
        "field",
        "pointer",
        "message",
    ]
    assert diagnostic.to_dict()["code"] == "unknown-target"


def test_every_code_has_a_severity_and_summary() -> None:
    assert all(info.severity in ("error", "warning") and info.summary for info in CODES.values())
    assert {c for c, i in CODES.items() if i.severity == "warning"} == {
        "retry-business-errors",
        "catch-discards-input",
        "task-without-timeout",
        "payload-too-large",
        "duplicate-key",
        "placeholder-arn",
    }


def test_has_errors_ignores_warnings() -> None:
    warning = Diagnostic("warning", "task-without-timeout", "A", None, "/States/A", "m")
    error = Diagnostic("error", "unknown-target", "A", "Next", "/States/A/Next", "m")
    assert not has_errors([warning])
    assert has_errors([warning, error])
    assert not has_errors([])


def test_format_json_round_trips() -> None:
    diagnostics = validate(BROKEN)
    assert json.loads(format_json(diagnostics)) == [d.to_dict() for d in diagnostics]
    assert json.loads(format_json([])) == []


def test_format_text_groups_by_state_with_machine_first() -> None:
    diagnostics = validate({**BROKEN, "Extra": 1})
    text = format_text(diagnostics, file="order.json")
    lines = text.splitlines()
    assert lines[0] == "order.json: 4 errors, 1 warning"
    headings = [
        line.strip() for line in lines if line.startswith("  ") and not line.startswith("    ")
    ]
    assert headings == ["state machine", "state 'A'", "state 'B'"]
    a_block = text[text.index("state 'A'") : text.index("state 'B'")]
    assert a_block.index("error") < a_block.index("warning")
    assert "\x1b[" not in text


def test_format_text_colour_is_opt_in() -> None:
    assert "\x1b[31m" in format_text(validate(BROKEN), color=True)
    assert format_text([], file="x.json") == "x.json: no problems found\n"


def test_a_dict_nested_beyond_the_recursion_limit_is_refused_cleanly() -> None:
    deep: list[object] = []
    node = deep
    for _ in range(sys.getrecursionlimit() + 100):
        child: list[object] = []
        node.append(child)
        node = child
    with pytest.raises(DefinitionError, match="nested too deeply"):
        validate({"StartAt": "A", "Comment": deep, "States": {"A": {"Type": "Succeed"}}})
