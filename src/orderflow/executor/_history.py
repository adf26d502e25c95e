"""The execution history, in the shape of AWS's ``GetExecutionHistory``.

Events are recorded cheaply (references to the already-computed values) and rendered to
AWS's form only when someone reads them: input and output payloads become JSON text, as
AWS returns them, and each event carries ``id``, ``previousEventId``, ``timestamp`` and its
``<type>EventDetails``. The executor never mutates a JSON value after handing it on, so
rendering late shows exactly what the state saw.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from orderflow.asl import JSON
from orderflow.executor._limits import MAX_HISTORY_EVENTS, HistoryLimitReached

# Detail fields whose values AWS returns as JSON text rather than structured data.
_JSON_TEXT_FIELDS = frozenset({"input", "output", "parameters"})
# Event types that share one details key instead of "<lowerCamelType>EventDetails".
_SHARED_DETAILS = {
    "StateEntered": "stateEnteredEventDetails",
    "StateExited": "stateExitedEventDetails",
}


def _details_key(event_type: str) -> str:
    for suffix, key in _SHARED_DETAILS.items():
        if event_type.endswith(suffix) and event_type != suffix:
            return key
    return event_type[0].lower() + event_type[1:] + "EventDetails"


def to_json_text(value: JSON) -> str:
    """Compact JSON text, the form AWS records payloads in."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class Cursor:
    """The last event of one thread of execution (the main flow, a branch, an iteration).

    ``previousEventId`` of the next event in that thread points at it.
    """

    __slots__ = ("last",)

    def __init__(self, last: int = 0) -> None:
        self.last = last


class History:
    """An append-only list of execution events.

    Args:
        enabled: when ``False`` nothing is stored, but ids still advance so that causes
            naming event ids (``entered at the event id #4``) stay exact.
        on_event: called with each event's type and details as it is recorded (stored or
            not), e.g. to show a large Map's progress; it must not change the details.
    """

    __slots__ = ("_events", "enabled", "limit", "next_id", "on_event")

    def __init__(
        self,
        *,
        enabled: bool = True,
        limit: int | None = MAX_HISTORY_EVENTS,
        on_event: Callable[[str, dict[str, Any] | None], None] | None = None,
    ) -> None:
        self._events: list[tuple[int, int, datetime, str, dict[str, Any] | None]] = []
        self.enabled = enabled
        self.next_id = 1
        # The last id ordinary events may take: the closing ExecutionFailed is the
        # limit-th event.
        self.limit = limit - 1 if limit is not None else None
        self.on_event = on_event

    def record(
        self,
        event_type: str,
        cursor: Cursor,
        timestamp: datetime,
        details: dict[str, Any] | None = None,
        *,
        advance: bool = True,
        final: bool = False,
    ) -> int:
        """Append an event after ``cursor``'s last event; returns the new event id.

        Args:
            event_type: AWS's event type (``TaskStateEntered``…).
            cursor: the thread this event belongs to.
            timestamp: when it happened (on the execution's clock).
            details: the event details; ``input``/``output``/``parameters`` hold JSON
                values and are rendered as JSON text on read.
            advance: whether the thread's next event follows this one (AWS hangs some
                closing events, such as ``MapIterationSucceeded``, off to the side).
            final: the execution's closing event, always recorded.

        Raises:
            HistoryLimitReached: the history is full (25,000 events, AWS's quota).
        """
        event_id = self.next_id
        limit = self.limit
        if limit is not None and event_id > limit and not final:
            raise HistoryLimitReached
        self.next_id = event_id + 1
        if self.enabled:
            self._events.append((event_id, cursor.last, timestamp, event_type, details))
        if self.on_event is not None:
            self.on_event(event_type, details)
        if advance:
            cursor.last = event_id
        return event_id

    def __len__(self) -> int:
        return len(self._events)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for event in self._events:
            yield _render(event)

    def events(self) -> list[dict[str, Any]]:
        """Every event in AWS's ``GetExecutionHistory`` form."""
        return list(self)

    def types(self) -> list[str]:
        """The event types in order (handy in tests)."""
        return [event[3] for event in self._events]


def _render(event: tuple[int, int, datetime, str, dict[str, Any] | None]) -> dict[str, Any]:
    event_id, previous, timestamp, event_type, details = event
    rendered: dict[str, Any] = {
        "id": event_id,
        "previousEventId": previous,
        "timestamp": timestamp,
        "type": event_type,
    }
    if details is not None:
        body: dict[str, Any] = {}
        for key, value in details.items():
            if key in _JSON_TEXT_FIELDS:
                body[key] = to_json_text(value)
                if key != "parameters":
                    body[key + "Details"] = {"truncated": False}
            elif key == "assignedVariables":
                body[key] = {name: to_json_text(v) for name, v in value.items()}
                body["assignedVariablesDetails"] = {"truncated": False}
            elif value is not None:
                body[key] = value
        rendered[_details_key(event_type)] = body
    return rendered


__all__ = ["Cursor", "History", "to_json_text"]
