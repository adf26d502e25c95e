"""Progress for long commands, on a terminal only.

A :class:`Progress` redraws one line on stderr (``Map Items: 420/1000 (42%)``) while a long
piece of work runs, and prints nothing at all when stderr is not a terminal, so logs, pipes
and CI output stay exactly as they were. Redraws are throttled, so a million small steps
cost a million integer additions, not a million writes.

Used by ``orderflow run`` (a Map over many items) and the executor's conformance run;
deploy and destroy, which already print one line per step, can adopt it for their slower
waits.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO

MAP_THRESHOLD = 200
"""A Map over at least this many items shows progress in ``orderflow run``."""


class Progress:
    """A counter drawn in place on a terminal.

    Args:
        label: what is being counted (``"Map ProcessItems"``).
        total: how many steps there are, when known.
        stream: where to draw (default: ``sys.stderr``).
        enabled: force drawing on or off (default: whether ``stream`` is a TTY).
        interval: the least time between two redraws, in seconds.
        clock: a monotonic clock (a parameter so tests control the throttling).

    Example:
        >>> with Progress("cases", total=len(cases)) as progress:
        ...     for case in cases:
        ...         run(case)
        ...         progress.advance()
    """

    def __init__(
        self,
        label: str,
        total: int | None = None,
        *,
        stream: TextIO | None = None,
        enabled: bool | None = None,
        interval: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label = label
        self.total = total
        self.done = 0
        self._stream = stream if stream is not None else sys.stderr
        self.enabled = _is_tty(self._stream) if enabled is None else enabled
        self._interval = interval
        self._clock = clock
        self._drawn_at: float | None = None
        self._width = 0

    def advance(self, steps: int = 1) -> None:
        """Count ``steps`` more, and redraw if the last redraw is old enough."""
        self.done += steps
        if not self.enabled:
            return
        now = self._clock()
        if self._drawn_at is None or now - self._drawn_at >= self._interval:
            self._draw(now)

    def line(self) -> str:
        """The text drawn for the current count."""
        if self.total:
            percent = min(100, self.done * 100 // self.total)
            return f"{self.label}: {self.done}/{self.total} ({percent}%)"
        return f"{self.label}: {self.done}"

    def _draw(self, now: float) -> None:
        text = self.line()
        # Pad over what a longer previous line left behind.
        self._stream.write("\r" + text.ljust(self._width))
        self._stream.flush()
        self._width = max(self._width, len(text))
        self._drawn_at = now

    def clear(self) -> None:
        """Blank the drawn line so the caller can write a whole line there; the next
        :meth:`advance` draws the count again (nothing when disabled or not drawn)."""
        if self.enabled and self._drawn_at is not None:
            self._stream.write("\r" + " " * self._width + "\r")
            self._stream.flush()
            self._drawn_at = None

    def close(self) -> None:
        """Draw the final count and end the line (nothing when disabled or never drawn)."""
        if self.enabled and self._drawn_at is not None:
            self._draw(self._clock())
            self._stream.write("\n")
            self._stream.flush()
            self._drawn_at = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _is_tty(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if callable(isatty) else False
    except ValueError:  # a closed stream
        return False


EventObserver = Callable[[str, Any], None]
"""Called with each history event's type and details as the executor records it."""


class MapProgress:
    """Turns the executor's events into progress for the outermost large Map.

    Feed it ``(event_type, details)`` pairs (it is an :data:`EventObserver`); a Map whose
    ``MapStateStarted`` announces at least ``threshold`` items gets a :class:`Progress`
    that counts finished iterations until the Map ends.
    """

    def __init__(
        self, *, stream: TextIO | None = None, threshold: int = MAP_THRESHOLD, **options: Any
    ) -> None:
        self._stream = stream
        self._threshold = threshold
        self._options = options
        self._entered: str | None = None
        self._name: str | None = None
        self.current: Progress | None = None

    def __call__(self, event_type: str, details: Any) -> None:
        if event_type == "MapStateEntered" and isinstance(details, dict):
            self._entered = str(details.get("name", ""))
        elif event_type == "MapStateStarted" and self.current is None:
            length = details.get("length") if isinstance(details, dict) else None
            if isinstance(length, int) and length >= self._threshold:
                self._name = self._entered
                self.current = Progress(
                    f"Map {self._name}", length, stream=self._stream, **self._options
                )
        elif self.current is not None and isinstance(details, dict):
            if event_type.startswith("MapIteration") and event_type != "MapIterationStarted":
                if details.get("name") == self._name:
                    self.current.advance()
            elif event_type == "MapStateExited" and details.get("name") == self._name:
                self.close()

    def close(self) -> None:
        """End the current progress line, if any."""
        if self.current is not None:
            self.current.close()
            self.current = None


@contextmanager
def progress_of_maps(
    stream: TextIO | None = None, *, threshold: int = MAP_THRESHOLD
) -> Iterator[EventObserver | None]:
    """An observer for ``start_execution(on_event=...)`` drawing large Maps' progress, or
    ``None`` when ``stream`` (default stderr) is not a terminal, so the executor pays
    nothing."""
    target = stream if stream is not None else sys.stderr
    if not _is_tty(target):
        yield None
        return
    observer = MapProgress(stream=target, threshold=threshold)
    try:
        yield observer
    finally:
        observer.close()


__all__ = ["MAP_THRESHOLD", "EventObserver", "MapProgress", "Progress", "progress_of_maps"]
