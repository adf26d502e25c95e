"""Task token operations: SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat.

An answer is committed to the database first and then wakes the execution, so an answer
the server acknowledged is never lost, even if the server dies before the execution
moves on. A token answers once: a second answer, or one after the task timed out, gets
``TaskTimedOut`` as on AWS.
"""

from __future__ import annotations

import json
import re
from typing import Any

from orderflow.asl import JSON
from orderflow.executor._failure import TIMEOUT
from orderflow.serve._protocol import ApiError, Service, operation, optional_str
from orderflow.serve._store import TokenRow

# The executor's tokens: a UUID, a dash, the execution name.
_TOKEN_FORM = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-.+\Z")


def _token(svc: Service, request: dict[str, Any]) -> TokenRow:
    token = request.get("taskToken")
    if not isinstance(token, str) or not token or len(token) > 2048:
        raise ApiError("InvalidToken", "Invalid Token: 'taskToken' must be a non-empty string")
    row = svc.store.token(token)
    if row is None:
        if not _TOKEN_FORM.match(token):
            raise ApiError("InvalidToken", f"Invalid Token: '{token}'")
        raise ApiError("TaskDoesNotExist", f"Task Does Not Exist: '{token}'")
    if row.status == "waiting" and row.deadline is not None and svc.base.now() > row.deadline:
        # Past TimeoutSeconds and the timer has not fired yet: time it out now.
        svc.store.answer_token(
            token,
            {"failed": True, "error": TIMEOUT, "cause": None},
            row.deadline + 0.001,
            "timed_out",
        )
        svc.runner.submit(row.execution_arn)
        row = svc.store.token(token) or row
    if row.status != "waiting":
        raise ApiError("TaskTimedOut", f"Task Timed Out: '{token}'")
    return row


def _answer(svc: Service, row: TokenRow, answer: dict[str, JSON]) -> dict[str, Any]:
    if not svc.store.answer_token(row.token, answer, svc.base.now(), "answered"):
        raise ApiError("TaskTimedOut", f"Task Timed Out: '{row.token}'")
    svc.runner.submit(row.execution_arn)
    return {}


@operation("SendTaskSuccess")
def send_task_success(svc: Service, request: dict[str, Any]) -> dict[str, Any]:
    text = request.get("output")
    if not isinstance(text, str):
        raise ApiError("InvalidOutput", "Invalid Output: 'output' must be a JSON string")
    try:
        output = json.loads(text)
    except ValueError as exc:
        raise ApiError("InvalidOutput", f"Invalid Output: '{exc}'") from None
    return _answer(svc, _token(svc, request), {"output": output})


@operation("SendTaskFailure")
def send_task_failure(svc: Service, request: dict[str, Any]) -> dict[str, Any]:
    error = optional_str(request, "error")
    cause = optional_str(request, "cause")
    return _answer(svc, _token(svc, request), {"failed": True, "error": error, "cause": cause})


@operation("SendTaskHeartbeat")
def send_task_heartbeat(svc: Service, request: dict[str, Any]) -> dict[str, Any]:
    row = _token(svc, request)
    if not svc.store.heartbeat(row.token, svc.base.now()):
        raise ApiError("TaskTimedOut", f"Task Timed Out: '{row.token}'")
    return {}


__all__: list[str] = []
