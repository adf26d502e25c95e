"""The printed deployer policy covers every call the commands make *and* every permission
AWS checks along with a call (``iam:PassRole`` when a role is handed to a service,
``states:PublishStateMachineVersion`` when Create/UpdateStateMachine publishes, the tag
permission when a resource is tagged on creation, the log-delivery actions when a state
machine gets a logging configuration).

moto checks no permissions, so the implied ones are stated here, from AWS's documentation,
as a table the test applies to the operations actually recorded.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from orderflow.deploy._iam import DEPLOYER_LOG_DELIVERY
from orderflow.deploy._s3 import DEPLOYER_S3_ACTIONS

from ._helpers import deploy_args, run_cli
from .conftest import REGION, MotoServer

pytestmark = pytest.mark.moto

_LOG_DELIVERY = frozenset(DEPLOYER_LOG_DELIVERY)

# operation -> the extra actions AWS authorizes when that operation is called as deploy
# calls it. Sources: Step Functions "Authorization for versions and aliases" (publish ->
# PublishStateMachineVersion), "Logging using CloudWatch Logs" (log delivery with the
# caller's credentials), IAM "Granting a user permissions to pass a role", and each
# service's "tag on create" rule (Create* with tags also needs the service's TagResource).
IMPLIED: dict[str, frozenset[str]] = {
    "states:CreateStateMachine": frozenset({"iam:PassRole", "states:TagResource"}) | _LOG_DELIVERY,
    "states:UpdateStateMachine": frozenset({"iam:PassRole", "states:PublishStateMachineVersion"})
    | _LOG_DELIVERY,
    "lambda:CreateFunction": frozenset({"iam:PassRole", "lambda:TagResource"}),
    "lambda:UpdateFunctionConfiguration": frozenset({"iam:PassRole"}),
    "events:PutTargets": frozenset({"iam:PassRole"}),
    "events:PutRule": frozenset({"events:TagResource"}),
    "iam:CreateRole": frozenset({"iam:TagRole"}),
    "dynamodb:CreateTable": frozenset({"dynamodb:TagResource"}),
    "logs:CreateLogGroup": frozenset({"logs:TagResource"}),
    "cloudwatch:PutMetricAlarm": frozenset({"cloudwatch:TagResource"}),
    "sns:CreateTopic": frozenset({"sns:TagResource"}),
}


def _as_iam(operation: str) -> str:
    """The IAM action of an API operation: the same name, except for S3's operations."""
    service, _, name = operation.partition(":")
    return DEPLOYER_S3_ACTIONS.get(name, operation) if service == "s3" else operation


# The service each PassRole-implying operation hands the role to (iam:PassedToService).
PASSED_TO = {
    "states:CreateStateMachine": "states.amazonaws.com",
    "states:UpdateStateMachine": "states.amazonaws.com",
    "lambda:CreateFunction": "lambda.amazonaws.com",
    "lambda:UpdateFunctionConfiguration": "lambda.amazonaws.com",
    "events:PutTargets": "events.amazonaws.com",
}


def _granted(policy: dict[str, Any]) -> set[str]:
    return {a for s in policy["Statement"] for a in s["Action"]}


def _used_everything(
    moto: MotoServer, wheel_dir: Path, capsys: pytest.CaptureFixture[str]
) -> set[str]:
    """Run every command (deploy with an alias, then again with a changed setting so
    existing resources are updated), attach a managed policy by hand so deploy detaches
    it and destroy meets one; return the operations sent."""
    assert run_cli(capsys, *deploy_args(moto, wheel_dir, "--alias", "live")).code == 0
    changed = deploy_args(
        moto, wheel_dir, "--alias", "live", "--timeout", "45", "--log-level", "ALL"
    )
    assert run_cli(capsys, *changed).code == 0
    common = ["--endpoint-url", moto.url, "--region", REGION, "--prefix", "shop"]
    started = run_cli(capsys, "start-execution", *common, "--input", "{}")
    assert started.code == 0, started.err
    assert run_cli(capsys, "executions", *common).code == 0
    assert run_cli(capsys, "history", *common, started.out.strip()).code == 0
    # A detail-type the rule does not match: moto answers a matching PutEvents with an
    # internal error (see docs/deploy.md).
    sent = run_cli(capsys, "send-event", *common, "--detail", "{}", "--detail-type", "Ping")
    assert sent.code == 0, sent.err
    iam = boto3.client("iam", region_name=REGION, endpoint_url=moto.url)
    arn = iam.create_policy(PolicyName="by-hand", PolicyDocument=json.dumps(_ANY))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="shop-order-states", PolicyArn=arn)
    assert run_cli(capsys, *deploy_args(moto, wheel_dir, "--alias", "live")).code == 0
    iam.attach_role_policy(RoleName="shop-order-events", PolicyArn=arn)
    assert run_cli(capsys, "destroy", *common).code == 0
    return {f"{service}:{operation}" for service, operation in moto.operations}


_ANY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}],
}


def test_every_call_and_every_permission_it_implies_is_in_the_printed_policy(
    moto: MotoServer, wheel_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    used = _used_everything(moto, wheel_dir, capsys)
    printed = run_cli(capsys, "deploy", "--print-deployer-policy", "--prefix", "shop")
    assert printed.code == 0
    policy = json.loads(printed.out)
    granted = _granted(policy)
    # The calls of interest really happened, so the table was applied to them.
    assert {
        "states:UpdateStateMachine",
        "lambda:UpdateFunctionConfiguration",
        "iam:DetachRolePolicy",
        "iam:ListAttachedRolePolicies",
        "states:DeleteStateMachineAlias",
    } <= used
    needed = {_as_iam(operation) for operation in used}
    for operation in used:
        needed |= IMPLIED.get(operation, frozenset())
    assert needed - granted == set()

    (pass_role,) = [s for s in policy["Statement"] if "iam:PassRole" in s["Action"]]
    assert pass_role["Action"] == ["iam:PassRole"]
    assert pass_role["Resource"] == ["arn:aws:iam::*:role/orderflow/shop/*"]
    passed_to = pass_role["Condition"]["StringEquals"]["iam:PassedToService"]
    assert {PASSED_TO[op] for op in used if op in PASSED_TO} == set(passed_to)


def test_publishing_a_version_is_granted_on_the_state_machine() -> None:
    from orderflow.deploy import StackNames, deployer_policy

    policy = deployer_policy(StackNames("shop", "111122223333", "eu-west-1"))
    (statement,) = [
        s for s in policy["Statement"] if "states:PublishStateMachineVersion" in s["Action"]
    ]
    # Every workflow's machine is named shop-<workflow> (its versions shop-<workflow>:<n>).
    assert "arn:aws:states:eu-west-1:111122223333:stateMachine:shop-*" in statement["Resource"]
