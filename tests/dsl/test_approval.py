"""Human approval (``require_approval``): the emitted ASL, the behaviour when run (approve,
reject, timeout, heartbeat timeout, below the threshold), and the order workflow's use."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel

from orderflow import ExecutionError, WorkflowBuildError
from orderflow.asl import Definition
from orderflow.checker import check_dataflow
from orderflow.dsl import (
    APPROVAL_REJECTED,
    CaughtError,
    Flow,
    Workflow,
    gt,
    render,
    require_approval,
)
from orderflow.testing import LocalAws, run_asl
from orderflow.validation import validate

ACCOUNT, REGION = "111122223333", "eu-west-1"


class Order(BaseModel):
    order_id: str
    total_cents: int


class Receipt(BaseModel):
    order_id: str


def build(timeout: int = 3600, heartbeat: int | None = 600) -> Any:
    def flow_fn(flow: Flow[Order]) -> None:
        def refused(f: Flow[Order], error: CaughtError) -> None:
            f.fail("NotApproved", error=error.Error, cause=error.Cause)

        require_approval(
            flow,
            "Approve",
            when=gt(flow.input.total_cents, 1000),
            topic="approvals",
            message={"order_id": flow.input.order_id, "total": flow.input.total_cents},
            timeout_seconds=timeout,
            heartbeat_seconds=heartbeat,
            on_reject=refused,
        )
        # A reference made before the approval is still readable after it.
        flow.pass_("Done").call(Receipt, order_id=flow.input.order_id)

    return flow_fn


def definition(**kwargs: Any) -> Definition:
    rendered = render(Workflow("t", Order, build(**kwargs)), account=ACCOUNT, region=REGION)
    assert [d for d in validate(rendered) if d.severity == "error"] == []
    assert [d for d in check_dataflow(rendered, input_model=Order) if d.severity == "error"] == []
    return rendered


def test_emits_a_choice_and_an_sns_callback_with_limits_and_rejection_catch() -> None:
    states = definition().states
    assert states["ApproveNeeded"] == {
        "Type": "Choice",
        "Choices": [{"Variable": "$.total_cents", "NumericGreaterThan": 1000, "Next": "Approve"}],
        "Default": "Done",
    }
    task = states["Approve"]
    assert task["Resource"] == "arn:aws:states:::sns:publish.waitForTaskToken"
    assert task["Parameters"] == {
        "TopicArn": f"arn:aws:sns:{REGION}:{ACCOUNT}:approvals",
        "Message": {
            "order_id.$": "$.order_id",
            "total.$": "$.total_cents",
            "task_token.$": "$$.Task.Token",
        },
    }
    assert (task["TimeoutSeconds"], task["HeartbeatSeconds"]) == (3600, 600)
    assert task["Catch"] == [
        {
            "ErrorEquals": [APPROVAL_REJECTED, "States.Timeout", "States.HeartbeatTimeout"],
            "ResultPath": "$.approval_error",
            "Next": "NotApproved",
        }
    ]
    assert task["Next"] == "Done"


def start(total: int, **kwargs: Any) -> tuple[Any, LocalAws, str | None]:
    aws = LocalAws()
    run = run_asl(definition(**kwargs), {"order_id": "o-1", "total_cents": total}, aws=aws)
    token = None
    if aws.published.get("approvals"):
        token = json.loads(aws.published["approvals"][0]["Message"])["task_token"]
    return run, aws, token


def test_below_the_threshold_nothing_waits() -> None:
    run, aws, token = start(999)
    assert run.status == "SUCCEEDED" and token is None and not aws.published.get("approvals")


def test_approved_goes_on_and_the_token_is_the_published_one() -> None:
    run, _aws, token = start(5000)
    assert run.status == "RUNNING" and token is not None and run.waiting_token == token
    run.send_task_success(token, {})
    assert run.status == "SUCCEEDED" and run.output["done"] == {"order_id": "o-1"}


def test_rejected_ends_in_the_handler_with_the_reason() -> None:
    run, _aws, token = start(5000)
    assert token is not None
    run.send_task_failure(token, APPROVAL_REJECTED, "too expensive")
    assert (run.status, run.error, run.cause) == ("FAILED", "Rejected", "too expensive")
    assert "NotApproved" in json.dumps(run.history, default=str)


def test_nobody_answering_times_out_into_an_automatic_rejection() -> None:
    run, _aws, _token = start(5000, heartbeat=None)
    run.advance(3599)  # not yet
    assert run.status == "RUNNING"
    run.advance()
    assert (run.status, run.error) == ("FAILED", "States.Timeout")
    assert run.duration > 3600


def test_missing_heartbeats_time_out_first() -> None:
    run, _aws, token = start(5000)
    assert token is not None
    run.advance(500)
    run.send_task_heartbeat(token)
    run.advance(500)  # 500 s after the beat: still alive
    assert run.status == "RUNNING"
    run.advance()
    assert (run.status, run.error) == ("FAILED", "States.HeartbeatTimeout")
    assert 1100 < run.duration < 3600


def test_advance_refuses_what_cannot_time_out() -> None:
    run, _aws, _token = start(999)
    with pytest.raises(ExecutionError, match="not waiting"):
        run.advance()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"timeout": 0}, "TimeoutSeconds"),
        ({"timeout": 600, "heartbeat": 600}, "HeartbeatSeconds"),
    ],
)
def test_bad_limits_are_build_errors(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(WorkflowBuildError) as caught:
        render(Workflow("t", Order, build(**kwargs)))
    assert caught.value.field == field and caught.value.state == "Approve"


# --- the order workflow ------------------------------------------------------------------

BIG_ORDER = {
    "request_id": "req-big",
    "user_id": "u-100",
    "items": [{"product_id": "p-1", "quantity": 300, "unit_price_cents": 1999}],
}


def run_order(order: dict[str, Any]) -> tuple[Any, LocalAws, Any]:
    from orderflow.orders.app import app

    aws = LocalAws()
    deps = app.deps()
    definition = render(app.workflow("order"), prefix=app.name)
    aws.tables_for(definition)  # the payment breaker's table
    run = run_asl(definition, order, lambda_handler=app.local_handler(deps), aws=aws)
    return run, aws, deps


def test_order_workflow_checks_clean() -> None:
    from orderflow.orders.app import app

    rendered = render(app.workflow("order"), prefix=app.name)
    assert [d for d in validate(rendered) if d.severity == "error"] == []
    model = app.workflow("order").input_model
    assert [d for d in check_dataflow(rendered, input_model=model) if d.severity == "error"] == []


def test_a_high_value_order_rejected_creates_pays_and_reserves_nothing() -> None:
    run, aws, deps = run_order(BIG_ORDER)
    assert run.status == "RUNNING"
    message = json.loads(aws.published["orderflow-approvals"][0]["Message"])
    assert message["total_cents"] == 300 * 1999 and message["email"] == "ada@example.com"
    run.advance()  # a day passes, nobody decides
    assert (run.status, run.error) == ("FAILED", "States.Timeout")
    for table in ("orders", "payments", "reservations"):
        assert list(deps.store.table(table).scan()) == []


def test_a_high_value_order_approved_completes() -> None:
    run, aws, deps = run_order(BIG_ORDER)
    token = json.loads(aws.published["orderflow-approvals"][0]["Message"])["task_token"]
    run.send_task_success(token, {"approved_by": "ann"})
    assert run.status == "SUCCEEDED", (run.error, run.cause)
    assert len(list(deps.store.table("orders").scan())) == 1


def test_the_sample_order_needs_no_approval() -> None:
    from orderflow.orders.workflow import APPROVAL_THRESHOLD_CENTS, SAMPLE_ORDER

    total = sum(i["quantity"] * i["unit_price_cents"] for i in SAMPLE_ORDER["items"])
    assert total <= APPROVAL_THRESHOLD_CENTS
    run, aws, _deps = run_order(SAMPLE_ORDER)
    assert run.status == "SUCCEEDED" and not aws.published.get("orderflow-approvals")
