"""waitForTaskToken: the execution pauses until the token is answered."""

from __future__ import annotations

from typing import Any

import pytest

from orderflow import ExecutionError
from orderflow.testing import run_asl

RESOURCE = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"


def machine() -> dict[str, Any]:
    return {
        "StartAt": "Ask",
        "States": {
            "Ask": {
                "Type": "Task",
                "Resource": RESOURCE,
                "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}},
                "ResultPath": "$.answer",
                "Catch": [{"ErrorEquals": ["Rejected"], "Next": "No"}],
                "Next": "Done",
            },
            "Done": {"Type": "Pass", "End": True},
            "No": {"Type": "Pass", "End": True},
        },
    }


def test_pauses_then_resumes_on_success() -> None:
    sent: list[str] = []
    execution = run_asl(
        machine(),
        {"q": 1},
        handlers={
            "arn:aws:states:::sqs:sendMessage": lambda p: (
                sent.append(p["MessageBody"]["token"]) or {}
            )
        },
    )
    assert execution.status == "RUNNING"
    assert execution.waiting_token == sent[0]
    execution.send_task_success(sent[0], {"ok": True})
    assert execution.status == "SUCCEEDED"
    assert execution.output == {"q": 1, "answer": {"ok": True}}
    assert "TaskSubmitted" in execution.history_types


def test_failure_answer_goes_through_catch() -> None:
    sent: list[str] = []
    execution = run_asl(
        machine(), {}, handlers={RESOURCE: lambda p: sent.append(p["MessageBody"]["token"]) or {}}
    )
    execution.send_task_failure(sent[0], "Rejected", "nope")
    assert execution.output == {"Error": "Rejected", "Cause": "nope"}


def test_answer_from_inside_the_handler_needs_no_pause() -> None:
    holder: dict[str, Any] = {}

    def handler(params: Any) -> Any:
        holder["execution_token"] = params["MessageBody"]["token"]
        return {}

    execution = run_asl(machine(), {}, handlers={RESOURCE: handler})
    execution.send_task_success(holder["execution_token"], "yes")
    assert execution.output == {"answer": "yes"}


def test_unknown_token_is_refused() -> None:
    execution = run_asl(machine(), {}, handlers={RESOURCE: lambda p: {}})
    with pytest.raises(ExecutionError):
        execution.send_task_success("not-a-token", 1)
    execution.stop()
    assert execution.status == "ABORTED"


def timed_machine(**limits: int) -> dict[str, Any]:
    m = machine()
    m["States"]["Ask"].update(limits)
    m["States"]["Ask"].pop("Catch")
    # Without the Catch nothing leads to No, and AWS rejects unreachable states.
    m["States"].pop("No")
    return m


def test_answer_after_the_task_timeout_is_a_timeout() -> None:
    from orderflow.executor import VirtualClock

    clock = VirtualClock()
    sent: list[str] = []
    execution = run_asl(
        timed_machine(TimeoutSeconds=60),
        {},
        handlers={RESOURCE: lambda p: sent.append(p["MessageBody"]["token"]) or {}},
        clock=clock,
    )
    clock.advance(61)
    execution.send_task_success(sent[0], "late")
    assert (execution.status, execution.error) == ("FAILED", "States.Timeout")


def test_heartbeats_keep_a_task_alive() -> None:
    from orderflow.executor import VirtualClock

    clock = VirtualClock()
    sent: list[str] = []
    handlers = {RESOURCE: lambda p: sent.append(p["MessageBody"]["token"]) or {}}
    alive = run_asl(timed_machine(HeartbeatSeconds=10), {}, handlers=handlers, clock=clock)
    for _ in range(3):
        clock.advance(8)
        alive.send_task_heartbeat(sent[-1])
    clock.advance(8)
    alive.send_task_success(sent[-1], "ok")
    assert alive.status == "SUCCEEDED"

    silent = run_asl(timed_machine(HeartbeatSeconds=10), {}, handlers=handlers, clock=clock)
    clock.advance(11)
    silent.send_task_success(sent[-1], "ok")
    assert (silent.status, silent.error) == ("FAILED", "States.HeartbeatTimeout")
    assert "TaskTimedOut" in silent.history_types


def test_a_branch_after_a_waiting_one_still_starts_at_the_parallel_start() -> None:
    from orderflow.executor import VirtualClock

    clock = VirtualClock()
    sent: list[str] = []
    ask = machine()["States"]["Ask"]
    ask.pop("Catch")
    ask["End"] = True
    ask.pop("Next")
    parallel = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "Ask", "States": {"Ask": ask}},
                    {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 5, "End": True}}},
                ],
                "End": True,
            }
        },
    }
    execution = run_asl(
        parallel,
        {},
        handlers={RESOURCE: lambda p: sent.append(p["MessageBody"]["token"]) or {}},
        clock=clock,
    )
    clock.advance(100)
    execution.send_task_success(sent[0], "yes")
    assert execution.status == "SUCCEEDED"
    (wait_entered,) = [e for e in execution.history if e["type"] == "WaitStateEntered"]
    assert wait_entered["timestamp"] == execution.start_date
    assert execution.duration == 100
