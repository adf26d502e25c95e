"""Parallel branches and Map iterations run as a discrete-event simulation.

Every branch starts at the Parallel's start; steps interleave in simulated-time order; the
first failure in simulated time stops the others at that instant (a Task already entered
completes, nothing new starts) and the history records AWS's abort events.
"""

from __future__ import annotations

from typing import Any

from orderflow import TaskFailure
from orderflow.executor import VirtualClock
from orderflow.testing import run_asl

FN = "arn:aws:lambda:us-east-1:123456789012:function:"


class Recorder:
    """A lambda_handler that records each call with its simulated time."""

    def __init__(self, clock: VirtualClock, failing: dict[str, str] | None = None) -> None:
        self.clock = clock
        self.failing = failing or {}
        self.calls: list[tuple[str, float]] = []

    def __call__(self, function: str, payload: Any) -> Any:
        name = function.rsplit(":", 1)[-1]
        self.calls.append((name, self.clock.elapsed))
        if name in self.failing:
            raise TaskFailure(self.failing[name], f"{name} failed")
        return {"from": name}

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.calls]


def task(name: str, **more: Any) -> dict[str, Any]:
    return {"Type": "Task", "Resource": FN + name, **more}


def chain(*steps: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    """A branch of the given (name, state) steps, each going to the next."""
    states: dict[str, Any] = {}
    for i, (name, state) in enumerate(steps):
        state = dict(state)
        if state["Type"] not in ("Fail", "Succeed", "Choice"):
            if i + 1 < len(steps):
                state["Next"] = steps[i + 1][0]
            else:
                state["End"] = True
        states[name] = state
    return {"StartAt": steps[0][0], "States": states}


def parallel(*branches: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {
        "StartAt": "P",
        "States": {"P": {"Type": "Parallel", "Branches": list(branches), "End": True, **more}},
    }


def run(machine: dict[str, Any], failing: dict[str, str] | None = None) -> tuple[Any, Recorder]:
    clock = VirtualClock()
    recorder = Recorder(clock, failing)
    return run_asl(machine, {}, lambda_handler=recorder, clock=clock), recorder


def events(execution: Any, event_type: str) -> list[dict[str, Any]]:
    return [e for e in execution.history if e["type"] == event_type]


def at(execution: Any, event: dict[str, Any]) -> float:
    return float((event["timestamp"] - execution.start_date).total_seconds())


def entered(execution: Any) -> list[str]:
    return [
        e["stateEnteredEventDetails"]["name"]
        for e in execution.history
        if e["type"].endswith("StateEntered")
    ]


def test_siblings_of_a_branch_failing_at_once_still_make_their_calls() -> None:
    machine = parallel(
        chain(("A", task("fails"))),
        chain(("B", task("two"))),
        chain(("C", task("three"))),
    )
    execution, calls = run(machine, {"fails": "Boom"})
    assert execution.status == "FAILED"
    assert (execution.error, execution.cause) == ("Boom", "fails failed")
    assert sorted(calls.names) == ["fails", "three", "two"]
    assert all(t == 0 for _, t in calls.calls)
    # Each branch's task ends aborted; their results are discarded.
    assert len(events(execution, "TaskStateAborted")) == 3
    assert "TaskStateExited" not in execution.history_types


def test_a_fail_state_at_the_start_does_not_keep_siblings_from_starting() -> None:
    machine = parallel(
        chain(("A", {"Type": "Fail", "Error": "Early"})),
        chain(("B", task("two")), ("B2", task("never"))),
    )
    execution, calls = run(machine)
    assert execution.error == "Early"
    # B started with the branch (so its first Task ran) but entered nothing after it.
    assert calls.names == ["two"]
    assert "B2" not in entered(execution)


def test_the_failure_earliest_in_simulated_time_is_the_one_reported() -> None:
    machine = parallel(
        chain(("W1", {"Type": "Wait", "Seconds": 10}), ("F1", {"Type": "Fail", "Error": "Late"})),
        chain(("W2", {"Type": "Wait", "Seconds": 3}), ("T2", task("fails"))),
    )
    execution, calls = run(machine, {"fails": "Early"})
    assert (execution.status, execution.error) == ("FAILED", "Early")
    assert calls.calls == [("fails", 3.0)]
    assert execution.duration == 3
    # Branch 1's Wait is cut short at the moment branch 2 failed; its Fail never runs.
    (aborted,) = events(execution, "WaitStateAborted")
    assert at(execution, aborted) == 3
    assert "F1" not in entered(execution)
    (failed,) = events(execution, "ParallelStateFailed")
    assert at(execution, failed) == 3


def test_a_stopped_branch_never_starts_its_next_state() -> None:
    machine = parallel(
        chain(
            ("T1", task("first")),
            ("W1", {"Type": "Wait", "Seconds": 5}),
            ("T2", task("second")),
        ),
        chain(("W2", {"Type": "Wait", "Seconds": 2}), ("F2", {"Type": "Fail", "Error": "Stop"})),
    )
    execution, calls = run(machine)
    assert execution.error == "Stop"
    assert calls.calls == [("first", 0.0)]
    assert "T2" not in entered(execution)
    assert execution.duration == 2


def test_a_retry_back_off_is_cut_short_by_a_sibling_failure() -> None:
    retry = [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 10, "MaxAttempts": 3}]
    machine = parallel(
        chain(("T1", task("flaky", Retry=retry))),
        chain(("W2", {"Type": "Wait", "Seconds": 4}), ("F2", {"Type": "Fail", "Error": "Stop"})),
    )
    execution, calls = run(machine, {"flaky": "Flaky"})
    assert execution.error == "Stop"
    # One call at 0, the retry due at 10 never happens: the Parallel stopped at 4.
    assert calls.calls == [("flaky", 0.0)]
    (aborted,) = events(execution, "TaskStateAborted")
    assert at(execution, aborted) == 4


def test_branch_steps_interleave_in_simulated_time_order() -> None:
    machine = parallel(
        chain(("A1", task("a0")), ("AW", {"Type": "Wait", "Seconds": 2}), ("A2", task("a2"))),
        chain(("B1", task("b0")), ("BW", {"Type": "Wait", "Seconds": 1}), ("B2", task("b1"))),
    )
    execution, calls = run(machine)
    assert execution.status == "SUCCEEDED"
    assert calls.calls == [("a0", 0.0), ("b0", 0.0), ("b1", 1.0), ("a2", 2.0)]
    stamps = [e["timestamp"] for e in execution.history]
    assert stamps == sorted(stamps)
    assert execution.output == [{"from": "a2"}, {"from": "b1"}]


def map_machine(processor: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {
        "StartAt": "M",
        "States": {"M": {"Type": "Map", "ItemProcessor": processor, "End": True, **more}},
    }


def test_map_iterations_fill_max_concurrency_slots_and_stop_on_failure() -> None:
    processor = chain(
        ("W", {"Type": "Wait", "SecondsPath": "$.wait"}),
        (
            "C",
            {
                "Type": "Choice",
                "Choices": [{"Variable": "$.fail", "BooleanEquals": True, "Next": "F"}],
                "Default": "T",
            },
        ),
        ("T", task("work")),
    )
    processor["States"]["F"] = {"Type": "Fail", "Error": "ItemFailed"}
    items = [
        {"wait": 10, "fail": False},
        {"wait": 3, "fail": True},
        {"wait": 1, "fail": False},
    ]
    clock = VirtualClock()
    calls = Recorder(clock)
    execution = run_asl(
        map_machine(processor, MaxConcurrency=2), items, lambda_handler=calls, clock=clock
    )
    assert (execution.status, execution.error) == ("FAILED", "ItemFailed")
    started = events(execution, "MapIterationStarted")
    # Two slots: items 0 and 1 start at 0; item 1 fails at 3 before item 2 could start.
    assert [e["mapIterationStartedEventDetails"]["index"] for e in started] == [0, 1]
    (aborted,) = events(execution, "MapIterationAborted")
    assert aborted["mapIterationAbortedEventDetails"]["index"] == 0
    assert at(execution, aborted) == 3
    assert calls.calls == []


def test_map_iterations_start_as_slots_free_and_tolerated_failures_do_not_stop() -> None:
    processor = chain(("T", task("work")), ("W", {"Type": "Wait", "Seconds": 1}))
    clock = VirtualClock()
    calls = Recorder(clock)
    execution = run_asl(map_machine(processor), list(range(50)), lambda_handler=calls, clock=clock)
    assert execution.status == "SUCCEEDED"
    # 40 inline slots: 40 calls at 0, the other 10 when the first ones end, at 1.
    assert [t for _, t in calls.calls] == [0.0] * 40 + [1.0] * 10
    assert execution.duration == 2

    failing = chain(("T", task("work")), ("W", {"Type": "Wait", "SecondsPath": "$"}))
    failing["States"]["T"]["Resource"] = FN + "fails"
    clock = VirtualClock()
    calls = Recorder(clock, {"fails": "Bad"})
    execution = run_asl(
        map_machine(failing, ToleratedFailureCount=5, MaxConcurrency=2),
        [1, 2, 3],
        lambda_handler=calls,
        clock=clock,
    )
    assert execution.status == "SUCCEEDED"
    assert len(calls.calls) == 3
    assert "MapIterationAborted" not in execution.history_types


def test_nested_parallel_is_stopped_with_its_enclosing_branch() -> None:
    inner = {
        "Type": "Parallel",
        "Branches": [
            chain(("IW", {"Type": "Wait", "Seconds": 10}), ("IX", task("inner_late"))),
            chain(("IY", task("inner_now"))),
        ],
    }
    machine = parallel(
        chain(("Inner", inner)),
        chain(("OW", {"Type": "Wait", "Seconds": 4}), ("OF", {"Type": "Fail", "Error": "Outer"})),
    )
    execution, calls = run(machine)
    assert execution.error == "Outer"
    assert calls.names == ["inner_now"]
    assert "IX" not in entered(execution)
    (wait_aborted,) = events(execution, "WaitStateAborted")
    (inner_aborted,) = events(execution, "ParallelStateAborted")
    assert at(execution, wait_aborted) == at(execution, inner_aborted) == 4
    assert execution.duration == 4


def test_a_failure_inside_a_nested_map_stops_the_outer_parallel() -> None:
    nested_map = {
        "Type": "Map",
        "ItemsPath": "$.items",
        "ItemProcessor": chain(("MW", {"Type": "Wait", "SecondsPath": "$"}), ("MT", task("item"))),
    }
    machine = parallel(
        chain(("Items", nested_map)),
        chain(("SW", {"Type": "Wait", "Seconds": 6}), ("ST", task("slow"))),
    )
    machine["States"]["P"]["Parameters"] = {"items": [2, 5]}
    execution, calls = run(machine, {"item": "ItemBroke"})
    assert execution.error == "ItemBroke"
    # The item waiting 2 s fails first; the one waiting 5 s and the slow branch are stopped.
    assert calls.calls == [("item", 2.0)]
    assert len(events(execution, "MapIterationAborted")) == 1
    assert at(execution, events(execution, "MapIterationAborted")[0]) == 2
    assert "ST" not in entered(execution)


def test_same_seed_gives_the_same_history() -> None:
    machine = parallel(
        chain(("A", task("a")), ("AW", {"Type": "Wait", "Seconds": 1}), ("A2", task("a2"))),
        chain(("B", task("b")), ("BW", {"Type": "Wait", "Seconds": 1}), ("B2", task("b2"))),
    )
    first, first_calls = run(machine)
    second, second_calls = run(machine)
    assert first.history == second.history
    assert first_calls.calls == second_calls.calls


def test_the_trace_shows_what_was_aborted() -> None:
    from orderflow.executor._trace import format_trace

    inner = {
        "Type": "Parallel",
        "Branches": [chain(("IW2", {"Type": "Wait", "Seconds": 10}))],
    }
    machine = parallel(
        chain(("Inner2", inner), ("After", {"Type": "Pass"})),
        chain(("OW2", {"Type": "Wait", "Seconds": 1}), ("OF2", {"Type": "Fail", "Error": "X"})),
    )
    execution, _ = run(machine)
    lines = format_trace(execution).splitlines()
    aborted = [line for line in lines if " aborted" in line]
    # The inner Wait and the inner Parallel, both at the moment the other branch failed.
    assert [line.split()[0] for line in aborted] == ["+1.000s", "+1.000s"]
    assert lines[-1].startswith("+1.000s  FAILED X")


def test_no_coroutine_outlives_its_execution() -> None:
    import gc

    from greenlet import greenlet

    machine = parallel(
        chain(("LW1", {"Type": "Wait", "Seconds": 2}), ("LT1", task("a"))),
        chain(("LW2", {"Type": "Wait", "Seconds": 1}), ("LT2", task("b"))),
    )

    def live() -> int:
        gc.collect()
        return sum(isinstance(o, greenlet) for o in gc.get_objects())

    run(machine)
    before = live()
    for _ in range(20):
        assert run(machine)[0].status == "SUCCEEDED"
    assert live() == before


def test_interleaved_trace_lines_name_their_state() -> None:
    from orderflow.executor._trace import format_trace

    retry = [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 2, "MaxAttempts": 1}]
    machine = parallel(
        chain(
            (
                "TA",
                task("flaky", Retry=retry, Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Done"}]),
            ),
            ("Done", {"Type": "Pass"}),
        ),
        chain(("BW", {"Type": "Wait", "Seconds": 1}), ("TB", task("steady"))),
    )
    execution, calls = run(machine, {"flaky": "Flaky"})
    assert calls.calls == [("flaky", 0.0), ("steady", 1.0), ("flaky", 2.0)]
    trace = format_trace(execution)
    # Branch B's task came in between: the retry line says whose retry it is.
    assert "+2.000s        retry #1 (TA)" in trace
