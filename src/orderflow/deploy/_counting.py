"""A count of resources handled, drawn under deploy's and destroy's lines on a terminal.

Deploy and destroy print one line per resource; on a terminal a counter
(``deploy shop: 12/43 (27%)``, from :class:`orderflow._progress.Progress`) stays on the
last line while they work, so a long deploy shows how far it is. The counter is blanked
before each line is written and drawn again after it, so the lines read exactly as they do
without a terminal, where nothing extra is written at all.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from orderflow._progress import Progress as Counter
from orderflow.deploy._plan import Progress


@contextmanager
def counting(
    progress: Progress, label: str, total: int | None = None, *, stream: TextIO | None = None
) -> Iterator[Progress]:
    """``progress`` wrapped to count each line under a counter on ``stream`` (default
    stderr), or ``progress`` itself when ``stream`` is not a terminal."""
    counter = Counter(label, total, stream=stream if stream is not None else sys.stderr)
    if not counter.enabled:
        yield progress
        return

    def report(line: str) -> None:
        counter.clear()
        progress(line)
        counter.advance()

    try:
        yield report
    finally:
        counter.close()


__all__ = ["counting"]
