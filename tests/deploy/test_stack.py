"""The stack derived from a rendered definition: names, services, resource order."""

from __future__ import annotations

import pytest

from orderflow._errors import DeployError
from orderflow.asl import Definition
from orderflow.deploy._names import StackNames, check_prefix
from orderflow.deploy._stack import StackConfig, lambda_arns, services_of, stack_resources
from orderflow.dsl import functions, render
from orderflow.orders.workflow import order_workflow

NAMES = StackNames("shop", "123456789012", "us-east-1")


def rendered(prefix: str = "shop", account: str = "123456789012") -> Definition:
    return render(order_workflow, account=account, region="us-east-1", prefix=prefix)


def test_the_functions_are_exactly_those_the_definition_invokes() -> None:
    services = services_of(rendered(), NAMES)
    assert {s.name for s in services} == {s.name for s in functions(order_workflow)}
    assert set(lambda_arns(rendered())) == {NAMES.function_arn(s.name) for s in services}


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        (rendered(prefix="other"), "this deploy creates arn:aws:lambda:us-east-1:123456789012"),
        (rendered(account="999999999999"), "render the workflow with the same account"),
        (
            Definition({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}),
            "invokes no Lambda function",
        ),
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
        services_of(definition, NAMES)


def test_resources_come_in_dependency_order() -> None:
    resources = stack_resources(NAMES, rendered(), StackConfig(alias="live"), lambda s: b"zip")
    kinds = [r.kind for r in resources]
    order = [
        "DynamoDB table",
        "IAM role",
        "Lambda function",
        "log group",
        "IAM role",
        "state machine",
        "state machine alias",
        "IAM role",
        "EventBridge rule",
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
