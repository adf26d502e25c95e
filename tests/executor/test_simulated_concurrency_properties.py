"""Properties of the simulated concurrency over random Parallel/Map machines (Hypothesis)."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from orderflow import TaskFailure
from orderflow.executor import VirtualClock
from orderflow.testing import run_asl

FN = "arn:aws:lambda:us-east-1:123456789012:function:"

# A step of a linear branch: ("wait", seconds) | ("task", fails) | ("pass", None)
steps = st.one_of(
    st.tuples(st.just("wait"), st.integers(0, 4)),
    st.tuples(st.just("task"), st.booleans()),
    st.tuples(st.just("pass"), st.none()),
)
linear_branches = st.lists(st.lists(steps, min_size=1, max_size=4), min_size=1, max_size=4)


class Calls:
    def __init__(self, clock: VirtualClock) -> None:
        self.clock = clock
        self.log: list[tuple[str, float]] = []

    def __call__(self, function: str, payload: Any) -> Any:
        name = function.rsplit(":", 1)[-1]
        self.log.append((name, self.clock.elapsed))
        if name.startswith("fail"):
            raise TaskFailure(name, "boom")
        return payload


class Builder:
    """Turns step lists into ASL with unique state names."""

    def __init__(self) -> None:
        self.names = itertools.count()

    def state(self, step: tuple[str, Any]) -> dict[str, Any]:
        kind, arg = step
        n = next(self.names)
        if kind == "wait":
            return {"Type": "Wait", "Seconds": arg}
        if kind == "task":
            return {"Type": "Task", "Resource": f"{FN}{'fail' if arg else 'ok'}{n}"}
        if kind == "pass":
            return {"Type": "Pass"}
        if kind == "parallel":
            return {
                "Type": "Parallel",
                "Branches": [self.branch(b) for b in arg],
                "ResultPath": None,
            }
        concurrency, body = arg
        return {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemSelector": {"items.$": "$.items"},
            "MaxConcurrency": concurrency,
            "ItemProcessor": self.branch(body),
            "ResultPath": None,
        }

    def branch(self, branch: list[tuple[str, Any]]) -> dict[str, Any]:
        names = [f"S{next(self.names)}" for _ in branch]
        states: dict[str, Any] = {}
        for i, (name, step) in enumerate(zip(names, branch, strict=True)):
            state = self.state(step)
            if i + 1 < len(names):
                state["Next"] = names[i + 1]
            else:
                state["End"] = True
            states[name] = state
        return {"StartAt": names[0], "States": states}


def run(machine: dict[str, Any], value: Any) -> tuple[Any, list[tuple[str, float]]]:
    clock = VirtualClock()
    calls = Calls(clock)
    execution = run_asl(machine, value, lambda_handler=calls, clock=clock, seed=7)
    return execution, calls.log


def parallel_of(branches: list[list[tuple[str, Any]]]) -> dict[str, Any]:
    builder = Builder()
    return {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [builder.branch(b) for b in branches],
                "End": True,
            }
        },
    }


def failure_time(branch: list[tuple[str, Any]]) -> tuple[float, float]:
    """(when the branch fails or inf, how long it runs if it does not)."""
    now = 0.0
    for kind, arg in branch:
        if kind == "wait":
            now += arg
        elif kind == "task" and arg:
            return now, now
    return float("inf"), now


@settings(max_examples=80, deadline=None)
@given(linear_branches)
def test_the_earliest_failure_wins_ties_go_to_the_lower_branch(
    branches: list[list[tuple[str, Any]]],
) -> None:
    machine = parallel_of(branches)
    execution, calls = run(machine, {})
    timings = [failure_time(b) for b in branches]
    first = min(range(len(branches)), key=lambda i: (timings[i][0], i))
    failed_at = timings[first][0]
    if failed_at == float("inf"):
        assert execution.status == "SUCCEEDED"
        assert execution.duration == max(t for _, t in timings)
    else:
        assert execution.status == "FAILED"
        states = machine["States"]["P"]["Branches"][first]["States"]
        resources = [s.get("Resource", "") for s in states.values()]
        expected = next(r for r in resources if ":function:fail" in r).rsplit(":", 1)[-1]
        assert execution.error == expected
        assert execution.duration == failed_at
        # No call happens after the failure; calls are in simulated-time order.
        assert all(t <= failed_at for _, t in calls)
    assert [t for _, t in calls] == sorted(t for _, t in calls)
    stamps = [e["timestamp"] for e in execution.history]
    assert stamps == sorted(stamps)


nested_steps = st.recursive(
    steps,
    lambda inner: st.one_of(
        st.tuples(
            st.just("parallel"),
            st.lists(st.lists(inner, min_size=1, max_size=3), min_size=1, max_size=3),
        ),
        st.tuples(
            st.just("map"),
            st.tuples(
                st.sampled_from([0, 1, 2]),
                st.lists(inner, min_size=1, max_size=3),
            ),
        ),
    ),
    max_leaves=8,
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(nested_steps, min_size=1, max_size=3), min_size=1, max_size=3),
    st.lists(st.integers(0, 3), max_size=5),
)
def test_nested_machines_are_deterministic_and_in_time_order(
    branches: list[list[tuple[str, Any]]], items: list[int]
) -> None:
    machine = parallel_of(branches)
    first, first_calls = run(machine, {"items": items})
    second, second_calls = run(machine, {"items": items})
    assert first.status in ("SUCCEEDED", "FAILED")
    assert first.history == second.history
    assert first_calls == second_calls
    assert (first.status, first.output, first.error) == (
        second.status,
        second.output,
        second.error,
    )
    stamps = [e["timestamp"] for e in first.history]
    assert stamps == sorted(stamps)
    assert [t for _, t in first_calls] == sorted(t for _, t in first_calls)


instant_items = st.lists(st.sampled_from(["ok", "fail", "stop"]), max_size=12)


@settings(max_examples=60, deadline=None)
@given(
    instant_items,
    st.sampled_from([0, 1, 2, 3]),
    st.sampled_from([None, 0, 1, 2]),
    st.integers(1, 3),
)
def test_states_that_take_no_time_run_as_the_event_loop_would(
    items: list[str], concurrency: int, tolerated: int | None, branches: int
) -> None:
    # Branches and iterations of Pass/Choice/Fail states skip the event loop (they all
    # run at one instant, in index order); the history must be what the loop records.
    processor = {
        "StartAt": "C",
        "States": {
            "C": {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$", "StringEquals": "fail", "Next": "F"},
                    {"Variable": "$", "StringEquals": "stop", "Next": "G"},
                ],
                "Default": "K",
            },
            "F": {"Type": "Fail", "Error": "Failed"},
            "G": {"Type": "Fail", "Error": "Stopped"},
            "K": {"Type": "Pass", "Next": "K2"},
            "K2": {"Type": "Pass", "End": True},
        },
    }
    fields: dict[str, Any] = {"MaxConcurrency": concurrency}
    if tolerated is not None:
        fields["ToleratedFailureCount"] = tolerated
    machine = {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": f"M{b}",
                        "States": {
                            f"M{b}": {
                                "Type": "Map",
                                "ItemProcessor": _renamed(processor, b),
                                "End": True,
                                **fields,
                            }
                        },
                    }
                    for b in range(branches)
                ],
                "End": True,
            }
        },
    }
    shortcut = run_asl(machine, items)
    from orderflow.executor._scheduler import Scheduler

    original = Scheduler.run

    def event_loop(self: Scheduler, *args: Any, **kwargs: Any) -> None:
        kwargs["never_sleeps"] = False
        original(self, *args, **kwargs)

    Scheduler.run = event_loop  # type: ignore[method-assign]
    try:
        looped = run_asl(machine, items)
    finally:
        Scheduler.run = original  # type: ignore[method-assign]
    assert shortcut.history == looped.history
    assert (shortcut.status, shortcut.error, shortcut.output) == (
        looped.status,
        looped.error,
        looped.output,
    )


def _renamed(processor: dict[str, Any], branch: int) -> dict[str, Any]:
    """The processor with its state names made unique to ``branch``."""
    import json

    text = json.dumps(processor)
    for name in ("C", "F", "G", "K2", "K"):
        text = text.replace(f'"{name}"', f'"{name}{branch}"')
    return dict(json.loads(text))
