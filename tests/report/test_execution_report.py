"""The execution report: statuses, path, retries, caught errors and payloads from the history."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from orderflow.cli import main
from orderflow.executor._local import load_target, run_locally
from orderflow.orders.app import app
from orderflow.orders.workflow import SAMPLE_ORDER
from orderflow.report import execution_report, write_report
from orderflow.report._overlay import read_history
from orderflow.testing import run_asl

from ._pages import page_data

pytestmark = pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz's dot is not installed"
)

SUSPENDED = {
    "request_id": "r-2",
    "user_id": "u-300",
    "items": [{"product_id": "p-1", "quantity": 1, "unit_price_cents": 500}],
}


def _states(page: str) -> dict[str, dict[str, Any]]:
    return {s["name"]: s for s in page_data(page)["states"]}


def _node_classes(page: str, name: str) -> str:
    match = re.search(rf'<g class="([^"]*)" id="n\d+" [^>]*><title>{re.escape(name)}', page)
    assert match is not None, name
    return match.group(1)


def _edge(page: str, kind: str, source: int, target: int) -> str:
    match = re.search(
        rf'<g class="(edge k-{kind}[^"]*)" id="e\d+" data-source="{source}" '
        rf'data-target="{target}"',
        page,
    )
    assert match is not None, (kind, source, target)
    return match.group(1)


def test_a_failed_order_marks_the_failed_state_and_the_catch_path() -> None:
    definition = load_target("orderflow.orders.workflow:order_workflow")
    execution = run_locally(definition, SUSPENDED, app=app)
    assert execution.status == "FAILED"
    page = execution_report(definition, execution.history)
    states = _states(page)
    assert states["ValidateOrder"]["status"] == "succeeded"
    assert states["GetUser"]["status"] == "caught"
    assert states["GetUser"]["errors"][0]["error"] == "UserInactive"
    assert states["GetUser"]["errors"][0]["caught"] is True
    assert states["OrderRejected"]["status"] == "failed"
    for name in ("ProcessOrder", "CreateOrder", "AuthorizePayment", "SendNotification"):
        assert states[name]["status"] == "not run"
    assert "st-caught" in _node_classes(page, "GetUser")
    assert "st-failed" in _node_classes(page, "OrderRejected")
    assert "st-notrun" in _node_classes(page, "SendNotification")
    index = {name: i for i, name in enumerate(states)}
    # GetUser -> OrderRejected was a Catch that fired; the normal way on was not taken.
    assert "taken" in _edge(page, "catch", index["GetUser"], index["OrderRejected"])
    after_user = definition.to_dict()["States"]["GetUser"]["Next"]
    assert "taken" not in _edge(page, "next", index["GetUser"], index[after_user])
    assert "taken" in _edge(page, "next", index["ValidateOrder"], index["GetUser"])
    assert "taken" not in _edge(page, "catch", index["ValidateOrder"], index["OrderRejected"])
    assert 'class="status-FAILED"' in page and "caught: GetUser: UserInactive" in page


def test_every_state_that_ran_carries_its_input_and_output_json() -> None:
    definition = load_target("orderflow.orders.workflow:order_workflow")
    execution = run_locally(definition, SAMPLE_ORDER, app=app)
    assert execution.status == "SUCCEEDED"
    page = execution_report(definition, execution.history)
    data = page_data(page)
    entered = {
        event["stateEnteredEventDetails"]["name"]
        for event in execution.history
        if "stateEnteredEventDetails" in event
    }
    # The success path ran; the rest (the approval, the saga's compensations, the
    # rejections) did not.
    assert {"ValidateOrder", "CreateOrder", "SendNotification"} <= entered
    assert "OrderRejected" not in entered
    for state in data["states"]:
        if state["name"] not in entered:
            assert state["runs"] == 0 and "visits" not in state, state["name"]
            continue
        (visit,) = state["visits"]
        assert isinstance(json.loads(visit["input"]), dict), state["name"]
        assert json.loads(visit["output"]) is not None, state["name"]
    states = _states(page)
    assert json.loads(states["ValidateOrder"]["visits"][0]["input"]) == SAMPLE_ORDER
    created = json.loads(states["CreateOrder"]["visits"][0]["output"])
    assert created["order_id"].startswith("ord-")
    assert json.loads(data["execution"]["output"]) == execution.output
    assert data["execution"]["status"] == "SUCCEEDED"


def test_retries_durations_and_the_parallel_path_are_reported() -> None:
    definition = load_target("orderflow.orders.workflow:order_workflow")
    execution = run_locally(
        definition, SAMPLE_ORDER, app=app, seed=3, failure_rates={"authorize-payment": 0.7}
    )
    assert execution.status == "SUCCEEDED"
    scheduled = sum(
        1
        for event in execution.history
        if event["type"] == "TaskScheduled"
        and event["taskScheduledEventDetails"]["resourceType"] == "lambda"
        and "authorize-payment" in event["taskScheduledEventDetails"]["parameters"]
    )
    page = execution_report(definition, execution.history)
    pay = _states(page)["AuthorizePayment"]
    assert pay["status"] == "retried"
    assert pay["retries"] == scheduled - 1 > 0
    assert [e["error"] for e in pay["errors"]] == ["PaymentGatewayTimeout"] * (scheduled - 1)
    # The simulated back-off is the state's duration, and the Parallel waits for it.
    assert pay["duration"] == pytest.approx(execution.duration)
    assert _states(page)["ProcessOrder"]["duration"] == pytest.approx(execution.duration)
    assert "st-retried" in _node_classes(page, "AuthorizePayment")
    assert f"↻{scheduled - 1}" in page
    assert page.count('class="edge k-branch taken"') == 3
    assert page.count('class="edge k-join taken"') == 3
    assert 'class="edge k-end taken"' in page


def test_a_compensation_that_ran_is_listed() -> None:
    machine = {
        "StartAt": "Charge",
        "States": {
            "Charge": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "charge", "Payload.$": "$"},
                "Retry": [{"ErrorEquals": ["Declined"], "MaxAttempts": 1, "IntervalSeconds": 2}],
                "Catch": [
                    {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Refund"}
                ],
                "Next": "Done",
            },
            "Refund": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "refund", "Payload.$": "$"},
                "Next": "Failed",
            },
            "Failed": {"Type": "Fail", "Error": "Rejected", "Cause": "charge failed"},
            "Done": {"Type": "Succeed"},
        },
    }

    class Declined(Exception):
        pass

    def handler(name: str, payload: Any) -> Any:
        if name == "charge":
            raise Declined("card declined")
        return {"refunded": True}

    execution = run_asl(machine, {"amount": 5}, lambda_handler=handler)
    assert execution.status == "FAILED"
    page = execution_report(machine, execution.history)
    states = _states(page)
    assert states["Charge"]["status"] == "caught"
    assert states["Charge"]["retries"] == 1
    assert states["Refund"]["status"] == "succeeded"
    assert states["Failed"]["status"] == "failed"
    assert states["Done"]["status"] == "not run"
    assert "compensations run: Refund" in page
    assert "r-compensation" in _node_classes(page, "Refund")


def test_the_deployed_history_shape_reads_the_same_as_the_local_one() -> None:
    definition = load_target("orderflow.orders.workflow:order_workflow")
    execution = run_locally(definition, SUSPENDED, app=app)
    # What `orderflow history --json` prints: "details", ISO timestamps.
    as_printed = [
        {
            "id": event["id"],
            "previousEventId": event["previousEventId"],
            "timestamp": event["timestamp"].isoformat(),
            "type": event["type"],
            "details": next((v for k, v in event.items() if k.endswith("EventDetails")), {}),
        }
        for event in execution.history
    ]
    json.dumps(as_printed)  # it is JSON-ready
    local, printed = read_history(execution.history), read_history(as_printed)
    assert [(v.name, v.status(local.status)) for v in local.visits] == [
        (v.name, v.status(printed.status)) for v in printed.visits
    ]
    assert local.transitions == printed.transitions
    assert printed.status == "FAILED" and printed.error == "UserInactive"
    # Without previousEventId (an older export), a sequential run reads the same.
    for event in as_printed:
        del event["previousEventId"]
    assert read_history(as_printed).transitions == local.transitions


def test_a_big_map_embeds_a_bounded_number_of_runs() -> None:
    machine = {
        "StartAt": "Each",
        "States": {
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "MaxConcurrency": 5,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "Double",
                    "States": {
                        "Double": {
                            "Type": "Pass",
                            "Parameters": {"value.$": "States.MathAdd($, $)"},
                            "End": True,
                        }
                    },
                },
                "End": True,
            }
        },
    }
    execution = run_asl(machine, {"items": list(range(300))})
    assert execution.status == "SUCCEEDED"
    double = _states(execution_report(machine, execution.history))["Double"]
    assert double["runs"] == 300
    assert len(double["visits"]) == 25 and double["more"] == 275
    assert [json.loads(v["input"]) for v in double["visits"]] == list(range(25))


def test_run_report_writes_the_page_and_keeps_the_exit_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run.html"
    code = main(["run", "--input", json.dumps(SUSPENDED), "--report", str(out)])
    captured = capsys.readouterr()
    assert code == 1
    assert f"wrote {out}" in captured.err
    assert _states(out.read_text())["GetUser"]["status"] == "caught"
    missing = tmp_path / "no" / "run.html"
    assert main(["run", "--report", str(missing)]) == 2
    assert "cannot write" in capsys.readouterr().err
    assert not missing.exists()


def test_write_report_returns_the_path(tmp_path: Path) -> None:
    machine = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
    execution = run_asl(machine, {"x": 1})
    path = write_report(tmp_path / "a.html", machine, execution.history, title="Mine")
    assert path.read_text().count("<title>Mine</title>") == 1
    assert [p.name for p in tmp_path.iterdir()] == ["a.html"]


def test_a_failing_branch_fails_its_parallel_and_a_path_error_fails_its_pass() -> None:
    machine = {
        "StartAt": "Both",
        "States": {
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    {"StartAt": "Fine", "States": {"Fine": {"Type": "Pass", "End": True}}},
                    {
                        "StartAt": "Boom",
                        "States": {"Boom": {"Type": "Pass", "InputPath": "$.missing", "End": True}},
                    },
                ],
                "Next": "Never",
            },
            "Never": {"Type": "Succeed"},
        },
    }
    execution = run_asl(machine, {})
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
    states = _states(execution_report(machine, execution.history))
    assert states["Boom"]["status"] == "failed"
    assert states["Boom"]["errors"][0]["error"] == "States.Runtime"
    assert "$.missing" in states["Boom"]["errors"][0]["cause"]
    assert states["Both"]["status"] == "failed"
    assert states["Fine"]["status"] == "succeeded"
    assert states["Never"]["status"] == "not run"


def _regrouped(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The same history in another order that keeps every event after its previous one:
    depth first along previousEventId, so each Parallel branch runs to its end before the
    next starts (the executor records branches interleaved in simulated time), renumbered
    with previousEventId kept consistent."""
    children: dict[int, list[dict[str, Any]]] = {}
    for event in events:
        children.setdefault(event["previousEventId"], []).append(event)
    ordered: list[dict[str, Any]] = []
    stack = list(reversed(children.get(0, [])))
    while stack:
        event = stack.pop()
        ordered.append(event)
        stack.extend(reversed(children.get(event["id"], [])))
    assert len(ordered) == len(events)
    new_id = {e["id"]: i + 1 for i, e in enumerate(ordered)}
    new_id[0] = 0
    return [
        {**e, "id": new_id[e["id"]], "previousEventId": new_id[e["previousEventId"]]}
        for e in ordered
    ]


def test_interleaved_branches_are_told_apart_by_previous_event_ids() -> None:
    definition = load_target("orderflow.orders.workflow:order_workflow")
    execution = run_locally(
        definition, SAMPLE_ORDER, app=app, seed=3, failure_rates={"authorize-payment": 0.7}
    )
    events = execution.history
    mixed = _regrouped(events)
    assert [e["type"] for e in mixed] != [e["type"] for e in events]  # really re-ordered
    straight, shuffled = read_history(events), read_history(mixed)

    def summary(run: Any) -> list[tuple[str, str, int, int, str | None]]:
        return sorted(
            (v.name, v.status(run.status), v.retries, len(v.errors), v.output) for v in run.visits
        )

    assert summary(shuffled) == summary(straight)
    assert sorted((t.source, t.target) for t in shuffled.transitions) == sorted(
        (t.source, t.target) for t in straight.transitions
    )


def test_a_report_without_dot_fails_clearly_after_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    code = main(["run", "--report", str(tmp_path / "run.html")])
    err = capsys.readouterr().err
    assert code == 2
    assert "Graphviz's 'dot'" in err and "Traceback" not in err
    assert not (tmp_path / "run.html").exists()
