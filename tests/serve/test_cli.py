"""The command line against a served endpoint: orderflow's own commands and the AWS CLI."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from orderflow.cli import main

from ._server import ServerProcess, poll, server_env, tokens_of

APPROVAL = {
    "StartAt": "Approve",
    "States": {
        "Approve": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}},
            "End": True,
        }
    },
}


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "orderflow", *args],
        capture_output=True,
        text=True,
        env=server_env(),
        timeout=120,
    )


def _aws(*args: str) -> subprocess.CompletedProcess[str]:
    aws = shutil.which("aws") or str(Path(sys.executable).with_name("aws"))
    if not Path(aws).exists():
        pytest.skip("the AWS CLI (pip awscli, in the dev extra) is not installed")
    return subprocess.run(
        [aws, *args], capture_output=True, text=True, env=server_env(), timeout=120
    )


def _status(client: Any, arn: str) -> str:
    return str(client.describe_execution(executionArn=arn)["status"])


def test_approve_and_reject_answer_tokens(server: ServerProcess) -> None:
    client = server.client()
    machine = client.create_state_machine(
        name="cli-approval", definition=json.dumps(APPROVAL), roleArn="arn:aws:iam::1:role/r"
    )["stateMachineArn"]
    approved = client.start_execution(stateMachineArn=machine)["executionArn"]
    rejected = client.start_execution(stateMachineArn=machine)["executionArn"]
    (token_a,) = poll(lambda: tokens_of(client, approved))
    (token_r,) = poll(lambda: tokens_of(client, rejected))
    done = _run("approve", token_a, "--output", '{"ok": 1}', "--endpoint-url", server.url)
    assert done.returncode == 0, done.stderr
    done = _run("reject", token_r, "--reason", "no budget", "--endpoint-url", server.url)
    assert done.returncode == 0, done.stderr
    poll(lambda: _status(client, approved) != "RUNNING" and _status(client, rejected) != "RUNNING")
    assert json.loads(client.describe_execution(executionArn=approved)["output"]) == {"ok": 1}
    failed = client.describe_execution(executionArn=rejected)
    assert (failed["status"], failed["error"], failed["cause"]) == (
        "FAILED",
        "Rejected",
        "no budget",
    )
    again = _run("approve", token_a, "--endpoint-url", server.url)
    assert again.returncode == 1 and "TaskTimedOut" in again.stderr


def test_start_execution_executions_and_history(server: ServerProcess) -> None:
    client = server.client()
    client.create_state_machine(
        name="orderflow-order",
        definition=json.dumps(
            {
                "StartAt": "P",
                "States": {"P": {"Type": "Pass", "Result": {"done": True}, "End": True}},
            }
        ),
        roleArn="arn:aws:iam::1:role/r",
    )
    started = _run("start-execution", "--endpoint-url", server.url, "--name", "cli-run", "--wait")
    assert started.returncode == 0, started.stderr
    assert json.loads(started.stdout)["output"] == {"done": True}
    listed = _run("executions", "--endpoint-url", server.url, "--json")
    assert listed.returncode == 0, listed.stderr
    assert [e["name"] for e in json.loads(listed.stdout)] == ["cli-run"]
    history = _run("history", "cli-run", "--endpoint-url", server.url, "--json")
    assert history.returncode == 0, history.stderr
    assert [e["type"] for e in json.loads(history.stdout)] == [
        "ExecutionStarted",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]


def test_the_aws_cli_drives_the_endpoint(server: ServerProcess, tmp_path: Path) -> None:
    endpoint = ["--endpoint-url", server.url, "--output", "json"]
    definition = tmp_path / "machine.json"
    definition.write_text(json.dumps(APPROVAL))
    created = _aws(
        "stepfunctions", "create-state-machine", "--name", "awscli",
        "--definition", f"file://{definition}", "--role-arn", "arn:aws:iam::1:role/r", *endpoint,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    machine = json.loads(created.stdout)["stateMachineArn"]
    started = _aws(
        "stepfunctions", "start-execution", "--state-machine-arn", machine,
        "--input", '{"n": 1}', *endpoint,
    )  # fmt: skip
    assert started.returncode == 0, started.stderr
    execution = json.loads(started.stdout)["executionArn"]
    client = server.client()
    (token,) = poll(lambda: tokens_of(client, execution))
    answered = _aws(
        "stepfunctions", "send-task-success", "--task-token", token,
        "--task-output", '{"via": "aws cli"}', *endpoint,
    )  # fmt: skip
    assert answered.returncode == 0, answered.stderr

    def described() -> dict[str, Any] | None:
        result = _aws(
            "stepfunctions", "describe-execution", "--execution-arn", execution, *endpoint
        )
        data: dict[str, Any] = json.loads(result.stdout)
        return data if data["status"] != "RUNNING" else None

    final = poll(described, every=0.2)
    assert final["status"] == "SUCCEEDED" and json.loads(final["output"]) == {"via": "aws cli"}
    history = _aws(
        "stepfunctions", "get-execution-history", "--execution-arn", execution, *endpoint
    )
    assert [e["type"] for e in json.loads(history.stdout)["events"]][-1] == "ExecutionSucceeded"
    missing = _aws(
        "stepfunctions", "describe-execution", "--execution-arn",
        "arn:aws:states:us-east-1:123456789012:execution:awscli:nope", *endpoint,
    )  # fmt: skip
    assert missing.returncode != 0 and "ExecutionDoesNotExist" in missing.stderr


def test_a_non_loopback_host_needs_allow_remote(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--host", "0.0.0.0", "--db", ":memory:"]) == 2
    assert "--allow-remote" in capsys.readouterr().err


def test_loopback_names() -> None:
    from orderflow.serve import is_loopback

    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("10.0.0.1")


def test_a_second_server_on_the_same_database_is_refused(server: ServerProcess) -> None:
    second = _run("serve", "--db", str(server.db), "--port", "0")
    assert second.returncode == 2 and "in use by another orderflow serve" in second.stderr


def test_a_port_in_use_is_a_clear_error(server: ServerProcess) -> None:
    taken = _run("serve", "--db", str(server.db.with_name("other.db")), "--port", str(server.port))
    assert taken.returncode == 2 and f"cannot listen on 127.0.0.1:{server.port}" in taken.stderr
