"""Many concurrent executions with waits and callbacks, driven over HTTP.

Used by the load and ``kill -9`` tests and by ``benchmarks/bench_serve.py``. Each
execution waits (a different time each), then waits for a task token, which the driver
answers through ``SendTaskSuccess`` after reading it from the history, then waits again
and ends with an output that names both its input and the answer it got.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ._server import tokens_of

LOAD_MACHINE = {
    "StartAt": "Wait",
    "States": {
        "Wait": {"Type": "Wait", "SecondsPath": "$.wait", "Next": "Approve"},
        "Approve": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl": "approvals", "MessageBody": {"token.$": "$$.Task.Token"}},
            "ResultPath": "$.approval",
            "Next": "Settle",
        },
        "Settle": {"Type": "Wait", "Seconds": 3, "Next": "Done"},
        "Done": {
            "Type": "Pass",
            "Parameters": {"i.$": "$.i", "by.$": "$.approval.by"},
            "End": True,
        },
    },
}


def load_input(i: int, longest_wait: int) -> dict[str, Any]:
    return {"i": i, "wait": 1 + (i * 7919) % longest_wait}


class Load:
    """Drives ``count`` executions of :data:`LOAD_MACHINE` on a served endpoint."""

    def __init__(self, client: Any, count: int, *, longest_wait: int, threads: int = 16) -> None:
        self.client = client
        self.count = count
        self.longest_wait = longest_wait
        self.pool = ThreadPoolExecutor(max_workers=threads)
        self.machine = ""
        self.executions: list[str] = []
        self.index: dict[str, int] = {}
        self.answered: dict[str, int] = {}

    def create(self, name: str = "load") -> None:
        self.machine = self.client.create_state_machine(
            name=name, definition=json.dumps(LOAD_MACHINE), roleArn="arn:aws:iam::1:role/r"
        )["stateMachineArn"]

    def start_all(self) -> None:
        def start(i: int) -> str:
            return str(
                self.client.start_execution(
                    stateMachineArn=self.machine,
                    name=f"load-{i}",
                    input=json.dumps(load_input(i, self.longest_wait)),
                )["executionArn"]
            )

        self.executions = list(self.pool.map(start, range(self.count)))
        self.index = {arn: i for i, arn in enumerate(self.executions)}

    def waiting_tokens(self, arns: Iterable[str] | None = None) -> dict[str, str]:
        """Execution ARN -> its token, for those already waiting on one."""
        pending = [a for a in (arns or self.executions) if a not in self.answered]
        found = self.pool.map(lambda arn: (arn, tokens_of(self.client, arn)), pending)
        return {arn: tokens[0] for arn, tokens in found if tokens}

    def answer(self, tokens: dict[str, str], limit: int | None = None) -> int:
        """Answer up to ``limit`` tokens with ``{"by": <execution index>}``."""
        chosen = list(tokens.items())[:limit]

        def send(item: tuple[str, str]) -> None:
            arn, token = item
            index = self.index[arn]
            self.client.send_task_success(taskToken=token, output=json.dumps({"by": index}))
            self.answered[arn] = index

        list(self.pool.map(send, chosen))
        return len(chosen)

    def statuses(self) -> dict[str, str]:
        return dict(
            self.pool.map(
                lambda arn: (arn, self.client.describe_execution(executionArn=arn)["status"]),
                self.executions,
            )
        )

    def drive_to_end(self, deadline: float = 600.0) -> None:
        """Answer every token as it appears until no execution is running."""
        end = time.monotonic() + deadline
        while len(self.answered) < self.count:
            self.answer(self.waiting_tokens())
            assert time.monotonic() < end, f"{self.count - len(self.answered)} never waited"
            time.sleep(0.05)
        while any(s == "RUNNING" for s in self.statuses().values()):
            assert time.monotonic() < end, "executions still running"
            time.sleep(0.05)

    def check_each_ended_once(self) -> list[str]:
        """Problems found: each execution SUCCEEDED once, with its own answer."""

        def check(i: int) -> str | None:
            arn = self.executions[i]
            described = self.client.describe_execution(executionArn=arn)
            if described["status"] != "SUCCEEDED":
                return f"{arn}: {described['status']} {described.get('cause')}"
            if json.loads(described["output"]) != {"i": i, "by": i}:
                return f"{arn}: output {described['output']}"
            events = self.client.get_execution_history(executionArn=arn, maxResults=1000)["events"]
            types = [e["type"] for e in events]
            if [e["id"] for e in events] != list(range(1, len(events) + 1)):
                return f"{arn}: event ids {[e['id'] for e in events]}"
            ends = [t for t in types if t.startswith("Execution") and t != "ExecutionStarted"]
            if ends != ["ExecutionSucceeded"] or types.count("TaskSubmitted") != 1:
                return f"{arn}: events {types}"
            return None

        return [p for p in self.pool.map(check, range(self.count)) if p]

    def close(self) -> None:
        self.pool.shutdown()


__all__ = ["LOAD_MACHINE", "Load", "load_input"]
