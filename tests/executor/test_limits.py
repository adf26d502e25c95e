"""AWS's execution quotas in the local executor: history, duration, payload sizes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from orderflow import ExecutionError, InvalidDefinition, TaskFailure
from orderflow.executor import start_execution
from orderflow.executor._limits import HISTORY_LIMIT_CAUSE, MAX_HISTORY_EVENTS
from orderflow.testing import run_asl

BIG = "x" * 140_000  # two of these exceed 256 KiB; one does not

LOOP: dict[str, Any] = {
    "StartAt": "P",
    "States": {
        "P": {"Type": "Pass", "Next": "C"},
        "C": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.stop", "IsPresent": True, "Next": "E"}],
            "Default": "P",
        },
        "E": {"Type": "Succeed"},
    },
}


def _wait_loop(seconds: int) -> dict[str, Any]:
    return {
        "StartAt": "W",
        "States": {
            "W": {"Type": "Wait", "Seconds": seconds, "Next": "C"},
            "C": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.stop", "IsPresent": True, "Next": "E"}],
                "Default": "W",
            },
            "E": {"Type": "Succeed"},
        },
    }


# --- history -------------------------------------------------------------------------


def test_an_endless_loop_fails_at_25000_history_events_as_aws_words_it() -> None:
    execution = run_asl(LOOP, {})
    assert execution.status == "FAILED"
    assert execution.error == "States.Runtime"
    assert execution.cause == HISTORY_LIMIT_CAUSE
    assert HISTORY_LIMIT_CAUSE == (
        "The execution reached the maximum number of history events (25000)."
    )
    history = execution.history
    assert len(history) == MAX_HISTORY_EVENTS == 25_000
    assert history[-1]["type"] == "ExecutionFailed"
    assert history[-1]["id"] == 25_000


def test_the_history_limit_holds_with_recording_off() -> None:
    execution = start_execution(LOOP, {}, record_history=False)
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")


def test_catch_all_does_not_catch_the_history_limit() -> None:
    machine = {
        "StartAt": "Par",
        "States": {
            "Par": {
                "Type": "Parallel",
                "Branches": [LOOP],
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Succeed"},
        },
    }
    execution = run_asl(machine, {})
    assert (execution.status, execution.cause) == ("FAILED", HISTORY_LIMIT_CAUSE)


def test_a_run_under_the_limit_is_untouched() -> None:
    execution = run_asl(LOOP, {"stop": True})
    assert execution.status == "SUCCEEDED"


# --- duration ------------------------------------------------------------------------


def test_express_executions_time_out_after_five_minutes() -> None:
    execution = run_asl(_wait_loop(60), {}, state_machine_type="EXPRESS")
    assert (execution.status, execution.error) == ("TIMED_OUT", "States.Timeout")
    assert execution.duration == 300
    assert execution.history_types[-1] == "ExecutionTimedOut"


def test_standard_executions_time_out_after_a_year() -> None:
    execution = run_asl(_wait_loop(30 * 86_400), {})
    assert (execution.status, execution.error) == ("TIMED_OUT", "States.Timeout")
    assert execution.duration == 365 * 86_400


def test_a_shorter_timeout_seconds_still_wins() -> None:
    machine = {**_wait_loop(60), "TimeoutSeconds": 90}
    execution = run_asl(machine, {}, state_machine_type="EXPRESS")
    assert (execution.status, execution.duration) == ("TIMED_OUT", 90)


# --- payload sizes -------------------------------------------------------------------


def _data_limit(execution: Any, state: str) -> None:
    assert execution.status == "FAILED", execution
    assert execution.error == "States.DataLimitExceeded"
    assert execution.cause == (
        f"The state/task '{state}' returned a result with a size exceeding the maximum "
        "number of bytes service limit."
    )


def test_an_output_over_256_kib_after_result_path_fails() -> None:
    machine = {
        "StartAt": "Merge",
        "States": {
            "Merge": {"Type": "Pass", "Result": BIG, "ResultPath": "$.b", "End": True},
        },
    }
    _data_limit(run_asl(machine, {"a": BIG}), "Merge")


def test_a_task_output_over_256_kib_after_result_path_fails() -> None:
    machine = {
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
                "ResultPath": "$.b",
                "End": True,
            },
        },
    }
    _data_limit(run_asl(machine, {"a": BIG}, lambda_handler=lambda n, p: BIG), "T")


def test_parameters_over_256_kib_fail() -> None:
    machine = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Pass",
                "Parameters": {"a.$": "$.a", "b.$": "$.a"},
                "ResultPath": None,
                "End": True,
            }
        },
    }
    _data_limit(run_asl(machine, {"a": BIG}), "P")


def test_a_result_selector_over_256_kib_fails() -> None:
    machine = {
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
                "ResultSelector": {"a.$": "$", "b.$": "$"},
                "End": True,
            }
        },
    }
    _data_limit(run_asl(machine, {}, lambda_handler=lambda n, p: BIG), "T")


def test_a_jsonata_output_over_256_kib_fails() -> None:
    machine = {
        "QueryLanguage": "JSONata",
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Pass",
                "Output": "{% [$states.input.a, $states.input.a] %}",
                "End": True,
            }
        },
    }
    _data_limit(run_asl(machine, {"a": BIG}), "P")


def test_a_catcher_merging_past_256_kib_fails_the_state() -> None:
    machine = {
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.e", "Next": "S"}],
                "End": True,
            },
            "S": {"Type": "Succeed"},
        },
    }

    def fail(name: str, payload: Any) -> Any:
        raise TaskFailure("Boom", "y" * 130_000)

    _data_limit(run_asl(machine, {"a": BIG}, lambda_handler=fail), "T")


def test_size_is_counted_as_compact_utf8_json() -> None:
    # 200,011 bytes compact; json.dumps' default separators would make it larger than
    # 256 KiB, which once refused it.
    value = {f"k{i:05d}": i for i in range(15_000)}
    compact = len(json.dumps(value, separators=(",", ":")).encode())
    assert compact < 256 * 1024 < len(json.dumps(value, indent=4).encode())
    assert run_asl(
        {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, value
    ).succeeded


def test_an_input_of_exactly_200011_compact_bytes_is_accepted() -> None:
    text = '{"a":"' + "x" * (200_011 - 8) + '"}'
    assert len(text.encode()) == 200_011
    value = json.loads(text)
    machine = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    assert run_asl(machine, value).output == value


def test_an_input_over_256_kib_is_refused_with_its_size() -> None:
    with pytest.raises(ExecutionError, match=r"262,152 bytes .* \(256 KiB\)"):
        run_asl({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, "x" * 262_150)


def test_non_finite_numbers_are_not_json_input() -> None:
    machine = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    for bad in (float("nan"), {"a": float("inf")}):
        with pytest.raises(ExecutionError, match="not JSON"):
            run_asl(machine, bad)


# --- oversized results name what AWS names ----------------------------------------------


def _oversized(resource: str, parameters: dict[str, Any] | None = None) -> Any:
    state: dict[str, Any] = {"Type": "Task", "Resource": resource, "End": True}
    if parameters is not None:
        state["Parameters"] = parameters
    return run_asl(
        {"StartAt": "Big", "States": {"Big": state}},
        {},
        lambda_handler=lambda name, payload: "é" * 140_000,
        handlers={"arn:aws:states:::sqs:sendMessage": lambda params: "z" * 300_000},
    )


def test_an_oversized_lambda_invoke_result_names_lambda() -> None:
    execution = _oversized("arn:aws:states:::lambda:invoke", {"FunctionName": "f"})
    _data_limit(execution, "lambda")


def test_an_oversized_function_result_names_the_function_arn() -> None:
    arn = "arn:aws:lambda:us-east-1:123456789012:function:f"
    _data_limit(_oversized(arn), arn)


def test_an_oversized_service_result_names_the_resource_type() -> None:
    _data_limit(_oversized("arn:aws:states:::sqs:sendMessage", {"QueueUrl": "q"}), "sqs")


# --- TaskFailure ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "cause", "message"),
    [
        (1, None, "error must be a string"),
        ("E", {"detail": 1}, "cause must be a string or None"),
        (None, "c", "error must be a string"),
    ],
)
def test_task_failure_takes_only_strings(error: Any, cause: Any, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        TaskFailure(error, cause)


def test_task_failure_with_strings_is_reported_exactly() -> None:
    def fail(name: str, payload: Any) -> Any:
        raise TaskFailure("Declined", '{"reason": "credit"}')

    machine = {
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
                "End": True,
            }
        },
    }
    execution = run_asl(machine, {}, lambda_handler=fail)
    assert (execution.error, execution.cause) == ("Declined", '{"reason": "credit"}')


# --- duplicate keys ----------------------------------------------------------------------


def test_definition_text_with_duplicate_keys_is_refused() -> None:
    text = (
        '{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}, "A": {"Type": "Succeed"}}}'
    )
    with pytest.raises(InvalidDefinition, match="duplicate-state-name"):
        run_asl(text, {})
