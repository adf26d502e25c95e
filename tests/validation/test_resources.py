"""Task resources: ARN shapes, optimized integrations, EXPRESS restrictions."""

from __future__ import annotations

import pytest

from orderflow.validation import StateMachineType, validate


def errors(resource: str, machine_type: StateMachineType = "STANDARD") -> list[str]:
    state = {"Type": "Task", "Resource": resource, "TimeoutSeconds": 5, "End": True}
    diagnostics = validate(
        {"StartAt": "T", "States": {"T": state}}, state_machine_type=machine_type
    )
    return [d.code for d in diagnostics if d.severity == "error"]


@pytest.mark.parametrize(
    "resource",
    [
        "arn:aws:lambda:us-east-1:123456789012:function:charge",
        "arn:aws:lambda:eu-west-2:123456789012:function:charge:live",
        "arn:aws:lambda:us-east-1:123456789012:function:charge:$LATEST",
        "arn:aws:lambda:us-east-1:123456789012:function:charge:7",
        "arn:aws-cn:lambda:cn-north-1:123456789012:function:charge",
        "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:charge",
        "arn:aws:states:us-east-1:123456789012:activity:approve",
        "arn:aws:states:::lambda:invoke",
        "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "arn:aws:states:::dynamodb:putItem",
        "arn:aws:states:::states:startExecution.sync:2",
        "arn:aws:states:::ecs:runTask.sync",
        "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "arn:aws:states:::aws-sdk:dynamodb:query",
        "arn:aws:states:::aws-sdk:s3:listBuckets.waitForTaskToken",
        "arn:aws:states:::aws-sdk:secretsmanager:createSecret",
    ],
)
def test_recognised_resources(resource: str) -> None:
    assert errors(resource) == []


@pytest.mark.parametrize(
    ("resource", "fragment"),
    [
        ("foo:bar", "Lambda function ARN, an activity ARN"),
        ("arn:aws:lambda:us-east-1:123456789012:function:my.fn", "letters, digits"),
        ("arn:aws:lambda:us-east-1:123456789012:fn:f", "Lambda function ARN"),
        ("arn:aws:states:::dynamodb:query", "aws-sdk:dynamodb:query"),
        ("arn:aws:states:::dynamodb:putItem.sync", "does not support the .sync"),
        ("arn:aws:states:::sns:publish.sync", "does not support the .sync"),
        ("arn:aws:states:::batch:submitJob.waitForTaskToken", ".waitForTaskToken"),
        ("arn:aws:states:::lambda:invoke.sync:2", ".sync:2 exists only"),
        ("arn:aws:states:::s3:getObject", "not an optimized integration"),
        ("arn:aws:states:::aws-sdk:s3:getObject.sync", "do not support .sync"),
        ("arn:aws:states:::aws-sdk:s3", "aws-sdk:<service>:<apiAction>"),
        ("arn:aws:states:us-east-1:123456789012:activity:", "activity ARN is"),
    ],
)
def test_unrecognised_resources(resource: str, fragment: str) -> None:
    state = {"Type": "Task", "Resource": resource, "TimeoutSeconds": 5, "End": True}
    diagnostics = [
        d for d in validate({"StartAt": "T", "States": {"T": state}}) if d.severity == "error"
    ]
    assert [d.code for d in diagnostics] == ["invalid-resource"]
    assert fragment in diagnostics[0].message
    assert diagnostics[0].pointer == "/States/T/Resource"


@pytest.mark.parametrize(
    "resource",
    [
        "arn:aws:states:::states:startExecution.sync",
        "arn:aws:states:::states:startExecution.sync:2",
        "arn:aws:states:::sns:publish.waitForTaskToken",
        "arn:aws:states:::aws-sdk:s3:listBuckets.waitForTaskToken",
    ],
)
def test_express_machines_reject_sync_and_callbacks(resource: str) -> None:
    assert errors(resource) == []
    assert errors(resource, "EXPRESS") == ["express-unsupported-integration"]


def test_express_machines_accept_request_response() -> None:
    assert errors("arn:aws:states:::lambda:invoke", "EXPRESS") == []


def test_distributed_map_reader_and_writer_resources() -> None:
    def map_errors(reader: str) -> list[str]:
        state = {
            "Type": "Map",
            "ItemReader": {"Resource": reader, "Parameters": {"Bucket": "b", "Key": "k"}},
            "ResultWriter": {
                "Resource": "arn:aws:states:::s3:putObject",
                "Parameters": {"Bucket": "b"},
            },
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                "StartAt": "I",
                "States": {"I": {"Type": "Pass", "End": True}},
            },
            "End": True,
        }
        return [
            d.code
            for d in validate({"StartAt": "M", "States": {"M": state}})
            if d.severity == "error"
        ]

    assert map_errors("arn:aws:states:::s3:getObject") == []
    assert map_errors("arn:aws:states:::s3:listObjectsV2") == []
    assert map_errors("arn:aws:states:::s3:deleteObject") == ["invalid-resource"]


@pytest.mark.parametrize(
    "resource",
    [
        "arn:aws:lambda:us-east-1:ACCOUNT_ID:function:f",
        "arn:aws:lambda:REGION:123456789012:function:f",
        "arn:aws:lambda:us-east-1::function:f",
        "arn:aws:lambda:your-region:your-account-id:function:yourHelloWorldFunction",
        "arn:aws:states:us-east-1:123:activity:a",
    ],
)
def test_placeholder_region_or_account_is_a_warning(resource: str) -> None:
    state = {"Type": "Task", "Resource": resource, "TimeoutSeconds": 5, "End": True}
    diagnostics = validate({"StartAt": "T", "States": {"T": state}})
    assert [(d.severity, d.code) for d in diagnostics] == [("warning", "placeholder-arn")]
