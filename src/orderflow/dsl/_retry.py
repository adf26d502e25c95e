"""Retry and Catch specifications for Task, Parallel and Map states.

Error names are either strings (``"States.ALL"``, ``"Lambda.ServiceException"``) or the
service error classes themselves (``PaymentDeclined``): a class's name is the error name
Step Functions sees, so passing the class keeps a rename from silently breaking a Catch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from orderflow._errors import WorkflowBuildError

if TYPE_CHECKING:
    from orderflow.dsl._flow import Flow

ErrorName = str | type[BaseException]
"""An ASL error name, or an exception class whose ``__name__`` is that name."""

STATES_ALL = "States.ALL"
STATES_TASK_FAILED = "States.TaskFailed"
STATES_TIMEOUT = "States.Timeout"
STATES_HEARTBEAT_TIMEOUT = "States.HeartbeatTimeout"

LAMBDA_TRANSIENT_ERRORS: tuple[str, ...] = (
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
)
"""Errors of the Lambda service itself (not of the function) that AWS recommends retrying."""


class CaughtError(BaseModel):
    """What a Catcher writes at its result path: the error name and its cause."""

    model_config = ConfigDict(frozen=True)

    Error: str = Field(description="The error name, e.g. PaymentDeclined.")
    Cause: str = Field(description="The error's cause; for a Lambda error, its JSON text.")


CatchHandler = Callable[["Flow[Any]", CaughtError], None]
"""Builds the states that run after a catch: ``handler(flow, error) -> None``."""


@dataclass(frozen=True)
class Retry:
    """A Retrier: which errors to retry and how.

    Attributes:
        errors: error names or classes (``States.ALL`` must stand alone).
        interval_seconds: wait before the first retry (ASL default 1).
        max_attempts: retries after the first attempt (0 = never retry; ASL default 3).
        backoff_rate: multiplier applied to the interval after each retry (>= 1.0).
        max_delay_seconds: cap on the backoff interval.
        jitter: ``"FULL"`` randomises each interval, ``"NONE"`` does not.
    """

    errors: Sequence[ErrorName]
    interval_seconds: int | None = None
    max_attempts: int | None = None
    backoff_rate: float | None = None
    max_delay_seconds: int | None = None
    jitter: Literal["FULL", "NONE"] | None = None

    def error_names(self, state: str) -> list[str]:
        return error_names(self.errors, state=state, what="Retry")

    def to_asl(self, state: str) -> dict[str, Any]:
        """The Retrier object, checking the ranges AWS enforces."""
        checks = (
            (self.interval_seconds, 1, "IntervalSeconds"),
            (self.max_attempts, 0, "MaxAttempts"),
            (self.max_delay_seconds, 1, "MaxDelaySeconds"),
        )
        for value, minimum, name in checks:
            if value is not None and value < minimum:
                raise WorkflowBuildError(
                    f"{name} must be >= {minimum}, got {value}", state=state, field="Retry"
                )
        if self.backoff_rate is not None and self.backoff_rate < 1.0:
            raise WorkflowBuildError(
                f"BackoffRate must be >= 1.0, got {self.backoff_rate}", state=state, field="Retry"
            )
        retrier: dict[str, Any] = {"ErrorEquals": self.error_names(state)}
        optional = (
            ("IntervalSeconds", self.interval_seconds),
            ("MaxAttempts", self.max_attempts),
            ("BackoffRate", self.backoff_rate),
            ("MaxDelaySeconds", self.max_delay_seconds),
            ("JitterStrategy", self.jitter),
        )
        retrier.update({key: value for key, value in optional if value is not None})
        return retrier


@dataclass(frozen=True)
class Catch:
    """A Catcher: on these errors, go to ``then`` with the error at ``$.<result_key>``.

    Attributes:
        errors: error names or classes (``States.ALL`` must stand alone).
        then: a handler function building the states that run next (called once per scope
            even when several catchers share it, so they share its states), or the name of
            a state in the same scope.
        result_key: where the :class:`CaughtError` goes; the rest of the input is kept, so
            references taken before the failing state stay valid in the handler.
    """

    errors: Sequence[ErrorName]
    then: CatchHandler | str
    result_key: str = "error"

    def error_names(self, state: str) -> list[str]:
        return error_names(self.errors, state=state, what="Catch")


def error_name(error: ErrorName) -> str:
    """The ASL name of one error (a class contributes its ``__name__``)."""
    return error if isinstance(error, str) else error.__name__


def error_names(errors: Sequence[ErrorName], *, state: str, what: str) -> list[str]:
    if isinstance(errors, (str, type)):
        errors = [errors]
    names = [error_name(error) for error in errors]
    if not names:
        raise WorkflowBuildError(f"a {what} needs at least one error name", state=state, field=what)
    if STATES_ALL in names and len(names) > 1:
        raise WorkflowBuildError(
            f"{STATES_ALL} must stand alone in its {what} (got {', '.join(names)})",
            state=state,
            field=what,
        )
    return names


def check_order(names: list[list[str]], *, state: str, what: str) -> None:
    """``States.ALL`` may appear only in the last retrier/catcher."""
    for i, group in enumerate(names[:-1]):
        if STATES_ALL in group:
            raise WorkflowBuildError(
                f"the {what} with {STATES_ALL} is number {i + 1} of {len(names)}; it must be last",
                state=state,
                field=what,
            )


__all__ = [
    "LAMBDA_TRANSIENT_ERRORS",
    "STATES_ALL",
    "STATES_HEARTBEAT_TIMEOUT",
    "STATES_TASK_FAILED",
    "STATES_TIMEOUT",
    "CatchHandler",
    "Catch",
    "CaughtError",
    "ErrorName",
    "Retry",
    "check_order",
    "error_name",
    "error_names",
]
