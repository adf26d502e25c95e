"""What an execution did, state by state, read from its AWS-shaped event history.

The input is the event list of ``GetExecutionHistory`` (what the local executor records
and what ``orderflow history`` fetches from AWS), so one reader serves local runs and
deployed executions. Both shapes are accepted: AWS's (``<type>EventDetails``,
``previousEventId``, ``datetime`` timestamps) and ``orderflow history --json``'s
(``details``, ISO text timestamps).

Events are attributed to *visits* (one entry into one state) by following
``previousEventId``, which AWS points at the previous event of the same thread (the main
flow, a Parallel branch, a Map iteration); that keeps interleaved branches and concurrent
Map iterations apart. Where a history has no ``previousEventId``, the previous event id is
assumed, which is exact for a sequential run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

_SCHEDULED = frozenset(
    {
        "TaskScheduled",
        "LambdaFunctionScheduled",
        "ActivityScheduled",
        "ParallelStateStarted",
        "MapStateStarted",
    }
)
_SUCCEEDED = frozenset(
    {
        "TaskSucceeded",
        "LambdaFunctionSucceeded",
        "ActivitySucceeded",
        "ParallelStateSucceeded",
        "MapStateSucceeded",
    }
)
_CONTAINER_PREFIXES = (("ParallelState", "Parallel"), ("MapState", "Map"), ("MapIteration", "Map"))
_EXECUTION_END = {
    "ExecutionSucceeded": "SUCCEEDED",
    "ExecutionFailed": "FAILED",
    "ExecutionTimedOut": "TIMED_OUT",
    "ExecutionAborted": "ABORTED",
}


@dataclass
class Visit:
    """One entry into one state, and what happened until it left.

    ``errors`` holds ``(error, cause)`` of every failure inside the visit (retried ones
    too); ``attempts`` counts task calls (or Parallel/Map starts), so retries are
    ``attempts - 1``.
    """

    name: str
    kind: str
    parent: Visit | None
    entered: datetime | None
    input: str | None
    exited: datetime | None = None
    output: str | None = None
    attempts: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    last_failed: bool = False

    @property
    def open(self) -> bool:
        return self.exited is None

    @property
    def retries(self) -> int:
        return max(0, self.attempts - 1)

    def status(self, execution_status: str) -> str:
        """``succeeded``, ``retried``, ``caught``, ``failed``, ``running`` or ``stopped``."""
        if not self.open:
            if self.last_failed:
                return "caught"
            return "retried" if self.retries else "succeeded"
        if self.errors:
            return "failed"
        return "running" if execution_status == "RUNNING" else "stopped"


@dataclass
class Transition:
    """Control went from ``source`` to ``target`` (state names); ``caught`` when a Catch
    sent it there."""

    source: str
    target: str
    caught: bool


@dataclass
class Run:
    """An execution read back from its history."""

    status: str = "RUNNING"
    error: str | None = None
    cause: str | None = None
    input: str | None = None
    output: str | None = None
    started: datetime | None = None
    stopped: datetime | None = None
    visits: list[Visit] = field(default_factory=list)
    transitions: list[Transition] = field(default_factory=list)
    started_states: list[str] = field(default_factory=list)

    @property
    def duration(self) -> float | None:
        """Seconds from start to stop, on the execution's clock."""
        if self.started is None or self.stopped is None:
            return None
        return (self.stopped - self.started).total_seconds()

    def seconds(self, moment: datetime | None) -> float | None:
        """``moment`` as an offset from the start, in seconds."""
        if moment is None or self.started is None:
            return None
        return (moment - self.started).total_seconds()


def _timestamp(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def _event_id(event: Mapping[str, Any]) -> int:
    value = event.get("id")
    return value if isinstance(value, int) else 0


def _details(event: Mapping[str, Any]) -> dict[str, Any]:
    details = event.get("details")
    if isinstance(details, dict):
        return details
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, dict):
            return value
    return {}


def _container(kind: str) -> str | None:
    for prefix, container in _CONTAINER_PREFIXES:
        if kind.startswith(prefix) and not kind.endswith(("Entered", "Exited")):
            return container
    return None


def read_history(events: Iterable[Mapping[str, Any]]) -> Run:
    """Replay ``events`` into a :class:`Run`: visits, transitions and the outcome."""
    run = Run()
    visit_of: dict[int, Visit | None] = {}
    last_error: tuple[str, str] | None = None
    previous_id = 0
    ordered = sorted(events, key=_event_id)
    for event in ordered:
        event_id = _event_id(event) or previous_id + 1
        prev = event.get("previousEventId")
        here = visit_of.get(prev if isinstance(prev, int) else previous_id)
        previous_id = event_id
        kind = str(event.get("type", ""))
        details = _details(event)
        when = _timestamp(event.get("timestamp"))
        error = details.get("error")
        if error is not None or "cause" in details:
            last_error = (str(error or ""), str(details.get("cause") or ""))
        if kind == "ExecutionStarted":
            run.started, run.input = when, details.get("input")
            visit_of[event_id] = None
        elif kind in _EXECUTION_END:
            run.status, run.stopped = _EXECUTION_END[kind], when
            run.output = details.get("output")
            run.error, run.cause = details.get("error"), details.get("cause")
            # A state that failed the execution without a failure event of its own (a Fail
            # state, a path error in a Pass) gets the execution's error.
            # The Parallel/Map states around it failed with it, whether or not the history
            # records their own failure events.
            failure = (str(run.error or kind), str(run.cause or ""))
            owner = here if kind != "ExecutionSucceeded" else None
            while owner is not None:
                if owner.open and not owner.last_failed:
                    owner.errors.append(failure)
                    owner.last_failed = True
                owner = owner.parent
            visit_of[event_id] = here
        elif kind.endswith("StateEntered"):
            visit_of[event_id] = _enter(run, here, kind, details, when)
        elif kind.endswith("StateExited"):
            visit_of[event_id] = _exit(run, here, details, when)
        elif (container := _container(kind)) is not None:
            owner = here
            while owner is not None and not (owner.open and owner.kind == container):
                owner = owner.parent
            visit_of[event_id] = owner
            if owner is not None:
                _record(owner, kind, error, details, last_error)
        else:
            visit_of[event_id] = here
            if here is not None:
                _record(here, kind, error, details, last_error)
    return run


def _enter(
    run: Run, here: Visit | None, kind: str, details: Mapping[str, Any], when: datetime | None
) -> Visit:
    # The thread's previous event is either inside the container this state runs in (a
    # Parallel/Map that is still open) or the exit of the state before it in the same scope.
    parent = here if here is not None and here.open else (here.parent if here else None)
    name = str(details.get("name", ""))
    visit = Visit(name, kind.removesuffix("StateEntered"), parent, when, details.get("input"))
    run.visits.append(visit)
    if here is not None and not here.open and here.parent is parent:
        run.transitions.append(Transition(here.name, name, here.last_failed))
    elif parent is None and here is None:
        run.started_states.append(name)
    return visit


def _exit(
    run: Run, here: Visit | None, details: Mapping[str, Any], when: datetime | None
) -> Visit | None:
    name = str(details.get("name", ""))
    visit = here
    while visit is not None and not (visit.open and visit.name == name):
        visit = visit.parent
    if visit is None:
        # A history whose ids do not chain: the latest open visit of that name.
        visit = next((v for v in reversed(run.visits) if v.open and v.name == name), None)
    if visit is not None:
        visit.exited, visit.output = when, details.get("output")
    return visit


def _record(
    visit: Visit,
    kind: str,
    error: Any,
    details: Mapping[str, Any],
    last_error: tuple[str, str] | None,
) -> None:
    if kind in _SCHEDULED:
        visit.attempts += 1
    elif kind in _SUCCEEDED:
        visit.last_failed = False
    elif kind.endswith(("Failed", "TimedOut", "Aborted")) and not kind.startswith("MapIteration"):
        if error is not None:
            visit.errors.append((str(error), str(details.get("cause") or "")))
        elif kind.endswith("TimedOut"):
            visit.errors.append(("States.Timeout", ""))
        elif last_error is not None:
            # Parallel/Map failures name no error: it is the failing branch's or item's.
            visit.errors.append(last_error)
        else:
            visit.errors.append((kind, ""))
        visit.last_failed = True


__all__ = ["Run", "Transition", "Visit", "read_history"]
