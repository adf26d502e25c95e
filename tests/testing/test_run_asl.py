"""The public ``orderflow.testing.run_asl`` API: names, arguments, results."""

from __future__ import annotations

import inspect
import json

import pytest

import orderflow.testing
from orderflow import Definition, TaskFailure
from orderflow.testing import Execution, run_asl

MACHINE = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"ok": True}, "End": True}}}


def test_exports_run_asl_and_execution() -> None:
    assert {"run_asl", "Execution"} <= set(orderflow.testing.__all__)


def test_signature_keeps_the_promised_names() -> None:
    params = inspect.signature(run_asl).parameters
    assert list(params)[:2] == ["definition", "input"]
    for name in ("lambda_handler", "handlers", "state_machine_type", "clock"):
        assert params[name].kind is inspect.Parameter.KEYWORD_ONLY
    assert params["state_machine_type"].default == "STANDARD"


def test_accepts_dict_json_text_and_definition() -> None:
    for definition in (MACHINE, json.dumps(MACHINE), Definition(MACHINE)):
        execution = run_asl(definition, {})
        assert isinstance(execution, Execution)
        assert (execution.status, execution.output, execution.error, execution.cause) == (
            "SUCCEEDED",
            {"ok": True},
            None,
            None,
        )


def test_failed_execution_reports_error_and_cause() -> None:
    machine = {
        "StartAt": "T",
        "States": {
            "T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f", "End": True}
        },
    }

    def handler(name: str, payload: object) -> object:
        raise TaskFailure("Nope", "no reason")

    execution = run_asl(machine, {}, lambda_handler=handler)
    assert (execution.status, execution.error, execution.cause, execution.output) == (
        "FAILED",
        "Nope",
        "no reason",
        None,
    )
    assert execution.history[-1]["type"] == "ExecutionFailed"


def test_input_is_copied_through_json() -> None:
    data = {"nested": {"v": [1, 2]}}
    execution = run_asl({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}, data)
    assert execution.output == data and execution.output is not data


def test_same_seed_same_run() -> None:
    machine = {
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Parameters": {"id.$": "States.UUID()"}, "End": True}},
    }
    assert run_asl(machine, {}, seed=1).output == run_asl(machine, {}, seed=1).output


# --- definitions AWS would reject are refused -------------------------------------------


def test_definition_with_validation_errors_is_refused_with_its_diagnostics() -> None:
    from orderflow import InvalidDefinition

    machine = {
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "ResultSelector": {"a": 1}, "End": True}},
    }
    with pytest.raises(InvalidDefinition) as caught:
        run_asl(machine, {"x": 1})
    codes = [(d.code, d.pointer) for d in caught.value.diagnostics]
    assert ("field-not-allowed", "/States/A/ResultSelector") in codes
    assert "field-not-allowed" in str(caught.value)


def test_validation_uses_the_state_machine_type() -> None:
    from orderflow import InvalidDefinition

    machine = {
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke.sync",
                "Parameters": {"FunctionName": "f"},
                "End": True,
            }
        },
    }
    # EXPRESS machines cannot use .sync integrations; STANDARD ones can.
    with pytest.raises(InvalidDefinition):
        run_asl(machine, {}, state_machine_type="EXPRESS")


def test_a_definition_is_validated_once_however_often_it_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import orderflow.validation

    real = orderflow.validation.validate
    calls: list[object] = []

    def counting(definition: object, **kwargs: object) -> object:
        calls.append(definition)
        return real(definition, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(orderflow.validation, "validate", counting)
    # A Comment no other test uses, so the plan cache has not seen this document.
    machine = {**MACHINE, "Comment": "validated once per distinct definition"}
    for _ in range(5):
        assert run_asl(machine, {}).output == {"ok": True}
    assert len(calls) == 1
    run_asl(machine, {}, state_machine_type="EXPRESS")
    assert len(calls) == 2
