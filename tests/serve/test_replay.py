"""Deterministic replay in-process: a restarted runner resumes from the journal and calls
no service twice for an effect it already recorded."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from orderflow.serve._app import LOCAL_FAKES, Binding
from orderflow.serve._journal import TimeBase
from orderflow.serve._runner import Runner
from orderflow.serve._store import ExecutionRow, Store

MACHINE = {
    "StartAt": "Charge",
    "States": {
        "Charge": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:charge",
            "Next": "Approve",
        },
        "Approve": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}},
            "ResultPath": "$.approval",
            "Next": "Pause",
        },
        "Pause": {"Type": "Wait", "Seconds": 3600, "Next": "Done"},
        "Done": {"Type": "Pass", "End": True},
    },
}
ARN = "arn:aws:states:us-east-1:123456789012:execution:m:one"


def _runner(db: Path, calls: list[Any]) -> Runner:
    def charge(name: str, payload: Any) -> Any:
        calls.append(payload)
        return {"charged": payload["amount"]}

    store = Store(db)
    binding = Binding(lambda _arn: charge, dict(LOCAL_FAKES), "test")
    return Runner(store, binding, TimeBase(store.origin(), 0.0001), account="1", region="r")


def _until(check: Any) -> Any:
    end = time.monotonic() + 60
    while not (value := check()):
        assert time.monotonic() < end, "timed out"
        time.sleep(0.01)
    return value


def test_a_restarted_runner_replays_the_journal(tmp_path: Path) -> None:
    db = tmp_path / "flows.db"
    calls: list[Any] = []
    first = _runner(db, calls)
    first.store.add_execution(
        ExecutionRow(
            ARN, 0, "arn:m", "m", "one", "STANDARD", json.dumps(MACHINE), '{"amount": 5}',
            7, "RUNNING", first.base.now(), None, None, None, None, None, 0,
        )
    )  # fmt: skip
    first.segment(ARN)  # runs the Lambda, then parks on the token
    token = _until(lambda: first.store._one("SELECT token FROM tokens"))[0]
    events_before = first.store.events(ARN)
    first.stop()
    first.store.close()

    second = _runner(db, calls)  # as after a crash: a fresh process on the same database
    second.segment(ARN)  # replays to the token again; the answer is not there yet
    assert second.store.events(ARN) == events_before  # replay rebuilt the same history
    assert second.store.answer_token(token, {"output": {"ok": True}}, second.base.now(), "answered")
    second.start()  # resumes every running execution: to the Wait, then on when it is due
    row = _until(lambda: (r := second.store.execution(ARN)) and r.status != "RUNNING" and r)
    second.stop()
    assert row.status == "SUCCEEDED"
    assert json.loads(row.output) == {"charged": 5, "approval": {"ok": True}}
    assert calls == [{"amount": 5}]  # the Lambda ran once, replays used the journal
    types = [e["type"] for e in second.store.events(ARN)]
    assert types.count("ExecutionSucceeded") == 1 and types.count("WaitStateExited") == 1
    stamps = {e["type"]: e["timestamp"] for e in second.store.events(ARN)}
    assert stamps["WaitStateExited"] - stamps["WaitStateEntered"] == 3600
