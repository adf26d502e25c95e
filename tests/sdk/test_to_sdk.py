"""to_sdk: orderflow's ASL -> the SDK's objects, whose JSON is identical to the ASL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("stepfunctions")

from stepfunctions import steps
from stepfunctions.workflow import Workflow

from orderflow import Definition, DefinitionError, SdkInteropError
from orderflow.dsl import render
from orderflow.orders.workflow import order_workflow
from orderflow.sdk import _fields as fields
from orderflow.sdk import from_sdk, to_sdk


def sdk_json(obj: Any) -> Any:
    return json.loads(obj.to_json())


def all_states(graph: Any) -> dict[str, Any]:
    """Every state object reachable from the graph's start, nested bodies included."""
    found: dict[str, Any] = {}
    todo = [graph.branch]
    while todo:
        state = todo.pop()
        if state.state_id in found:
            continue
        found[state.state_id] = state
        todo.extend(c.next_step for c in state.catches)
        if state.next_step is not None:
            todo.append(state.next_step)
        if isinstance(state, steps.Choice):
            todo.extend(target for _, target in state.choices)
            if state.default is not None:
                todo.append(state.default)
        if isinstance(state, steps.Parallel):
            todo.extend(state.branches)
        if isinstance(state, steps.Map):
            todo.append(state.iterator)
    return found


PLAIN = {
    "Comment": "only what the SDK itself can say",
    "StartAt": "Start",
    "States": {
        "Start": {"Type": "Pass", "Result": {"n": 3}, "ResultPath": "$.start", "Next": "Check"},
        "Check": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.start.n", "NumericGreaterThan": 2, "Next": "Work"},
                {
                    "And": [
                        {"Variable": "$.flag", "IsPresent": True},
                        {"Not": {"Variable": "$.flag", "BooleanEquals": False}},
                    ],
                    "Next": "Done",
                },
            ],
            "Default": "Stop",
        },
        "Work": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "work", "Payload.$": "$"},
            "ResultPath": None,
            "TimeoutSeconds": 30,
            "Retry": [{"ErrorEquals": ["States.Timeout"], "MaxAttempts": 2, "BackoffRate": 1.5}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Stop"}],
            "Next": "Fan",
        },
        "Fan": {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "A", "States": {"A": {"Type": "Wait", "Seconds": 1, "End": True}}},
                {"StartAt": "B", "States": {"B": {"Type": "Succeed"}}},
            ],
            "Next": "Each",
        },
        "Each": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "MaxConcurrency": 2,
            "Iterator": {"StartAt": "Item", "States": {"Item": {"Type": "Pass", "End": True}}},
            "Next": "Done",
        },
        "Done": {"Type": "Succeed"},
        "Stop": {"Type": "Fail", "Error": "Stopped", "Cause": "no work"},
    },
}

MODERN = {
    "QueryLanguage": "JSONPath",
    "StartAt": "Pay",
    "States": {
        "Pay": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "pay", "Payload.$": "$"},
            "ResultSelector": {"receipt.$": "$.Payload"},
            "Credentials": {"RoleArn": "arn:aws:iam::123456789012:role/payer"},
            "Assign": {"paid": True},
            "Retry": [
                {
                    "ErrorEquals": ["Lambda.ServiceException"],
                    "MaxAttempts": 3,
                    "MaxDelaySeconds": 10,
                    "JitterStrategy": "FULL",
                }
            ],
            "Catch": [],
            "Next": "Items",
        },
        "Items": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemSelector": {"item.$": "$$.Map.Item.Value"},
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"},
                "StartAt": "Ship",
                "States": {"Ship": {"Type": "Pass", "End": True}},
            },
            "ToleratedFailurePercentage": 10,
            "ResultPath": None,
            "Next": "Decide",
        },
        "Decide": {
            "Type": "Choice",
            "QueryLanguage": "JSONata",
            "Choices": [{"Condition": "{% $paid %}", "Output": {"ok": True}, "Next": "Out"}],
            "Default": "Fail",
        },
        "Out": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": None, "End": True},
        "Fail": {"Type": "Fail", "ErrorPath": "$.error", "CausePath": "$.cause"},
    },
}


def test_plain_definition_uses_only_the_sdks_own_classes() -> None:
    graph = to_sdk(PLAIN)
    assert type(graph) is steps.Graph
    assert sdk_json(graph) == PLAIN
    states = all_states(graph)
    assert set(states) == {
        "Start",
        "Check",
        "Work",
        "Fan",
        "Each",
        "Done",
        "Stop",
        "A",
        "B",
        "Item",
    }
    assert {type(s).__module__ for s in states.values()} == {"stepfunctions.steps.states"}
    # The SDK's object graph, not a frozen copy: the links are real.
    assert states["Work"].next_step is states["Fan"]
    assert states["Work"].catches[0].next_step is states["Stop"]


def test_fields_the_sdk_lacks_are_carried_by_the_subclasses() -> None:
    graph = to_sdk(MODERN)
    assert sdk_json(graph) == MODERN
    assert isinstance(graph, fields.Graph)
    states = all_states(graph)
    pay = states["Pay"]
    assert isinstance(pay, fields.Task) and isinstance(pay, steps.Task)
    assert isinstance(pay.retries[0], fields.Retry)
    assert isinstance(states["Items"], fields.Map)
    assert isinstance(states["Decide"].choices[0][0], fields.RawRule)
    assert isinstance(states["Out"], fields.Pass)
    assert isinstance(states["Fail"], fields.Fail)
    # Without the subclass the SDK refuses the field outright.
    with pytest.raises(TypeError, match="result_selector"):
        steps.Task("Pay", resource="r", result_selector={"a.$": "$"})


def test_round_trip_through_from_sdk_is_the_identity() -> None:
    for definition in (PLAIN, MODERN):
        assert from_sdk(to_sdk(definition)) == Definition(definition)


def test_accepts_definition_objects_and_json_text() -> None:
    assert sdk_json(to_sdk(Definition(PLAIN))) == PLAIN
    assert sdk_json(to_sdk(json.dumps(MODERN))) == MODERN


def test_order_workflow_round_trips() -> None:
    expected = render(order_workflow, account="111122223333", region="eu-west-1", prefix="shop")
    graph = to_sdk(order_workflow, account="111122223333", region="eu-west-1", prefix="shop")
    assert sdk_json(graph) == expected.data
    assert from_sdk(graph) == expected
    assert "arn:aws:lambda:eu-west-1:111122223333:function:shop-" in graph.to_json()


def test_role_and_client_give_a_workflow(sfn: Any, role_arn: str) -> None:
    workflow = to_sdk(order_workflow, role_arn=role_arn, client=sfn)
    assert isinstance(workflow, Workflow)
    assert workflow.name == order_workflow.name
    assert workflow.role == role_arn
    assert workflow.client is sfn
    assert sdk_json(workflow.definition) == render(order_workflow).data
    named = to_sdk(PLAIN, role_arn=role_arn, client=sfn, name="plain")
    assert named.name == "plain"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"account": "111122223333"}, "apply only to a DSL workflow"),
        ({"client": object()}, "pass role_arn too"),
        ({"role_arn": "arn:aws:iam::123456789012:role/r", "client": object()}, "name is required"),
    ],
)
def test_argument_mistakes_are_clear_errors(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(SdkInteropError, match=message):
        to_sdk(PLAIN, **kwargs)


def _with(state: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {"StartAt": "A", "States": {"A": state, **more}}


@pytest.mark.parametrize(
    ("definition", "pointer", "message"),
    [
        (
            _with({"Type": "Pass", "End": True}, B={"Type": "Succeed"}),
            "/States",
            "cannot be reached",
        ),
        (_with({"Type": "Pass", "Bogus": 1, "End": True}), "/States/A/Bogus", "not a Pass field"),
        (_with({"Type": "Pass", "Next": "Nowhere"}), "/States/A/Next", "not a state"),
        (_with({"Type": "Pass"}), "/States/A", "neither Next nor End"),
        (_with({"Type": "Teleport", "End": True}), "/States/A/Type", "unknown state Type"),
        (
            _with(
                {"Type": "Task", "Resource": "r", "TimeoutSeconds": 1, "TimeoutSecondsPath": "$.t"}
            ),
            "/States/A",
            "refused it",
        ),
        (
            _with({"Type": "Pass", "Retry": [{"ErrorEquals": ["E"]}], "End": True}),
            "/States/A/Retry/0",
            "does not support retry",
        ),
        (_with({"Type": "Succeed", "Next": "B"}, B={"Type": "Succeed"}), "/States/A/Next", "next"),
        (
            _with(
                {
                    "Type": "Map",
                    "Iterator": {"StartAt": "I", "States": {"I": {"Type": "Succeed"}}},
                    "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Succeed"}}},
                    "End": True,
                }
            ),
            "/States/A/Iterator",
            "not both",
        ),
        ({"StartAt": "A", "States": {}}, "/States", "non-empty"),
        ({"StartAt": "X", "States": {"A": {"Type": "Succeed"}}}, "/StartAt", "names no state"),
        (
            {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}, "Extra": 1},
            "/Extra",
            "cannot be carried",
        ),
    ],
)
def test_what_the_sdk_cannot_carry_is_an_error_naming_where(
    definition: dict[str, Any], pointer: str, message: str
) -> None:
    with pytest.raises(SdkInteropError, match=message) as info:
        to_sdk(definition)
    assert info.value.pointer == pointer


@pytest.mark.conformance
def test_corpus_definition_round_trips(corpus_definition: dict[str, Any]) -> None:
    """Every distinct definition AWS accepted in the execution corpus (parametrized in
    conftest): to_sdk's JSON equals it, and from_sdk gives it back."""
    graph = to_sdk(corpus_definition)
    assert sdk_json(graph) == corpus_definition
    assert from_sdk(graph).data == corpus_definition


@pytest.mark.conformance
def test_rejected_and_lint_definitions_convert_exactly_or_fail_cleanly() -> None:
    """Definitions AWS or linters rejected: to_sdk either reproduces them exactly or raises
    an orderflow error; never another exception, never a changed workflow."""
    root = Path(__file__).resolve().parents[2] / ".." / "shared" / "conformance"
    files = [
        *sorted((root / "invalid_definitions").glob("*.json")),
        *sorted((root / "lint").rglob("*.json")),
    ]
    if not files:
        pytest.skip(f"no corpus at {root}")
    outcomes = {"exact": 0, "refused": 0}
    for path in files:
        definition = json.loads(path.read_text()).get("definition")
        if definition is None:
            continue
        try:
            graph = to_sdk(definition)
        except (SdkInteropError, DefinitionError):
            outcomes["refused"] += 1
            continue
        assert sdk_json(graph) == definition, path.name
        outcomes["exact"] += 1
    assert outcomes["exact"] and outcomes["refused"]
