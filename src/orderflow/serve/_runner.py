"""The scheduler: runs served executions in segments on a thread pool and wakes them.

An execution runs as a series of *segments* (see :mod:`orderflow.serve._journal`): each
replays the executor over the journal, then goes on live until the execution ends or
parks. A parked execution holds no thread: it is woken by the timer (a Wait or back-off
came due, a task's time limit passed) or by an answer to its token. At most one segment
of an execution runs at a time; a wake-up that arrives meanwhile runs one more segment
afterwards, so no answer is missed.

On start the runner begins a segment for every execution the database still holds as
running: that is the whole of crash recovery.
"""

from __future__ import annotations

import heapq
import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from orderflow.asl import JSON
from orderflow.executor._execution import Execution, start_execution
from orderflow.executor._history import History
from orderflow.serve._app import Binding
from orderflow.serve._callbacks import DurableCallbacks
from orderflow.serve._journal import (
    DurableClock,
    Journal,
    JournaledHandlers,
    Park,
    TimeBase,
    journaled_lambda,
    to_datetime,
)
from orderflow.serve._store import ExecutionRow, Store


def event_json(event: dict[str, Any]) -> dict[str, Any]:
    """A history event with its timestamp as epoch seconds (the protocol's form)."""
    stamp = event.get("timestamp")
    if isinstance(stamp, datetime):
        event = {**event, "timestamp": stamp.timestamp()}
    return event


class ScaledClock:
    """The clock of a synchronous Express run: waiting sped up by the time base's scale,
    work counted as it really took.

    Only sleeps (Waits, retry back-off) are scaled: each advances the logical time by
    exactly what was asked. Time spent working (tasks, the interpreter itself) counts
    unscaled, as :class:`~orderflow.serve._journal.DurableClock` counts it; scaling it
    too would turn a few milliseconds of scheduling delay on a busy machine into minutes
    of logical time and trip Express's five-minute limit.
    """

    def __init__(self, base: TimeBase) -> None:
        self.base = base
        self._logical = base.now()
        self._real = time.perf_counter()

    def _catch_up(self) -> float:
        real = time.perf_counter()
        self._logical += real - self._real
        self._real = real
        return self._logical

    def now(self) -> datetime:
        return to_datetime(self._catch_up())

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self._catch_up()
            time.sleep(seconds * self.base.scale)
            self._real = time.perf_counter()
            self._logical += seconds


class Runner:
    """Runs and wakes the executions in a :class:`Store`.

    Args:
        store: the database.
        binding: what answers tasks.
        base: the logical clock's time base.
        account: the account in ARNs.
        region: the region in ARNs.
        workers: threads running segments.
    """

    def __init__(
        self,
        store: Store,
        binding: Binding,
        base: TimeBase,
        *,
        account: str,
        region: str,
        workers: int = 8,
    ) -> None:
        self.store = store
        self.binding = binding
        self.base = base
        self.account = account
        self.region = region
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="orderflow-run")
        self._lock = threading.Lock()
        self._active: set[str] = set()
        self._again: set[str] = set()
        self._timers: list[tuple[float, str]] = []
        self._timer_cond = threading.Condition()
        self._stopping = False
        self._timer_thread = threading.Thread(
            target=self._timer_loop, name="orderflow-timer", daemon=True
        )
        self.segments = 0

    # --- life cycle --------------------------------------------------------------------

    def start(self) -> int:
        """Start the timer and resume every running execution; returns how many."""
        self._timer_thread.start()
        running = self.store.running()
        for row in running:
            self.submit(row.arn)
        return len(running)

    def stop(self) -> None:
        """Stop waking executions and wait for the segments in flight."""
        with self._timer_cond:
            self._stopping = True
            self._timer_cond.notify_all()
        self._pool.shutdown(wait=True, cancel_futures=True)
        if self._timer_thread.is_alive():
            self._timer_thread.join(timeout=5)

    # --- scheduling --------------------------------------------------------------------

    def submit(self, arn: str) -> None:
        """Run a segment of ``arn`` now (or right after the one in flight)."""
        with self._lock:
            if self._stopping:
                return
            if arn in self._active:
                self._again.add(arn)
                return
            self._active.add(arn)
        try:
            self._pool.submit(self._run, arn)
        except RuntimeError:  # the pool is shutting down
            with self._lock:
                self._active.discard(arn)

    def wake_at(self, arn: str, epoch: float) -> None:
        """Run a segment of ``arn`` when the logical clock reaches ``epoch``."""
        with self._timer_cond:
            heapq.heappush(self._timers, (epoch, arn))
            self._timer_cond.notify_all()

    def _timer_loop(self) -> None:
        while True:
            with self._timer_cond:
                if self._stopping:
                    return
                due: list[str] = []
                while self._timers and self.base.real_delay(self._timers[0][0]) <= 0:
                    due.append(heapq.heappop(self._timers)[1])
                if not due:
                    delay = self.base.real_delay(self._timers[0][0]) if self._timers else 1.0
                    self._timer_cond.wait(min(max(delay, 0.001), 1.0))
                    continue
            for arn in due:
                self.submit(arn)

    def _run(self, arn: str) -> None:
        try:
            self.segment(arn)
        except Exception as exc:  # a bug must not kill the worker; the execution stays
            print(f"orderflow serve: segment of {arn} crashed: {exc!r}", file=sys.stderr)
        finally:
            with self._lock:
                self._active.discard(arn)
                again = arn in self._again
                self._again.discard(arn)
            if again:
                self.submit(arn)

    # --- one segment -------------------------------------------------------------------

    def segment(self, arn: str) -> None:
        """Replay ``arn`` over its journal and run it on until it ends or parks."""
        row = self.store.execution(arn)
        if row is None or row.status != "RUNNING":
            return
        self.segments += 1
        clock = DurableClock(row.start, self.base)
        journal = Journal(self.store, arn, clock)
        callbacks = DurableCallbacks(self.store, arn, clock)
        history = History()
        try:
            definition = json.loads(row.definition)
            self.binding.prepare(definition)
            execution = start_execution(
                definition,
                json.loads(row.input),
                lambda_handler=journaled_lambda(journal, self.binding.lambda_handler_for(arn)),
                handlers=JournaledHandlers(journal, self.binding.handlers),
                state_machine_type=row.type,
                clock=clock,
                seed=row.seed,
                name=row.name,
                state_machine_name=row.machine_name,
                account=self.account,
                region=self.region,
                callbacks=callbacks,
                history=history,
            )
        except Park as park:
            if self.store.park(arn, _new_events(history, row), park.wake) and park.wake:
                self.wake_at(arn, park.wake)
            return
        except Exception as exc:
            # A task nobody can answer, a handler returning non-JSON: the execution fails
            # as AWS fails one whose integration errs at run time.
            self._crashed(row, history, clock.epoch, exc)
            return
        self._finished(row, history, execution)

    def _finished(self, row: ExecutionRow, history: History, execution: Execution) -> None:
        stop = execution.stop_date.timestamp() if execution.stop_date else self.base.now()
        self.store.finish(
            row.arn,
            _new_events(history, row),
            status=execution.status,
            stop=stop,
            output=json.dumps(execution.output) if execution.status == "SUCCEEDED" else None,
            error=execution.error,
            cause=execution.cause,
        )

    def _crashed(self, row: ExecutionRow, history: History, now: float, exc: Exception) -> None:
        events = _new_events(history, row)
        last = history.next_id - 1
        cause = f"{type(exc).__name__}: {exc}"
        events.append(
            {
                "id": last + 1,
                "previousEventId": last,
                "timestamp": now,
                "type": "ExecutionFailed",
                "executionFailedEventDetails": {"error": "States.Runtime", "cause": cause},
            }
        )
        self.store.finish(
            row.arn, events, status="FAILED", stop=now, error="States.Runtime", cause=cause
        )

    def abort(self, arn: str, error: str | None, cause: str | None) -> float | None:
        """``StopExecution``: end a running execution as ``ABORTED``; returns the stop
        time, or ``None`` when it was not running."""
        row = self.store.execution(arn)
        if row is None or row.status != "RUNNING":
            return None
        now = self.base.now()
        details: dict[str, JSON] = {}
        if error is not None:
            details["error"] = error
        if cause is not None:
            details["cause"] = cause
        event = {
            "id": row.events + 1,
            # AWS hangs the abort off no event (recorded: previousEventId 0).
            "previousEventId": 0,
            "timestamp": now,
            "type": "ExecutionAborted",
            "executionAbortedEventDetails": details,
        }
        if not self.store.finish(
            arn, [event], status="ABORTED", stop=now, error=error, cause=cause
        ):
            return None
        return now

    def run_sync(
        self, definition: JSON, value: JSON, *, name: str, machine_name: str, seed: int
    ) -> Execution:
        """Run an Express execution to its end on the calling thread (``StartSyncExecution``)."""
        handler = self.binding.lambda_handler_for(name)
        self.binding.prepare(definition)
        return start_execution(
            definition,
            value,
            lambda_handler=handler,
            handlers=self.binding.handlers,
            state_machine_type="EXPRESS",
            clock=ScaledClock(self.base),
            seed=seed,
            name=name,
            state_machine_name=machine_name,
            account=self.account,
            region=self.region,
        )


def _new_events(history: History, row: ExecutionRow) -> list[dict[str, Any]]:
    return [event_json(e) for e in history.events() if e["id"] > row.events]


__all__ = ["Runner", "ScaledClock", "event_json"]
