"""Each typed service integration: the ASL it emits, validated and data-flow-checked, run
locally against the in-memory AWS fakes, and the exact IAM statement deploy grants for it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel

from orderflow import WorkflowBuildError
from orderflow.asl import Definition
from orderflow.checker import check_dataflow
from orderflow.deploy import StackNames, integration_statements, states_policy
from orderflow.dsl import (
    DynamoWriteResult,
    Event,
    Flow,
    SnsPublishResult,
    Workflow,
    render,
)
from orderflow.orders.app import app
from orderflow.testing import LocalAws, run_asl
from orderflow.validation import validate

ACCOUNT, REGION = "111122223333", "eu-west-1"
NAMES = StackNames("shop", ACCOUNT, REGION)


class OrderIn(BaseModel):
    order_id: str
    total_cents: int


class OrderRecord(BaseModel):
    order_id: str
    total_cents: int
    paid: bool
    lines: list[str]


class Shipped(BaseModel):
    tracking: str


ORDER = {"order_id": "o-1", "total_cents": 1250}


def rendered(build: Any) -> Definition:
    """Render (which validates and checks), then validate and check again explicitly."""
    definition = render(Workflow("t", OrderIn, build), account=ACCOUNT, region=REGION)
    assert [d for d in validate(definition) if d.severity == "error"] == []
    assert [
        d for d in check_dataflow(definition, input_model=OrderIn) if d.severity == "error"
    ] == []
    return definition


def statements(definition: Definition) -> list[dict[str, Any]]:
    return integration_statements(NAMES, definition)


def record(flow: Flow[OrderIn]) -> OrderRecord:
    return flow.pass_("Shape").call(
        OrderRecord,
        order_id=flow.input.order_id,
        total_cents=flow.input.total_cents,
        paid=False,
        lines=["a", "b"],
    )


# --- DynamoDB -----------------------------------------------------------------------------


def test_dynamodb_put_then_get_item_round_trips_a_typed_item() -> None:
    def build(flow: Flow[OrderIn]) -> None:
        flow.dynamodb.put_item("Save", table="orders", item=record(flow))
        loaded = flow.dynamodb.get_item(
            "Load", table="orders", key={"order_id": flow.input.order_id}, item=OrderRecord
        )
        flow.pass_("Total").call(OrderIn, order_id=loaded.order_id, total_cents=loaded.total_cents)

    definition = rendered(build)
    assert definition.states["Save"] == {
        "Type": "Task",
        "Resource": "arn:aws:states:::dynamodb:putItem",
        "Parameters": {
            "TableName": "orders",
            "Item": {
                "order_id": {"S.$": "$.shape.order_id"},
                "total_cents": {"N.$": "States.JsonToString($.shape.total_cents)"},
                "paid": {"BOOL.$": "$.shape.paid"},
                "lines": {"S.$": "States.JsonToString($.shape.lines)"},
            },
        },
        "ResultSelector": {"HttpStatusCode.$": "$.SdkHttpMetadata.HttpStatusCode"},
        "ResultPath": "$.save",
        "Next": "Load",
    }
    assert definition.states["Load"]["Parameters"] == {
        "TableName": "orders",
        "Key": {"order_id": {"S.$": "$.order_id"}},
    }
    assert definition.states["Load"]["ResultSelector"] == {
        "order_id.$": "$.Item.order_id.S",
        "total_cents.$": "States.StringToJson($.Item.total_cents.N)",
        "paid.$": "$.Item.paid.BOOL",
        "lines.$": "States.StringToJson($.Item.lines.S)",
    }
    aws = LocalAws()
    aws.create_table("orders", "order_id")
    run = run_asl(definition, ORDER, aws=aws)
    assert run.succeeded, run.cause
    assert run.output["save"] == {"HttpStatusCode": 200}
    assert run.output["load"] == {
        "order_id": "o-1",
        "total_cents": 1250,
        "paid": False,
        "lines": ["a", "b"],
    }
    assert run.output["total"] == ORDER
    assert aws.tables["orders"].items == [
        {
            "order_id": {"S": "o-1"},
            "total_cents": {"N": "1250"},
            "paid": {"BOOL": False},
            "lines": {"S": '["a","b"]'},
        }
    ]
    arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/orders"
    assert statements(definition) == [
        {
            "Sid": "DynamodbGetItemDynamodbPutItem",
            "Effect": "Allow",
            "Action": ["dynamodb:GetItem", "dynamodb:PutItem"],
            "Resource": [arn],
        }
    ]


def test_dynamodb_update_item_returns_the_new_item_and_delete_item_removes_it() -> None:
    def build(flow: Flow[OrderIn]) -> None:
        flow.dynamodb.put_item("Save", table="orders", item=record(flow))
        paid = flow.dynamodb.update_item(
            "Pay",
            table="orders",
            key={"order_id": flow.input.order_id},
            set={"paid": True},
            item=OrderRecord,
        )
        flow.dynamodb.update_item(
            "Note", table="audit", key={"id": paid.order_id}, set={"status": "paid"}
        )
        flow.dynamodb.delete_item("Forget", table="orders", key={"order_id": paid.order_id})

    definition = rendered(build)
    assert definition.states["Pay"]["Parameters"] == {
        "TableName": "orders",
        "Key": {"order_id": {"S.$": "$.order_id"}},
        "UpdateExpression": "SET #a0 = :v0",
        "ExpressionAttributeNames": {"#a0": "paid"},
        "ExpressionAttributeValues": {":v0": {"BOOL": True}},
        "ReturnValues": "ALL_NEW",
    }
    assert definition.states["Pay"]["ResultSelector"]["paid.$"] == "$.Attributes.paid.BOOL"
    assert definition.states["Forget"]["Resource"] == "arn:aws:states:::dynamodb:deleteItem"
    aws = LocalAws()
    aws.create_table("orders", "order_id")
    aws.create_table("audit", "id")
    run = run_asl(definition, ORDER, aws=aws)
    assert run.succeeded, run.cause
    assert run.output["pay"]["paid"] is True
    assert aws.tables["orders"].items == []
    assert aws.tables["audit"].items == [{"id": {"S": "o-1"}, "status": {"S": "paid"}}]
    table = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/"
    assert statements(definition) == [
        {
            "Sid": "DynamodbDeleteItemDynamodbPutItem",
            "Effect": "Allow",
            "Action": ["dynamodb:DeleteItem", "dynamodb:PutItem"],
            "Resource": [table + "orders"],
        },
        {
            "Sid": "DynamodbUpdateItem",
            "Effect": "Allow",
            "Action": ["dynamodb:UpdateItem"],
            "Resource": [table + "audit", table + "orders"],
        },
    ]


def test_dynamodb_missing_table_fails_with_the_aws_error() -> None:
    def build(flow: Flow[OrderIn]) -> None:
        flow.dynamodb.delete_item("Forget", table="nowhere", key={"order_id": flow.input.order_id})

    run = run_asl(rendered(build), ORDER, aws=LocalAws())
    assert run.status == "FAILED"
    assert run.error == "DynamoDB.ResourceNotFoundException"
    assert run.cause is not None and run.cause.startswith(
        "Requested resource not found (Service: AmazonDynamoDBv2;"
    )


def test_dynamodb_items_must_be_typed_and_keys_must_match_the_model() -> None:
    class Loose(BaseModel):
        order_id: str
        note: str | None = None

    def optional(flow: Flow[OrderIn]) -> None:
        flow.dynamodb.get_item("Load", table="orders", key={"order_id": "x"}, item=Loose)

    def wrong_key(flow: Flow[OrderIn]) -> None:
        flow.dynamodb.get_item(
            "Load", table="orders", key={"id": flow.input.order_id}, item=OrderRecord
        )

    def wrong_type(flow: Flow[OrderIn]) -> None:
        flow.dynamodb.get_item(
            "Load", table="orders", key={"order_id": flow.input.total_cents}, item=OrderRecord
        )

    def bad_table(flow: Flow[OrderIn]) -> None:
        flow.dynamodb.delete_item("Forget", table="a b", key={"order_id": "x"})

    for build, field in [
        (optional, "note"),
        (wrong_key, "id"),
        (wrong_type, "order_id"),
        (bad_table, "TableName"),
    ]:
        with pytest.raises(WorkflowBuildError) as info:
            render(Workflow("t", OrderIn, build))
        assert info.value.state == "Load" or info.value.state == "Forget"
        assert info.value.field == field


# --- SNS, SQS, EventBridge --------------------------------------------------------------


def test_sns_publish_sends_the_model_as_json_and_returns_its_message_id() -> None:
    def build(flow: Flow[OrderIn]) -> None:
        sent = flow.sns.publish(
            "Announce", topic="order-events", message=flow.input, subject="new order"
        )
        flow.pass_("Keep").call(SnsPublishResult, MessageId=sent.MessageId)

    definition = rendered(build)
    topic = f"arn:aws:sns:{REGION}:{ACCOUNT}:order-events"
    assert definition.states["Announce"]["Parameters"] == {
        "TopicArn": topic,
        "Message.$": "States.JsonToString($)",
        "Subject": "new order",
    }
    aws = LocalAws()
    run = run_asl(definition, ORDER, aws=aws)
    assert run.succeeded, run.cause
    [message] = aws.published["order-events"]
    assert json.loads(message["Message"]) == ORDER and message["Subject"] == "new order"
    assert run.output["keep"] == {"MessageId": message["MessageId"]}
    assert statements(definition) == [
        {"Sid": "SnsPublish", "Effect": "Allow", "Action": ["sns:Publish"], "Resource": [topic]}
    ]


def test_sqs_send_message_serialises_an_object_body() -> None:
    def build(flow: Flow[OrderIn]) -> None:
        flow.sqs.send_message(
            "Enqueue", queue="shipping", body={"order": flow.input, "kind": "ship"}, delay_seconds=5
        )

    definition = rendered(build)
    assert definition.states["Enqueue"]["Parameters"] == {
        "QueueUrl": f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/shipping",
        "MessageBody": {"order.$": "$", "kind": "ship"},
        "DelaySeconds": 5,
    }
    assert definition.states["Enqueue"]["ResultSelector"] == {
        "MessageId.$": "$.MessageId",
        "MD5OfMessageBody.$": "$.MD5OfMessageBody",
    }
    aws = LocalAws()
    run = run_asl(definition, ORDER, aws=aws)
    assert run.succeeded, run.cause
    [message] = aws.messages["shipping"]
    assert json.loads(message["MessageBody"]) == {"order": ORDER, "kind": "ship"}
    assert run.output["enqueue"]["MessageId"] == message["MessageId"]
    assert statements(definition) == [
        {
            "Sid": "SqsSendMessage",
            "Effect": "Allow",
            "Action": ["sqs:SendMessage"],
            "Resource": [f"arn:aws:sqs:{REGION}:{ACCOUNT}:shipping"],
        }
    ]


def test_strict_fakes_fail_unknown_queues_as_aws_does() -> None:
    def build(flow: Flow[OrderIn]) -> None:
        flow.sqs.send_message("Enqueue", queue="shipping", body=flow.input.order_id)

    run = run_asl(rendered(build), ORDER, aws=LocalAws(strict=True))
    assert run.error == "SQS.QueueDoesNotExistException"


def test_eventbridge_put_events_to_two_buses() -> None:
    def build(flow: Flow[OrderIn]) -> None:
        put = flow.events.put_events(
            "Emit",
            [
                Event(source="shop.orders", detail_type="Order Placed", detail=flow.input),
                Event(
                    source="shop.audit",
                    detail_type="Seen",
                    detail={"id": flow.input.order_id},
                    bus="audit",
                ),
            ],
        )
        flow.pass_("Count").call(
            OrderIn, order_id=flow.input.order_id, total_cents=put.FailedEntryCount
        )

    definition = rendered(build)
    assert definition.states["Emit"]["Parameters"] == {
        "Entries": [
            {
                "Source": "shop.orders",
                "DetailType": "Order Placed",
                "Detail.$": "$",
                "EventBusName": "default",
            },
            {
                "Source": "shop.audit",
                "DetailType": "Seen",
                "Detail": {"id.$": "$.order_id"},
                "EventBusName": "audit",
            },
        ]
    }
    aws = LocalAws()
    run = run_asl(definition, ORDER, aws=aws)
    assert run.succeeded, run.cause
    assert [(e["EventBusName"], json.loads(e["Detail"])) for e in aws.events] == [
        ("default", ORDER),
        ("audit", {"id": "o-1"}),
    ]
    assert run.output["count"]["total_cents"] == 0
    assert [e["EventId"] for e in run.output["emit"]["Entries"]] == [
        e["EventId"] for e in aws.events
    ]
    bus = f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/"
    assert statements(definition) == [
        {
            "Sid": "EventsPutEvents",
            "Effect": "Allow",
            "Action": ["events:PutEvents"],
            "Resource": [bus + "audit", bus + "default"],
        }
    ]


# --- Step Functions -----------------------------------------------------------------------

CHILD = {
    "StartAt": "Ship",
    "States": {"Ship": {"Type": "Pass", "Parameters": {"tracking.$": "$.id"}, "End": True}},
}
FAILING_CHILD = {
    "StartAt": "No",
    "States": {"No": {"Type": "Fail", "Error": "Lost", "Cause": "gone"}},
}


def test_start_execution_sync_returns_the_typed_child_output() -> None:
    def build(flow: Flow[OrderIn]) -> None:
        child = flow.sfn.start_execution_sync(
            "Ship", machine="shipping", input={"id": flow.input.order_id}, output=Shipped
        )
        flow.pass_("Track").call(Shipped, tracking=child.Output.tracking)

    definition = rendered(build)
    machine = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:shipping"
    assert definition.states["Ship"]["Resource"] == "arn:aws:states:::states:startExecution.sync:2"
    assert definition.states["Ship"]["Parameters"] == {
        "StateMachineArn": machine,
        "Input": {"id.$": "$.order_id"},
    }
    aws = LocalAws()
    aws.state_machines["shipping"] = CHILD
    run = run_asl(definition, ORDER, aws=aws)
    assert run.succeeded, run.cause
    assert run.output["track"] == {"tracking": "o-1"}
    assert run.output["ship"]["Status"] == "SUCCEEDED"
    assert run.output["ship"]["ExecutionArn"].startswith(
        f"arn:aws:states:{REGION}:{ACCOUNT}:execution:shipping:"
    )
    aws.state_machines["shipping"] = FAILING_CHILD
    failed = run_asl(definition, ORDER, aws=aws)
    assert failed.error == "States.TaskFailed"
    assert json.loads(failed.cause or "")["Error"] == "Lost"
    assert statements(definition) == [
        {
            "Sid": "EventsDescribeRuleEventsPutRuleEventsPutTargets",
            "Effect": "Allow",
            "Action": ["events:DescribeRule", "events:PutRule", "events:PutTargets"],
            "Resource": [
                f"arn:aws:events:{REGION}:{ACCOUNT}:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule"
            ],
        },
        {
            "Sid": "StatesDescribeExecutionStatesStopExecution",
            "Effect": "Allow",
            "Action": ["states:DescribeExecution", "states:StopExecution"],
            "Resource": [f"arn:aws:states:{REGION}:{ACCOUNT}:execution:shipping:*"],
        },
        {
            "Sid": "StatesStartExecution",
            "Effect": "Allow",
            "Action": ["states:StartExecution"],
            "Resource": [machine],
        },
    ]


def test_start_execution_async_and_an_unknown_machine() -> None:
    def build(flow: Flow[OrderIn]) -> None:
        started = flow.sfn.start_execution(
            "Audit", machine="audit", input=flow.input, execution_name="a-1"
        )
        flow.pass_("Arn").call(Shipped, tracking=started.ExecutionArn)

    definition = rendered(build)
    aws = LocalAws()
    aws.state_machines["audit"] = CHILD | {"States": {"Ship": {"Type": "Succeed"}}}
    run = run_asl(definition, ORDER, aws=aws)
    assert run.succeeded, run.cause
    assert run.output["arn"]["tracking"] == f"arn:aws:states:{REGION}:{ACCOUNT}:execution:audit:a-1"
    assert [e.output for e in aws.executions] == [ORDER]
    missing = run_asl(definition, ORDER, aws=LocalAws())
    assert missing.error == "StepFunctions.StateMachineDoesNotExistException"
    assert statements(definition) == [
        {
            "Sid": "StatesStartExecution",
            "Effect": "Allow",
            "Action": ["states:StartExecution"],
            "Resource": [f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:audit"],
        }
    ]


# --- deploy's whole state machine policy --------------------------------------------------


def test_the_state_machine_policy_adds_integration_grants_between_invoke_and_tracing() -> None:
    def build(flow: Flow[OrderIn]) -> None:
        flow.sns.publish("Announce", topic="order-events", message=flow.input.order_id)

    policy = states_policy(NAMES, [NAMES.function_arn("get-user")], rendered(build))
    assert [s["Sid"] for s in policy["Statement"]] == [
        "InvokeWorkflowFunctions",
        "SnsPublish",
        "XRayTracing",
        "LogDelivery",
    ]


def test_a_resource_chosen_at_run_time_cannot_be_granted() -> None:
    from orderflow import DeployError

    raw = Definition(
        {
            "StartAt": "T",
            "States": {
                "T": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::dynamodb:getItem",
                    "Parameters": {"TableName.$": "$.table", "Key": {}},
                    "End": True,
                }
            },
        }
    )
    with pytest.raises(DeployError, match="'T': TableName is chosen at run time"):
        statements(raw)


def test_write_results_are_typed() -> None:
    def build(flow: Flow[OrderIn]) -> None:
        saved = flow.dynamodb.put_item("Save", table="orders", item=record(flow))
        flow.pass_("Status").call(OrderIn, order_id="x", total_cents=saved.HttpStatusCode)

    aws = LocalAws()
    aws.create_table("orders", "order_id")
    run = run_asl(rendered(build), ORDER, aws=aws)
    assert run.output["status"]["total_cents"] == 200
    assert DynamoWriteResult.model_fields.keys() == {"HttpStatusCode"}


# --- orderflow run ----------------------------------------------------------------------


def _saves_and_announces(flow: Flow[OrderIn]) -> None:
    flow.dynamodb.put_item("Save", table="orders", item=record(flow))
    loaded = flow.dynamodb.get_item(
        "Load", table="orders", key={"order_id": flow.input.order_id}, item=OrderRecord
    )
    flow.sns.publish("Announce", topic="order-events", message=loaded)
    flow.succeed("Done", output=loaded)


saves_and_announces = Workflow("saves-and-announces", OrderIn, _saves_and_announces)


def test_orderflow_run_answers_integrations_locally(capsys: pytest.CaptureFixture[str]) -> None:
    from orderflow.cli import main

    code = main(["run", f"{__name__}:saves_and_announces", "--input", json.dumps(ORDER)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert json.loads(captured.out) == {
        "order_id": "o-1",
        "total_cents": 1250,
        "paid": False,
        "lines": ["a", "b"],
    }


def test_run_locally_creates_the_tables_the_definition_uses() -> None:
    from orderflow.executor._local import run_locally

    aws = LocalAws()
    aws.tables_for(render(saves_and_announces))
    assert aws.tables["orders"].key == ("order_id",)
    run = run_locally(render(saves_and_announces), ORDER, app=app, aws=aws)
    assert run.succeeded
    assert len(aws.published["order-events"]) == 1
