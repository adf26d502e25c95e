"""Bad input to the deploy commands is a clean message and the documented exit code.

Exit 2 for an option value that cannot be used (``--prefix``, ``--region``,
``--endpoint-url``, ``--profile``, a ``--workflow`` the app does not have), found before
any AWS call; exit 1 when AWS (or what answers at the endpoint) fails, or the definition is
invalid. Never "internal error" (exit 70), never a traceback.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import BaseModel

from orderflow import App
from orderflow.dsl import Flow, workflow
from orderflow.orders import get_user

from ._helpers import Result, deploy_args, run_cli
from .conftest import REGION, MotoServer

pytestmark = pytest.mark.moto

# Each command with the arguments it needs besides the common options.
COMMANDS = {
    "deploy": ["--dry-run"],
    "destroy": [],
    "start-execution": ["--input", "{}"],
    "executions": [],
    "history": ["some-execution"],
    "send-event": ["--detail", "{}"],
}


def _clean(result: Result, code: int, *needles: str) -> None:
    assert result.code == code, (result.code, result.err)
    assert "internal error" not in result.err and "Traceback" not in result.err
    for needle in needles:
        assert needle in result.err, (needle, result.err)


@pytest.mark.parametrize("command", COMMANDS)
def test_an_endpoint_that_is_not_a_url_is_a_usage_error(
    command: str, moto: MotoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--endpoint-url", "notaurl", "--region", REGION, "--prefix", "shop"]
    result = run_cli(capsys, command, *args, *COMMANDS[command])
    _clean(result, 2, "--endpoint-url", "notaurl")
    assert moto.operations == []


@pytest.mark.parametrize("command", COMMANDS)
def test_an_unknown_region_is_a_usage_error(
    command: str, moto: MotoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--endpoint-url", moto.url, "--region", "xx-nowhere-9", "--prefix", "shop"]
    result = run_cli(capsys, command, *args, *COMMANDS[command])
    _clean(result, 2, "--region", "xx-nowhere-9")
    assert moto.operations == []


@pytest.mark.parametrize("command", COMMANDS)
def test_an_unknown_profile_is_a_usage_error(
    command: str, moto: MotoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--endpoint-url", moto.url, "--region", REGION, "--profile", "nosuch"]
    result = run_cli(capsys, command, *args, "--prefix", "shop", *COMMANDS[command])
    _clean(result, 2, "--profile", "nosuch")
    assert moto.operations == []


@pytest.mark.parametrize("prefix", ["bad_prefix!", "Ab", "", "a" * 33])
@pytest.mark.parametrize("command", COMMANDS)
def test_an_invalid_prefix_is_a_usage_error(
    command: str, prefix: str, moto: MotoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--endpoint-url", moto.url, "--region", REGION, "--prefix", prefix]
    result = run_cli(capsys, command, *args, *COMMANDS[command])
    _clean(result, 2, "--prefix", "lowercase letters")
    assert moto.operations == []


def test_an_invalid_prefix_is_a_usage_error_for_the_printed_policy_too(
    capsys: pytest.CaptureFixture[str],
) -> None:
    result = run_cli(capsys, "deploy", "--print-deployer-policy", "--prefix", "Ab")
    _clean(result, 2, "--prefix")
    assert result.out == ""


class _NotAws(http.server.BaseHTTPRequestHandler):
    """Answers every request 200 with a body that is not an AWS answer."""

    body = b"<html><body>hello</body></html>"

    def do_POST(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    do_GET = do_POST

    def log_message(self, *args: object) -> None:
        del args


class _Garbage(_NotAws):
    body = b"not xml, not json"


@pytest.fixture(params=[_NotAws, _Garbage], ids=["html", "garbage"])
def not_aws(request: pytest.FixtureRequest, moto: MotoServer) -> Iterator[str]:
    """A loopback HTTP server that is not an AWS API; its URL (with a path), allowed by
    the guard."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), request.param)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    moto.extra_endpoints.extend([origin, f"{origin}/foo"])
    try:
        yield f"{origin}/foo"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.mark.parametrize("command", COMMANDS)
def test_an_endpoint_that_is_not_aws_is_a_clean_failure(
    command: str, not_aws: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--endpoint-url", not_aws, "--region", REGION, "--prefix", "shop"]
    result = run_cli(capsys, command, *args, *COMMANDS[command])
    # The first call of every command asks STS for the account, except send-event's.
    first = "events:PutEvents" if command == "send-event" else "sts:GetCallerIdentity"
    _clean(result, 1, f"{first} failed", "not an AWS answer")


class Empty(BaseModel):
    pass


@workflow("broken-retry", input_model=Empty)
def broken(flow: Flow[Empty]) -> None:
    # AWS rejects MaxAttempts < 0 at CreateStateMachine; render's validation refuses it.
    flow.raw(
        "Flaky",
        {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:shop-get-user",
            "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": -1}],
            "End": True,
        },
    )


broken_app = App("broken", services=[get_user], workflows=[broken], tables={"users": "user_id"})


def test_a_workflow_whose_definition_is_invalid_exits_1(
    moto: MotoServer, wheel_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(capsys, *deploy_args(moto, wheel_dir, "--app", f"{__name__}:broken_app"))
    _clean(result, 1, "MaxAttempts")
    assert moto.writes() == []


@pytest.mark.parametrize(
    "reference", ["no_such_module_xyz:wf", f"{__name__}:nothing_here", f"{__name__}:Empty", "x"]
)
def test_a_workflow_option_that_names_no_workflow_is_a_usage_error(
    reference: str, moto: MotoServer, wheel_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(capsys, *deploy_args(moto, wheel_dir, "--workflow", reference))
    _clean(result, 2, "--workflow")
    assert moto.operations == []
