"""The EXPRESS inventory workflow: its emitted ASL, its behaviour in the executor, its checks,
and Express's limits (request-response integrations only, five minutes)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from orderflow import InvalidDefinition
from orderflow.checker import check_dataflow
from orderflow.cli import main
from orderflow.cli._render import render_text
from orderflow.dsl import contracts_for, render
from orderflow.executor import VirtualClock
from orderflow.orders.app import app
from orderflow.orders.inventory_workflow import SAMPLE_ADJUSTMENT, inventory_workflow
from orderflow.orders.stock import APPLIED_HISTORY, InventoryAdjusted, adjust_inventory
from orderflow.runtime import ServiceDeps
from orderflow.testing import LocalAws, run_asl
from orderflow.validation import has_errors, validate

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
REGENERATE = os.environ.get("ORDERFLOW_REGEN_GOLDEN") == "1"


def _definition() -> dict[str, Any]:
    return render(inventory_workflow).data


def _run(
    adjustment: dict[str, Any], deps: ServiceDeps | None = None, **kwargs: Any
) -> tuple[Any, ServiceDeps, LocalAws]:
    deps = deps if deps is not None else app.deps()
    aws = LocalAws()
    execution = run_asl(
        render(inventory_workflow).to_json(),
        adjustment,
        lambda_handler=app.local_handler(deps),
        aws=aws,
        state_machine_type="EXPRESS",
        **kwargs,
    )
    return execution, deps, aws


# --- emitted ASL ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "filename"),
    [("asl", "inventory_workflow.asl.json"), ("mermaid", "inventory_workflow.mmd")],
)
def test_rendered_output_matches_the_golden_file(fmt: str, filename: str) -> None:
    text = render_text("orderflow.orders.inventory_workflow:inventory_workflow", fmt=fmt)
    path = GOLDEN / filename
    if REGENERATE:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{filename} changed; regenerate"


def test_the_asl_is_request_response_only_and_bounded() -> None:
    definition = _definition()
    assert inventory_workflow.type == "EXPRESS"
    assert definition["TimeoutSeconds"] == 60  # inside Express's 300 seconds
    states = definition["States"]
    resources = [s["Resource"] for s in states.values() if s["Type"] == "Task"]
    assert resources == ["arn:aws:states:::lambda:invoke", "arn:aws:states:::events:putEvents"]
    assert all(".sync" not in r and ".waitForTaskToken" not in r for r in resources)
    apply = states["ApplyAdjustment"]
    assert apply["Parameters"]["FunctionName"].endswith(":function:orderflow-adjust-inventory")
    assert apply["Catch"] == [
        {"ErrorEquals": ["StockUnderflow"], "ResultPath": "$.error", "Next": "AdjustmentRejected"}
    ]
    (rule,) = states["IsStockLow"]["Choices"]
    assert rule == {
        "Variable": "$.apply_adjustment.low_stock",
        "BooleanEquals": True,
        "Next": "AnnounceLowStock",
    }
    (entry,) = states["AnnounceLowStock"]["Parameters"]["Entries"]
    assert entry == {
        "Source": "orderflow.inventory",
        "DetailType": "Low Stock",
        "Detail.$": "$.apply_adjustment",
        "EventBusName": "default",
    }


def test_validation_and_data_flow_pass_as_express() -> None:
    definition = render(inventory_workflow)
    diagnostics = validate(definition, state_machine_type="EXPRESS")
    assert not has_errors(diagnostics), diagnostics
    assert [d.code for d in diagnostics] == []
    contracts = contracts_for(inventory_workflow)
    assert check_dataflow(definition, contracts=contracts, input_model=InventoryAdjusted) == []


def test_the_app_has_both_workflows_and_the_order_one_stays_the_default() -> None:
    assert list(app.workflows) == ["order", "inventory"]
    assert app.workflow() is app.workflow("order")
    (trigger,) = app.triggers_of("inventory")
    assert trigger.pattern == {
        "source": ["orderflow.inventory"],
        "detail-type": ["Inventory Adjusted"],
    }
    assert trigger.input_path == "$.detail"


# --- behaviour -----------------------------------------------------------------------------


def test_an_adjustment_updates_the_stock_and_low_stock_emits_an_event() -> None:
    execution, deps, aws = _run(SAMPLE_ADJUSTMENT)
    assert execution.status == "SUCCEEDED", execution
    level = execution.output["apply_adjustment"]
    assert level == {
        "adjustment_id": "adj-0001",
        "product_id": "p-9",
        "available": 1,  # the sample stock of p-9 is 2
        "low_stock": True,
        "duplicate": False,
    }
    assert deps.store.table("stock").get("p-9") == {
        "product_id": "p-9",
        "available": 1,
        "applied": ["adj-0001"],
    }
    (event,) = aws.events
    assert (event["Source"], event["DetailType"]) == ("orderflow.inventory", "Low Stock")
    assert json.loads(event["Detail"]) == level


def test_plenty_of_stock_emits_nothing_and_a_redelivery_is_applied_once() -> None:
    adjustment = {"adjustment_id": "adj-9", "product_id": "p-1", "delta": 40}
    first, deps, aws = _run(adjustment)
    again, _, aws_again = _run(adjustment, deps)
    assert first.output["apply_adjustment"]["available"] == 1040
    assert again.output["apply_adjustment"] == {
        **first.output["apply_adjustment"],
        "duplicate": True,
    }
    assert deps.store.table("stock").get("p-1")["available"] == 1040
    assert aws.events == [] and aws_again.events == []
    assert first.history_types.count("TaskStateEntered") == 1  # no PutEvents task


def test_an_underflow_is_rejected_and_changes_nothing() -> None:
    execution, deps, aws = _run({"adjustment_id": "adj-2", "product_id": "p-9", "delta": -3})
    assert (execution.status, execution.error) == ("FAILED", "StockUnderflow")
    assert "only 2 available" in execution.cause
    assert deps.store.table("stock").get("p-9") == {"product_id": "p-9", "available": 2}
    assert aws.events == []


def test_a_reservation_keeps_the_applied_ids() -> None:
    from orderflow.orders import ReserveInventoryInput, reserve_inventory
    from orderflow.orders.order import OrderItem

    deps = app.deps()
    request = InventoryAdjusted(adjustment_id="adj-1", product_id="p-1", delta=5)
    adjust_inventory(request, deps)
    item = OrderItem(product_id="p-1", quantity=2, unit_price_cents=100)
    reserve_inventory(ReserveInventoryInput(reservation_id="r", items=[item]), deps)
    assert adjust_inventory(request, deps).duplicate  # still recognised after the reservation
    assert deps.store.table("stock").get("p-1")["available"] == 1003


def test_only_the_last_ids_are_remembered() -> None:
    deps = app.deps()
    for i in range(APPLIED_HISTORY + 5):
        adjust_inventory(InventoryAdjusted(adjustment_id=f"a{i}", product_id="p-2", delta=1), deps)
    applied = deps.store.table("stock").get("p-2")["applied"]
    assert len(applied) == APPLIED_HISTORY and applied[-1] == f"a{APPLIED_HISTORY + 4}"


# --- Express limits ------------------------------------------------------------------------


def _without_timeouts() -> dict[str, Any]:
    definition = _definition()
    del definition["TimeoutSeconds"]
    for state in definition["States"].values():
        state.pop("TimeoutSeconds", None)
    return definition


def test_the_five_minute_limit_stops_a_slow_express_run() -> None:
    """Without its own TimeoutSeconds the workflow still stops: Express's five minutes."""
    clock = VirtualClock()
    invoke = app.local_handler(app.deps())

    def slow(function: str, payload: Any) -> Any:
        clock.sleep(400)  # the function takes 400 simulated seconds
        return invoke(function, payload)

    express = run_asl(
        _without_timeouts(), SAMPLE_ADJUSTMENT, lambda_handler=slow, clock=clock, aws=LocalAws(),
        state_machine_type="EXPRESS",
    )  # fmt: skip
    assert (express.status, express.error) == ("TIMED_OUT", "States.Timeout")
    standard_clock = VirtualClock()

    def slow_standard(function: str, payload: Any) -> Any:
        standard_clock.sleep(400)
        return invoke(function, payload)

    standard = run_asl(
        _without_timeouts(), {**SAMPLE_ADJUSTMENT, "adjustment_id": "adj-s"},
        lambda_handler=slow_standard, clock=standard_clock, aws=LocalAws(),
    )  # fmt: skip
    assert standard.status == "SUCCEEDED"


@pytest.mark.parametrize(
    "resource",
    [
        "arn:aws:states:::events:putEvents.waitForTaskToken",
        "arn:aws:states:::states:startExecution.sync:2",
    ],
)
def test_an_express_machine_refuses_sync_and_callback_integrations(resource: str) -> None:
    definition = _definition()
    definition["States"]["AnnounceLowStock"]["Resource"] = resource
    if resource.endswith(".sync:2"):
        definition["States"]["AnnounceLowStock"]["Parameters"] = {
            "StateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:x"
        }
    codes = {d.code for d in validate(definition, state_machine_type="EXPRESS")}
    assert "express-unsupported-integration" in codes
    assert "express-unsupported-integration" not in {
        d.code for d in validate(definition, state_machine_type="STANDARD")
    }
    with pytest.raises(InvalidDefinition, match="EXPRESS"):
        run_asl(definition, SAMPLE_ADJUSTMENT, state_machine_type="EXPRESS")


def test_an_express_machine_refuses_activities() -> None:
    definition = _definition()
    definition["States"]["AnnounceLowStock"] = {
        "Type": "Task",
        "Resource": "arn:aws:states:us-east-1:123456789012:activity:restock",
        "TimeoutSeconds": 10,
        "End": True,
    }
    (error,) = [
        d
        for d in validate(definition, state_machine_type="EXPRESS")
        if d.code.startswith("express")
    ]
    assert error.code == "express-activity" and error.state == "AnnounceLowStock"
    assert not has_errors(validate(definition, state_machine_type="STANDARD"))


# --- command line --------------------------------------------------------------------------


def test_cli_runs_and_checks_the_inventory_workflow(capsys: pytest.CaptureFixture[str]) -> None:
    adjustment = json.dumps({"adjustment_id": "x", "product_id": "p-3", "delta": -1})
    assert main(["run", "--workflow", "inventory", "--input", adjustment]) == 0
    output = json.loads(capsys.readouterr().out)
    assert output["apply_adjustment"]["available"] == 999
    assert main(["check", "--workflow", "inventory"]) == 0
    underflow = json.dumps({"adjustment_id": "y", "product_id": "p-9", "delta": -9})
    assert main(["run", "--workflow", "inventory", "--input", underflow]) == 1
    assert "StockUnderflow" in capsys.readouterr().err


def test_cli_defaults_to_the_order_workflow(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run"]) == 0
    assert "notification_id" in capsys.readouterr().out
    # render without --workflow prints every workflow in turn, the app's order first.
    assert main(["render"]) == 0
    text = capsys.readouterr().out
    decoder = json.JSONDecoder()
    first, end = decoder.raw_decode(text)
    second, _ = decoder.raw_decode(text[end:].lstrip())
    assert (first["StartAt"], second["StartAt"]) == ("ValidateOrder", "ApplyAdjustment")
