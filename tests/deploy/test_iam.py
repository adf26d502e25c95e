"""Policy documents: least privilege, fully resolved ARNs, correct trust."""

from __future__ import annotations

import json

import pytest

from orderflow._errors import DeployError
from orderflow.deploy._iam import (
    DEPLOYER_ACTIONS,
    LAMBDA_TABLE_ACTIONS,
    WILDCARD_ACTIONS,
    deployer_policy,
    events_policy,
    events_trust_policy,
    lambda_policy,
    lambda_trust_policy,
    states_policy,
    states_trust_policy,
    wildcard_actions,
)
from orderflow.deploy._names import StackNames
from orderflow.orders.app import app
from orderflow.runtime import AccessDeclarationError

NAMES = StackNames("shop", "111122223333", "eu-west-1").for_workflow("order")


def _statements(policy: dict) -> dict[str, dict]:
    return {s["Sid"]: s for s in policy["Statement"]}


def _resolved(policy: dict) -> None:
    text = json.dumps(policy)
    assert "${" not in text and "REGION" not in text and "ACCOUNT" not in text
    for statement in policy["Statement"]:
        resources = statement["Resource"]
        for arn in [resources] if isinstance(resources, str) else resources:
            if arn != "*":
                assert ":111122223333:" in arn, arn
                assert ":eu-west-1:" in arn or ":iam::" in arn, arn


def _table_grants(policy: dict) -> set[tuple[str, str]]:
    """(table ARN, action) for every DynamoDB action the policy allows."""
    return {
        (arn, action)
        for s in policy["Statement"]
        for action in s["Action"]
        if action.startswith("dynamodb:")
        for arn in s["Resource"]
    }


def test_lambda_role_gets_its_log_group_and_exactly_its_tables() -> None:
    policy = lambda_policy(NAMES, "authorize-payment", app.services["authorize-payment"].tables)
    _resolved(policy)
    statements = _statements(policy)
    assert statements["OwnTablesGetItemPutItem"]["Action"] == [
        "dynamodb:GetItem",
        "dynamodb:PutItem",
    ]
    assert statements["OwnTablesGetItemPutItem"]["Resource"] == [
        "arn:aws:dynamodb:eu-west-1:111122223333:table/shop-payments"
    ]
    group = "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/shop-authorize-payment"
    assert statements["CreateOwnLogGroup"]["Resource"] == [group]
    assert statements["WriteOwnLogs"]["Resource"] == [f"{group}:*"]
    assert wildcard_actions(policy) == []


def test_a_read_only_service_may_not_write() -> None:
    policy = lambda_policy(NAMES, "get-user", app.services["get-user"].tables)
    assert _table_grants(policy) == {
        ("arn:aws:dynamodb:eu-west-1:111122223333:table/shop-users", "dynamodb:GetItem")
    }
    assert _statements(policy)["OwnTablesGetItem"]["Resource"] == [NAMES.table_arn("users")]
    assert "PutItem" not in json.dumps(policy)


def test_each_operation_maps_to_exactly_one_action_on_exactly_its_table() -> None:
    access = {"orders": ["get", "put"], "stock": ["scan"], "refunds": ["delete"], "users": ["get"]}
    policy = lambda_policy(NAMES, "custom", access)
    assert _table_grants(policy) == {
        (NAMES.table_arn(table), LAMBDA_TABLE_ACTIONS[op])
        for table, ops in access.items()
        for op in ops
    }
    assert LAMBDA_TABLE_ACTIONS == {
        "get": "dynamodb:GetItem",
        "put": "dynamodb:PutItem",
        "delete": "dynamodb:DeleteItem",
        "scan": "dynamodb:Scan",
    }
    # Same operations, one statement; the Sid names its actions.
    assert sorted(_statements(policy)) == [
        "CreateOwnLogGroup",
        "OwnTablesDeleteItem",
        "OwnTablesGetItem",
        "OwnTablesGetItemPutItem",
        "OwnTablesScan",
        "WriteOwnLogs",
    ]


def test_every_services_role_grants_exactly_its_declared_access() -> None:
    for name, service in app.services.items():
        policy = lambda_policy(NAMES, name, service.tables)
        declared = {
            (NAMES.table_arn(table), LAMBDA_TABLE_ACTIONS[op])
            for table, ops in service.access.operations().items()
            for op in ops
        }
        assert _table_grants(policy) == declared, name
        assert wildcard_actions(policy) == [], name


def test_bare_table_names_are_refused_rather_than_guessed() -> None:
    with pytest.raises(DeployError, match="cannot be built from table names alone"):
        lambda_policy(NAMES, "get-user", ("users",))
    with pytest.raises(AccessDeclarationError, match="unknown operation"):
        lambda_policy(NAMES, "get-user", {"users": ["update"]})


def test_a_service_without_tables_gets_no_dynamodb_access() -> None:
    policy = lambda_policy(NAMES, "validate-order", app.services["validate-order"].tables)
    assert "dynamodb" not in json.dumps(policy)
    assert "dynamodb" not in json.dumps(lambda_policy(NAMES, "validate-order", ()))


def test_state_machine_role_invokes_exactly_the_workflow_functions() -> None:
    arns = [NAMES.function_arn("get-user"), NAMES.function_arn("create-order")]
    policy = states_policy(NAMES, arns)
    _resolved(policy)
    invoke = _statements(policy)["InvokeWorkflowFunctions"]
    assert invoke["Action"] == ["lambda:InvokeFunction"]
    assert invoke["Resource"] == sorted([*arns, *(f"{a}:*" for a in arns)])
    # '*' only for the APIs that accept nothing narrower, each with a reason.
    assert set(wildcard_actions(policy)) <= set(WILDCARD_ACTIONS)
    assert "lambda:InvokeFunction" not in wildcard_actions(policy)


def test_eventbridge_role_may_only_start_this_machine() -> None:
    policy = events_policy(NAMES.state_machine_arn)
    assert policy["Statement"] == [
        {
            "Sid": "StartWorkflow",
            "Effect": "Allow",
            "Action": ["states:StartExecution"],
            "Resource": ["arn:aws:states:eu-west-1:111122223333:stateMachine:shop-order"],
        }
    ]


def test_trust_policies_name_the_right_principal() -> None:
    def principal(policy: dict) -> str:
        (statement,) = policy["Statement"]
        assert statement["Action"] == "sts:AssumeRole"
        return str(statement["Principal"]["Service"])

    assert principal(lambda_trust_policy()) == "lambda.amazonaws.com"
    assert principal(states_trust_policy(NAMES)) == "states.amazonaws.com"
    rules = [NAMES.rule_arn("order-submitted")]
    assert principal(events_trust_policy(NAMES, rules)) == "events.amazonaws.com"
    condition = events_trust_policy(NAMES, rules)["Statement"][0]["Condition"]["StringEquals"]
    assert condition == {
        "aws:SourceAccount": "111122223333",
        "aws:SourceArn": "arn:aws:events:eu-west-1:111122223333:rule/shop-order-order-submitted",
    }
    # Several triggers of one workflow: the role is trusted for exactly their rules.
    both = [NAMES.rule_arn("order-submitted"), NAMES.rule_arn("order-retried")]
    condition = events_trust_policy(NAMES, both)["Statement"][0]["Condition"]["StringEquals"]
    assert condition["aws:SourceArn"] == sorted(both)


def test_deployer_policy_covers_every_action_deploy_uses_scoped_to_the_prefix() -> None:
    policy = deployer_policy(NAMES)
    granted = {a for s in policy["Statement"] for a in s["Action"]}
    for service, actions in DEPLOYER_ACTIONS.items():
        for action in actions:
            assert f"{service}:{action}" in granted
    for statement in policy["Statement"]:
        if statement["Resource"] == "*":
            assert all(
                ":List" in a or ":Describe" in a or ":Get" in a or a in WILDCARD_ACTIONS
                for a in statement["Action"]
            )
        else:
            assert all("shop" in r or "event-bus/default" in r for r in statement["Resource"])


def test_cli_prints_the_deployer_policy_without_calling_aws(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from orderflow.cli import main

    code = main(["deploy", "--print-deployer-policy", "--prefix", "shop", "--region", "eu-west-1"])
    assert code == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == deployer_policy(StackNames("shop", "*", "eu-west-1").for_workflow("order"))
    lambda_statement = next(s for s in printed["Statement"] if s["Sid"] == "StackLambda")
    assert lambda_statement["Resource"] == ["arn:aws:lambda:eu-west-1:*:function:shop-*"]
