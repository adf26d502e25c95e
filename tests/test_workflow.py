"""The order workflow: golden files, structure, end-to-end data flow, and `orderflow render`.

The end-to-end tests run the *rendered ASL*, serialised as AWS would receive it, in the local
executor against the real services, so a payload that reads a missing path or breaks a
service contract fails here.
"""

from __future__ import annotations

import json
import os
from collections import deque
from pathlib import Path
from typing import Any

import pytest

from orderflow.asl._mermaid import to_mermaid
from orderflow.cli import main
from orderflow.cli._render import render_text
from orderflow.dsl import contracts_for, functions, render
from orderflow.orders.app import app
from orderflow.orders.workflow import SAMPLE_ORDER, order_workflow
from orderflow.testing import LocalAws, run_asl

GOLDEN = Path(__file__).resolve().parent / "golden"
REGENERATE = os.environ.get("ORDERFLOW_REGEN_GOLDEN") == "1"


# --- golden files ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "filename"), [("asl", "order_workflow.asl.json"), ("mermaid", "order_workflow.mmd")]
)
def test_rendered_output_matches_the_golden_file(fmt: str, filename: str) -> None:
    text = render_text("orderflow.orders.workflow:order_workflow", fmt=fmt)
    path = GOLDEN / filename
    if REGENERATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} is missing; run with ORDERFLOW_REGEN_GOLDEN=1 to create it"
    assert text == path.read_text(encoding="utf-8"), (
        f"{filename} changed; if intended, regenerate with ORDERFLOW_REGEN_GOLDEN=1"
    )


# --- structure -------------------------------------------------------------------------------


def _machines(machine: dict[str, Any], where: str = "") -> list[tuple[str, dict[str, Any]]]:
    found = [(where or "<top>", machine)]
    for name, state in machine["States"].items():
        for i, branch in enumerate(state.get("Branches", [])):
            found.extend(_machines(branch, f"{where}/{name}/{i}"))
        if "ItemProcessor" in state:
            found.extend(_machines(state["ItemProcessor"], f"{where}/{name}"))
    return found


def _targets(state: dict[str, Any]) -> list[str]:
    targets = [state[key] for key in ("Next", "Default") if key in state]
    targets += [rule["Next"] for rule in state.get("Choices", [])]
    targets += [catcher["Next"] for catcher in state.get("Catch", [])]
    return targets


def test_rendered_order_workflow_is_structurally_sound() -> None:
    definition = render(order_workflow).to_dict()
    all_names: list[str] = []
    for where, machine in _machines(definition):
        states = machine["States"]
        all_names.extend(states)
        assert machine["StartAt"] in states, where
        for name, state in states.items():
            for target in _targets(state):
                assert target in states, f"{where}: {name} -> {target} does not exist"
            assert not ("Next" in state and state.get("End")), name
            ends = state.get("End") is True or state["Type"] in ("Succeed", "Fail", "Choice")
            assert ends or "Next" in state, f"{where}: {name} has no transition"
        seen = {machine["StartAt"]}
        queue = deque(seen)
        while queue:
            for target in _targets(states[queue.popleft()]):
                if target not in seen:
                    seen.add(target)
                    queue.append(target)
        assert seen == set(states), f"{where}: unreachable {set(states) - seen}"
        assert any(
            s.get("End") is True or s["Type"] in ("Succeed", "Fail") for s in states.values()
        ), f"{where}: no terminal state"
    assert len(all_names) == len(set(all_names)), "state names must be unique"


def test_retries_only_transient_errors_and_never_a_decline() -> None:
    definition = render(order_workflow)
    pointers = {name: state for _, name, state in definition.iter_states()}
    for name, state in pointers.items():
        for retrier in state.get("Retry", []):
            errors = set(retrier["ErrorEquals"])
            assert not errors & {"States.ALL", "States.TaskFailed", "PaymentDeclined"}, name
            assert retrier.get("JitterStrategy") == "FULL" and "MaxDelaySeconds" in retrier
    get_user = pointers["GetUser"]["Retry"]
    assert get_user[0]["ErrorEquals"] == [
        "Lambda.ServiceException",
        "Lambda.AWSLambdaException",
        "Lambda.SdkClientException",
        "Lambda.TooManyRequestsException",
    ]
    payment_retried = {e for r in pointers["AuthorizePayment"]["Retry"] for e in r["ErrorEquals"]}
    assert "PaymentGatewayTimeout" in payment_retried


def test_functions_and_contracts() -> None:
    names = [service.name for service in functions(order_workflow)]
    assert names == [
        "validate-order",
        "get-user",
        "create-order",
        "authorize-payment",
        "reserve-inventory",
        "send-notification",
        "cancel-order",
        "refund-payment",
        "release-inventory",
    ]
    contracts = contracts_for(order_workflow, prefix="shop")
    arn = "arn:aws:lambda:us-east-1:123456789012:function:shop-get-user"
    assert contracts[arn][0].__name__ == "GetUserInput"
    assert contracts["shop-get-user"][1].__name__ == "User"


# --- end to end over the rendered ASL ----------------------------------------------------------


def run_order(order: dict[str, Any]) -> tuple[str, Any, list[tuple[str, Any]]]:
    """Run the rendered ASL (as JSON text, exactly what AWS receives) with the real services.

    Returns the status, the output (or error and cause), and each Lambda call as
    ``(service name, payload)`` in call order.
    """
    invoke = app.local_handler(app.deps(seed=0))
    calls: list[tuple[str, Any]] = []

    def recording(function: str, payload: Any) -> Any:
        calls.append((function.rsplit(":", 1)[-1].removeprefix("orderflow-"), payload))
        return invoke(function, payload)

    definition = render(order_workflow).to_json()
    aws = LocalAws()
    aws.tables_for(definition)  # the payment breaker's table
    execution = run_asl(definition, order, lambda_handler=recording, aws=aws)
    if execution.status == "FAILED":
        return "FAILED", {"error": execution.error, "cause": execution.cause}, calls
    return execution.status, execution.output, calls


def test_sample_order_flows_end_to_end_with_the_right_values() -> None:
    status, output, calls = run_order(SAMPLE_ORDER)
    assert status == "SUCCEEDED", output
    payloads = dict(calls)
    total = 2 * 1999 + 4550
    assert payloads["authorize-payment"]["amount_cents"] == total
    assert payloads["authorize-payment"]["credit_score"] == 720
    assert payloads["authorize-payment"]["idempotency_key"] == SAMPLE_ORDER["request_id"]
    order, payment, reservation = output["process_order"]
    assert payloads["send-notification"] == {
        "to": "ada@example.com",
        "order_id": order["order_id"],
        "total_cents": total,
        "transaction_id": payment["transaction_id"],
    }
    assert reservation["reservation_id"] == SAMPLE_ORDER["request_id"]
    message = output["send_notification"]["message"]
    assert order["order_id"] in message and payment["transaction_id"] in message
    assert "$85.48" in message


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"user_id": "u-999"}, "UserNotFound"),
        ({"user_id": "u-300"}, "UserInactive"),
        (
            {
                "user_id": "u-200",
                "items": [{"product_id": "p-1", "quantity": 1, "unit_price_cents": 150_000}],
            },
            "PaymentDeclined",
        ),
        (
            {"items": [{"product_id": "p-9", "quantity": 5, "unit_price_cents": 100}]},
            "InsufficientStock",
        ),
        (
            {"items": [{"product_id": "p-1", "quantity": 1, "unit_price_cents": 1}] * 2},
            "InvalidOrder",
        ),
    ],
)
def test_business_errors_end_in_order_rejected_with_error_and_cause(
    change: dict[str, Any], error: str
) -> None:
    status, output, calls = run_order({**SAMPLE_ORDER, **change})
    assert status == "FAILED"
    assert output["error"] == error
    assert json.loads(output["cause"])["errorType"] == error
    assert "send-notification" not in dict(calls)


# --- the CLI ---------------------------------------------------------------------------------


def test_cli_prints_asl_to_stdout_and_nothing_else(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", "--workflow", "order"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out) == render(order_workflow).data
    assert captured.out == render_text("orderflow.orders.workflow:order_workflow")
    assert captured.err == ""


def test_cli_writes_a_file_with_parameters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "wf.mmd"
    code = main(
        [
            "render",
            "orderflow.orders.workflow:order_workflow",
            "--format",
            "mermaid",
            "-o",
            str(out),
            "--prefix",
            "shop",
        ]
    )
    assert code == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert out.read_text() == to_mermaid(render(order_workflow, prefix="shop"))
    assert "shop-get-user" in out.read_text()


def test_cli_unwritable_output_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "no" / "such" / "dir" / "wf.json"
    assert main(["render", "-o", str(out)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and not out.parent.exists()
    assert f"cannot write {out}" in captured.err and "No such file or directory" in captured.err
    assert "Traceback" not in captured.err


def test_cli_fills_account_and_region(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            ["render", "--workflow", "order", "--account", "111122223333", "--region", "eu-west-1"]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    arn = data["States"]["GetUser"]["Parameters"]["FunctionName"]
    assert arn == "arn:aws:lambda:eu-west-1:111122223333:function:orderflow-get-user"


@pytest.mark.parametrize(
    ("option", "value"),
    [("--account", "abc"), ("--region", ""), ("--prefix", "bad name!")],
)
def test_cli_bad_account_region_or_prefix_is_a_usage_error(
    option: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["render", option, value]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"field {option[2:]}" in captured.err and repr(value) in captured.err
    assert "Traceback" not in captured.err


@pytest.mark.parametrize(
    ("target", "fragment"),
    [
        ("no_such_module_xyz:wf", "cannot import module 'no_such_module_xyz'"),
        ("orderflow.orders.workflow:missing", "has no attribute 'missing'"),
        ("orderflow.orders.workflow:SAMPLE_ORDER", "is a dict, not a Workflow"),
        ("orderflow.workflow", "expected MODULE:ATTR"),
    ],
)
def test_cli_bad_target_is_a_readable_usage_error(
    target: str, fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["render", target]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert fragment in captured.err
    assert "Traceback" not in captured.err


def test_cli_user_module_that_exits_or_prints_at_import_or_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "exits_at_import_wf.py").write_text("import sys\nsys.exit(3)\n")
    (tmp_path / "prints_wf_for_cli.py").write_text(
        "import sys\n"
        "from orderflow.dsl import Flow, workflow\n"
        "from orderflow.orders import GetUserInput, OrderRequest, get_user\n"
        "print('importing')\n"
        "@workflow('loud', input_model=OrderRequest)\n"
        "def wf(flow: Flow[OrderRequest]) -> None:\n"
        "    print('building')\n"
        "    flow.task('GetUser', get_user).call(GetUserInput, user_id=flow.input.user_id)\n"
        "@workflow('quits', input_model=OrderRequest)\n"
        "def quits(flow: Flow[OrderRequest]) -> None:\n"
        "    sys.exit(4)\n"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    assert main(["render", "exits_at_import_wf:wf"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "called sys.exit(3)" in captured.err
    assert main(["render", "prints_wf_for_cli:wf"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["StartAt"] == "GetUser"
    assert "importing" in captured.err and "building" in captured.err
    assert main(["render", "prints_wf_for_cli:quits"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "called sys.exit(4)" in captured.err


def test_cli_reports_a_wrongly_wired_workflow_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "miswired_wf_for_cli.py").write_text(
        "from orderflow.dsl import Flow, workflow\n"
        "from orderflow.orders import GetUserInput, OrderRequest, get_user\n"
        "@workflow('bad', input_model=OrderRequest)\n"
        "def wf(flow: Flow[OrderRequest]) -> None:\n"
        "    flow.task('GetUser', get_user).call(GetUserInput, user=flow.input.user_id)\n"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    assert main(["render", "miswired_wf_for_cli:wf"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "state 'GetUser'" in captured.err and "'user'" in captured.err
    assert "Traceback" not in captured.err
