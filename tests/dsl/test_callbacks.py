"""Callback tasks (``.waitForTaskToken``): Lambda, SQS and SNS; the result model is declared,
the execution waits until the token is answered, and time limits apply."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel

from orderflow import WorkflowBuildError
from orderflow.deploy import StackNames, integration_statements
from orderflow.dsl import Flow, Workflow, render
from orderflow.orders import get_user
from orderflow.testing import LocalAws, run_asl

ACCOUNT, REGION = "111122223333", "eu-west-1"


class Request(BaseModel):
    order_id: str


class Approval(BaseModel):
    approved: bool
    by: str


def render_t(build: Any) -> Any:
    return render(Workflow("t", Request, build), account=ACCOUNT, region=REGION)


def test_sqs_callback_waits_for_the_token_and_types_the_answer() -> None:
    def build(flow: Flow[Request]) -> None:
        answer = flow.callback.sqs(
            "AskApproval",
            queue="approvals",
            body={"order_id": flow.input.order_id},
            result=Approval,
            timeout_seconds=3600,
            heartbeat_seconds=600,
        )
        flow.pass_("Use").call(Approval, approved=answer.approved, by=answer.by)

    definition = render_t(build)
    state = definition.states["AskApproval"]
    assert state["Resource"] == "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
    assert state["Parameters"] == {
        "QueueUrl": f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/approvals",
        "MessageBody": {"order_id.$": "$.order_id", "task_token.$": "$$.Task.Token"},
    }
    assert (state["TimeoutSeconds"], state["HeartbeatSeconds"]) == (3600, 600)
    assert "ResultSelector" not in state and state["ResultPath"] == "$.ask_approval"
    aws = LocalAws()
    run = run_asl(definition, {"order_id": "o-1"}, aws=aws)
    assert run.status == "RUNNING"
    body = json.loads(aws.messages["approvals"][0]["MessageBody"])
    assert body["order_id"] == "o-1" and body["task_token"] == run.waiting_token
    run.send_task_success(body["task_token"], {"approved": True, "by": "ann"})
    assert run.succeeded and run.output["use"] == {"approved": True, "by": "ann"}
    assert integration_statements(StackNames("shop", ACCOUNT, REGION), definition) == [
        {
            "Sid": "SqsSendMessage",
            "Effect": "Allow",
            "Action": ["sqs:SendMessage"],
            "Resource": [f"arn:aws:sqs:{REGION}:{ACCOUNT}:approvals"],
        }
    ]


def test_sns_callback_fails_with_the_error_sent_for_its_token() -> None:
    def build(flow: Flow[Request]) -> None:
        flow.callback.sns(
            "AskApproval",
            topic="approvals",
            message={"order_id": flow.input.order_id},
            result=Approval,
            timeout_seconds=60,
            heartbeat_seconds=10,
        )

    definition = render_t(build)
    assert definition.states["AskApproval"]["Resource"] == (
        "arn:aws:states:::sns:publish.waitForTaskToken"
    )
    aws = LocalAws()
    run = run_asl(definition, {"order_id": "o-1"}, aws=aws)
    token = json.loads(aws.published["approvals"][0]["Message"])["task_token"]
    run.send_task_failure(token, "Rejected", "no")
    assert run.status == "FAILED" and run.error == "Rejected"


def test_lambda_callback_invokes_the_service_with_the_token() -> None:
    def build(flow: Flow[Request]) -> None:
        flow.callback.invoke(
            "AskUser",
            get_user,
            payload={"user_id": flow.input.order_id},
            result=Approval,
            timeout_seconds=300,
        )

    definition = render_t(build)
    state = definition.states["AskUser"]
    assert state["Resource"] == "arn:aws:states:::lambda:invoke.waitForTaskToken"
    assert state["Parameters"] == {
        "FunctionName": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:orderflow-get-user",
        "Payload": {"user_id.$": "$.order_id", "task_token.$": "$$.Task.Token"},
    }
    seen: list[Any] = []
    run = run_asl(definition, {"order_id": "u-1"}, lambda_handler=lambda name, p: seen.append(p))
    assert run.status == "RUNNING" and seen[0]["task_token"] == run.waiting_token
    run.send_task_success(run.waiting_token or "", {"approved": False, "by": "bot"})
    assert run.output["ask_user"] == {"approved": False, "by": "bot"}
    # The invoked function's InvokeFunction grant comes with the workflow's functions.
    assert integration_statements(StackNames("shop", ACCOUNT, REGION), definition) == []


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"timeout_seconds": 0}, "TimeoutSeconds"),
        ({"timeout_seconds": 10, "heartbeat_seconds": 10}, "HeartbeatSeconds"),
        ({"timeout_seconds": 10, "body": {"task_token": "x"}}, "task_token"),
    ],
)
def test_callback_limits_and_token_key_are_checked(kwargs: dict[str, Any], field: str) -> None:
    def build(flow: Flow[Request]) -> None:
        args: dict[str, Any] = {"body": {"order_id": flow.input.order_id}, **kwargs}
        flow.callback.sqs("Ask", queue="q", result=Approval, **args)

    with pytest.raises(WorkflowBuildError) as info:
        render(Workflow("t", Request, build))
    assert info.value.state == "Ask" and info.value.field == field


class Job(BaseModel):
    tag: str


def _asks(flow: Flow[Job]) -> None:
    flow.callback.sqs(
        "Ask", queue="q", body={"t": flow.input.tag}, result=Approval, timeout_seconds=60
    )


asks = Workflow("asks", Job, _asks)


def test_orderflow_run_lets_an_unanswered_callback_time_out(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Without --approve/--reject nobody answers: the task times out (virtual clock)."""
    from orderflow.cli import main

    assert main(["run", f"{__name__}:asks", "--input", '{"tag": "x"}']) == 1
    err = capsys.readouterr().err
    assert "nobody answered; the task timed out" in err
    assert "execution FAILED: States.Timeout" in err
