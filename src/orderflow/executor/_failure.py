"""Failures inside a running state machine: the ``(error, cause)`` pair AWS reports.

A :class:`StateFailure` is a workflow outcome, not a bug in the caller's code: the executor
routes it through Retry and Catch and, when nothing handles it, it becomes the execution's
``error`` and ``cause``. Problems with the executor's own arguments are
:class:`orderflow.ExecutionError` instead.
"""

from __future__ import annotations

from typing import Final

# Errors that neither States.ALL nor an explicit name can catch or retry (AWS ends the
# execution at once). States.DataLimitExceeded is not among them: recordings show AWS
# catching an oversized task result with both its name and States.ALL.
UNCATCHABLE: Final = frozenset({"States.Runtime"})

# The payload limit AWS applies to state inputs, outputs and results (256 KiB).
PAYLOAD_LIMIT: Final = 256 * 1024

RUNTIME: Final = "States.Runtime"
QUERY_EVALUATION: Final = "States.QueryEvaluationError"
TIMEOUT: Final = "States.Timeout"
HEARTBEAT_TIMEOUT: Final = "States.HeartbeatTimeout"
DATA_LIMIT: Final = "States.DataLimitExceeded"
TASK_FAILED: Final = "States.TaskFailed"
BRANCH_FAILED: Final = "States.BranchFailed"
ALL: Final = "States.ALL"


class StateFailure(Exception):
    """A state failed with ``error`` and ``cause`` (either may be ``None``, as in AWS).

    Attributes:
        error: the error name Retry and Catch match on.
        cause: the human-readable cause text, recorded byte for byte.
        located: whether ``cause`` already names the state and event id
            (``An error occurred while executing the state ...``).
    """

    def __init__(
        self, error: str | None, cause: str | None = None, *, located: bool = False
    ) -> None:
        super().__init__(f"{error}: {cause}" if cause else str(error))
        self.error = error
        self.cause = cause
        self.located = located
        # Set once an EvaluationFailed event has been recorded for this failure.
        self.evaluation_recorded = False
        # Set when the task's own failure event (TaskTimedOut…) is already in the history.
        self.event_recorded = False
        # The field an evaluation failure happened in, for the EvaluationFailed event.
        self.location: str | None = None


def data_limit_cause(owner: str) -> str:
    """AWS's cause for a payload over 256 KiB; ``owner`` is the state, function ARN or
    resource type AWS names."""
    return (
        f"The state/task '{owner}' returned a result with a size exceeding the maximum "
        "number of bytes service limit."
    )


def located_cause(state: str, entered_event_id: int, message: str) -> str:
    """AWS's wording for a runtime error raised while a state runs."""
    return (
        f"An error occurred while executing the state '{state}' "
        f"(entered at the event id #{entered_event_id}). {message}"
    )


def runtime_failure(
    state: str,
    entered_event_id: int,
    message: str,
    error: str = RUNTIME,
    *,
    location: str | None = None,
) -> StateFailure:
    """A located ``States.Runtime`` (or other ``error``) failure for ``state``."""
    failure = StateFailure(error, located_cause(state, entered_event_id, message), located=True)
    failure.location = location
    return failure


__all__ = [
    "ALL",
    "BRANCH_FAILED",
    "DATA_LIMIT",
    "HEARTBEAT_TIMEOUT",
    "PAYLOAD_LIMIT",
    "QUERY_EVALUATION",
    "RUNTIME",
    "TASK_FAILED",
    "TIMEOUT",
    "UNCATCHABLE",
    "StateFailure",
    "data_limit_cause",
    "located_cause",
    "runtime_failure",
]
