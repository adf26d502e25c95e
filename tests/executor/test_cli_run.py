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
        assert "its services:" in err and "authorize-payment" in err


ORDER = "orderflow.orders.workflow:order_workflow"


def test_run_locally_refuses_unknown_service_names() -> None:
    from orderflow import ConfigurationError, ExecutionError
    from orderflow.executor._local import load_target, run_locally, sample_input
    from orderflow.orders.app import app

    with pytest.raises(ConfigurationError, match=r"its services: .*authorize-payment"):
        run_locally(load_target(ORDER), sample_input(app), app=app, failure_rates={"payment": 1.0})
    with pytest.raises(ExecutionError, match="between 0 and 1"):
        run_locally(load_target(ORDER), sample_input(app), app=app, failure_rates={"get-user": 2.0})
    assert "authorize-payment" in app.services


def test_input_is_checked_against_the_workflow_input_model_before_the_run(
    capsys: pytest.CaptureFixture[str],
) -> None:
    bad = {"request_id": "r-1", "user_id": "u-100", "items": [{"product_id": "p-1"}]}
    assert main(["run", "--input", json.dumps(bad)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "OrderRequest" in err and "items.0.quantity" in err and "Traceback" not in err
    # The same for a MODULE:ATTR workflow target.
    assert main(["run", ORDER, "--input", "{}"]) == 2
    assert "request_id" in capsys.readouterr().err


def test_an_unknown_workflow_name_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--workflow", "shipping"]) == 2
    assert "no workflow named 'shipping'; its workflows: order" in capsys.readouterr().err


def test_a_task_naming_no_service_of_the_app_exits_2_even_under_a_catch_all(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A States.ALL catcher must not swallow a wiring mistake: the run stops, exit 2.
    machine = tmp_path / "m.json"
    machine.write_text(
        json.dumps(
            {
                "StartAt": "Call",
                "States": {
                    "Call": {
                        "Type": "Task",
                        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:x-ship-it",
                        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}],
                        "End": True,
                    },
                    "Done": {"Type": "Succeed"},
                },
            }
        )
    )
    assert main(["run", str(machine), "--input", "{}"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "no service of app 'orderflow'" in err and "x-ship-it" in err


def test_a_file_target_of_an_app_without_samples_needs_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app_module = tmp_path / "noinput_app.py"
    app_module.write_text(
        "from orderflow import App\n"
        "from orderflow.orders.app import app as bundled\n"
        "app = App('noinput', services=bundled.services.values(),"
        " workflows=[bundled.workflow()], tables=bundled.tables)\n"
    )
    import sys

    sys.path.insert(0, str(tmp_path))
    try:
        assert main(["run", "--app", "noinput_app:app"]) == 2
        assert "--input is required" in capsys.readouterr().err
    finally:
        sys.path.remove(str(tmp_path))


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


def test_a_file_target_checks_its_input_against_a_named_workflow(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from orderflow.dsl import render
    from orderflow.orders.workflow import order_workflow

    machine = tmp_path / "order.json"
    machine.write_text(json.dumps(render(order_workflow).data))
    assert main(["run", str(machine), "--workflow", "order", "--input", "{}"]) == 2
    assert "OrderRequest" in capsys.readouterr().err
    # The bundled app declares a sample input: a file of its workflow runs on it.
    assert main(["run", str(machine)]) == 0
    assert json.loads(capsys.readouterr().out)["send_notification"]["status"] == "sent"
