"""TestState's mock results checked against botocore's service models."""

from __future__ import annotations

import pytest

from orderflow.serve._mock_schema import MockSchemaError, check_mock_result

START = "arn:aws:states:::states:startExecution"


def test_strict_mode_needs_required_fields_present_does_not() -> None:
    with pytest.raises(MockSchemaError, match="Required field 'ExecutionArn' is missing"):
        check_mock_result(START, {}, "STRICT")
    check_mock_result(START, {}, "PRESENT")
    check_mock_result(START, {"ExecutionArn": "a", "StartDate": "d"}, "STRICT")


@pytest.mark.parametrize(
    ("resource", "result", "message"),
    [
        (START, {"StartDate": True}, "Field 'StartDate' must be a string"),
        ("arn:aws:states:::events:putEvents", {"Entries": "x"}, "'Entries' must be an array"),
        ("arn:aws:states:::aws-sdk:s3:getObject", {"ContentLength": "9"}, "must be a number"),
        ("arn:aws:states:::aws-sdk:s3:getObject", {"StorageClass": "Papyrus"}, "expected value"),
        ("arn:aws:states:::aws-sdk:kms:encrypt", {"CiphertextBlob": ""}, "minimum length"),
        (
            "arn:aws:states:::aws-sdk:lambda:getFunction",
            {"Configuration": {"MemorySize": 1}},
            "less than the minimum value",
        ),
    ],
)
def test_types_and_limits_are_checked(
    resource: str, result: dict[str, object], message: str
) -> None:
    with pytest.raises(MockSchemaError, match=message):
        check_mock_result(resource, result, "PRESENT")


def test_unknown_fields_none_mode_and_decoded_payloads_pass() -> None:
    check_mock_result("arn:aws:states:::events:putEvents", {"random": "json"}, "STRICT")
    check_mock_result(START, {"StartDate": True}, "NONE")
    check_mock_result(
        "arn:aws:states:::lambda:invoke", {"StatusCode": 200, "Payload": {"a": 1}}, "STRICT"
    )
    check_mock_result("arn:aws:lambda:us-east-1:1:function:f", {"anything": 1}, "STRICT")
