"""Fields per state type: allowed, required, exclusive; value types and ranges."""

from __future__ import annotations

from typing import Any

import pytest

from orderflow.validation import Diagnostic, has_errors, validate

LAMBDA = "arn:aws:states:::lambda:invoke"


def one(state: dict[str, Any], **top: Any) -> list[Diagnostic]:
    return validate({"StartAt": "S", "States": {"S": state}, **top})


def errors(state: dict[str, Any], **top: Any) -> list[tuple[str, str | None]]:
    return [(d.code, d.field) for d in one(state, **top) if d.severity == "error"]


@pytest.mark.parametrize(
    ("state", "field"),
    [
        ({"Type": "Task", "Resource": LAMBDA, "Result": 1, "End": True}, "Result"),
        ({"Type": "Pass", "Retry": [], "End": True}, "Retry"),
        ({"Type": "Pass", "Catch": [], "End": True}, "Catch"),
        ({"Type": "Succeed", "Next": "S"}, "Next"),
        ({"Type": "Fail", "End": True}, "End"),
        (
            {
                "Type": "Choice",
                "Choices": [{"Variable": "$", "IsNull": True, "Next": "S"}],
                "End": True,
            },
            "End",
        ),
        ({"Type": "Wait", "Seconds": 1, "ResultSelector": {}, "End": True}, "ResultSelector"),
        ({"Type": "Succeed", "Parameters": {}}, "Parameters"),
        ({"Type": "Pass", "Resource": LAMBDA, "End": True}, "Resource"),
        ({"Type": "Pass", "Bogus": 1, "End": True}, "Bogus"),
    ],
)
def test_fields_a_state_type_does_not_accept(state: dict[str, Any], field: str) -> None:
    assert ("field-not-allowed", field) in errors(state)


def test_unknown_and_missing_type() -> None:
    assert errors({"Type": "Lambda", "End": True}) == [("unknown-state-type", "Type")]
    assert ("missing-field", "Type") in errors({"End": True})


@pytest.mark.parametrize(
    ("state", "field"),
    [
        ({"Type": "Task", "End": True}, "Resource"),
        ({"Type": "Choice"}, "Choices"),
        ({"Type": "Parallel", "End": True}, "Branches"),
        ({"Type": "Map", "End": True}, "ItemProcessor"),
        ({"Type": "Wait", "End": True}, "Seconds"),
    ],
)
def test_required_fields(state: dict[str, Any], field: str) -> None:
    assert ("missing-field", field) in errors(state)


@pytest.mark.parametrize(
    ("state", "field"),
    [
        ({"Type": "Fail", "Error": "E", "ErrorPath": "$.e"}, "ErrorPath"),
        ({"Type": "Fail", "Cause": "C", "CausePath": "$.c"}, "CausePath"),
        (
            {
                "Type": "Task",
                "Resource": LAMBDA,
                "TimeoutSeconds": 3,
                "TimeoutSecondsPath": "$.t",
                "End": True,
            },
            "TimeoutSecondsPath",
        ),
        (
            {"Type": "Wait", "Seconds": 1, "Timestamp": "2016-03-14T01:59:00Z", "End": True},
            "Timestamp",
        ),
    ],
)
def test_exclusive_fields(state: dict[str, Any], field: str) -> None:
    assert ("conflicting-fields", field) in errors(state)


def test_map_with_iterator_and_item_processor() -> None:
    body = {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}
    state = {"Type": "Map", "ItemProcessor": body, "Iterator": body, "End": True}
    found = errors(state)
    assert ("conflicting-fields", "ItemProcessor") in found


@pytest.mark.parametrize(
    "stamp",
    [
        "2016-03-14T01:59:00Z",
        "2016-03-14T01:59:00.123Z",
        "2016-03-14T01:59:00+01:00",
        "2024-02-29T23:59:59Z",
    ],
)
def test_valid_timestamps(stamp: str) -> None:
    assert not has_errors(one({"Type": "Wait", "Timestamp": stamp, "End": True}))


@pytest.mark.parametrize(
    "stamp",
    [
        "2016-13-05T21:29:29Z",
        "05-12-2016T21:29:29Z",
        "2016-12-05T25:29:29Z",
        "2016-12-05 21:29:29Z",
        "2016-12-05T21:29:29",
        "2023-02-29T00:00:00Z",
        "2016-03-14t01:59:00z",
        "{% '2016-03-14T01:59:00Z' %}",
    ],
)
def test_invalid_timestamps(stamp: str) -> None:
    assert errors({"Type": "Wait", "Timestamp": stamp, "End": True}) == [
        ("invalid-timestamp", "Timestamp")
    ]


def test_jsonata_wait_may_compute_its_timestamp() -> None:
    state = {"Type": "Wait", "Timestamp": "{% $states.input.when %}", "End": True}
    assert not has_errors(one(state, QueryLanguage="JSONata"))


@pytest.mark.parametrize(
    ("key", "value", "code"),
    [
        ("TimeoutSeconds", 0, "invalid-value"),
        ("TimeoutSeconds", 100_000_000, "invalid-value"),
        ("TimeoutSeconds", "30", "invalid-type"),
        ("TimeoutSeconds", True, "invalid-type"),
        ("HeartbeatSeconds", 0, "invalid-value"),
    ],
)
def test_task_timeouts(key: str, value: object, code: str) -> None:
    assert (code, key) in errors({"Type": "Task", "Resource": LAMBDA, key: value, "End": True})


def test_heartbeat_must_be_below_timeout() -> None:
    state = {
        "Type": "Task",
        "Resource": LAMBDA,
        "TimeoutSeconds": 10,
        "HeartbeatSeconds": 10,
        "End": True,
    }
    assert errors(state) == [("invalid-value", "HeartbeatSeconds")]


def test_jsonata_timeout_may_be_an_expression() -> None:
    state = {
        "Type": "Task",
        "Resource": LAMBDA,
        "TimeoutSeconds": "{% $states.input.t %}",
        "End": True,
    }
    assert not has_errors(one(state, QueryLanguage="JSONata"))
    assert ("invalid-type", "TimeoutSeconds") in errors(state)  # not in a JSONPath state


def test_wait_seconds_range() -> None:
    assert not has_errors(one({"Type": "Wait", "Seconds": 0, "End": True}))
    assert errors({"Type": "Wait", "Seconds": -1, "End": True}) == [("invalid-value", "Seconds")]


def test_paths_may_be_null_except_items_path() -> None:
    assert not has_errors(one({"Type": "Pass", "InputPath": None, "OutputPath": None, "End": True}))
    body = {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}
    state = {"Type": "Map", "ItemsPath": None, "ItemProcessor": body, "End": True}
    assert ("invalid-type", "ItemsPath") in errors(state)


def test_map_numbers() -> None:
    body = {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}
    base = {"Type": "Map", "ItemProcessor": body, "End": True}
    assert ("invalid-value", "MaxConcurrency") in errors({**base, "MaxConcurrency": -1})
    assert ("invalid-value", "ToleratedFailurePercentage") in errors(
        {**base, "ToleratedFailurePercentage": 101}
    )
    assert not has_errors(
        one({**base, "ToleratedFailurePercentage": 12.5, "ToleratedFailureCount": 3})
    )


def test_processor_config() -> None:
    body = {
        "ProcessorConfig": {"Mode": "SIDEWAYS", "Extra": 1},
        "StartAt": "I",
        "States": {"I": {"Type": "Pass", "End": True}},
    }
    found = errors({"Type": "Map", "ItemProcessor": body, "End": True})
    assert ("invalid-value", "ProcessorConfig.Mode") in found
    assert ("field-not-allowed", "ProcessorConfig.Extra") in found


def test_distributed_map_needs_execution_type() -> None:
    def map_state(config: dict[str, Any]) -> dict[str, Any]:
        body = {
            "ProcessorConfig": config,
            "StartAt": "I",
            "States": {"I": {"Type": "Pass", "End": True}},
        }
        return {"Type": "Map", "ItemProcessor": body, "End": True}

    missing = ("missing-field", "ProcessorConfig.ExecutionType")
    assert missing in errors(map_state({"Mode": "DISTRIBUTED"}))
    for execution_type in ("STANDARD", "EXPRESS"):
        config = {"Mode": "DISTRIBUTED", "ExecutionType": execution_type}
        assert missing not in errors(map_state(config))
    assert missing not in errors(map_state({"Mode": "INLINE"}))
    assert missing not in errors(map_state({}))


def test_credentials_need_role_arn() -> None:
    task = {"Type": "Task", "Resource": LAMBDA, "End": True}
    assert ("missing-field", "Credentials.RoleArn") in errors({**task, "Credentials": {}})
    assert ("field-not-allowed", "Credentials.roleArn") in errors(
        {**task, "Credentials": {"roleArn": "x"}}
    )
    assert ("invalid-type", "Credentials") in errors({**task, "Credentials": "arn"})
    assert not has_errors(one({**task, "Credentials": {"RoleArn.$": "$.role"}}))


def test_top_level_fields() -> None:
    found = errors({"Type": "Succeed"}, Extra=1, TimeoutSeconds=0, Version=1)
    assert ("field-not-allowed", "Extra") in found
    assert ("invalid-value", "TimeoutSeconds") in found
    assert ("invalid-type", "Version") in found


def test_branches_must_be_objects() -> None:
    assert ("invalid-value", "Branches") in errors(
        {"Type": "Parallel", "Branches": [], "End": True}
    )
    assert ("invalid-type", "Branches[0]") in errors(
        {"Type": "Parallel", "Branches": [1], "End": True}
    )


def test_non_finite_number_in_a_dict_is_an_error_naming_the_state() -> None:
    definition = {
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Result": {"x": float("nan")}, "End": True}},
    }
    errors = [d for d in validate(definition) if d.severity == "error"]
    assert [(d.code, d.state, d.pointer) for d in errors] == [
        ("invalid-value", "A", "/States/A/Result/x")
    ]
