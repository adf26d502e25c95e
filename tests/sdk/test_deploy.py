"""Deploying to_sdk() output with the SDK's Workflow.create() against moto's server, the gap
it leaves (create never updates), and orderflow's create_or_update that closes it."""

from __future__ import annotations

import json
from typing import Any

import pytest

pytest.importorskip("stepfunctions")

from orderflow import InvalidDefinition
from orderflow.dsl import render
from orderflow.orders.workflow import order_workflow
from orderflow.sdk import create_or_update, from_sdk, to_sdk

pytestmark = pytest.mark.moto


def stored(sfn: Any, arn: str) -> Any:
    return json.loads(sfn.describe_state_machine(stateMachineArn=arn)["definition"])


def record_calls(sfn: Any) -> list[str]:
    calls: list[str] = []
    sfn.meta.events.register("before-call", lambda model, **_: calls.append(model.name))
    return calls


def test_workflow_create_deploys_exactly_orderflows_asl(sfn: Any, role_arn: str) -> None:
    workflow = to_sdk(order_workflow, role_arn=role_arn, client=sfn)
    arn = workflow.create()
    assert arn.endswith(f":stateMachine:{order_workflow.name}")
    assert stored(sfn, arn) == render(order_workflow).data
    assert from_sdk(workflow) == render(order_workflow)


def test_create_does_not_update_and_create_or_update_does(sfn: Any, role_arn: str) -> None:
    first = to_sdk(order_workflow, role_arn=role_arn, client=sfn)
    arn = first.create()

    changed = to_sdk(order_workflow, role_arn=role_arn, client=sfn, prefix="v2")
    assert changed.create() == arn
    # The SDK reports the existing machine's ARN and leaves its old definition in place.
    assert stored(sfn, arn) == render(order_workflow).data

    calls = record_calls(sfn)
    assert create_or_update(changed) == arn
    assert stored(sfn, arn) == render(order_workflow, prefix="v2").data
    assert "UpdateStateMachine" in calls
    assert "CreateStateMachine" not in calls
    assert changed.state_machine_arn == arn

    calls.clear()
    assert create_or_update(changed) == arn
    assert "UpdateStateMachine" not in calls  # unchanged: nothing to do


def test_create_or_update_creates_when_missing(sfn: Any, role_arn: str) -> None:
    workflow = to_sdk(order_workflow, role_arn=role_arn, client=sfn, name="orders-fresh")
    calls = record_calls(sfn)
    arn = create_or_update(workflow)
    assert "CreateStateMachine" in calls
    assert stored(sfn, arn) == render(order_workflow).data
    assert sfn.describe_state_machine(stateMachineArn=arn)["roleArn"] == role_arn
    # The SDK's own update() works on it now that the Workflow knows its ARN.
    other_role = role_arn + "-2"
    assert workflow.update(role=other_role) == arn
    assert sfn.describe_state_machine(stateMachineArn=arn)["roleArn"] == other_role


def test_create_or_update_refuses_an_invalid_definition(sfn: Any, role_arn: str) -> None:
    bad = {"StartAt": "A", "States": {"A": {"Type": "Pass", "ResultPath": "$.a[*]", "End": True}}}
    workflow = to_sdk(bad, role_arn=role_arn, client=sfn, name="bad")
    calls = record_calls(sfn)
    with pytest.raises(InvalidDefinition) as info:
        create_or_update(workflow)
    assert info.value.diagnostics
    assert calls == []
