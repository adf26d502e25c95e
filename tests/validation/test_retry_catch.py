"""Retriers and catchers: fields, ranges, States.ALL placement, error names, advice."""

from __future__ import annotations

from typing import Any

import pytest

from orderflow.validation import Diagnostic, validate

LAMBDA = "arn:aws:states:::lambda:invoke"


def task(**fields: Any) -> list[Diagnostic]:
    state = {"Type": "Task", "Resource": LAMBDA, "TimeoutSeconds": 5, "End": True, **fields}
    return validate({"StartAt": "T", "States": {"T": state, "F": {"Type": "Fail"}}})


def found(diagnostics: list[Diagnostic], severity: str = "error") -> list[tuple[str, str | None]]:
    return [
        (d.code, d.field)
        for d in diagnostics
        if d.severity == severity and d.code != "unreachable-state"
    ]


def test_states_all_must_be_alone_and_last() -> None:
    retry = [{"ErrorEquals": ["States.ALL", "Other"]}, {"ErrorEquals": ["X"]}]
    assert found(task(Retry=retry)) == [
        ("states-all-not-alone", "Retry[0].ErrorEquals"),
        ("states-all-not-last", "Retry[0].ErrorEquals"),
    ]
    catch = [
        {"ErrorEquals": ["States.ALL"], "Next": "F", "ResultPath": "$.e"},
        {"ErrorEquals": ["X"], "Next": "F", "ResultPath": "$.e"},
    ]
    assert found(task(Catch=catch)) == [("states-all-not-last", "Catch[0].ErrorEquals")]


def test_unknown_states_error_names() -> None:
    retry = [{"ErrorEquals": ["States.Timeout", "States.TimeOut", "MyError"], "MaxAttempts": 1}]
    diagnostics = task(Retry=retry)
    assert found(diagnostics) == [("unknown-states-error", "Retry[0].ErrorEquals")]
    assert [d.pointer for d in diagnostics if d.code == "unknown-states-error"] == [
        "/States/T/Retry/0/ErrorEquals/1"
    ]


@pytest.mark.parametrize(
    ("retrier", "field"),
    [
        ({"ErrorEquals": []}, "Retry[0].ErrorEquals"),
        ({"ErrorEquals": ["X"], "IntervalSeconds": 0}, "Retry[0].IntervalSeconds"),
        ({"ErrorEquals": ["X"], "MaxAttempts": -1}, "Retry[0].MaxAttempts"),
        ({"ErrorEquals": ["X"], "BackoffRate": 0.5}, "Retry[0].BackoffRate"),
        ({"ErrorEquals": ["X"], "BackoffRate": -2}, "Retry[0].BackoffRate"),
        ({"ErrorEquals": ["X"], "MaxDelaySeconds": -1}, "Retry[0].MaxDelaySeconds"),
        ({"ErrorEquals": ["X"], "MaxDelaySeconds": 31_622_401}, "Retry[0].MaxDelaySeconds"),
        ({"ErrorEquals": ["X"], "JitterStrategy": "PARTIAL"}, "Retry[0].JitterStrategy"),
        ({"ErrorEquals": ["X"], "Next": "F"}, "Retry[0].Next"),
        ({"IntervalSeconds": 1}, "Retry[0].ErrorEquals"),
    ],
)
def test_bad_retriers(retrier: dict[str, Any], field: str) -> None:
    assert [f for _, f in found(task(Retry=[retrier]))] == [field]


def test_good_retrier() -> None:
    retrier = {
        "ErrorEquals": ["Lambda.ServiceException"],
        "IntervalSeconds": 2,
        "MaxAttempts": 0,
        "BackoffRate": 2,
        "MaxDelaySeconds": 10,
        "JitterStrategy": "FULL",
        "Comment": "transient",
    }
    assert found(task(Retry=[retrier])) == []


def test_catchers() -> None:
    assert found(task(Catch=[{"ErrorEquals": ["X"], "ResultPath": "$.e"}])) == [
        ("missing-field", "Catch[0].Next")
    ]
    assert ("field-not-allowed", "Catch[0].Output") in found(
        task(Catch=[{"ErrorEquals": ["X"], "Next": "F", "Output": {}, "ResultPath": "$.e"}])
    )
    assert found(task(Retry={"ErrorEquals": ["X"]})) == [("invalid-type", "Retry")]
    assert found(task(Catch=[3])) == [("invalid-type", "Catch[0]")]


def test_jsonata_catcher_takes_output_not_result_path() -> None:
    state = {
        "Type": "Task",
        "Resource": LAMBDA,
        "TimeoutSeconds": 5,
        "End": True,
        "Catch": [{"ErrorEquals": ["X"], "Next": "F", "ResultPath": "$.e"}],
    }
    diagnostics = validate(
        {"QueryLanguage": "JSONata", "StartAt": "T", "States": {"T": state, "F": {"Type": "Fail"}}}
    )
    assert ("field-not-allowed", "Catch[0].ResultPath") in found(diagnostics)
    assert "catch-discards-input" not in {d.code for d in diagnostics}


def test_warnings_are_separate_from_errors() -> None:
    diagnostics = validate(
        {
            "StartAt": "T",
            "States": {
                "T": {
                    "Type": "Task",
                    "Resource": LAMBDA,
                    "Retry": [{"ErrorEquals": ["States.ALL"]}],
                    "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "F"}],
                    "End": True,
                },
                "F": {"Type": "Fail"},
            },
        }
    )
    assert found(diagnostics) == []
    assert sorted(found(diagnostics, "warning")) == [
        ("catch-discards-input", "Catch[0].ResultPath"),
        ("retry-business-errors", "Retry[0].ErrorEquals"),
        ("task-without-timeout", "TimeoutSeconds"),
    ]


def test_no_business_error_warning_when_the_retrier_never_retries() -> None:
    assert (
        found(task(Retry=[{"ErrorEquals": ["States.TaskFailed"], "MaxAttempts": 0}]), "warning")
        == []
    )


def test_jsonata_catcher_without_output_discards_the_input() -> None:
    def warnings(catcher: dict[str, Any]) -> list[tuple[str, str | None]]:
        state = {
            "Type": "Task",
            "Resource": LAMBDA,
            "TimeoutSeconds": 5,
            "End": True,
            "Catch": [{"ErrorEquals": ["X"], "Next": "F", **catcher}],
        }
        machine = {
            "QueryLanguage": "JSONata",
            "StartAt": "T",
            "States": {"T": state, "F": {"Type": "Fail"}},
        }
        return found(validate(machine), "warning")

    assert warnings({}) == [("catch-discards-input", "Catch[0].Output")]
    assert warnings({"Assign": {"e": "{% $states.errorOutput %}"}}) == [
        ("catch-discards-input", "Catch[0].Output")
    ]
    kept = "{% $merge([$states.input, {'error': $states.errorOutput}]) %}"
    assert warnings({"Output": kept}) == []
