"""``orderflow start-execution --sync`` against ``orderflow serve``: StartSyncExecution runs
the order app's EXPRESS inventory workflow (its services answered by the bundled app) and
returns the execution's output in the one call."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest

from orderflow.dsl import render
from orderflow.orders.app import app

from ._server import ServerProcess, server_env


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A served endpoint on real time: the workflow's 60-second TimeoutSeconds must not
    expire while the server imports the services on the first call (the shared fixture
    runs 1000 times faster than real time)."""
    process = ServerProcess(tmp_path_factory.mktemp("sync") / "flows.db", time_scale=1.0)
    process.start()
    try:
        yield process
    finally:
        process.stop()


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    environment = server_env()
    # Without host-prefix injection switched off by the environment: orderflow itself must
    # not send StartSyncExecution to "sync-127.0.0.1" when given an --endpoint-url.
    environment.pop("AWS_DISABLE_HOST_PREFIX_INJECTION", None)
    return subprocess.run(
        [sys.executable, "-m", "orderflow", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )


def _create(server: ServerProcess, workflow: str, machine_type: str) -> None:
    definition = render(app.workflow(workflow), prefix="sync")
    server.client().create_state_machine(
        name=f"sync-{workflow}",
        definition=json.dumps(definition.data),
        roleArn="arn:aws:iam::123456789012:role/r",
        type=machine_type,
    )


def test_sync_runs_the_express_inventory_workflow(server: ServerProcess) -> None:
    _create(server, "inventory", "EXPRESS")
    common = ["--endpoint-url", server.url, "--prefix", "sync", "--workflow", "inventory"]
    adjustment = {"adjustment_id": "adj-77", "product_id": "p-1", "delta": 25}
    done = _run("start-execution", *common, "--sync", "--input", json.dumps(adjustment))
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["status"] == "SUCCEEDED"
    assert ":express:sync-inventory:" in summary["arn"]
    level = summary["output"]["apply_adjustment"]
    assert level == {
        "adjustment_id": "adj-77",
        "product_id": "p-1",
        "available": 1025,  # the sample stock of p-1 is 1000
        "low_stock": False,
        "duplicate": False,
    }

    underflow = {"adjustment_id": "adj-78", "product_id": "p-9", "delta": -3}
    failed = _run("start-execution", *common, "--sync", "--input", json.dumps(underflow))
    assert failed.returncode == 1
    summary = json.loads(failed.stdout)
    assert (summary["status"], summary["error"]) == ("FAILED", "StockUnderflow")
    assert "only 2 available" in summary["cause"]


def test_sync_on_a_standard_machine_is_refused_by_the_endpoint(server: ServerProcess) -> None:
    _create(server, "order", "STANDARD")
    done = _run(
        "start-execution", "--endpoint-url", server.url, "--prefix", "sync", "--workflow",
        "order", "--sync",
    )  # fmt: skip
    assert done.returncode == 1
    assert "StateMachineTypeNotSupported" in done.stderr
    assert "Traceback" not in done.stderr
