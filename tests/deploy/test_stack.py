"""The stack derived from an app and its rendered definitions: names, services, order."""

from __future__ import annotations

import pytest

from orderflow._errors import DeployError
from orderflow.asl import Definition
from orderflow.deploy._names import StackNames, check_prefix
from orderflow.deploy._stack import (
    Machine,
    StackConfig,
    lambda_arns,
    services_of,
    stack_resources,
)
from orderflow.dsl import functions, render
from orderflow.orders.app import app
from orderflow.orders.workflow import order_workflow

NAMES = StackNames("shop", "123456789012", "us-east-1").for_workflow("order")


def rendered(prefix: str = "shop", account: str = "123456789012") -> Definition:
    return render(order_workflow, account=account, region="us-east-1", prefix=prefix)


def test_the_functions_are_exactly_those_the_definition_invokes() -> None:
    services = services_of(rendered(), NAMES, app)
    assert {s.name for s in services} == {s.name for s in functions(order_workflow)}
    assert set(lambda_arns(rendered())) == {NAMES.function_arn(s.name) for s in services}


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        (rendered(prefix="other"), "this deploy creates arn:aws:lambda:us-east-1:123456789012"),
        (rendered(account="999999999999"), "render the workflow with the same account"),
        (
            Definition(
                {
                    "StartAt": "A",
                    "States": {
                        "A": {
                            "Type": "Task",
                            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:mystery",
                            "End": True,
                        }
                    },
                }
            ),
            "state 'A' invokes",
        ),
    ],
)
def test_definitions_deploy_cannot_serve_are_refused(definition: Definition, message: str) -> None:
    with pytest.raises(DeployError, match=message):
        services_of(definition, NAMES, app)


def test_resources_come_in_dependency_order() -> None:
    machine = Machine(NAMES, rendered(), "STANDARD", app.triggers_of("order"))
    config = StackConfig(alias="live")
    resources = stack_resources(NAMES, app, [machine], config, lambda s: b"zip")
    kinds = [r.kind for r in resources]
    order = [
        "DynamoDB table",
        "S3 bucket",
        "SNS topic",
        "IAM role",
        "Lambda function",
        "log group",
        "IAM role",
        "state machine",
        "state machine alias",
        "IAM role",
        "EventBridge rule",
        "SNS topic",
        "CloudWatch alarm",
        "CloudWatch dashboard",
    ]
    collapsed = [k for i, k in enumerate(kinds) if i == 0 or kinds[i - 1] != k]
    assert collapsed == order


@pytest.mark.parametrize("prefix", ["", "Shop", "1shop", "shop-", "sh--op", "a" * 33, "shop_eu"])
def test_bad_prefixes_are_refused(prefix: str) -> None:
    with pytest.raises(DeployError, match="prefix"):
        check_prefix(prefix)


def test_config_is_checked() -> None:
    with pytest.raises(DeployError, match="type"):
        StackConfig(machine_type="FAST")
    with pytest.raises(DeployError, match="memory"):
        StackConfig(memory=64)


def test_a_workflow_without_lambda_tasks_invokes_nothing() -> None:
    plain = Definition({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
    assert services_of(plain, NAMES, app) == []
    machine = Machine(NAMES, plain, "STANDARD")
    resources = stack_resources(NAMES, app, [machine], StackConfig(), lambda s: b"zip")
    kinds = [r.kind for r in resources]
    assert "EventBridge rule" not in kinds  # no trigger, no rule
    assert kinds.count("state machine") == 1


def test_names_derive_from_prefix_and_workflow() -> None:
    names = StackNames("travel", "123456789012", "eu-west-1").for_workflow("trip")
    assert names.state_machine == "travel-trip"
    assert names.states_role == "travel-trip-states"
    assert names.events_role == "travel-trip-events"
    assert names.log_group == "/aws/vendedlogs/states/travel-trip"
    assert names.rule("trip-requested") == "travel-trip-trip-requested"
    assert names.function("book-flight") == "travel-book-flight"
    assert names.table("bookings") == "travel-bookings"
    with pytest.raises(DeployError, match="workflow"):
        StackNames("travel", "1", "r").state_machine  # noqa: B018 - the lookup is the test
    with pytest.raises(DeployError, match="over 64"):
        StackNames("a" * 32, "1", "r").for_workflow("w" * 40)
