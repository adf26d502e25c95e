"""Simulated time models concurrency: Parallel branches and Map iterations overlap."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from orderflow.executor import RealClock, VirtualClock
from orderflow.testing import run_asl

_NAMES = itertools.count(1)


def wait_branch(seconds: int, then: dict[str, Any] | None = None) -> dict[str, Any]:
    # State names must be unique in the whole machine, branches included.
    n = next(_NAMES)
    wait, after = f"W{n}", f"T{n}"
    states: dict[str, Any] = {wait: {"Type": "Wait", "Seconds": seconds, "End": True}}
    if then is not None:
        states[wait] = {"Type": "Wait", "Seconds": seconds, "Next": after}
        states[after] = then
    return {"StartAt": wait, "States": states}


def parallel(*branches: dict[str, Any], timeout: int | None = None) -> dict[str, Any]:
    machine: dict[str, Any] = {
        "StartAt": "P",
        "States": {"P": {"Type": "Parallel", "Branches": list(branches), "End": True}},
    }
    if timeout is not None:
        machine["TimeoutSeconds"] = timeout
    return machine


def map_of_waits(seconds: int, **fields: Any) -> dict[str, Any]:
    machine: dict[str, Any] = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "ItemProcessor": wait_branch(seconds),
                "End": True,
                **{k: v for k, v in fields.items() if k != "TimeoutSeconds"},
            }
        },
    }
    if "TimeoutSeconds" in fields:
        machine["TimeoutSeconds"] = fields["TimeoutSeconds"]
    return machine


def offsets(execution: Any, event_type: str) -> list[float]:
    return [
        (e["timestamp"] - execution.start_date).total_seconds()
        for e in execution.history
        if e["type"] == event_type
    ]


def test_parallel_takes_as_long_as_its_slowest_branch() -> None:
    execution = run_asl(parallel(wait_branch(10), wait_branch(30), timeout=35), {"a": 1})
    assert execution.status == "SUCCEEDED"
    assert execution.output == [{"a": 1}, {"a": 1}]
    assert execution.duration == 30


def test_every_parallel_branch_starts_at_the_parallel_start() -> None:
    execution = run_asl(parallel(wait_branch(10), wait_branch(30), wait_branch(5)), {})
    assert offsets(execution, "WaitStateEntered") == [0, 0, 0]
    # The history is in simulated-time order: the 5 s branch ends first.
    assert offsets(execution, "WaitStateExited") == [5, 10, 30]
    assert offsets(execution, "ParallelStateSucceeded") == [30]


def test_parallel_times_out_only_when_its_slowest_branch_passes_the_deadline() -> None:
    execution = run_asl(parallel(wait_branch(10), wait_branch(30), timeout=25), {})
    assert execution.status == "TIMED_OUT"
    assert execution.duration == 25


def test_parallel_fails_when_the_failing_branch_fails() -> None:
    fail = {"Type": "Fail", "Error": "Boom", "Cause": "late"}
    execution = run_asl(parallel(wait_branch(100), wait_branch(5, fail)), {})
    assert (execution.status, execution.error) == ("FAILED", "Boom")
    assert execution.duration == 5


def test_map_iterations_overlap() -> None:
    execution = run_asl(map_of_waits(10, TimeoutSeconds=15), [1, 2])
    assert execution.status == "SUCCEEDED"
    assert execution.output == [1, 2]
    assert execution.duration == 10


@pytest.mark.parametrize(
    ("max_concurrency", "expected"), [(1, 40), (2, 20), (3, 20), (4, 10), (0, 10), (None, 10)]
)
def test_map_max_concurrency_limits_the_overlap(max_concurrency: int | None, expected: int) -> None:
    fields = {} if max_concurrency is None else {"MaxConcurrency": max_concurrency}
    execution = run_asl(map_of_waits(10, **fields), [1, 2, 3, 4])
    assert execution.output == [1, 2, 3, 4]
    assert execution.duration == expected


def test_map_iteration_starts_when_a_slot_frees_in_item_order() -> None:
    machine = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "MaxConcurrency": 2,
                "ItemProcessor": {
                    "StartAt": "W",
                    "States": {"W": {"Type": "Wait", "SecondsPath": "$", "End": True}},
                },
                "End": True,
            }
        },
    }
    execution = run_asl(machine, [30, 10, 5, 1])
    # Slots: item 0 runs 0-30, item 1 runs 0-10, item 2 takes the slot freed at 10 (10-15),
    # item 3 the one freed at 15 (15-16); the Map ends with item 0 at 30.
    assert offsets(execution, "MapIterationStarted") == [0, 0, 10, 15]
    # In simulated-time order: item 1 at 10, item 2 at 15, item 3 at 16, item 0 at 30.
    assert offsets(execution, "MapIterationSucceeded") == [10, 15, 16, 30]
    succeeded = [e for e in execution.history if e["type"] == "MapIterationSucceeded"]
    assert [e["mapIterationSucceededEventDetails"]["index"] for e in succeeded] == [1, 2, 3, 0]
    assert execution.duration == 30


def test_unlimited_inline_map_runs_forty_iterations_at_once() -> None:
    execution = run_asl(map_of_waits(10, MaxConcurrency=0), list(range(41)))
    assert execution.duration == 20


def test_map_concurrency_path_is_used_for_the_schedule() -> None:
    execution = run_asl(
        map_of_waits(10, MaxConcurrencyPath="$.n", ItemsPath="$.items"),
        {
            "n": 2,
            "items": [1, 2, 3],
        },
    )
    assert execution.duration == 20


def test_task_timeout_inside_a_branch_is_judged_on_the_branch_time() -> None:
    fn = "arn:aws:lambda:us-east-1:123456789012:function:f"
    task = {"Type": "Task", "Resource": fn, "TimeoutSeconds": 20, "End": True}
    machine = parallel(wait_branch(30), {"StartAt": "T", "States": {"T": task}})
    execution = run_asl(machine, {}, lambda_handler=lambda name, payload: {"ok": True})
    assert execution.status == "SUCCEEDED"
    assert execution.duration == 30


def test_nested_parallel_in_map_composes() -> None:
    machine = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "MaxConcurrency": 1,
                "ItemProcessor": parallel(wait_branch(3), wait_branch(7)),
                "End": True,
            }
        },
    }
    assert run_asl(machine, [1, 2]).duration == 14


def test_history_order_and_output_do_not_depend_on_the_clock() -> None:
    machine = parallel(wait_branch(0), wait_branch(0))
    virtual = run_asl(machine, {"x": 1}, clock=VirtualClock())
    real = run_asl(machine, {"x": 1}, clock=RealClock())
    assert virtual.history_types == real.history_types
    assert virtual.output == real.output


def test_order_workflow_branches_start_together_despite_payment_retries() -> None:
    from orderflow.executor._local import load_target, run_locally, sample_input
    from orderflow.executor._trace import format_trace
    from orderflow.orders.app import app

    execution = run_locally(
        load_target("orderflow.orders.workflow:order_workflow"),
        sample_input(app),
        app=app,
        failure_rates={"authorize-payment": 1.0},
    )

    def entered(name: str) -> float:
        (moment,) = [
            (e["timestamp"] - execution.start_date).total_seconds()
            for e in execution.history
            if e["type"].endswith("StateEntered") and e["stateEnteredEventDetails"]["name"] == name
        ]
        return moment

    parallel_start = entered("ProcessOrder")
    assert entered("ReserveInventory") == parallel_start
    assert entered("CreateOrder") == parallel_start
    assert "retry #1" in format_trace(execution)
    assert execution.duration > parallel_start
