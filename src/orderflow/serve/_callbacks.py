"""Task tokens of served executions: kept in the store, answered from it.

The executor asks its callbacks for a token's answer (:meth:`DurableCallbacks.wait`).
Here the answer comes from SQLite, where ``SendTaskSuccess``/``SendTaskFailure`` put it;
when there is none yet the execution parks (:class:`~orderflow.serve._journal.Park`)
until the answer arrives or the task's time limit passes, at which point the time-out is
recorded in the token's row, so a replay and a late answer see the same verdict.
"""

from __future__ import annotations

from datetime import datetime

from orderflow._errors import ExecutionError
from orderflow.asl import JSON
from orderflow.executor._callbacks import Answer, Callbacks
from orderflow.executor._failure import HEARTBEAT_TIMEOUT, TIMEOUT
from orderflow.executor._states._guarded import ExecutionTimedOut
from orderflow.serve._journal import DurableClock, Park, to_datetime, to_epoch
from orderflow.serve._store import Store


class DurableCallbacks(Callbacks):
    """Task tokens kept in the store: answers come from SQLite, waiting parks the run.

    Args:
        store: the database.
        execution_arn: whose tokens these are.
        clock: the execution's clock.
    """

    blocking = False

    def __init__(self, store: Store, execution_arn: str, clock: DurableClock) -> None:
        super().__init__()
        self.store = store
        self.execution_arn = execution_arn
        self.clock = clock
        self.durable_clock = clock
        self.pausable = True
        self._limits: dict[str, tuple[float | None, float | None, int | None, float | None]] = {}

    def issue(self, token: str) -> None:
        super().issue(token)
        self.store.add_token(token, self.execution_arn)

    def expect(
        self,
        token: str,
        started: datetime,
        timeout: int | None,
        heartbeat: int | None,
        deadline: datetime | None,
    ) -> None:
        start = to_epoch(started)
        task_deadline = start + timeout if timeout is not None else None
        self._limits[token] = (
            start,
            task_deadline,
            heartbeat,
            to_epoch(deadline) if deadline is not None else None,
        )
        self.store.set_token_limits(token, task_deadline, heartbeat)

    def heartbeats(self, token: str) -> list[datetime]:
        row = self.store.token(token)
        return [to_datetime(at) for at in row.heartbeats] if row is not None else []

    def wait(self, token: str) -> Answer:
        row = self.store.token(token)
        if row is None:
            raise ExecutionError(f"task token {token!r} was never recorded")
        if row.status == "waiting":
            self._time_out_if_due(token, row.heartbeats)
            row = self.store.token(token)
            assert row is not None
        if row.status == "waiting":
            raise Park(self._next_limit(token, row.heartbeats))
        answer = row.answer or {}
        at = row.at if row.at is not None else self.durable_clock.epoch
        if answer.get("execution_timed_out"):
            self.durable_clock.advance_to(at)
            raise ExecutionTimedOut
        self.durable_clock.advance_to(at)
        return Answer(
            output=answer.get("output"),
            error=answer.get("error"),
            cause=answer.get("cause"),
            failed=bool(answer.get("failed")),
            at=to_datetime(at),
        )

    def _limit_times(self, token: str, beats: list[float]) -> list[tuple[float, str]]:
        start, task_deadline, heartbeat, execution_deadline = self._limits.get(
            token, (None, None, None, None)
        )
        limits: list[tuple[float, str]] = []
        if task_deadline is not None:
            limits.append((task_deadline, TIMEOUT))
        if heartbeat is not None and start is not None:
            last = max([start, *beats])
            limits.append((last + heartbeat, HEARTBEAT_TIMEOUT))
        if execution_deadline is not None:
            limits.append((execution_deadline, "execution"))
        return limits

    def _next_limit(self, token: str, beats: list[float]) -> float | None:
        limits = self._limit_times(token, beats)
        return min(at for at, _ in limits) if limits else None

    def _time_out_if_due(self, token: str, beats: list[float]) -> None:
        now = self.durable_clock.base.now()
        due = sorted(limit for limit in self._limit_times(token, beats) if limit[0] <= now)
        if not due:
            return
        at, kind = due[0]
        # Just past the limit: the executor judges "arrived - started > limit".
        record: dict[str, JSON] = (
            {"execution_timed_out": True}
            if kind == "execution"
            else {"failed": True, "error": kind, "cause": None}
        )
        self.store.answer_token(token, record, at + 0.001, "timed_out")


__all__ = ["DurableCallbacks"]
