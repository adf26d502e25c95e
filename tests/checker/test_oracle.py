"""The executor as oracle: what the checker calls impossible does fail when run.

Every machine the checker reports with ``path-cannot-exist`` is run by the local executor
(which follows AWS's recorded behaviour) with an input matching what the checker was told;
the run must fail with the error a bad read raises. A property test closes the loop on
exact shapes: for a literal and a random reference path, "error" from the checker must
coincide with a failed run, and "no finding" with a successful one.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from orderflow.checker import check_dataflow
from orderflow.testing import run_asl


class Request(BaseModel):
    order_id: str
    amount_cents: int


def _branch(result: Any) -> dict[str, Any]:
    return {"StartAt": "B", "States": {"B": {"Type": "Pass", "Result": result, "End": True}}}


def _reading(first: dict[str, Any], path: str, *, jsonata: bool = False) -> dict[str, Any]:
    if jsonata:
        read = {"Type": "Pass", "Output": {"v": "{% " + path + " %}"}, "End": True}
        return {
            "QueryLanguage": "JSONata",
            "StartAt": "First",
            "States": {"First": {**first, "Next": "Read"}, "Read": read},
        }
    read = {"Type": "Pass", "Parameters": {"v.$": path}, "End": True}
    return {"StartAt": "First", "States": {"First": {**first, "Next": "Read"}, "Read": read}}


def _echo(name: str, payload: Any) -> Any:
    return payload


CASES: list[tuple[str, dict[str, Any], Any, Any, str]] = [
    (
        "pass-result",
        _reading({"Type": "Pass", "Result": {"a": 1}}, "$.b"),
        None,
        {},
        "States.Runtime",
    ),
    (
        "parallel-array",
        _reading({"Type": "Parallel", "Branches": [_branch({"a": 1})]}, "$.a"),
        None,
        {},
        "States.Runtime",
    ),
    (
        "map-list",
        _reading(
            {
                "Type": "Map",
                "ItemsPath": "$.xs",
                "ItemProcessor": _branch({"v": 1}),
            },
            "$.v",
        ),
        None,
        {"xs": [1, 2]},
        "States.Runtime",
    ),
    (
        "lambda-invoke-wrapper",
        _reading(
            {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "echo", "Payload.$": "$"},
            },
            "$.order_id",
        ),
        Request,
        {"order_id": "o-1", "amount_cents": 5},
        "States.Runtime",
    ),
    (
        "input-model",
        _reading({"Type": "Pass"}, "$.total_cents"),
        Request,
        {"order_id": "o-1", "amount_cents": 5},
        "States.Runtime",
    ),
    (
        "parameters-replace-input",
        _reading({"Type": "Pass", "Parameters": {"id.$": "$.order_id"}}, "$.amount_cents"),
        Request,
        {"order_id": "o-1", "amount_cents": 5},
        "States.Runtime",
    ),
    (
        "unassigned-variable",
        _reading({"Type": "Pass", "Assign": {"x": 1}}, "$y"),
        None,
        {},
        "States.Runtime",
    ),
    (
        "jsonata-field",
        _reading({"Type": "Pass", "Output": {"a": 1}}, "$states.input.b", jsonata=True),
        None,
        {},
        "States.QueryEvaluationError",
    ),
    (
        "intrinsic-on-wrong-type",
        {
            "StartAt": "First",
            "States": {
                "First": {"Type": "Pass", "Result": {"s": "x"}, "Next": "Len"},
                "Len": {
                    "Type": "Pass",
                    "Parameters": {"n.$": "States.ArrayLength($.s)"},
                    "End": True,
                },
            },
        },
        None,
        {},
        "States.IntrinsicFailure",
    ),
]


@pytest.mark.parametrize(
    ("machine", "model", "value", "error"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_reported_errors_fail_when_run(
    machine: dict[str, Any], model: Any, value: Any, error: str
) -> None:
    errors = [d for d in check_dataflow(machine, input_model=model) if d.severity == "error"]
    assert errors, "the checker must flag this machine"
    execution = run_asl(machine, value, lambda_handler=_echo)
    assert (execution.status, execution.error) == ("FAILED", error)
    assert execution.cause is not None and errors[0].state is not None
    assert f"'{errors[0].state}'" in execution.cause


_json = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.sampled_from(["", "x"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["a", "b", "c"]), inner, max_size=3)
    ),
    max_leaves=8,
)
_step = st.sampled_from(["a", "b", "c"]).map(lambda n: f".{n}") | st.integers(-2, 2).map(
    lambda i: f"[{i}]"
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(value=_json, steps=st.lists(_step, min_size=1, max_size=3))
def test_verdict_on_exact_shapes_matches_the_executor(value: Any, steps: list[str]) -> None:
    path = "$" + "".join(steps)
    machine = _reading({"Type": "Pass", "Result": value}, path)
    findings = check_dataflow(machine)
    execution = run_asl(machine, {})
    if any(d.severity == "error" for d in findings):
        assert (execution.status, execution.error) == ("FAILED", "States.Runtime"), findings
    elif not findings:
        assert execution.status == "SUCCEEDED", (path, value, execution.cause)


_ref = st.lists(_step, max_size=2).map(lambda steps: "$" + "".join(steps))


@st.composite
def _pass_state(draw: st.DrawFn) -> dict[str, Any]:
    state: dict[str, Any] = {"Type": "Pass"}
    if draw(st.booleans()):
        state["InputPath"] = draw(_ref | st.none())
    choice = draw(st.sampled_from(["none", "parameters", "result"]))
    if choice == "parameters":
        state["Parameters"] = {"x.$": draw(_ref), "k": 1}
    elif choice == "result":
        state["Result"] = draw(_json)
    if draw(st.booleans()):
        state["ResultPath"] = draw(st.sampled_from([None, "$", "$.a", "$.a.b", "$.b"]))
    if draw(st.booleans()):
        state["OutputPath"] = draw(_ref | st.none())
    return state


def _chain(states: list[dict[str, Any]], prefix: str) -> dict[str, Any]:
    names = [f"{prefix}{i}" for i in range(len(states))]
    scope: dict[str, Any] = {"StartAt": names[0], "States": {}}
    for i, (name, state) in enumerate(zip(names, states, strict=True)):
        state = dict(state)
        if i + 1 < len(names):
            state["Next"] = names[i + 1]
        else:
            state["End"] = True
        scope["States"][name] = state
    return scope


@st.composite
def _block(draw: st.DrawFn, prefix: str) -> dict[str, Any]:
    if draw(st.integers(0, 3)) > 0:
        return draw(_pass_state())
    branches = draw(
        st.lists(st.lists(_pass_state(), min_size=1, max_size=2), min_size=1, max_size=2)
    )
    state: dict[str, Any] = {
        "Type": "Parallel",
        "Branches": [_chain(b, f"{prefix}b{i}x") for i, b in enumerate(branches)],
    }
    if draw(st.booleans()):
        state["ResultSelector"] = {"first.$": draw(_ref)}
    if draw(st.booleans()):
        state["ResultPath"] = draw(st.sampled_from([None, "$.p", "$"]))
    return state


@settings(max_examples=400, deadline=None, derandomize=True)
@given(value=_json, data=st.data())
def test_verdict_on_random_machines_matches_the_executor(value: Any, data: st.DataObject) -> None:
    from orderflow.checker import shape_of

    count = data.draw(st.integers(1, 4))
    states = [data.draw(_block(f"S{i}")) for i in range(count)]
    machine = _chain(states, "S")
    findings = check_dataflow(machine, input_model=shape_of(value))
    execution = run_asl(machine, value)
    errors = [d for d in findings if d.severity == "error"]
    event("error" if errors else "clean" if not findings else "warnings only")
    if errors:
        assert execution.status == "FAILED", (errors, execution.output)
        assert execution.error in ("States.Runtime", "States.ResultPathMatchFailure")
        assert f"'{errors[0].state}'" in (execution.cause or ""), (errors, execution.cause)
    elif not findings:
        assert execution.status == "SUCCEEDED", (machine, value, execution.cause)
