"""Execution operations: Start, StartSync, Describe, List, GetExecutionHistory, Stop.

``StartExecution`` stores the execution (input, a fresh seed, the definition as it is
now) and hands it to the runner; everything after that is in the database, so the
execution outlives the server process. ``StartSyncExecution`` runs an Express machine to
its end within the request, as AWS does, and keeps nothing.
"""

from __future__ import annotations

import json
import random
import secrets
import uuid
from typing import Any

from orderflow._errors import OrderflowError
from orderflow.executor._failure import PAYLOAD_LIMIT
from orderflow.serve._machines import machine_or_404
from orderflow.serve._protocol import (
    ApiError,
    Service,
    arn_of,
    check_name,
    operation,
    optional_str,
    page,
    token_number,
)
from orderflow.serve._store import ExecutionRow

_STATUSES = ("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE")


def _input_text(request: dict[str, Any]) -> str:
    text = optional_str(request, "input") or "{}"
    try:
        json.loads(text)
    except ValueError as exc:
        raise ApiError(
            "InvalidExecutionInput", f"Invalid State Machine Execution Input: '{exc}'"
        ) from None
    if len(text.encode()) > PAYLOAD_LIMIT:
        raise ApiError(
            "InvalidExecutionInput", "The execution input exceeds the maximum size of 262144 bytes"
        )
    return text


def _run_id(seed: int) -> str:
    # The executor draws an Express run id first from the execution's seeded generator.
    return str(uuid.UUID(int=random.Random(seed).getrandbits(128), version=4))


def execution_or_404(svc: Service, arn: str) -> ExecutionRow:
    """The execution, or ``ExecutionDoesNotExist``."""
    row = svc.store.execution(arn)
    if row is None:
        raise ApiError("ExecutionDoesNotExist", f"Execution Does Not Exist: '{arn}'")
    return row


@operation("StartExecution")
def start_execution(svc: Service, request: dict[str, Any]) -> dict[str, Any]:
    machine_arn = arn_of(request, "stateMachineArn", "stateMachine")
    # A version or alias ARN (":<qualifier>" after the name) starts the machine itself.
    machine = machine_or_404(svc, ":".join(machine_arn.split(":")[:7]))
    name = check_name(optional_str(request, "name") or str(uuid.uuid4()))
    text = _input_text(request)
    seed = secrets.randbits(63)
    if machine.type == "EXPRESS":
        arn = svc.arn("express", machine.name, name, _run_id(seed))
    else:
        arn = svc.arn("execution", machine.name, name)
    now = svc.base.now()
    row = ExecutionRow(
        arn=arn,
        seq=0,
        machine_arn=machine.arn,
        machine_name=machine.name,
        name=name,
        type=machine.type,
        definition=machine.definition,
        input=text,
        seed=seed,
        status="RUNNING",
        start=now,
        stop=None,
        output=None,
        error=None,
        cause=None,
        wake=None,
        events=0,
    )
    if not svc.store.add_execution(row):
        existing = execution_or_404(svc, arn)
        # AWS returns the running execution again for an identical request.
        if existing.status == "RUNNING" and existing.input == text:
            return {"executionArn": arn, "startDate": existing.start}
        raise ApiError("ExecutionAlreadyExists", f"Execution Already Exists: '{arn}'")
    svc.runner.submit(arn)
    return {"executionArn": arn, "startDate": now}


@operation("StartSyncExecution")
def start_sync_execution(svc: Service, request: dict[str, Any]) -> dict[str, Any]:
    machine = machine_or_404(svc, arn_of(request, "stateMachineArn", "stateMachine"))
    if machine.type != "EXPRESS":
        raise ApiError(
            "StateMachineTypeNotSupported",
            "This operation is not supported by this type of state machine",
        )
    name = check_name(optional_str(request, "name") or str(uuid.uuid4()))
    text = _input_text(request)
    seed = secrets.randbits(63)
    start = svc.base.now()
    response: dict[str, Any] = {
        "executionArn": svc.arn("express", machine.name, name, _run_id(seed)),
        "stateMachineArn": machine.arn,
        "name": name,
        "startDate": start,
        "input": text,
        "inputDetails": {"included": True},
    }
    try:
        execution = svc.runner.run_sync(
            json.loads(machine.definition),
            json.loads(text),
            name=name,
            machine_name=machine.name,
            seed=seed,
        )
    except OrderflowError as exc:
        response.update(
            status="FAILED",
            error="States.Runtime",
            cause=f"{type(exc).__name__}: {exc}",
            stopDate=svc.base.now(),
        )
        return response
    stop = execution.stop_date.timestamp() if execution.stop_date else svc.base.now()
    response.update(status=execution.status, stopDate=stop)
    if execution.status == "SUCCEEDED":
        response["output"] = json.dumps(execution.output, separators=(",", ":"))
        response["outputDetails"] = {"included": True}
    for key, value in (("error", execution.error), ("cause", execution.cause)):
        if value is not None:
            response[key] = value
    response["billingDetails"] = {
        "billedMemoryUsedInMB": 64,
        "billedDurationInMilliseconds": max(100, int((stop - start) * 1000)),
    }
    return response


def _summary(row: ExecutionRow) -> dict[str, Any]:
    item: dict[str, Any] = {
        "executionArn": row.arn,
        "stateMachineArn": row.machine_arn,
        "name": row.name,
        "status": row.status,
        "startDate": row.start,
    }
    if row.stop is not None:
        item["stopDate"] = row.stop
    return item


@operation("DescribeExecution")
def describe_execution(svc: Service, request: dict[str, Any]) -> dict[str, Any]:
    row = execution_or_404(svc, arn_of(request, "executionArn", "execution|express"))
    response = _summary(row)
    response["input"] = row.input
    response["inputDetails"] = {"included": True}
    if row.output is not None:
        response["output"] = row.output
        response["outputDetails"] = {"included": True}
    for key, value in (("error", row.error), ("cause", row.cause)):
        if value is not None:
            response[key] = value
    response["redriveCount"] = 0
    response["redriveStatus"] = "NOT_REDRIVABLE"
    return response


@operation("ListExecutions")
def list_executions(svc: Service, request: dict[str, Any]) -> dict[str, Any]:
    machine = machine_or_404(svc, arn_of(request, "stateMachineArn", "stateMachine"))
    status = optional_str(request, "statusFilter")
    if status is not None and status not in _STATUSES:
        raise ApiError("ValidationException", f"Invalid statusFilter: '{status}'")
    limit, token = page(request)
    rows = svc.store.executions(machine.arn, status, token_number(token), limit + 1)
    response: dict[str, Any] = {"executions": [_summary(r) for r in rows[:limit]]}
    if len(rows) > limit:
        response["nextToken"] = str(rows[limit - 1].seq)
    return response


@operation("GetExecutionHistory")
def get_execution_history(svc: Service, request: dict[str, Any]) -> dict[str, Any]:
    row = execution_or_404(svc, arn_of(request, "executionArn", "execution|express"))
    limit, token = page(request)
    start = token_number(token) or 0
    events = svc.store.events(row.arn)
    if request.get("reverseOrder"):
        events.reverse()
    chunk = events[start : start + limit]
    if request.get("includeExecutionData") is False:
        chunk = [_without_data(e) for e in chunk]
    response: dict[str, Any] = {"events": chunk}
    if start + limit < len(events):
        response["nextToken"] = str(start + limit)
    return response


def _without_data(event: dict[str, Any]) -> dict[str, Any]:
    stripped: dict[str, Any] = {}
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, dict):
            value = {k: v for k, v in value.items() if k not in ("input", "output", "parameters")}
        stripped[key] = value
    return stripped


@operation("StopExecution")
def stop_execution(svc: Service, request: dict[str, Any]) -> dict[str, Any]:
    arn = arn_of(request, "executionArn", "execution|express")
    row = execution_or_404(svc, arn)
    stopped = svc.runner.abort(arn, optional_str(request, "error"), optional_str(request, "cause"))
    if stopped is None:
        # Already ended: AWS answers with the time it stopped.
        row = execution_or_404(svc, arn)
        return {"stopDate": row.stop if row.stop is not None else svc.base.now()}
    return {"stopDate": stopped}


__all__ = ["execution_or_404"]
