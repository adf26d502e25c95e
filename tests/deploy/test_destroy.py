"""``orderflow destroy``: exactly what deploy made, in order, idempotently."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest

from orderflow.deploy import Aws, deploy, destroy
from orderflow.deploy._package import Packager
from orderflow.orders.app import app

from ._helpers import deploy_args, run_cli
from .conftest import REGION, MotoServer

pytestmark = pytest.mark.moto

OURS = [{"Key": "project", "Values": ["orderflow"]}]


# What deploy makes for the order app: a table per table, a topic per topic, a role and a
# function per service, and for its one workflow a log group, a role, the machine, a role
# and a rule.
STACK = len(app.tables) + len(app.topics) + 2 * len(app.services) + 5


def tagged(moto: MotoServer, prefix: str | None = None) -> list[str]:
    """Every resource carrying orderflow's tags, by each service's own API."""
    filters = [*OURS, *([{"Key": "prefix", "Values": [prefix]}] if prefix else [])]
    found = [
        r["ResourceARN"]
        for r in boto3.client(
            "resourcegroupstaggingapi", region_name=REGION, endpoint_url=moto.url
        ).get_resources(TagFilters=filters)["ResourceTagMappingList"]
    ]
    iam = boto3.client("iam", region_name=REGION, endpoint_url=moto.url)
    for role in iam.list_roles()["Roles"]:
        tags = {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=role["RoleName"])["Tags"]}
        if tags.get("project") == "orderflow" and prefix in (None, tags.get("prefix")):
            found.append(role["Arn"])
    events = boto3.client("events", region_name=REGION, endpoint_url=moto.url)
    for rule in events.list_rules()["Rules"]:
        tags = {
            t["Key"]: t["Value"]
            for t in events.list_tags_for_resource(ResourceARN=rule["Arn"])["Tags"]
        }
        if tags.get("project") == "orderflow" and prefix in (None, tags.get("prefix")):
            found.append(rule["Arn"])
    logs = boto3.client("logs", region_name=REGION, endpoint_url=moto.url)
    for group in logs.describe_log_groups()["logGroups"]:
        tags = logs.list_tags_for_resource(resourceArn=group["arn"].removesuffix(":*"))["tags"]
        if tags.get("project") == "orderflow" and prefix in (None, tags.get("prefix")):
            found.append(group["arn"])
    # The tagging API names a log group without the ":*" that DescribeLogGroups adds.
    return sorted({arn.removesuffix(":*") for arn in found})


def test_destroy_leaves_nothing_tagged(
    moto: MotoServer, wheel_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(capsys, *deploy_args(moto, wheel_dir, "--alias", "live")).code == 0
    assert len(tagged(moto, "shop")) == STACK
    common = ["--endpoint-url", moto.url, "--region", REGION, "--prefix", "shop"]
    result = run_cli(capsys, "destroy", *common)
    assert result.code == 0, result.err
    # The tagged resources, plus the alias and the version it routed to (untaggable):
    # one line per resource, as deploy printed one per resource it made.
    assert result.out.strip() == f"{STACK + 2} resource(s) deleted"
    lines = result.err.splitlines()
    assert len(lines) == STACK + 2 and all(line.startswith("deleted ") for line in lines)
    assert (
        lines.index("deleted state machine alias live")
        < lines.index("deleted state machine shop-order")
        < lines.index("deleted state machine version shop-order:1")
    )
    # Dependents before what they depend on.
    assert lines[0] == "deleted EventBridge rule shop-order-order-submitted"
    assert lines.index("deleted state machine shop-order") < lines.index(
        "deleted IAM role shop-order-states"
    )
    assert lines.index("deleted Lambda function shop-get-user") < lines.index(
        "deleted IAM role shop-get-user-lambda"
    )
    assert tagged(moto) == []

    again = run_cli(capsys, "destroy", *common)
    assert again.code == 0
    assert again.out.strip() == "0 resource(s) deleted"
    assert "nothing to destroy for prefix shop" in again.err


def test_destroy_finishes_a_half_deployed_stack(
    aws: Aws, moto: MotoServer, packager: Packager
) -> None:
    deploy(aws, prefix="shop", packager=packager, progress=lambda line: None)
    # Half gone already: the machine, a function and a role.
    aws.client("stepfunctions").delete_state_machine(
        stateMachineArn="arn:aws:states:us-east-1:123456789012:stateMachine:shop-order"
    )
    aws.client("lambda").delete_function(FunctionName="shop-get-user")
    iam = aws.client("iam")
    iam.delete_role_policy(RoleName="shop-order-events", PolicyName="orderflow")
    iam.delete_role(RoleName="shop-order-events")
    deleted = destroy(aws, prefix="shop", progress=lambda line: None)
    assert len(deleted) == STACK - 3
    assert tagged(moto) == []


def test_destroy_removes_only_its_own_stack(aws: Aws, moto: MotoServer, packager: Packager) -> None:
    deploy(aws, prefix="shop", packager=packager, progress=lambda line: None)
    deploy(aws, prefix="shop-eu", packager=packager, progress=lambda line: None)
    # A table a user made by hand with a name in the stack's namespace, without the tags.
    ddb: Any = aws.client("dynamodb")
    ddb.create_table(
        TableName="shop-carts",
        KeySchema=[{"AttributeName": "cart_id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "cart_id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    before = tagged(moto, "shop-eu")
    lines: list[str] = []
    destroy(aws, prefix="shop", progress=lines.append)
    assert tagged(moto, "shop") == []
    assert tagged(moto, "shop-eu") == before and len(before) == STACK
    assert "shop-carts" in ddb.list_tables()["TableNames"]
    assert (
        "left alone DynamoDB table shop-carts (not tagged project=orderflow, prefix=shop)" in lines
    )
    assert not any("shop-eu" in line for line in lines)
