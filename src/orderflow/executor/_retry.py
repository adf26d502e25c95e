"""Retry and Catch, compiled once per state.

Retriers run before catchers. Each retrier counts its own attempts for the whole time the
state runs (a retrier matched again after another retrier handled an error keeps its
count). ``States.ALL`` matches everything except the terminal ``States.Runtime`` and
``States.DataLimitExceeded``; ``States.TaskFailed`` matches everything except
``States.Timeout``.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any

from orderflow.asl import JSON
from orderflow.executor._expr import Jsonata, Payload
from orderflow.executor._failure import ALL, TASK_FAILED, TIMEOUT, UNCATCHABLE, StateFailure


def error_matches(names: Sequence[str], error: str | None) -> bool:
    """Whether an ``ErrorEquals`` list covers ``error``."""
    if error in UNCATCHABLE:
        return False
    for name in names:
        if name in (error, ALL):
            return True
        if name == TASK_FAILED and error != TIMEOUT:
            return True
    return False


class Retrier:
    """One ``Retry`` entry."""

    __slots__ = ("backoff", "errors", "interval", "jitter", "max_attempts", "max_delay")

    def __init__(self, data: Mapping[str, JSON]) -> None:
        self.errors: tuple[str, ...] = tuple(data.get("ErrorEquals") or ())
        self.interval = float(data.get("IntervalSeconds", 1))
        self.max_attempts = int(data.get("MaxAttempts", 3))
        self.backoff = float(data.get("BackoffRate", 2.0))
        max_delay = data.get("MaxDelaySeconds")
        self.max_delay = float(max_delay) if max_delay is not None else None
        self.jitter = data.get("JitterStrategy", "NONE") == "FULL"

    def delay(self, attempt: int, rng: random.Random) -> float:
        """Seconds to wait before retry number ``attempt`` (0-based)."""
        delay = self.interval * (self.backoff**attempt)
        if self.max_delay is not None:
            delay = min(delay, self.max_delay)
        if self.jitter:
            delay = rng.uniform(0, delay)
        return delay


class Catcher:
    """One ``Catch`` entry: where to go and what to pass on."""

    __slots__ = ("assign_jsonata", "assign_path", "errors", "next", "output", "result_path")

    def __init__(self, data: Mapping[str, JSON], jsonata: bool) -> None:
        self.errors: tuple[str, ...] = tuple(data.get("ErrorEquals") or ())
        self.next = str(data.get("Next"))
        rp = data.get("ResultPath", "$")
        self.result_path: str | None = None if rp is None else str(rp)
        self.output: Jsonata | None = None
        self.assign_jsonata: Jsonata | None = None
        self.assign_path: Payload | None = None
        if jsonata:
            if "Output" in data:
                self.output = Jsonata(data["Output"], "Output")
            if "Assign" in data:
                self.assign_jsonata = Jsonata(data["Assign"], "Assign")
        elif "Assign" in data:
            self.assign_path = Payload(data["Assign"], "Assign")


class ErrorHandling:
    """A state's retriers and catchers."""

    __slots__ = ("catchers", "retriers")

    def __init__(self, data: Mapping[str, JSON], jsonata: bool) -> None:
        self.retriers = [Retrier(r) for r in data.get("Retry") or ()]
        self.catchers = [Catcher(c, jsonata) for c in data.get("Catch") or ()]

    def __bool__(self) -> bool:
        return bool(self.retriers or self.catchers)

    def retry_delay(
        self, failure: StateFailure, counts: list[int], rng: random.Random
    ) -> float | None:
        """The wait before retrying ``failure``, or ``None`` when no retrier retries it.

        ``counts`` holds each retrier's attempts so far and is updated.
        """
        for i, retrier in enumerate(self.retriers):
            if error_matches(retrier.errors, failure.error):
                if counts[i] >= retrier.max_attempts:
                    return None
                delay = retrier.delay(counts[i], rng)
                counts[i] += 1
                return delay
        return None

    def catcher_for(self, failure: StateFailure) -> Catcher | None:
        for catcher in self.catchers:
            if error_matches(catcher.errors, failure.error):
                return catcher
        return None


def error_output(failure: StateFailure) -> dict[str, Any]:
    """The ``{Error, Cause}`` object a catcher passes on.

    AWS always passes both keys; a failure recorded without a cause (a timeout) shows
    ``"Cause": ""``.
    """
    return {"Error": failure.error or "", "Cause": failure.cause or ""}


__all__ = ["Catcher", "ErrorHandling", "Retrier", "error_matches", "error_output"]
