"""An app for ``orderflow serve --app _replay_app:app`` that answers Lambda calls with the
calls AWS recorded (``../shared/conformance/executions``), per execution.

The execution's name says which recorded case it replays (``case-<n>``, ``n`` indexing
:func:`orderflow.executor._conformance.load_cases`).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from orderflow.executor._conformance import Case, Replay, load_cases
from orderflow.serve import spend_task_time


@lru_cache(maxsize=1)
def cases() -> dict[str, Case]:
    return {f"case-{i}": case for i, case in enumerate(load_cases())}


class TaskTime:
    """What :class:`Replay` sleeps on to emulate a function outliving its timeout: on the
    server that is task time spent, not a real wait."""

    def sleep(self, seconds: float) -> None:
        spend_task_time(seconds)


class ReplayApp:
    """Hands each execution a :class:`Replay` of its case's recorded calls."""

    def lambda_handler_for(self, execution: str) -> Any:
        # An execution ARN (…:execution:<machine>:<name>, …:express:<machine>:<name>:<run>)
        # or, for a synchronous Express run, the bare name.
        parts = execution.split(":")
        name = parts[7] if len(parts) > 7 else execution
        data = cases()[name].data
        return Replay(
            data.get("service_calls") or [],
            TaskTime(),  # type: ignore[arg-type]
            data.get("lambda_functions") or (),
        )


app = ReplayApp()
