"""``orderflow run``: the order workflow locally, traces, failures and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orderflow.cli import main


def test_runs_the_order_workflow_on_the_sample_order(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--trace"]) == 0
    out, err = capsys.readouterr()
    output = json.loads(out)
    assert output["send_notification"]["status"] == "sent"
    assert "> ValidateOrder (Task)" in err and "SUCCEEDED" in err


def test_simulated_failures_show_retries_in_the_trace(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["run", "--fail", "authorize-payment=1", "--seed", "3", "--trace"])
    _, err = capsys.readouterr()
    assert "retry #1" in err
    assert code in (0, 1)


def test_failed_execution_exits_1_with_error_and_cause(capsys: pytest.CaptureFixture[str]) -> None:
    order = {
        "request_id": "r",
        "user_id": "u-missing",
        "items": [{"product_id": "p-1", "quantity": 1, "unit_price_cents": 5}],
    }
    assert main(["run", "--input", json.dumps(order)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "execution FAILED" in err and "cause:" in err


def test_runs_an_asl_file_with_input_from_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    machine = tmp_path / "m.json"
    machine.write_text(
        json.dumps(
            {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": True}}}
        )
    )
    data = tmp_path / "in.json"
    data.write_text('{"x": 1}')
    assert main(["run", str(machine), "--input", f"@{data}", "--trace"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out) == {"x": 1}
    assert "+3600.000s" in err


@pytest.mark.parametrize(
    "args",
    [
        ["run", "--input", "{bad"],
        ["run", "--fail", "x=2"],
        ["run", "no.such.module:wf"],
        ["run", "missing.json"],
    ],
)
def test_usage_errors_exit_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 2


@pytest.mark.parametrize(
    "fail", ["nosuchservice=0.5", "payment=1", "authorize-payment=-0.1", "authorize-payment=nan"]
)
def test_failure_rate_for_an_unknown_service_or_out_of_range_is_a_usage_error(
    fail: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "--fail", fail]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "--fail" in err
    if not fail.startswith("authorize-payment"):
        assert "known services:" in err and "authorize-payment" in err


def test_run_locally_refuses_unknown_service_names() -> None:
    from orderflow import ExecutionError
    from orderflow.executor._local import load_target, run_locally, sample_input
    from orderflow.orders.app import app

    with pytest.raises(ExecutionError, match=r"known services: .*authorize-payment"):
        run_locally(load_target(), sample_input(), failure_rates={"payment": 1.0})
    with pytest.raises(ExecutionError, match="between 0 and 1"):
        run_locally(load_target(), sample_input(), failure_rates={"get-user": 2.0})
    assert "authorize-payment" in app.services


def test_invalid_definition_exits_1_with_the_diagnostics(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    machine = tmp_path / "m.json"
    machine.write_text(
        json.dumps(
            {
                "StartAt": "A",
                "States": {"A": {"Type": "Pass", "ResultSelector": {"a": 1}, "End": True}},
            }
        )
    )
    assert main(["run", str(machine), "--input", "{}"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "field-not-allowed" in err and "/States/A/ResultSelector" in err
