"""``--timeout-total``: a frozen endpoint fails within the deadline, naming who and what;
waits are held to the same deadline and shown on stderr while they last."""

from __future__ import annotations

import io
import json
import socket
import threading
from collections.abc import Iterator

import pytest

from orderflow.deploy import Aws
from orderflow.deploy._deadline import DeadlineExceeded
from orderflow.deploy._dynamodb import TableResource
from orderflow.deploy._executions import wait_for_execution

from ._helpers import run_cli
from .conftest import ACCOUNT, REGION, MotoServer

pytestmark = pytest.mark.moto


class FrozenServer:
    """Accepts TCP connections on 127.0.0.1 and never answers (stopped by the test)."""

    def __init__(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(16)
        self._socket.settimeout(0.05)
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        self._held: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except OSError:
                continue
            self._held.append(connection)  # read nothing, answer nothing

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        for connection in self._held:
            connection.close()
        self._socket.close()


@pytest.fixture
def frozen(moto: MotoServer) -> Iterator[FrozenServer]:
    server = FrozenServer()
    moto.extra_endpoints.append(server.url)
    try:
        yield server
    finally:
        server.stop()


COMMANDS = {
    "deploy": ["--dry-run", "--no-download"],
    "destroy": [],
    "start-execution": ["--workflow", "order", "--input", "{}", "--wait"],
}


@pytest.mark.parametrize("command", COMMANDS)
def test_a_frozen_endpoint_fails_within_the_deadline(
    command: str, frozen: FrozenServer, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--endpoint-url", frozen.url, "--region", REGION, "--prefix", "shop"]
    result = run_cli(capsys, command, *args, *COMMANDS[command], "--timeout-total", "1")
    assert result.code == 1, result.err
    assert "Traceback" not in result.err and "internal error" not in result.err
    (line,) = [line for line in result.err.splitlines() if line.startswith("error:")]
    assert "caller identity" in line  # what was being worked on
    assert "sts:GetCallerIdentity" in line
    assert f"no answer from {frozen.url}" in line
    assert "--timeout-total 1 s" in line


def test_a_call_is_retried_visibly_while_the_deadline_allows(
    frozen: FrozenServer, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--endpoint-url", frozen.url, "--region", REGION, "--prefix", "shop"]
    result = run_cli(capsys, "destroy", *args, "--timeout-total", "3")
    assert result.code == 1, result.err
    assert f"no answer from {frozen.url}" in result.err
    assert "retrying sts:GetCallerIdentity (attempt 2 of 6)" in result.err
    assert "leaves no time to retry" in result.err


def test_a_frozen_endpoint_names_the_resource_being_worked_on(
    frozen: FrozenServer,
) -> None:
    aws = Aws(REGION, endpoint_url=frozen.url, timeout_total=1, stream=io.StringIO())
    table = TableResource(
        name="shop-orders",
        arn=f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/shop-orders",
        prefix="shop",
        key="order_id",
        tags={"project": "orderflow", "prefix": "shop"},
    )
    with pytest.raises(DeadlineExceeded) as caught:
        table.read(aws)
    assert caught.value.resource == "DynamoDB table shop-orders"
    assert str(caught.value).startswith("DynamoDB table shop-orders: dynamodb:DescribeTable")
    assert frozen.url in str(caught.value)


def test_timeout_total_must_be_positive(
    moto: MotoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--endpoint-url", moto.url, "--region", REGION, "--prefix", "shop"]
    result = run_cli(capsys, "destroy", *args, "--timeout-total", "0")
    assert result.code == 2
    assert "--timeout-total" in result.err
    assert moto.operations == []


class FakeClock:
    """Time that passes only when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _running_execution(aws: Aws) -> str:
    sfn = aws.client("stepfunctions")
    machine = sfn.create_state_machine(
        name="shop-order",
        definition=json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}),
        roleArn=f"arn:aws:iam::{ACCOUNT}:role/orderflow/shop/shop-order-states",
    )
    # moto's interpreter is off: the execution stays RUNNING until the deadline.
    return str(sfn.start_execution(stateMachineArn=machine["stateMachineArn"])["executionArn"])


@pytest.mark.parametrize("terminal", [False, True])
def test_waiting_is_shown_and_held_to_the_deadline(moto: MotoServer, terminal: bool) -> None:
    clock = FakeClock()
    stream: io.StringIO = Terminal() if terminal else io.StringIO()
    aws = Aws(
        REGION,
        endpoint_url=moto.url,
        timeout_total=30,
        clock=clock,
        sleep=clock.sleep,
        stream=stream,
    )
    arn = _running_execution(aws)
    name = arn.rsplit(":", 1)[-1]
    with pytest.raises(DeadlineExceeded) as caught:
        wait_for_execution(aws, arn, timeout=10_000, delay=2.0)
    message = str(caught.value)
    assert message.startswith(f"gave up waiting for execution {name} to finish after ")
    assert "--timeout-total 30 s reached" in message
    # It stopped early enough for one more call to fit: never past the deadline.
    assert clock.now <= 30
    output = stream.getvalue()
    if terminal:
        assert f"\rwaiting for execution {name} to finish (2 s)" in output
        assert f"waiting for execution {name} to finish ({clock.now:.0f} s)" in output
        assert output.endswith("\n")
    else:
        assert output == f"waiting for execution {name} to finish\n"
