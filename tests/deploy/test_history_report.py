"""``orderflow history --report``: a deployed execution drawn on the definition it ran.

Against moto's server, like ``test_executions.py``: moto's Lambda needs Docker, so the
execution fails at its first Task, which is exactly what the report must then show.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from orderflow.deploy import Aws, deploy, execution_definition
from orderflow.deploy._package import Packager
from orderflow.orders.workflow import SAMPLE_ORDER

from ._helpers import run_cli
from .conftest import REGION, MotoServer

pytestmark = [
    pytest.mark.moto,
    pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed"),
]


def _data(page: str) -> dict[str, Any]:
    match = re.search(r'<script type="application/json" id="orderflow-data">(.*?)</script>', page)
    assert match is not None
    decoded: dict[str, Any] = json.loads(match.group(1))
    return decoded


def test_history_report_draws_the_deployed_execution(
    aws: Aws,
    packager: Packager,
    moto: MotoServer,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    moto.enable_step_functions_interpreter()
    deploy(aws, prefix="shop", packager=packager, progress=lambda line: None)
    common = ["--endpoint-url", moto.url, "--region", REGION, "--prefix", "shop"]
    order = tmp_path / "order.json"
    order.write_text(json.dumps(SAMPLE_ORDER))
    started = run_cli(
        capsys, "start-execution", *common, "--input", f"@{order}", "--name", "seen", "--wait"
    )
    summary = json.loads(started.out)

    out = tmp_path / "seen.html"
    shown = run_cli(capsys, "history", *common, "seen", "--json", "--report", str(out))
    assert shown.code == 0, shown.err
    assert f"wrote {out}" in shown.err
    events = json.loads(shown.out)
    assert all("previousEventId" in event for event in events)

    page = out.read_text()
    data = _data(page)
    assert "<title>Execution seen</title>" in page
    assert data["execution"]["status"] == summary["status"]
    assert json.loads(data["execution"]["input"]) == SAMPLE_ORDER
    states = {s["name"]: s for s in data["states"]}
    # The definition is the deployed one (its function ARNs name the stack's functions).
    assert "shop-validate-order" in states["ValidateOrder"]["asl"]
    first = states["ValidateOrder"]
    assert first["runs"] == 1
    assert json.loads(first["visits"][0]["input"]) == SAMPLE_ORDER
    if summary["status"] == "FAILED":
        assert first["status"] == "failed"
        assert len(first["errors"]) == 1, first
        assert 'class="status-FAILED"' in page
    assert states["SendNotification"]["status"] in ("not run", "succeeded")

    # The printed deployer policy grants what the report reads.
    used = {f"{service}:{operation}" for service, operation in moto.operations}
    assert "states:DescribeStateMachineForExecution" in used
    printed = run_cli(capsys, "deploy", "--print-deployer-policy", "--prefix", "shop")
    granted = {a for s in json.loads(printed.out)["Statement"] for a in s["Action"]}
    assert {"states:DescribeStateMachineForExecution", "states:GetExecutionHistory"} <= granted


def test_execution_definition_is_the_deployed_machine(
    aws: Aws, packager: Packager, moto: MotoServer
) -> None:
    deploy(aws, prefix="shop", packager=packager, progress=lambda line: None)
    client = aws.client("stepfunctions")
    arn = client.start_execution(
        stateMachineArn="arn:aws:states:us-east-1:123456789012:stateMachine:shop-order",
        input=json.dumps(SAMPLE_ORDER),
    )["executionArn"]
    stored = client.describe_state_machine(
        stateMachineArn="arn:aws:states:us-east-1:123456789012:stateMachine:shop-order"
    )["definition"]
    assert execution_definition(aws, arn).data == json.loads(stored)
