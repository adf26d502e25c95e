"""``orderflow destroy``: exactly what deploy made, in order, idempotently."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest

from orderflow.deploy import Aws, deploy, destroy
from orderflow.deploy._package import Packager
from orderflow.orders.app import app

from ._helpers import deploy_args, integration_table_count, run_cli
from .conftest import REGION, MotoServer

pytestmark = pytest.mark.moto

OURS = [{"Key": "project", "Values": ["orderflow"]}]


# What deploy makes for the order app: a table per table, a role and a function per
# service, the bucket, a topic per topic, and for each workflow a log group, a role, the
# machine, a role and a rule; then monitoring: the alarm topic, a failure-rate alarm per
# workflow and a backlog alarm per Standard one, a throttle alarm per service (all
# tagged), and the dashboard (CloudWatch dashboards cannot be tagged).
MONITORING_TAGGED = (
    1
    + sum(2 if workflow.type == "STANDARD" else 1 for workflow in app.workflows.values())
    + len(app.services)
)
STACK = (
    len(app.tables)
    + integration_table_count(app)  # the payment breaker's
    + len(app.buckets)
    + len(app.topics)
    + 2 * len(app.services)
    + 5 * len(app.workflows)
    + MONITORING_TAGGED
)


def tagged(moto: MotoServer, prefix: str | None = None) -> list[str]:
    """Every resource carrying orderflow's tags, by each service's own API."""
    filters = [*OURS, *([{"Key": "prefix", "Values": [prefix]}] if prefix else [])]
    tagging = boto3.client("resourcegroupstaggingapi", region_name=REGION, endpoint_url=moto.url)
    found = [
        r["ResourceARN"]
        for page in tagging.get_paginator("get_resources").paginate(TagFilters=filters)
        for r in page["ResourceTagMappingList"]
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
    s3 = boto3.client("s3", region_name=REGION, endpoint_url=moto.url)
    for bucket in s3.list_buckets()["Buckets"]:
        try:
            tag_set = s3.get_bucket_tagging(Bucket=bucket["Name"])["TagSet"]
        except s3.exceptions.ClientError:
            tag_set = []
        tags = {t["Key"]: t["Value"] for t in tag_set}
        if tags.get("project") == "orderflow" and prefix in (None, tags.get("prefix")):
            found.append(f"arn:aws:s3:::{bucket['Name']}")
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
    # The tagged resources, plus per machine the alias and the version it routed to, and
    # the dashboard (untaggable): one line per resource, as deploy printed one per resource
    # it made.
    extra = 2 * len(app.workflows) + 1
    assert result.out.strip() == f"{STACK + extra} resource(s) deleted"
    lines = result.err.splitlines()
    assert len(lines) == STACK + extra and all(line.startswith("deleted ") for line in lines)
    assert (
        lines.index("deleted state machine alias live")
        < lines.index("deleted state machine shop-order")
        < lines.index("deleted state machine version shop-order:1")
    )
    # Dependents before what they depend on.
    assert lines[0].startswith("deleted CloudWatch alarm shop-")
    assert lines.index("deleted CloudWatch dashboard shop-dashboard") < lines.index(
        "deleted EventBridge rule shop-order-order-submitted"
    )
    assert lines.index("deleted CloudWatch alarm shop-order-backlog") < lines.index(
        "deleted SNS topic shop-alarms"
    )
    assert lines.index("deleted S3 bucket shop-archive") < lines.index(
        "deleted IAM role shop-send-notification-lambda"
    )
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
    assert len(deleted) == STACK - 3 + 1  # + the dashboard
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
