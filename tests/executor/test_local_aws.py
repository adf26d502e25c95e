"""The in-memory AWS fakes answer like AWS: shapes, error names, and what they record."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from orderflow import TaskFailure
from orderflow.testing import LocalAws

GET = "arn:aws:states:::dynamodb:getItem"
PUT = "arn:aws:states:::dynamodb:putItem"
UPDATE = "arn:aws:states:::dynamodb:updateItem"
DELETE = "arn:aws:states:::dynamodb:deleteItem"


def call(aws: LocalAws, resource: str, params: Any) -> Any:
    return aws.handlers()[resource](params)


def failure(aws: LocalAws, resource: str, params: Any) -> TaskFailure:
    with pytest.raises(TaskFailure) as info:
        call(aws, resource, params)
    return info.value


def test_every_partition_is_answered() -> None:
    handlers = LocalAws().handlers()
    for partition in ("aws", "aws-cn", "aws-us-gov"):
        assert f"arn:{partition}:states:::sqs:sendMessage" in handlers


def test_dynamodb_conditions_updates_and_errors() -> None:
    aws = LocalAws()
    aws.create_table("t", ["pk", "sk"])
    key = {"pk": {"S": "a"}, "sk": {"N": "1"}}
    item = {**key, "v": {"S": "x"}}
    new_only = {"ConditionExpression": "attribute_not_exists(pk)"}
    reply = call(aws, PUT, {"TableName": "t", "Item": item, **new_only})
    assert reply["SdkHttpMetadata"]["HttpStatusCode"] == 200 and "Item" not in reply
    error = failure(aws, PUT, {"TableName": "t", "Item": item, **new_only})
    assert error.error == "DynamoDB.ConditionalCheckFailedException"
    updated = call(
        aws,
        UPDATE,
        {
            "TableName": "t",
            "Key": key,
            "UpdateExpression": "SET #v = :v, w = :w REMOVE gone",
            "ExpressionAttributeNames": {"#v": "v"},
            "ExpressionAttributeValues": {":v": {"S": "y"}, ":w": {"BOOL": True}},
            "ReturnValues": "ALL_NEW",
        },
    )
    assert updated["Attributes"] == {**key, "v": {"S": "y"}, "w": {"BOOL": True}}
    assert call(aws, GET, {"TableName": "t", "Key": key})["Item"]["v"] == {"S": "y"}
    unsupported = failure(
        aws, UPDATE, {"TableName": "t", "Key": key, "UpdateExpression": "ADD n :one"}
    )
    assert unsupported.error == "DynamoDB.ValidationException"
    assert "local DynamoDB fake" in (unsupported.cause or "")
    wrong_key = failure(aws, GET, {"TableName": "t", "Key": {"pk": {"S": "a"}}})
    assert wrong_key.error == "DynamoDB.ValidationException"
    call(aws, DELETE, {"TableName": "t", "Key": key})
    call(aws, DELETE, {"TableName": "t", "Key": key})  # deleting a missing item succeeds
    assert aws.tables["t"].items == []
    assert "Item" not in call(aws, GET, {"TableName": "t", "Key": key})


def test_sqs_sns_and_events_record_and_answer_like_aws() -> None:
    aws = LocalAws(strict=True)
    aws.create_queue("q")
    sent = call(
        aws,
        "arn:aws:states:::sqs:sendMessage",
        {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q", "MessageBody": {"a": 1}},
    )
    assert sent["MD5OfMessageBody"] == hashlib.md5(b'{"a":1}').hexdigest()
    assert aws.messages["q"][0]["MessageBody"] == '{"a":1}'
    missing = failure(
        aws, "arn:aws:states:::sns:publish", {"TopicArn": "arn:aws:sns:x:1:t", "Message": "m"}
    )
    assert missing.error == "SNS.NotFoundException"
    put = call(
        aws,
        "arn:aws:states:::events:putEvents",
        {
            "Entries": [
                {"Source": "s", "DetailType": "d", "Detail": "{}"},
                {"Source": "s", "DetailType": "d"},
                {"Source": "s", "DetailType": "d", "Detail": {}, "EventBusName": "nope"},
            ]
        },
    )
    assert put["FailedEntryCount"] == 2
    assert [sorted(e) for e in put["Entries"]] == [
        ["EventId"],
        ["ErrorCode", "ErrorMessage"],
        ["ErrorCode", "ErrorMessage"],
    ]
    assert len(aws.events) == 1
    assert failure(aws, "arn:aws:states:::sqs:sendMessage", {}).error == "SQS.ValidationException"


def test_s3_csv_with_given_headers_and_missing_objects() -> None:
    aws = LocalAws()
    aws.put_object("b", "rows.csv", "a,1\nb,2\n")
    reader = aws.handlers()["arn:aws:states:::s3:getObject"]
    config = {
        "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "GIVEN", "CSVHeaders": ["k", "n"]}
    }
    rows = reader.read_items({"Bucket": "b", "Key": "rows.csv"}, config)  # type: ignore[attr-defined]
    assert rows == [{"k": "a", "n": "1"}, {"k": "b", "n": "2"}]
    with pytest.raises(TaskFailure, match="NoSuchBucket"):
        reader({"Bucket": "other", "Key": "x"})
    with pytest.raises(TaskFailure, match="NoSuchKey"):
        reader({"Bucket": "b", "Key": "x"})


def test_the_same_seed_gives_the_same_ids() -> None:
    def message_id(seed: int) -> str:
        aws = LocalAws(seed=seed)
        return str(
            call(aws, "arn:aws:states:::sns:publish", {"TopicArn": "t", "Message": "m"})[
                "MessageId"
            ]
        )

    assert message_id(1) == message_id(1) != message_id(2)


def test_mounting_a_missing_folder_is_a_clear_error(tmp_path: Any) -> None:
    from orderflow import ExecutionError

    with pytest.raises(ExecutionError, match="cannot serve bucket 'b'"):
        LocalAws().mount_bucket("b", tmp_path / "nope")
