"""Circuit breaker: stop calling a failing service for a while, then probe it once.

A :class:`CircuitBreaker` keeps its state in one DynamoDB item (``table``, key
``{key_attribute: name}``), read and written by the optimized integrations
(``dynamodb:getItem``/``dynamodb:updateItem``), so every execution of every workflow using
the same breaker shares it. :meth:`CircuitBreaker.guard` wraps one call:

1. ``{label}: Read`` reads the item and classifies it, on the state's own entry time
   (``$states.context.State.EnteredTime``, which AWS and the local executor's virtual clock
   both provide): ``closed`` (no item, or ``opened_at`` 0), ``open`` (opened less than
   ``cooldown_seconds`` ago) or ``half_open`` (the cooldown is over). The verdict goes to a
   variable (``Assign``) and the state data passes through unchanged, so the data-flow
   check still sees what reaches the guarded call.
2. ``{label}: Open?`` routes ``open`` to the fallback: the service is not called at all.
3. The call runs with a Catch on ``trips_on``. A failure is recorded (``{label}: Record
   failure``): failures inside ``window_seconds`` of the window's first failure are counted,
   an older window starts again at 1; the ``failure_threshold``-th failure of a window, or
   a failed probe while half-open, opens the breaker. Then the fallback runs.
4. A success while half-open (the probe) closes the breaker (``{label}: Close``).

Errors not in ``trips_on`` (a business error such as a declined payment) pass through the
breaker untouched: they say nothing about the service's health. The fallback must end the
execution or branch (``fail``/``succeed``), since the guarded call's result does not exist
on that path. The read, the decision and the write are separate requests, so executions
running at the same moment may count a failure twice or once; a breaker is a heuristic and
that is the usual trade (no locking on the happy path).

The states are JSONata where they compute times (``QueryLanguage`` per state, so they fit
a JSONPath workflow) and leave the state data as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from pydantic import BaseModel

from orderflow._errors import WorkflowBuildError
from orderflow.dsl._conditions import ChoiceDefault, eq
from orderflow.dsl._flow import Flow
from orderflow.dsl._refs import Ref
from orderflow.dsl._retry import Catch, ErrorName, error_names
from orderflow.dsl._scope import RawStep

R = TypeVar("R")

_GET = "arn:aws:states:::dynamodb:getItem"
_UPDATE = "arn:aws:states:::dynamodb:updateItem"
_NOW = "$toMillis($states.context.State.EnteredTime)"
_TIMEOUT_SECONDS = 10
"""A DynamoDB read or write of the breaker's item answers in milliseconds; one that takes
this long fails (``States.Timeout``) rather than holding the execution."""


class BreakerState(BaseModel):
    """The breaker as ``{label}: Read`` found it (times in epoch milliseconds)."""

    state: Literal["closed", "open", "half_open"]
    failures: int
    window_start: int
    opened_at: int
    now: int


@dataclass(frozen=True)
class CircuitBreaker:
    """A circuit breaker shared by every execution that guards a call with it.

    Attributes:
        name: the breaker's item key (one item per guarded service).
        table: the DynamoDB table holding breaker items (deploy creates it from the
            workflow, keyed by ``key_attribute``); ``{prefix}`` in it becomes the render
            prefix (``"{prefix}-breakers"``), so each deployed stack has its own.
        failure_threshold: failures within one window that open the breaker.
        window_seconds: the length of a counting window, from its first failure.
        cooldown_seconds: how long the breaker stays open before one probe may pass.
        trips_on: the errors that count as the service failing (after its retries).
        key_attribute: the table's partition key attribute.
    """

    name: str
    table: str
    trips_on: Sequence[ErrorName]
    failure_threshold: int = 3
    window_seconds: int = 60
    cooldown_seconds: int = 300
    key_attribute: str = "breaker"

    def __post_init__(self) -> None:
        for field_name in ("failure_threshold", "window_seconds", "cooldown_seconds"):
            value = getattr(self, field_name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise WorkflowBuildError(
                    f"CircuitBreaker {self.name!r}: {field_name} must be a positive int, "
                    f"got {value!r}"
                )
        for field_name in ("name", "table", "key_attribute"):
            value = getattr(self, field_name)
            if not isinstance(value, str) or not value:
                raise WorkflowBuildError(
                    f"CircuitBreaker: {field_name} must be a non-empty string, got {value!r}"
                )

    @property
    def _key(self) -> dict[str, Any]:
        return {self.key_attribute: {"S": self.name}}

    def guard(
        self,
        flow: Flow[Any],
        label: str,
        call: Callable[[Flow[Any], list[Catch]], R],
        *,
        fallback: Callable[[Flow[Any]], None],
    ) -> R:
        """Run ``call`` behind the breaker; ``fallback`` when it is open or the call fails.

        Args:
            flow: the flow to add the states to.
            label: names the breaker's states (``{label}: Read``...) and its result key.
            call: builds the guarded call; it must pass the given catchers to its task
                (``flow.task(..., catch=[*catch, ...])``) and return the task's result.
            fallback: builds what runs instead of the service; it must end the execution
                or branch (``fail``/``succeed``). It is built twice, once for each way in
                (``{label} open: ...``, ``{label} failed: ...``).

        Returns:
            ``call``'s result: readable after the guard, since every other path ended.

        Raises:
            WorkflowBuildError: the fallback does not end, ``call`` ignored the catchers, or
                the usual wiring errors.
        """
        scope = flow._scope
        read = flow._name(f"{label}: Read")
        scope.builder.claim_name(read)
        key = scope.claim_key(_snake(label), read)
        scope.add(RawStep(read, self._read_state(key), False, self.table))
        # A variable, not a key of the state data: the data passes the breaker unchanged,
        # so the data-flow check follows it to the guarded call.
        breaker = Ref(scope, f"${key}", BreakerState, read)

        def when_open(branch: Flow[Any]) -> None:
            self._fallback(branch.scoped(f"{label} open"), fallback, label)

        flow.choice(
            f"{label}: Open?",
            [(eq(breaker.state, "open"), when_open)],
            otherwise=ChoiceDefault.CONTINUE,
        )

        error_key = f"{key}_error"
        recorded: list[str] = []

        def failed(handler: Flow[Any], _error: Any) -> None:
            record = handler._name(f"{label}: Record failure")
            handler._scope.builder.claim_name(record)
            handler._scope.add(RawStep(record, self._failure_state(key), False, self.table))
            recorded.append(record)
            self._fallback(handler.scoped(f"{label} failed"), fallback, label)

        catch = Catch(
            error_names(self.trips_on, state=read, what="Catch"),
            then=failed,
            result_key=error_key,
        )
        result = call(flow, [catch])
        if not recorded:
            raise WorkflowBuildError(
                f"the call guarded by breaker {self.name!r} did not use the catchers it was "
                "given: pass them to its task (catch=[*catch, ...]) so failures are counted",
                state=read,
            )

        def close(branch: Flow[Any]) -> None:
            name = branch._name(f"{label}: Close")
            branch._scope.builder.claim_name(name)
            branch._scope.add(RawStep(name, self._close_state(), False, self.table))

        flow.choice(
            f"{label}: Probe?",
            [(eq(breaker.state, "half_open"), close)],
            otherwise=ChoiceDefault.CONTINUE,
        )
        return result

    # --- the states ---------------------------------------------------------------------

    def _fallback(self, flow: Flow[Any], fallback: Callable[[Flow[Any]], None], label: str) -> None:
        fallback(flow)
        if not flow._scope.terminal:
            raise WorkflowBuildError(
                f"the fallback of breaker {self.name!r} must end the execution or branch "
                "(flow.fail or flow.succeed): the guarded call's result does not exist there",
                state=f"{label}: Open?",
            )

    def _read_state(self, key: str) -> dict[str, Any]:
        cooldown = self.cooldown_seconds * 1000
        found = (
            "( $item := $states.result.Item; $now := " + _NOW + "; "
            "$failures := $exists($item) ? $number($item.failures.N) : 0; "
            "$window := $exists($item) ? $number($item.window_start.N) : 0; "
            "$opened := $exists($item) ? $number($item.opened_at.N) : 0; "
            '{"state": $opened = 0 ? "closed" : '
            f'($now < $opened + {cooldown} ? "open" : "half_open"), '
            '"failures": $failures, "window_start": $window, "opened_at": $opened, '
            '"now": $now} )'
        )
        return {
            "Type": "Task",
            "QueryLanguage": "JSONata",
            "Comment": f"Circuit breaker {self.name}: read its state.",
            "Resource": _GET,
            "TimeoutSeconds": _TIMEOUT_SECONDS,
            "Arguments": {"TableName": self.table, "Key": self._key, "ConsistentRead": True},
            "Assign": {key: "{% " + found + " %}"},
            "Output": "{% $states.input %}",
        }

    def _failure_state(self, key: str) -> dict[str, Any]:
        seen = f"${key}"
        window = self.window_seconds * 1000
        in_window = f"({seen}.failures > 0 and {_NOW} - {seen}.window_start <= {window})"
        failures = f"({in_window} ? {seen}.failures + 1 : 1)"
        opens = f'({seen}.state = "half_open" or {failures} >= {self.failure_threshold})'
        return {
            "Type": "Task",
            "QueryLanguage": "JSONata",
            "Comment": f"Circuit breaker {self.name}: count a failure; open at the threshold.",
            "Resource": _UPDATE,
            "TimeoutSeconds": _TIMEOUT_SECONDS,
            "Arguments": {
                "TableName": self.table,
                "Key": self._key,
                "UpdateExpression": "SET failures = :f, window_start = :w, opened_at = :o",
                "ExpressionAttributeValues": {
                    ":f": {"N": "{% $string(" + failures + ") %}"},
                    ":w": {
                        "N": "{% $string(" + in_window + f" ? {seen}.window_start : {_NOW}) %}}"
                    },
                    ":o": {"N": "{% $string(" + opens + f" ? {_NOW} : 0) %}}"},
                },
            },
            "Output": "{% $states.input %}",
        }

    def _close_state(self) -> dict[str, Any]:
        return {
            "Type": "Task",
            "QueryLanguage": "JSONata",
            "Comment": f"Circuit breaker {self.name}: the probe succeeded; close it.",
            "Resource": _UPDATE,
            "TimeoutSeconds": _TIMEOUT_SECONDS,
            "Arguments": {
                "TableName": self.table,
                "Key": self._key,
                "UpdateExpression": "SET failures = :zero, window_start = :zero, opened_at = :zero",
                "ExpressionAttributeValues": {":zero": {"N": "0"}},
            },
            "Output": "{% $states.input %}",
        }


def _snake(label: str) -> str:
    words = "".join(c if c.isalnum() else " " for c in label).split()
    text = "_".join(words)
    snake = "".join(
        f"_{c.lower()}"
        if c.isupper() and i and text[i - 1].isalnum() and not text[i - 1].isupper()
        else c.lower()
        for i, c in enumerate(text)
    )
    return f"breaker_{snake}"


__all__ = ["BreakerState", "CircuitBreaker"]
