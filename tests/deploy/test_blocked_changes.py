"""Changes deploy refuses to make are refused the same way by ``--dry-run``: the plan
marks them blocked with deploy's own message, and the dry run exits 1."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from orderflow.deploy import Aws, StackConfig, deploy
from orderflow.deploy._package import Packager
from orderflow.deploy._plan import Action, Change, Plan

from ._helpers import deploy_args, run_cli, without_approval
from .conftest import MotoServer

pytestmark = pytest.mark.moto

TAGS = [
    {"Key": "project", "Value": "orderflow"},
    {"Key": "prefix", "Value": "shop"},
    {"Key": "app", "Value": "orderflow"},
]


def _wrong_key_table(aws: Aws) -> None:
    aws.client("dynamodb").create_table(
        TableName="shop-users",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        Tags=TAGS,
    )


def test_a_blocked_change_renders_as_blocked_with_its_reason() -> None:
    plan = Plan(
        (
            Change("DynamoDB table", "shop-users", Action.UPDATE, ("~ x: 1 -> 2",), "no way"),
            Change("EventBridge rule", "r", Action.CREATE),
        )
    )
    assert [c.name for c in plan.blocked] == ["shop-users"]
    assert plan.render().splitlines() == [
        "blocked: cannot update DynamoDB table shop-users (x)",
        "    ~ x: 1 -> 2",
        "    ! no way",
        "create EventBridge rule r",
        "blocked: 1 change(s) cannot be made; deploy would stop at DynamoDB table shop-users",
    ]
    assert not Plan((Change("x", "y", Action.UPDATE, ("~ a: 1 -> 2",)),)).blocked


def test_dry_run_refuses_a_key_schema_change_as_deploy_does(
    aws: Aws, moto: MotoServer, wheel_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _wrong_key_table(aws)
    writes_before = len(moto.writes())
    dry = run_cli(capsys, *deploy_args(moto, wheel_dir, "--dry-run"))
    assert dry.code == 1, dry.err
    assert (
        "blocked: cannot update DynamoDB table shop-users (AttributeDefinitions, KeySchema)"
        in dry.out
    )
    assert "deploy would stop at DynamoDB table shop-users" in dry.out
    assert "update DynamoDB table shop-users" not in dry.out.replace("cannot update", "")
    reason = "DynamoDB table shop-users has key"
    assert f"    ! {reason}" in dry.out and "destroy" in dry.out
    assert f"error: {reason}" in dry.err
    assert len(moto.writes()) == writes_before  # nothing written by the dry run

    real = run_cli(capsys, *deploy_args(moto, wheel_dir))
    assert real.code == 1
    # The same message, from the same place.
    blocked_line = next(line for line in dry.err.splitlines() if line.startswith("error: "))
    assert blocked_line in real.err


def test_dry_run_refuses_a_state_machine_type_change_as_deploy_does(
    aws: Aws,
    moto: MotoServer,
    packager: Packager,
    wheel_dir: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    express = StackConfig(machine_type="EXPRESS")
    deploy(
        aws,
        prefix="shop",
        packager=packager,
        config=express,
        workflows=["order"],
        workflow=without_approval,
        progress=lambda line: None,
    )
    plan = deploy(aws, prefix="shop", packager=packager, dry_run=True)
    (blocked,) = plan.blocked
    assert (blocked.kind, blocked.name) == ("state machine", "shop-order")
    assert "is EXPRESS, asked for STANDARD" in str(blocked.blocked)

    dry = run_cli(capsys, *deploy_args(moto, wheel_dir, "--dry-run"))
    assert dry.code == 1, dry.err
    blocked_line = r"blocked: cannot update state machine shop-order \([^)]*type"
    assert re.search(blocked_line, dry.out), dry.out
    assert "error: state machine shop-order is EXPRESS, asked for STANDARD" in dry.err
    same_type = deploy(
        aws,
        prefix="shop",
        packager=packager,
        config=express,
        workflows=["order"],
        workflow=without_approval,
        dry_run=True,
        progress=lambda line: None,
    )
    assert not same_type.blocked
    # The order workflow itself waits for approvals, which EXPRESS cannot do.
    refused = run_cli(capsys, *deploy_args(moto, wheel_dir, "--dry-run", "--type", "EXPRESS"))
    assert refused.code == 1 and "waitForTaskToken" in refused.err
