"""The approvals SNS topic: created tagged, listed by the dry run, the only topic the state
machine may publish to, removed by destroy; ``orderflow approve/reject`` reach AWS."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from orderflow import ConfigurationError
from orderflow.deploy import Aws, deploy, destroy
from orderflow.deploy._package import Packager
from orderflow.orders.app import app
from orderflow.orders.workflow import APPROVALS_TOPIC

from ._helpers import deploy_args, run_cli
from .conftest import ACCOUNT, REGION, MotoServer

pytestmark = pytest.mark.moto

TOPIC = APPROVALS_TOPIC.replace("{prefix}", "shop")
TOPIC_ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}:{TOPIC}"


def quiet(_line: str) -> None:
    pass


def topics(aws: Aws) -> dict[str, dict[str, str]]:
    client = aws.client("sns")
    return {
        t["TopicArn"]: {
            tag["Key"]: tag["Value"]
            for tag in client.list_tags_for_resource(ResourceArn=t["TopicArn"])["Tags"]
        }
        for t in client.list_topics()["Topics"]
    }


def test_deploy_creates_the_topic_tagged_and_grants_publish_on_it_alone(
    aws: Aws, packager: Packager
) -> None:
    deploy(aws, prefix="shop", packager=packager, progress=quiet)
    tags = topics(aws)[TOPIC_ARN]
    assert tags["project"] == "orderflow" and tags["prefix"] == "shop"
    iam = aws.client("iam")
    policy = iam.get_role_policy(RoleName="shop-order-states", PolicyName="orderflow")
    document: Any = policy["PolicyDocument"]
    if isinstance(document, str):
        document = json.loads(document)
    sns = [s for s in document["Statement"] if any(a.startswith("sns:") for a in s["Action"])]
    assert len(sns) == 1
    assert sns[0]["Action"] == ["sns:Publish"] and sns[0]["Resource"] == [TOPIC_ARN]
    # A second deploy leaves it alone.
    lines: list[str] = []
    deploy(aws, prefix="shop", packager=packager, progress=lines.append)
    assert f"unchanged SNS topic {TOPIC}" in lines


def test_dry_run_lists_the_topic(
    moto: MotoServer, wheel_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(capsys, *deploy_args(moto, wheel_dir, "--dry-run"))
    assert result.code == 0, result.err
    assert f"create SNS topic {TOPIC}" in result.out


def test_destroy_removes_the_topic_and_only_ours(aws: Aws, packager: Packager) -> None:
    foreign = aws.client("sns").create_topic(Name="someone-elses")["TopicArn"]
    deploy(aws, prefix="shop", packager=packager, progress=quiet)
    lines: list[str] = []
    deleted = destroy(aws, prefix="shop", progress=lines.append)
    assert f"SNS topic {TOPIC}" in deleted
    assert list(topics(aws)) == [foreign]


def test_a_topic_someone_else_made_is_refused(aws: Aws, packager: Packager) -> None:
    aws.client("sns").create_topic(Name=TOPIC)
    with pytest.raises(Exception, match="not made by orderflow"):
        deploy(aws, prefix="shop", packager=packager, progress=quiet)


@pytest.mark.parametrize("topics_arg", [["bad name"], ["a", "a"], "{prefix}-approvals"])
def test_app_checks_its_topics(topics_arg: Any) -> None:
    from orderflow import App

    with pytest.raises(ConfigurationError, match="topic"):
        App(
            "x",
            services=list(app.services.values()),
            workflows=list(app.workflows.values()),
            tables=dict(app.tables),
            topics=topics_arg,
        )


def test_approve_and_reject_reach_step_functions(
    moto: MotoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """Against moto's server (which accepts any token): each command makes its SendTask*
    call with the token, the output and the reason, and reports it."""
    common = ["--endpoint-url", moto.url, "--region", REGION]
    approved = run_cli(capsys, "approve", "tok-1", "--output", '{"approved_by": "ann"}', *common)
    rejected = run_cli(capsys, "reject", "tok-2", "--reason", "over budget", *common)
    assert approved.code == 0 and json.loads(approved.out) == {"approved": "tok-1"}
    assert rejected.code == 0 and json.loads(rejected.out) == {"rejected": "tok-2"}
    assert ("states", "SendTaskSuccess") in moto.operations
    assert ("states", "SendTaskFailure") in moto.operations
