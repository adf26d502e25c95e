"""Retry and Catch: counts, back-off on the virtual clock, jitter, catchability."""

from __future__ import annotations

from typing import Any

from orderflow import TaskFailure
from orderflow.testing import run_asl

FN = "arn:aws:lambda:us-east-1:123456789012:function:f"


def flaky(failures: int, error: str = "Transient") -> Any:
    calls = {"n": 0}

    def handler(name: str, payload: Any) -> Any:
        calls["n"] += 1
        if calls["n"] <= failures:
            raise TaskFailure(error, f"attempt {calls['n']}")
        return {"calls": calls["n"]}

    return handler, calls


def machine(
    retry: list[dict[str, Any]] | None = None, catch: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    state: dict[str, Any] = {"Type": "Task", "Resource": FN, "End": True}
    if retry is not None:
        state["Retry"] = retry
    if catch is not None:
        state["Catch"] = catch
    states: dict[str, Any] = {"T": state}
    if catch is not None:
        # AWS rejects a state nothing transitions to, so Caught exists only when caught.
        states["Caught"] = {"Type": "Pass", "End": True}
    return {"StartAt": "T", "States": states}


def test_retry_until_success_and_virtual_backoff() -> None:
    handler, calls = flaky(2)
    execution = run_asl(
        machine([{"ErrorEquals": ["Transient"], "IntervalSeconds": 3, "BackoffRate": 2}]),
        {},
        lambda_handler=handler,
    )
    assert execution.output == {"calls": 3} == {"calls": calls["n"]}
    # 3 s then 6 s of simulated back-off; no real waiting.
    assert execution.duration == 9


def test_max_attempts_exhausted_fails_with_last_error() -> None:
    handler, calls = flaky(10)
    execution = run_asl(
        machine([{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}]), {}, lambda_handler=handler
    )
    assert (execution.error, execution.cause, calls["n"]) == ("Transient", "attempt 3", 3)


def test_max_attempts_zero_never_retries() -> None:
    handler, calls = flaky(1)
    execution = run_asl(
        machine([{"ErrorEquals": ["States.ALL"], "MaxAttempts": 0}]), {}, lambda_handler=handler
    )
    assert execution.status == "FAILED" and calls["n"] == 1


def test_max_delay_caps_the_backoff() -> None:
    handler, _ = flaky(3)
    retry = [
        {
            "ErrorEquals": ["States.ALL"],
            "IntervalSeconds": 10,
            "BackoffRate": 10,
            "MaxDelaySeconds": 15,
        }
    ]
    execution = run_asl(machine(retry), {}, lambda_handler=handler)
    assert execution.duration == 10 + 15 + 15


def test_full_jitter_is_seeded_and_bounded() -> None:
    retry = [
        {
            "ErrorEquals": ["States.ALL"],
            "IntervalSeconds": 100,
            "MaxAttempts": 1,
            "JitterStrategy": "FULL",
        }
    ]
    durations = []
    for seed in (1, 1, 2):
        handler, _ = flaky(1)
        durations.append(run_asl(machine(retry), {}, lambda_handler=handler, seed=seed).duration)
    assert durations[0] == durations[1]
    assert all(0 <= d <= 100 for d in durations)


def test_retrier_counts_persist_across_other_retriers() -> None:
    errors = iter(["A", "B", "A", "B"])

    def handler(name: str, payload: Any) -> Any:
        error = next(errors, None)
        if error:
            raise TaskFailure(error, error)
        return "ok"

    retry = [{"ErrorEquals": ["A"], "MaxAttempts": 1}, {"ErrorEquals": ["B"], "MaxAttempts": 5}]
    execution = run_asl(machine(retry), {}, lambda_handler=handler)
    # The second A exhausts the A retrier (one retry allowed) although B retried between.
    assert (execution.status, execution.error) == ("FAILED", "A")


def test_retrier_counts_restart_when_the_state_is_entered_again() -> None:
    # The States Language scopes a retrier's count to "a single state execution": a loop
    # back through a Choice enters the state anew, with a fresh budget and RetryCount.
    calls = {"n": 0}

    def handler(name: str, payload: Any) -> Any:
        calls["n"] += 1
        if calls["n"] in (1, 3):
            raise TaskFailure("Transient", f"call {calls['n']}")
        return {"round": payload["round"]}

    task = {
        "Type": "Task",
        "Resource": FN,
        "Retry": [{"ErrorEquals": ["Transient"], "MaxAttempts": 1}],
        "ResultSelector": {"round.$": "$.round", "retries.$": "$$.State.RetryCount"},
        "ResultPath": "$.last",
        "Next": "Again",
    }
    m = {
        "StartAt": "T",
        "States": {
            "T": task,
            "Again": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.last.round", "NumericEquals": 1, "Next": "Bump"}],
                "Default": "Done",
            },
            "Bump": {"Type": "Pass", "Result": 2, "ResultPath": "$.round", "Next": "T"},
            "Done": {"Type": "Succeed"},
        },
    }
    execution = run_asl(m, {"round": 1}, lambda_handler=handler)
    # Each visit fails once and is retried once: a count carried over would have failed
    # the second visit (MaxAttempts 1 already used).
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output["last"] == {"round": 2, "retries": 1}
    assert calls["n"] == 4


def test_catch_replaces_input_with_error_output() -> None:
    handler, _ = flaky(5)
    execution = run_asl(
        machine(catch=[{"ErrorEquals": ["Transient"], "Next": "Caught"}]),
        {"x": 1},
        lambda_handler=handler,
    )
    assert execution.output == {"Error": "Transient", "Cause": "attempt 1"}


def test_catch_result_path_keeps_the_input() -> None:
    handler, _ = flaky(5)
    catch = [{"ErrorEquals": ["States.ALL"], "Next": "Caught", "ResultPath": "$.error"}]
    execution = run_asl(machine(catch=catch), {"x": 1}, lambda_handler=handler)
    assert execution.output == {"x": 1, "error": {"Error": "Transient", "Cause": "attempt 1"}}


def test_states_runtime_is_not_caught_even_by_name() -> None:
    def ok(name: str, payload: Any) -> Any:
        return {}

    m = machine(
        catch=[
            {"ErrorEquals": ["States.Runtime"], "Next": "Caught"},
            {"ErrorEquals": ["States.ALL"], "Next": "Caught"},
        ]
    )
    m["States"]["T"]["OutputPath"] = "$.missing"
    execution = run_asl(m, {}, lambda_handler=ok)
    assert execution.error == "States.Runtime"


def test_task_failed_does_not_match_timeouts() -> None:
    handler, _ = flaky(1, error="States.Timeout")
    execution = run_asl(
        machine(catch=[{"ErrorEquals": ["States.TaskFailed"], "Next": "Caught"}]),
        {},
        lambda_handler=handler,
    )
    assert execution.error == "States.Timeout"
    handler, _ = flaky(1, error="Business")
    execution = run_asl(
        machine(catch=[{"ErrorEquals": ["States.TaskFailed"], "Next": "Caught"}]),
        {},
        lambda_handler=handler,
    )
    assert execution.output == {"Error": "Business", "Cause": "attempt 1"}


def test_retry_count_in_context_object() -> None:
    handler, _ = flaky(2)
    m = machine([{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1}])
    m["States"]["T"]["ResultSelector"] = {"retries.$": "$$.State.RetryCount"}
    assert run_asl(m, {}, lambda_handler=handler).output == {"retries": 2}
