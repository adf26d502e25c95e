"""from_sdk: a workflow built with the SDK becomes an orderflow Definition that validates
and runs locally; SDK placeholders are resolved where ASL gives them a meaning."""

from __future__ import annotations

import json
from typing import Any

import pytest

pytest.importorskip("stepfunctions")

import boto3
from stepfunctions import steps
from stepfunctions.inputs import ExecutionInput, StepInput
from stepfunctions.steps.choice_rule import ChoiceRule
from stepfunctions.workflow import Workflow

from orderflow import Definition, SdkInteropError, TaskFailure
from orderflow.checker import check_dataflow
from orderflow.sdk import Task, from_sdk, to_sdk
from orderflow.testing import run_asl
from orderflow.validation import has_errors, validate

CHARGE_ARN = "arn:aws:lambda:us-east-1:123456789012:function:charge"


def offline_client() -> Any:
    # Building a client makes no request; the Workflow object only needs one to exist.
    return boto3.client(
        "stepfunctions", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )


def sdk_order_workflow() -> Workflow:
    """An order flow written the way SDK users write them: placeholders for the execution
    input and for the previous step's output, a retrier, a catcher, a Choice."""
    order = ExecutionInput(schema={"order_id": str, "amount": int, "limit": int})
    check = steps.Task(
        "Check",
        resource="arn:aws:states:::lambda:invoke",
        parameters={
            "FunctionName": "check",
            "Payload": {
                "order_id": order["order_id"],
                "amount": order["amount"],
                "limit": order["limit"],
            },
        },
        output_path="$.Payload",
        timeout_seconds=10,
    )
    checked = check.output()
    approved = steps.Choice("Approved?")
    charge = steps.Task(
        "Charge",
        resource=CHARGE_ARN,
        parameters={"order_id": order["order_id"], "amount": order["amount"]},
        result_path="$.charge",
        timeout_seconds=10,
        retry=steps.Retry(error_equals=["Lambda.ServiceException"], max_attempts=2),
    )
    declined = steps.Fail("Declined", error="PaymentDeclined", cause="the payment was declined")
    charge.add_catch(steps.Catch(error_equals=["PaymentDeclined"], next_step=declined))
    approved.add_choice(
        ChoiceRule.And(
            [
                ChoiceRule.BooleanEquals(checked["ok"], True),
                # The SDK accepts a placeholder here but its to_dict() leaves the object in.
                ChoiceRule.NumericLessThanEqualsPath(checked["amount"], checked["limit"]),
            ]
        ),
        steps.Chain([charge, steps.Succeed("Done")]),
    )
    approved.default_choice(declined)
    return Workflow(
        "sdk-orders",
        definition=steps.Chain([check, approved]),
        role="arn:aws:iam::123456789012:role/orders",
        execution_input=order,
        client=offline_client(),
    )


class Services:
    """The two Lambda functions, recording what they were sent."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def __call__(self, function: str, payload: Any) -> Any:
        self.calls.append((function, payload))
        if function == "check":
            return {"ok": True, "amount": payload["amount"], "limit": payload["limit"]}
        if payload["amount"] > 100:
            raise TaskFailure("PaymentDeclined", "amount over the card's limit")
        return {"charged": payload["amount"]}


def test_the_sdks_own_json_fails_where_from_sdk_resolves() -> None:
    workflow = sdk_order_workflow()
    with pytest.raises(TypeError, match="StepInput is not JSON serializable"):
        workflow.definition.to_json()
    definition = from_sdk(workflow)
    rule = definition.states["Approved?"]["Choices"][0]["And"][1]
    assert rule == {"Variable": "$['amount']", "NumericLessThanEqualsPath": "$['limit']"}
    payload = definition.states["Check"]["Parameters"]["Payload"]
    assert payload["order_id.$"] == "$$.Execution.Input['order_id']"


def test_sdk_workflow_validates_and_runs_locally() -> None:
    definition = from_sdk(sdk_order_workflow())
    assert not has_errors(validate(definition))

    def run(order_id: str, amount: int, limit: int, services: Services) -> Any:
        order = {"order_id": order_id, "amount": amount, "limit": limit}
        return run_asl(definition, order, lambda_handler=services)

    services = Services()
    ok = run("o-1", 42, 500, services)
    assert ok.status == "SUCCEEDED"
    assert ok.output == {"ok": True, "amount": 42, "limit": 500, "charge": {"charged": 42}}
    # The resolved ExecutionInput paths read the execution input, as on AWS.
    assert services.calls == [
        ("check", {"order_id": "o-1", "amount": 42, "limit": 500}),
        (CHARGE_ARN, {"order_id": "o-1", "amount": 42}),
    ]

    declined = run("o-2", 420, 500, Services())
    assert (declined.status, declined.error) == ("FAILED", "PaymentDeclined")
    over_limit = run("o-3", 60, 50, Services())
    assert (over_limit.status, over_limit.cause) == ("FAILED", "the payment was declined")


def test_accepts_workflow_graph_chain_and_state() -> None:
    first = steps.Pass("First", result={"a": 1})
    second = steps.Succeed("Second")
    chain = steps.Chain([first, second])
    expected = {
        "StartAt": "First",
        "States": {
            "First": {"Type": "Pass", "Result": {"a": 1}, "Next": "Second"},
            "Second": {"Type": "Succeed"},
        },
    }
    assert from_sdk(chain).data == expected
    assert from_sdk(first).data == expected
    assert from_sdk(steps.Graph(chain, comment="c")).data == {"Comment": "c", **expected}
    frozen = steps.FrozenGraph.from_json(json.dumps(expected))
    assert from_sdk(frozen) == Definition(expected)


def test_placeholders_in_completed_fields_resolve_like_parameters() -> None:
    previous = StepInput()
    task = Task(
        "Pay",
        resource="arn:aws:states:::lambda:invoke",
        parameters={"FunctionName": "pay", "Payload": {"id": previous["id"]}},
        result_selector={"receipt": previous["Payload"]["receipt"]},
        input_path=previous["order"],
    )
    state = from_sdk(task).states["Pay"]
    assert state["Parameters"] == {"FunctionName": "pay", "Payload": {"id.$": "$['id']"}}
    assert state["ResultSelector"] == {"receipt.$": "$['Payload']['receipt']"}
    assert state["InputPath"] == "$['order']"


@pytest.mark.parametrize(
    ("build", "field", "pointer", "hint"),
    [
        (
            lambda ph: steps.Pass("P", result={"id": ph["id"]}),
            "Result",
            "/States/P/Result/id",
            "Pass Result is a literal",
        ),
        (
            lambda ph: steps.Task("T", resource="r", parameters={"ids": [ph["a"], ph["b"]]}),
            "Parameters",
            "/States/T/Parameters/ids/0",
            "States.Array",
        ),
        (
            lambda ph: steps.Task("T", resource=ph["arn"]),
            "Resource",
            "/States/T/Resource",
            "placeholders become paths only",
        ),
    ],
)
def test_a_placeholder_with_no_asl_meaning_is_an_error_naming_where(
    build: Any, field: str, pointer: str, hint: str
) -> None:
    with pytest.raises(SdkInteropError, match=hint) as info:
        from_sdk(build(ExecutionInput()))
    assert (info.value.field, info.value.pointer) == (field, pointer)
    assert "$$.Execution.Input" in str(info.value)


def test_non_json_values_are_errors() -> None:
    with pytest.raises(SdkInteropError, match=r"builtins\.set is not a JSON value") as info:
        from_sdk(steps.Pass("P", result={"tags": {"a", "b"}}))
    assert info.value.pointer == "/States/P/Result/tags"


def test_not_an_sdk_object() -> None:
    with pytest.raises(SdkInteropError, match="expected a stepfunctions Workflow"):
        from_sdk({"StartAt": "A", "States": {}})


def test_duplicate_state_names_are_reported() -> None:
    with pytest.raises(SdkInteropError, match="unique state id"):
        from_sdk(steps.Chain([steps.Pass("Same"), steps.Pass("Same")]))


def test_to_sdk_of_from_sdk_keeps_the_resolved_definition() -> None:
    definition = from_sdk(sdk_order_workflow())
    assert json.loads(to_sdk(definition).to_json()) == definition.data


def test_data_flow_mistakes_the_sdk_accepts_are_found() -> None:
    # The SDK checks that a placeholder comes from the previous step, not that the path
    # can exist there: a Parallel's output is a list, so $['id'] fails at run time.
    fan = steps.Parallel("Fan")
    fan.add_branch(steps.Pass("Branch"))
    read = steps.Pass("Read", parameters={"id": fan.output()["id"]})
    definition = from_sdk(steps.Chain([fan, read]))
    found = [(d.code, d.state) for d in check_dataflow(definition)]
    assert ("path-cannot-exist", "Read") in found
    failed = run_asl(definition, {"id": 1})
    assert (failed.status, failed.error) == ("FAILED", "States.Runtime")
