"""A readable, state-by-state trace of an execution, from its history.

Times are offsets from the start on the execution's clock (simulated by default), so a
retry's back-off and a Wait show as the time they would take on AWS::

    +0.000s  > ValidateOrder (Task)
    +0.000s      call invoke orderflow-validate-order
    +0.000s      ok
    ...
    +3.412s      failed PaymentGatewayTimeout: gateway did not answer
    +3.412s      retry

Inside a Parallel or Map the lines follow the history, which is in simulated-time order:
the branches (and iterations) run side by side, as on AWS, so their lines interleave
where one waits and another goes on. A branch or iteration stopped because another one
failed shows as ``aborted``.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from orderflow.asl import LambdaNameError, is_lambda_function_arn, parse_function_name
from orderflow.executor._execution import Execution

_STATE_SUFFIXES = ("StateEntered", "StateExited")


def _short(text: str | None, limit: int = 120) -> str:
    if not text:
        return ""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _function(reference: str) -> str:
    # A trace names the function as a reader knows it: no ARN, but the version or alias
    # that was called. Text that is no function reference is shown as it is.
    try:
        return parse_function_name(reference).qualified_name
    except LambdaNameError:
        return reference


def _target(details: dict[str, Any]) -> str:
    params = details.get("parameters")
    if isinstance(params, str):
        try:
            decoded = json.loads(params)
        except ValueError:
            decoded = None
        if isinstance(decoded, dict) and "FunctionName" in decoded:
            name = _function(str(decoded["FunctionName"]))
            return f"{details.get('resource', '')} {name}"
    resource = str(details.get("resource", ""))
    return _function(resource) if is_lambda_function_arn(resource) else resource


def format_trace(execution: Execution) -> str:
    """The execution's history as indented lines: states, calls, failures, retries."""
    start: datetime = execution.start_date
    lines: list[str] = []
    depth = 0
    # Which state visit (its StateEntered event id) each event belongs to, followed along
    # previousEventId: branches interleave in the history, so the last state entered is
    # not always the one an event is about.
    visit_of: dict[int, int] = {}
    names: dict[int, str] = {}
    # The task-call events seen per state visit, to spot retries.
    calls: dict[int, int] = {}
    last_visit = 0
    for event in execution.history:
        kind: str = event["type"]
        visit = (
            event["id"]
            if kind.endswith("StateEntered")
            else visit_of.get(event["previousEventId"], 0)
        )
        visit_of[event["id"]] = visit
        offset = (event["timestamp"] - start).total_seconds()
        stamp = f"+{offset:.3f}s"
        details: dict[str, Any] = next(
            (v for k, v in event.items() if k.endswith("EventDetails") and isinstance(v, dict)), {}
        )
        pad = "  " * depth
        # A line about another state than the previous line's names it.
        about = f" ({names[visit]})" if visit in names and visit != last_visit else ""
        if kind.endswith("StateEntered"):
            state_type = kind[: -len("StateEntered")]
            names[visit] = str(details.get("name"))
            lines.append(f"{stamp}  {pad}> {details.get('name')} ({state_type})")
        elif kind.endswith("StateExited"):
            lines.append(f"{stamp}  {pad}< {details.get('name')}")
        elif kind in ("TaskScheduled", "LambdaFunctionScheduled", "ActivityScheduled"):
            made = calls.get(visit, 0)
            if made:
                lines.append(f"{stamp}  {pad}    retry #{made}{about}")
                about = ""
            calls[visit] = made + 1
            lines.append(f"{stamp}  {pad}    call {_target(details)}{about}")
        elif kind in ("TaskSucceeded", "LambdaFunctionSucceeded"):
            lines.append(f"{stamp}  {pad}    ok{about}")
        elif kind.endswith("Failed") and "error" in details:
            lines.append(
                f"{stamp}  {pad}    failed {details.get('error')}: "
                f"{_short(details.get('cause'))}{about}"
            )
        elif kind.endswith("TimedOut"):
            lines.append(f"{stamp}  {pad}    timed out{about}")
        elif kind.endswith("StateAborted"):
            lines.append(f"{stamp}  {pad}    aborted{about}")
            if kind in ("ParallelStateAborted", "MapStateAborted"):
                depth = max(0, depth - 1)
        elif kind == "MapIterationAborted":
            lines.append(f"{stamp}  {pad}iteration {details.get('index')} aborted")
        elif kind in ("ParallelStateStarted", "MapStateStarted"):
            depth += 1
        elif kind in (
            "ParallelStateSucceeded",
            "ParallelStateFailed",
            "MapStateSucceeded",
            "MapStateFailed",
        ):
            depth = max(0, depth - 1)
        elif kind == "MapIterationStarted":
            lines.append(f"{stamp}  {pad}iteration {details.get('index')}")
        if visit in names:
            last_visit = visit
    end = execution.duration
    if execution.status == "SUCCEEDED":
        lines.append(f"+{end:.3f}s  SUCCEEDED")
    else:
        summary = f"{execution.status} {execution.error or ''} {_short(execution.cause)}"
        lines.append(f"+{end:.3f}s  {summary.rstrip()}")
    return "\n".join(lines)


__all__ = ["format_trace"]
