"""Task states: Lambda by ARN and through lambda:invoke, handlers, errors."""

from __future__ import annotations

import json
from typing import Any

import pytest

from orderflow import TaskFailure
from orderflow.testing import run_asl

FN = "arn:aws:lambda:us-east-1:123456789012:function:echo"


def task(resource: str, **extra: Any) -> dict[str, Any]:
    return {
        "StartAt": "T",
        "States": {"T": {"Type": "Task", "Resource": resource, "End": True, **extra}},
    }


def echo(name: str, payload: Any) -> Any:
    return {"name": name, "payload": payload}


def test_function_arn_returns_the_bare_payload() -> None:
    execution = run_asl(task(FN), {"a": 1}, lambda_handler=echo)
    assert execution.output == {"name": FN, "payload": {"a": 1}}


def test_lambda_invoke_wraps_the_result() -> None:
    machine = task(
        "arn:aws:states:::lambda:invoke",
        Parameters={"FunctionName": "echo", "Payload.$": "$"},
    )
    output = run_asl(machine, {"a": 1}, lambda_handler=echo).output
    assert set(output) == {
        "ExecutedVersion",
        "Payload",
        "SdkHttpMetadata",
        "SdkResponseMetadata",
        "StatusCode",
    }
    assert output["Payload"] == {"name": "echo", "payload": {"a": 1}}
    assert output["StatusCode"] == 200
    headers = output["SdkHttpMetadata"]["HttpHeaders"]
    assert headers["Content-Length"] == str(len(json.dumps(output["Payload"])))


def test_task_failure_keeps_error_and_cause_exactly() -> None:
    def declined(name: str, payload: Any) -> Any:
        raise TaskFailure("PaymentDeclined", '{"reason": "credit"}')

    execution = run_asl(task(FN), {}, lambda_handler=declined)
    assert (execution.status, execution.error, execution.cause) == (
        "FAILED",
        "PaymentDeclined",
        '{"reason": "credit"}',
    )


class CustomException(Exception):
    pass


def test_python_exception_becomes_a_lambda_error_object() -> None:
    def boom(name: str, payload: Any) -> Any:
        raise CustomException("it broke")

    execution = run_asl(task(FN), {}, lambda_handler=boom)
    assert execution.error == "CustomException"
    assert execution.cause is not None
    cause = json.loads(execution.cause)
    assert list(cause) == ["errorMessage", "errorType", "requestId", "stackTrace"]
    assert cause["errorMessage"] == "it broke"
    assert cause["errorType"] == "CustomException"
    assert any("raise CustomException" in line for line in cause["stackTrace"])
    assert execution.cause.startswith('{"errorMessage": "it broke"')


def test_lambda_invoke_error_cause_is_compact_json() -> None:
    def boom(name: str, payload: Any) -> Any:
        raise ValueError("bad")

    machine = task("arn:aws:states:::lambda:invoke", Parameters={"FunctionName": "f"})
    execution = run_asl(machine, {}, lambda_handler=boom)
    assert execution.error == "ValueError"
    assert execution.cause is not None and execution.cause.startswith('{"errorMessage":"bad"')


def test_bytes_response_is_decoded_as_json() -> None:
    machine = task(FN)
    assert run_asl(machine, {}, lambda_handler=lambda n, p: b'{"x": 1}').output == {"x": 1}
    assert run_asl(machine, {}, lambda_handler=lambda n, p: b"plain").output == "plain"


def test_handler_gets_its_own_copy_of_the_payload() -> None:
    def mutate(name: str, payload: Any) -> Any:
        payload["a"] = "changed"
        return "done"

    machine = task(FN, ResultPath="$.r")
    assert run_asl(machine, {"a": 1}, lambda_handler=mutate).output == {"a": 1, "r": "done"}


def test_unserialisable_result_fails_like_the_runtime() -> None:
    execution = run_asl(task(FN), {}, lambda_handler=lambda n, p: {1, 2})
    assert execution.error == "Runtime.MarshalError"


def test_other_resources_use_handlers() -> None:
    sqs = "arn:aws:states:::sqs:sendMessage"
    machine = task(sqs, Parameters={"QueueUrl": "q", "MessageBody.$": "$"})
    execution = run_asl(
        machine, {"m": 1}, handlers={sqs: lambda params: {"MessageId": params["QueueUrl"]}}
    )
    assert execution.output == {"MessageId": "q"}


def test_missing_handler_is_a_configuration_error_no_catcher_swallows() -> None:
    from orderflow import ConfigurationError

    catch_all = {"Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]}
    with pytest.raises(ConfigurationError, match="no lambda_handler"):
        run_asl(task(FN), {})
    with pytest.raises(ConfigurationError, match="no handler"):
        run_asl(task("arn:aws:states:::sns:publish"), {})
    for resource in (FN, "arn:aws:states:::sns:publish"):
        machine = task(resource, **catch_all)
        machine["States"]["Caught"] = {"Type": "Succeed"}
        with pytest.raises(ConfigurationError):
            run_asl(machine, {})


def test_a_handler_raising_a_configuration_error_stops_the_run() -> None:
    from orderflow import ConfigurationError

    def unknown(name: str, payload: Any) -> Any:
        raise ConfigurationError(f"no service for {name}")

    machine = task(FN, Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Caught"}])
    machine["States"]["Caught"] = {"Type": "Succeed"}
    with pytest.raises(ConfigurationError, match="no service for"):
        run_asl(machine, {}, lambda_handler=unknown)
    invoke = task(
        "arn:aws:states:::lambda:invoke",
        Parameters={"FunctionName": "f", "Payload": {}},
        Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
    )
    invoke["States"]["Caught"] = {"Type": "Succeed"}
    with pytest.raises(ConfigurationError):
        run_asl(invoke, {}, lambda_handler=unknown)
    other = task(
        "arn:aws:states:::sns:publish", Catch=[{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]
    )
    other["States"]["Caught"] = {"Type": "Succeed"}
    with pytest.raises(ConfigurationError):
        run_asl(
            other,
            {},
            handlers={"arn:aws:states:::sns:publish": lambda params: unknown("sns", params)},
        )


def test_result_selector_then_result_path() -> None:
    machine = task(
        "arn:aws:states:::lambda:invoke",
        Parameters={"FunctionName": "f", "Payload": {"v": 2}},
        ResultSelector={"v.$": "$.Payload.payload.v"},
        ResultPath="$.out",
    )
    assert run_asl(machine, {"in": 1}, lambda_handler=echo).output == {"in": 1, "out": {"v": 2}}


def test_task_timeout_on_the_virtual_clock() -> None:
    from orderflow.executor import VirtualClock

    clock = VirtualClock()

    def slow(name: str, payload: Any) -> Any:
        clock.sleep(60)
        return payload

    execution = run_asl(task(FN, TimeoutSeconds=5), {}, lambda_handler=slow, clock=clock)
    assert (execution.status, execution.error) == ("FAILED", "States.Timeout")
    assert "LambdaFunctionTimedOut" in execution.history_types


def test_activities_use_handlers_and_activity_events() -> None:
    arn = "arn:aws:states:us-east-1:123456789012:activity:approve"
    execution = run_asl(task(arn), {"a": 1}, handlers={arn: lambda p: {"approved": p["a"]}})
    assert execution.output == {"approved": 1}
    assert execution.history_types[2:5] == [
        "ActivityScheduled",
        "ActivityStarted",
        "ActivitySucceeded",
    ]


def test_express_machines_refuse_task_tokens() -> None:
    from orderflow import DefinitionError

    machine = task("arn:aws:states:::sqs:sendMessage.waitForTaskToken")
    with pytest.raises(DefinitionError, match="EXPRESS"):
        run_asl(machine, {}, state_machine_type="EXPRESS")
