"""The Step Functions API of ``orderflow serve``, driven by boto3 over HTTP."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from ._server import ServerProcess, poll, tokens_of

ROLE = "arn:aws:iam::123456789012:role/test"

WAIT_THEN_APPROVE = {
    "StartAt": "Wait",
    "States": {
        "Wait": {"Type": "Wait", "Seconds": 10, "Next": "Approve"},
        "Approve": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl": "approvals", "MessageBody": {"token.$": "$$.Task.Token"}},
            "ResultPath": "$.approval",
            "End": True,
        },
    },
}


def _code(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return str(exc.value.response["Error"]["Code"])


def _machine(client: Any, name: str, definition: dict[str, Any], kind: str = "STANDARD") -> str:
    return str(
        client.create_state_machine(
            name=name, definition=json.dumps(definition), roleArn=ROLE, type=kind
        )["stateMachineArn"]
    )


def _ended(client: Any, arn: str) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        described = client.describe_execution(executionArn=arn)
        return described if described["status"] != "RUNNING" else None

    result: dict[str, Any] = poll(done)
    return result


def _tokens(client: Any, arn: str, count: int = 1) -> list[str]:
    result: list[str] = poll(
        lambda: (found := tokens_of(client, arn)) and len(found) >= count and found
    )
    return result


def test_state_machine_life_cycle(server: ServerProcess) -> None:
    client = server.client()
    arn = _machine(client, "lifecycle", WAIT_THEN_APPROVE)
    assert arn == "arn:aws:states:us-east-1:123456789012:stateMachine:lifecycle"
    described = client.describe_state_machine(stateMachineArn=arn)
    assert json.loads(described["definition"]) == WAIT_THEN_APPROVE
    assert described["type"] == "STANDARD" and described["roleArn"] == ROLE
    assert "lifecycle" in [m["name"] for m in client.list_state_machines()["stateMachines"]]
    changed = {**WAIT_THEN_APPROVE, "Comment": "v2"}
    client.update_state_machine(stateMachineArn=arn, definition=json.dumps(changed))
    assert json.loads(client.describe_state_machine(stateMachineArn=arn)["definition"]) == changed
    client.delete_state_machine(stateMachineArn=arn)
    with pytest.raises(ClientError) as missing:
        client.describe_state_machine(stateMachineArn=arn)
    assert _code(missing) == "StateMachineDoesNotExist"


def test_bad_requests_get_aws_error_codes(server: ServerProcess) -> None:
    client = server.client()
    with pytest.raises(ClientError) as invalid:
        _machine(client, "broken", {"StartAt": "Nowhere", "States": {}})
    assert _code(invalid) == "InvalidDefinition"
    assert "Invalid State Machine Definition" in str(invalid.value)
    with pytest.raises(ClientError) as bad_arn:
        client.describe_state_machine(stateMachineArn="not-an-arn")
    assert _code(bad_arn) == "InvalidArn"
    with pytest.raises(ClientError) as no_execution:
        client.describe_execution(
            executionArn="arn:aws:states:us-east-1:123456789012:execution:nope:nope"
        )
    assert _code(no_execution) == "ExecutionDoesNotExist"
    with pytest.raises(ClientError) as no_task:
        client.send_task_success(taskToken="00000000-0000-4000-8000-000000000000-x", output="{}")
    assert _code(no_task) == "TaskDoesNotExist"
    with pytest.raises(ClientError) as bad_token:
        client.send_task_success(taskToken="garbage", output="{}")
    assert _code(bad_token) == "InvalidToken"
    arn = _machine(
        client, "twice", {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    )
    with pytest.raises(ClientError) as exists:
        _machine(client, "twice", {"StartAt": "Q", "States": {"Q": {"Type": "Pass", "End": True}}})
    assert _code(exists) == "StateMachineAlreadyExists"
    client.start_execution(stateMachineArn=arn, name="once", input='{"a": 1}')
    with pytest.raises(ClientError) as again:
        client.start_execution(stateMachineArn=arn, name="once", input='{"a": 2}')
    assert _code(again) == "ExecutionAlreadyExists"
    with pytest.raises(ClientError) as bad_input:
        client.start_execution(stateMachineArn=arn, input="{not json")
    assert _code(bad_input) == "InvalidExecutionInput"


def test_wait_then_callback_succeeds_and_answers_once(server: ServerProcess) -> None:
    client = server.client()
    arn = _machine(client, "approval", WAIT_THEN_APPROVE)
    execution = client.start_execution(stateMachineArn=arn, input='{"order": 7}')["executionArn"]
    (token,) = _tokens(client, execution)
    assert client.describe_execution(executionArn=execution)["status"] == "RUNNING"
    client.send_task_heartbeat(taskToken=token)
    client.send_task_success(taskToken=token, output='{"approved": true}')
    ended = _ended(client, execution)
    assert ended["status"] == "SUCCEEDED"
    assert json.loads(ended["output"]) == {"order": 7, "approval": {"approved": True}}
    with pytest.raises(ClientError) as late:
        client.send_task_success(taskToken=token, output="{}")
    assert _code(late) == "TaskTimedOut"
    events = client.get_execution_history(executionArn=execution)["events"]
    types = [e["type"] for e in events]
    assert types[0] == "ExecutionStarted" and types[-1] == "ExecutionSucceeded"
    assert types.count("ExecutionSucceeded") == 1 and "TaskSubmitted" in types
    wait = {e["type"]: e["timestamp"] for e in events}
    # The Wait lasted 10 s on the execution's clock (10 ms of real time at scale 0.001).
    assert (wait["WaitStateExited"] - wait["WaitStateEntered"]).total_seconds() == 10
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))


def test_history_pages_and_reverse_order(server: ServerProcess) -> None:
    client = server.client()
    chain = {
        "StartAt": "S0",
        "States": {
            **{f"S{i}": {"Type": "Pass", "Next": f"S{i + 1}"} for i in range(9)},
            "S9": {"Type": "Pass", "End": True},
        },
    }
    arn = _machine(client, "chain", chain)
    execution = client.start_execution(stateMachineArn=arn)["executionArn"]
    _ended(client, execution)
    whole = client.get_execution_history(executionArn=execution)["events"]
    assert len(whole) == 22
    pages, token = [], None
    while True:
        kwargs: dict[str, Any] = {"executionArn": execution, "maxResults": 5}
        if token:
            kwargs["nextToken"] = token
        page = client.get_execution_history(**kwargs)
        pages.append(page["events"])
        token = page.get("nextToken")
        if not token:
            break
    assert [len(p) for p in pages] == [5, 5, 5, 5, 2]
    assert [e for p in pages for e in p] == whole
    reverse = client.get_execution_history(executionArn=execution, reverseOrder=True)["events"]
    assert reverse == whole[::-1]
    listed = client.list_executions(stateMachineArn=arn, statusFilter="SUCCEEDED")["executions"]
    assert [e["executionArn"] for e in listed] == [execution]


def test_send_task_failure_fails_the_execution(server: ServerProcess) -> None:
    client = server.client()
    arn = _machine(client, "reject", WAIT_THEN_APPROVE)
    execution = client.start_execution(stateMachineArn=arn)["executionArn"]
    (token,) = _tokens(client, execution)
    client.send_task_failure(taskToken=token, error="Rejected", cause="too expensive")
    ended = _ended(client, execution)
    assert (ended["status"], ended["error"], ended["cause"]) == (
        "FAILED",
        "Rejected",
        "too expensive",
    )


def test_unanswered_token_times_out(server: ServerProcess) -> None:
    client = server.client()
    definition = json.loads(json.dumps(WAIT_THEN_APPROVE))
    definition["States"]["Approve"]["TimeoutSeconds"] = 30
    arn = _machine(client, "timeout", definition)
    execution = client.start_execution(stateMachineArn=arn)["executionArn"]
    ended = _ended(client, execution)
    assert (ended["status"], ended["error"]) == ("FAILED", "States.Timeout")
    types = [e["type"] for e in client.get_execution_history(executionArn=execution)["events"]]
    assert "TaskTimedOut" in types


def test_stop_execution_matches_the_recorded_history(server: ServerProcess) -> None:
    client = server.client()
    definition = {
        "Comment": "WAIT_1_MIN",
        "StartAt": "State_1",
        "States": {
            "State_1": {"Type": "Wait", "Seconds": 60, "Next": "State_2"},
            "State_2": {"Type": "Pass", "Result": {"Arg1": "argument1"}, "End": True},
        },
    }
    # Long enough at scale 0.001 (60 ms) to stop it first, as AWS's recording did.
    arn = _machine(
        client,
        "stop",
        {
            **definition,
            "States": {
                **definition["States"],
                "State_1": {"Type": "Wait", "Seconds": 600000, "Next": "State_2"},
            },
        },
    )
    execution = client.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
    poll(lambda: len(client.get_execution_history(executionArn=execution)["events"]) >= 2)
    client.stop_execution(executionArn=execution)
    ended = _ended(client, execution)
    assert ended["status"] == "ABORTED"
    events = client.get_execution_history(executionArn=execution)["events"]
    assert [(e["type"], e["id"], e["previousEventId"]) for e in events] == [
        ("ExecutionStarted", 1, 0),
        ("WaitStateEntered", 2, 0),
        ("ExecutionAborted", 3, 0),
    ]


def test_start_sync_execution_runs_express_machines(server: ServerProcess) -> None:
    client = server.client()
    express = _machine(
        client,
        "express",
        {
            "StartAt": "W",
            "States": {
                "W": {"Type": "Wait", "Seconds": 5, "Next": "P"},
                "P": {
                    "Type": "Pass",
                    "Parameters": {"sum.$": "States.MathAdd($.a, 1)"},
                    "End": True,
                },
            },
        },
        kind="EXPRESS",
    )
    result = client.start_sync_execution(stateMachineArn=express, input='{"a": 41}')
    assert result["status"] == "SUCCEEDED" and json.loads(result["output"]) == {"sum": 42}
    assert ":express:express:" in result["executionArn"]
    standard = _machine(
        client, "not-express", {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    )
    with pytest.raises(ClientError) as refused:
        client.start_sync_execution(stateMachineArn=standard, input="{}")
    assert _code(refused) == "StateMachineTypeNotSupported"


def test_lambda_tasks_run_the_bundled_services(server: ServerProcess) -> None:
    from orderflow.executor._local import load_target
    from orderflow.orders.workflow import SAMPLE_ORDER

    client = server.client()
    arn = _machine(
        client,
        "orders-lambda",
        json.loads(load_target("orderflow.orders.workflow:order_workflow").to_json()),
    )
    execution = client.start_execution(stateMachineArn=arn, input=json.dumps(SAMPLE_ORDER))[
        "executionArn"
    ]
    ended = _ended(client, execution)
    assert ended["status"] == "SUCCEEDED", (ended.get("error"), ended.get("cause"))
    types = [e["type"] for e in client.get_execution_history(executionArn=execution)["events"]]
    assert "TaskSucceeded" in types or "LambdaFunctionSucceeded" in types


def test_missed_heartbeats_time_the_task_out(server: ServerProcess) -> None:
    client = server.client()
    definition = json.loads(json.dumps(WAIT_THEN_APPROVE))
    definition["States"]["Approve"]["HeartbeatSeconds"] = 20
    arn = _machine(client, "heartbeat", definition)
    execution = client.start_execution(stateMachineArn=arn)["executionArn"]
    ended = _ended(client, execution)
    assert (ended["status"], ended["error"]) == ("FAILED", "States.HeartbeatTimeout")


def test_express_machines_also_start_asynchronously(server: ServerProcess) -> None:
    client = server.client()
    arn = _machine(
        client,
        "express-async",
        {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 30, "End": True}}},
        kind="EXPRESS",
    )
    execution = client.start_execution(stateMachineArn=arn, name="e1", input='{"x": 1}')[
        "executionArn"
    ]
    assert ":express:express-async:e1:" in execution
    ended = _ended(client, execution)
    assert ended["status"] == "SUCCEEDED" and json.loads(ended["output"]) == {"x": 1}


def test_test_state_shows_each_step_and_does_not_retry(server: ServerProcess) -> None:
    client = server.client()
    passed = client.test_state(
        definition=json.dumps(
            {
                "Type": "Pass",
                "InputPath": "$.order",
                "Parameters": {"total.$": "$.total", "who.$": "$who"},
                "ResultPath": "$.priced",
                "Next": "Ship",
            }
        ),
        roleArn=ROLE,
        input='{"order": {"total": 3}}',
        variables='{"who": "ann"}',
        inspectionLevel="DEBUG",
    )
    assert passed["status"] == "SUCCEEDED" and passed["nextState"] == "Ship"
    data = {k: json.loads(v) for k, v in passed["inspectionData"].items()}
    assert data["afterInputPath"] == {"total": 3}
    assert data["afterParameters"] == {"total": 3, "who": "ann"}
    # ResultPath merges into the raw input, not into what InputPath selected.
    assert json.loads(passed["output"]) == {
        "order": {"total": 3},
        "priced": {"total": 3, "who": "ann"},
    }
    task = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "f", "Payload.$": "$"},
        "Retry": [{"ErrorEquals": ["Boom"], "IntervalSeconds": 2, "MaxAttempts": 2}],
        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Recover"}],
        "End": True,
    }
    failing = {"errorOutput": {"error": "Boom", "cause": "bad"}}
    retried = client.test_state(
        definition=json.dumps(task), roleArn=ROLE, input="{}", mock=failing,
        stateConfiguration={"retrierRetryCount": 1}, inspectionLevel="DEBUG",
    )  # fmt: skip
    assert retried["status"] == "RETRIABLE"
    assert retried["inspectionData"]["errorDetails"] == {
        "retryBackoffIntervalSeconds": 4,
        "retryIndex": 0,
    }
    caught = client.test_state(
        definition=json.dumps(task), roleArn=ROLE, input="{}", mock=failing,
        stateConfiguration={"retrierRetryCount": 2},
    )  # fmt: skip
    assert (caught["status"], caught["nextState"]) == ("CAUGHT_ERROR", "Recover")
    assert json.loads(caught["output"]) == {"Error": "Boom", "Cause": "bad"}
    assert "inspectionData" not in caught  # INFO
    with pytest.raises(ClientError) as bad_mock:
        client.test_state(
            definition=json.dumps(task), roleArn=ROLE, mock={"result": '{"StatusCode": "x"}'}
        )
    assert _code(bad_mock) == "ValidationException"


def test_validate_state_machine_definition(server: ServerProcess) -> None:
    client = server.client()
    ok = client.validate_state_machine_definition(
        definition=json.dumps(WAIT_THEN_APPROVE), type="STANDARD"
    )
    assert ok["result"] == "OK"
    express = client.validate_state_machine_definition(
        definition=json.dumps(WAIT_THEN_APPROVE), type="EXPRESS"
    )
    assert express["result"] == "FAIL"
    assert any(d["location"].startswith("/States/Approve") for d in express["diagnostics"]), express
    garbage = client.validate_state_machine_definition(definition="not json")
    assert garbage["diagnostics"][0]["code"] == "INVALID_JSON_DESCRIPTION"


def test_execution_timeout_while_waiting_for_a_token(server: ServerProcess) -> None:
    client = server.client()
    arn = _machine(client, "machine-timeout", {**WAIT_THEN_APPROVE, "TimeoutSeconds": 40})
    execution = client.start_execution(stateMachineArn=arn)["executionArn"]
    (token,) = _tokens(client, execution)
    ended = _ended(client, execution)
    assert (ended["status"], ended["error"]) == ("TIMED_OUT", "States.Timeout")
    types = [e["type"] for e in client.get_execution_history(executionArn=execution)["events"]]
    assert types[-1] == "ExecutionTimedOut" and types.count("ExecutionTimedOut") == 1
    with pytest.raises(ClientError) as late:
        client.send_task_success(taskToken=token, output="{}")
    assert _code(late) == "TaskTimedOut"
