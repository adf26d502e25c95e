"""Working with the deployed workflow: start, list, inspect executions and send events.

These are the recipe's validation steps as library calls (each CLI command is one of
them): start an execution with a given input, list executions, read one execution's
history, and put an ``Order Submitted`` event on the bus for the rule to pick up.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from orderflow._errors import DeployError
from orderflow.asl import JSON, Definition, parse_definition
from orderflow.deploy._aws import Aws, calling
from orderflow.deploy._names import StackNames, check_prefix

TERMINAL = frozenset({"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"})


def stack_names(aws: Aws, prefix: str, workflow: str) -> StackNames:
    """The names of workflow ``workflow`` of the stack ``prefix`` in ``aws``'s account and
    region."""
    names = StackNames(check_prefix(prefix), aws.account, aws.region, aws.partition)
    return names.for_workflow(workflow)


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else None


def _name_from_arn(arn: str) -> str:
    return arn.rsplit(":", 1)[-1]


Clock = Callable[[], datetime]
"""The current time (UTC); injected so names are reproducible in tests."""

Token = Callable[[], str]
"""A short random token that makes a name unique; injected like the clock."""


def utc_now() -> datetime:
    """The default clock: ``datetime.now(UTC)``."""
    return datetime.now(UTC)


def random_token() -> str:
    """The default token: 8 hex digits of a random UUID."""
    return uuid.uuid4().hex[:8]


def execution_name(now: datetime, token: str) -> str:
    """A readable, unique and sortable execution name: ``run-20261126T050102Z-1a2b3c4d``.

    Execution names must be unique per machine (for 90 days on AWS) and at most 80 of
    ``A-Za-z0-9-_``; the UTC time sorts them, the token separates runs in one second.
    """
    return f"run-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}-{token}"


@dataclass(frozen=True)
class ExecutionSummary:
    """One execution of the deployed machine.

    Attributes:
        arn: the execution ARN.
        name: the execution name.
        status: ``RUNNING``, ``SUCCEEDED``, ``FAILED``, ``TIMED_OUT`` or ``ABORTED``.
        start: when it started (ISO 8601).
        stop: when it stopped (ISO 8601), ``None`` while running.
        output: its output (when described and succeeded).
        error: its error name (when described and failed).
        cause: its error cause.
    """

    arn: str
    name: str
    status: str
    start: str | None
    stop: str | None = None
    output: JSON = None
    error: str | None = None
    cause: str | None = None

    def to_dict(self) -> dict[str, JSON]:
        """A JSON-ready dict."""
        return {
            "arn": self.arn,
            "name": self.name,
            "status": self.status,
            "start": self.start,
            "stop": self.stop,
            "output": self.output,
            "error": self.error,
            "cause": self.cause,
        }


def _target(names: StackNames, alias: str | None) -> str:
    return names.alias_arn(alias) if alias else names.state_machine_arn


def start_execution(
    aws: Aws,
    *,
    prefix: str,
    workflow: str,
    input: JSON,
    name: str | None = None,
    alias: str | None = None,
    clock: Clock = utc_now,
    token: Token = random_token,
) -> str:
    """Start an execution of the deployed machine (or its alias); returns its ARN.

    Args:
        aws: the connection.
        prefix: the stack.
        workflow: the workflow (its machine is ``{prefix}-{workflow}``).
        input: the execution input.
        name: the execution name; by default :func:`execution_name` of ``clock()`` and
            ``token()``, so every run has a readable name (some emulators record none
            when the caller gives none).
        alias: start this alias of the machine instead of the machine.
        clock: the time the default name carries.
        token: the random part of the default name.
    """
    names = stack_names(aws, prefix, workflow)
    kwargs: dict[str, Any] = {
        "stateMachineArn": _target(names, alias),
        "input": json.dumps(input),
        "name": name or execution_name(clock(), token()),
    }
    with calling(f"state machine {names.state_machine}", "states:StartExecution"):
        response = aws.client("stepfunctions").start_execution(**kwargs)
    return str(response["executionArn"])


def start_sync_execution(
    aws: Aws,
    *,
    prefix: str,
    workflow: str,
    input: JSON,
    name: str | None = None,
    alias: str | None = None,
    clock: Clock = utc_now,
    token: Token = random_token,
) -> ExecutionSummary:
    """Run an execution of a deployed EXPRESS machine to its end (``StartSyncExecution``).

    The call returns when the execution stops (at most five minutes, Express's limit), with
    its status and output or error and cause; nothing needs polling.

    Args:
        aws: the connection.
        prefix: the stack.
        workflow: the workflow (its machine is ``{prefix}-{workflow}``).
        input: the execution input.
        name: the execution name (default as :func:`start_execution`).
        alias: run this alias of the machine instead of the machine.
        clock: the time the default name carries.
        token: the random part of the default name.

    Raises:
        DeployError: the call failed; for a STANDARD machine AWS answers
            ``StateMachineTypeNotSupported`` (start it without ``--sync``).
    """
    names = stack_names(aws, prefix, workflow)
    kwargs: dict[str, Any] = {
        "stateMachineArn": _target(names, alias),
        "input": json.dumps(input),
        "name": name or execution_name(clock(), token()),
    }
    with calling(f"state machine {names.state_machine}", "states:StartSyncExecution"):
        data = aws.client("stepfunctions").start_sync_execution(**kwargs)
    output = data.get("output")
    arn = str(data["executionArn"])
    return ExecutionSummary(
        arn=arn,
        name=data.get("name") or _name_from_arn(arn),
        status=data["status"],
        start=_iso(data.get("startDate")),
        stop=_iso(data.get("stopDate")),
        output=json.loads(output) if output else None,
        error=data.get("error"),
        cause=data.get("cause"),
    )


def describe_execution(aws: Aws, execution_arn: str) -> ExecutionSummary:
    """The current status of one execution, with output or error once it has stopped."""
    with calling(f"execution {execution_arn}", "states:DescribeExecution"):
        data = aws.client("stepfunctions").describe_execution(executionArn=execution_arn)
    output = data.get("output")
    return ExecutionSummary(
        arn=data["executionArn"],
        name=data.get("name") or _name_from_arn(execution_arn),
        status=data["status"],
        start=_iso(data.get("startDate")),
        stop=_iso(data.get("stopDate")),
        output=json.loads(output) if output else None,
        error=data.get("error"),
        cause=data.get("cause"),
    )


def wait_for_execution(
    aws: Aws, execution_arn: str, *, timeout: float = 300.0, delay: float = 1.0
) -> ExecutionSummary:
    """Poll until the execution stops (using ``aws.sleep``), showing how long it has run.

    Raises:
        DeployError: it is still running after ``timeout`` seconds.
        DeadlineExceeded: the connection's ``timeout_total`` ran out first.
    """
    waited = 0.0
    with aws.waiting(f"execution {_name_from_arn(execution_arn)} to finish") as wait:
        while True:
            summary = describe_execution(aws, execution_arn)
            if summary.status in TERMINAL:
                return summary
            if waited >= timeout:
                raise DeployError(
                    f"execution {execution_arn} still {summary.status} after {timeout}s"
                )
            wait(delay)
            waited += delay


def list_executions(
    aws: Aws, *, prefix: str, workflow: str, status: str | None = None, limit: int = 50
) -> list[ExecutionSummary]:
    """The most recent executions of the workflow's machine, newest first."""
    names = stack_names(aws, prefix, workflow)
    kwargs: dict[str, Any] = {"stateMachineArn": names.state_machine_arn}
    if status:
        kwargs["statusFilter"] = status
    found: list[ExecutionSummary] = []
    paginator = aws.client("stepfunctions").get_paginator("list_executions")
    with calling(f"state machine {names.state_machine}", "states:ListExecutions"):
        for page in paginator.paginate(**kwargs):
            for item in page.get("executions", []):
                found.append(
                    ExecutionSummary(
                        arn=item["executionArn"],
                        name=item.get("name") or _name_from_arn(item["executionArn"]),
                        status=item["status"],
                        start=_iso(item.get("startDate")),
                        stop=_iso(item.get("stopDate")),
                    )
                )
                if len(found) >= limit:
                    return found
    return found


def execution_arn(aws: Aws, *, prefix: str, workflow: str, execution: str) -> str:
    """``execution`` as an ARN: given as is when it is one, else by name on the workflow's
    machine."""
    if execution.startswith("arn:"):
        return execution
    return stack_names(aws, prefix, workflow).execution_arn(execution)


def history(aws: Aws, execution_arn: str) -> list[dict[str, JSON]]:
    """Every history event of an execution, oldest first, as JSON-ready dicts
    (``id``, ``previousEventId``, ``timestamp``, ``type`` and the event's details)."""
    events: list[dict[str, JSON]] = []
    paginator = aws.client("stepfunctions").get_paginator("get_execution_history")
    with calling(f"execution {execution_arn}", "states:GetExecutionHistory"):
        for page in paginator.paginate(executionArn=execution_arn):
            for event in page.get("events", []):
                details = {
                    key: value for key, value in event.items() if key.endswith("EventDetails")
                }
                events.append(
                    {
                        "id": event.get("id"),
                        "previousEventId": event.get("previousEventId"),
                        "timestamp": _iso(event.get("timestamp")),
                        "type": event.get("type"),
                        "details": next(iter(details.values()), {}) if details else {},
                    }
                )
    return events


def execution_definition(aws: Aws, execution_arn: str) -> Definition:
    """The definition an execution ran (its machine's version at the time it started).

    Raises:
        orderflow.DeployError: the AWS call failed.
        orderflow.DefinitionError: the stored definition is not ASL.
    """
    with calling(f"execution {execution_arn}", "states:DescribeStateMachineForExecution"):
        data = aws.client("stepfunctions").describe_state_machine_for_execution(
            executionArn=execution_arn
        )
    return parse_definition(str(data["definition"]), file=str(data.get("name") or "") or None)


def event_entry(
    detail: Mapping[str, JSON],
    *,
    source: str,
    detail_type: str,
) -> dict[str, Any]:
    """The PutEvents entry for an event on the default bus (a trigger's source and
    detail type start its workflow)."""
    return {"Source": source, "DetailType": detail_type, "Detail": json.dumps(dict(detail))}


def send_event(
    aws: Aws,
    detail: Mapping[str, JSON],
    *,
    source: str,
    detail_type: str,
) -> str:
    """Put one event on the default bus; returns its event id.

    Raises:
        DeployError: EventBridge rejected the event (its error code and message).
    """
    entry = event_entry(detail, source=source, detail_type=detail_type)
    with calling("default event bus", "events:PutEvents"):
        response = aws.client("events").put_events(Entries=[entry])
    entries = response.get("Entries")
    if not isinstance(entries, list) or len(entries) != 1:
        raise DeployError(
            "default event bus: events:PutEvents failed: the endpoint's answer is not an AWS "
            "answer (no entry for the event); is --endpoint-url an AWS API?"
        )
    result = entries[0]
    if response.get("FailedEntryCount") or "EventId" not in result:
        raise DeployError(
            f"default event bus: events:PutEvents rejected the event: "
            f"{result.get('ErrorCode')}: {result.get('ErrorMessage')}"
        )
    return str(result["EventId"])


def iter_lines(summaries: list[ExecutionSummary]) -> Iterator[str]:
    """Plain-text lines for a list of executions."""
    for summary in summaries:
        yield f"{summary.name}\t{summary.status}\t{summary.start or '-'}\t{summary.stop or '-'}"


__all__ = [
    "TERMINAL",
    "Clock",
    "ExecutionSummary",
    "Token",
    "describe_execution",
    "execution_arn",
    "execution_definition",
    "execution_name",
    "history",
    "iter_lines",
    "list_executions",
    "event_entry",
    "random_token",
    "send_event",
    "stack_names",
    "start_execution",
    "start_sync_execution",
    "utc_now",
    "wait_for_execution",
]
