"""Deterministic replay: what makes a served execution survive the server's death.

The executor is a pure function of the definition, the input, the seed and what the
outside world answered: task results, token answers and the times they arrived. The
server records each of those answers (the *journal*, in SQLite) before the execution
goes on, and runs an execution in *segments*: a segment replays the executor from the
start, answering every effect already journaled from the journal (no service is called
twice), then goes on live until the execution ends or has to wait: a Wait or a retry
back-off that is not due yet, or a task token nobody has answered. Waiting raises
:class:`Park`, which unwinds the executor; the runner persists the new history events
and wakes the execution when the time comes or the token is answered. After a
``kill -9`` the server simply starts a segment for every running execution.

Time is logical: the execution's clock stands still between effects and moves to the
journaled arrival time at each one (a task's result arrives as long after its call as
the call really took, unscaled; a token's answer at the moment it was given), or to
the end of a Wait, so a replay sees exactly the same timestamps. The logical clock is
the real clock sped up by ``1 / time_scale`` from the database's origin (:class:`TimeBase`), so
``--time-scale 0.001`` turns a 10 s Wait into 10 ms of real time while the history
shows 10 s.
"""

from __future__ import annotations

import base64
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from orderflow._errors import ExecutionError, TaskFailure
from orderflow.asl import JSON
from orderflow.executor._lambda import LambdaFunctionError
from orderflow.executor._runtime import LambdaHandler, TaskHandler
from orderflow.serve._store import Store

INLINE_WAIT = 0.05
"""Waits shorter than this many real seconds sleep on the segment's thread instead of
parking the execution (parking costs a replay)."""


_task = threading.local()


def spend_task_time(seconds: float) -> None:
    """Inside a task handler of a served execution: the task took ``seconds`` longer.

    The execution sees the task's result arrive that much later on its clock (so a
    ``TimeoutSeconds`` can expire) without anyone waiting for it: the way to simulate a
    slow service, as ``VirtualClock.sleep`` does for the in-process executor. Outside a
    served task it does nothing.
    """
    if seconds > 0 and getattr(_task, "spent", None) is not None:
        _task.spent += seconds


class Park(BaseException):
    """Raised out of the executor when the execution must wait.

    A ``BaseException`` so that no ``except Exception`` in the executor or in user code
    can swallow it.

    Attributes:
        wake: when to run the next segment (epoch seconds, logical), or ``None`` to wait
            for a token's answer alone.
    """

    def __init__(self, wake: float | None) -> None:
        super().__init__(wake)
        self.wake = wake


class TimeBase:
    """Maps the logical clock to the real one: ``logical = origin + (real - origin) / scale``.

    Args:
        origin: the database's origin (epoch seconds), where both clocks agree.
        scale: real seconds per logical second (``0.001``: a logical minute lasts 60 ms).
    """

    def __init__(self, origin: float, scale: float = 1.0) -> None:
        if scale <= 0:
            raise ValueError(f"the time scale must be positive, not {scale}")
        self.origin = origin
        self.scale = scale

    def now(self) -> float:
        """The logical time now."""
        return self.origin + (time.time() - self.origin) / self.scale

    def real_delay(self, logical: float) -> float:
        """Real seconds until the logical time ``logical`` (negative: already past)."""
        return (logical - self.now()) * self.scale


def to_datetime(epoch: float) -> datetime:
    """Epoch seconds as an aware UTC datetime."""
    return datetime.fromtimestamp(epoch, UTC)


def to_epoch(moment: datetime) -> float:
    """An aware datetime as epoch seconds."""
    return moment.timestamp()


class DurableClock:
    """The executor's clock in a served execution (see the module docstring).

    Args:
        start: the execution's start (epoch seconds, logical).
        base: the time base.
    """

    def __init__(self, start: float, base: TimeBase) -> None:
        self._now = start
        self.base = base

    def now(self) -> datetime:
        return to_datetime(self._now)

    @property
    def epoch(self) -> float:
        """The current logical time in epoch seconds."""
        return self._now

    def advance_to(self, epoch: float) -> None:
        """Move to ``epoch`` (an effect arrived then); never moves backwards."""
        if epoch > self._now:
            self._now = epoch

    def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            return
        target = self._now + seconds
        delay = self.base.real_delay(target)
        if delay > INLINE_WAIT:
            raise Park(target)
        if delay > 0:
            time.sleep(delay)
        self._now = target


# --- journaled effects ----------------------------------------------------------------


class _Replayed(Exception):
    """An exception rebuilt from the journal, named as the original was."""


def _named_exception(name: str, message: str) -> Exception:
    cls: type[Exception] = type(name, (_Replayed,), {"error_name": name})
    return cls(message)


def _function_error(exc: Exception) -> dict[str, Any]:
    # Lambda's error object for an exception the function raised, as the executor builds
    # it; made here (with a fresh request id) so the journal holds the exact text.
    tb = exc.__traceback__
    frames = traceback.extract_tb(tb.tb_next) if tb is not None else traceback.StackSummary()
    return {
        "errorMessage": str(exc),
        "errorType": type(exc).__name__,
        "requestId": str(uuid.uuid4()),
        "stackTrace": traceback.format_list(frames),
    }


class Journal:
    """Answers an execution's effects from the journal, or performs and journals them.

    Args:
        store: the database.
        execution_arn: the execution.
        clock: its clock (moved to each effect's arrival time).
    """

    def __init__(self, store: Store, execution_arn: str, clock: DurableClock) -> None:
        self.store = store
        self.execution_arn = execution_arn
        self.clock = clock
        self._recorded = store.effects(execution_arn)
        self._next = 0

    @property
    def replaying(self) -> bool:
        """Whether effects are still being answered from the journal."""
        return self._next < len(self._recorded)

    def perform(self, call: Callable[[], Any], *, lambda_style: bool) -> Any:
        """The result of the next effect: journaled, or ``call()`` journaled now."""
        seq = self._next
        self._next += 1
        if seq < len(self._recorded):
            record, at = self._recorded[seq]
        else:
            began = time.perf_counter()
            _task.spent = 0.0
            try:
                record = self._capture(call, lambda_style)
                spent = _task.spent
            finally:
                _task.spent = None
            # The task took as long as the call really did. The time scale compresses
            # waiting (Waits, back-off, token time limits), not work: scaled, a service's
            # first 10 ms call would count as 10 s at scale 0.001 and trip TimeoutSeconds.
            # The server's own overhead (commits, scheduling) is not the task's time.
            at = self.clock.epoch + (time.perf_counter() - began) + spent
            self.store.add_effect(self.execution_arn, seq, record, at)
        self.clock.advance_to(at)
        return _replay(record)

    @staticmethod
    def _capture(call: Callable[[], Any], lambda_style: bool) -> dict[str, Any]:
        try:
            result = call()
        except LambdaFunctionError as exc:
            return {"lambda_error": exc.error, "object": exc.error_object}
        except TaskFailure as exc:
            return {"task_failure": exc.error, "cause": exc.cause}
        except ExecutionError:
            raise
        except Exception as exc:
            name = getattr(exc, "error_name", type(exc).__name__)
            if lambda_style:
                return {"lambda_error": name, "object": _function_error(exc)}
            return {"exception": name, "message": str(exc)}
        if isinstance(result, (bytes, bytearray)):
            return {"bytes": base64.b64encode(bytes(result)).decode()}
        return {"ok": result}


def _replay(record: dict[str, Any]) -> Any:
    if "ok" in record:
        return record["ok"]
    if "bytes" in record:
        return base64.b64decode(record["bytes"])
    if "lambda_error" in record:
        raise LambdaFunctionError(record["lambda_error"], record["object"])
    if "task_failure" in record:
        raise TaskFailure(record["task_failure"], record["cause"])
    raise _named_exception(record["exception"], record["message"])


def journaled_lambda(journal: Journal, handler: LambdaHandler) -> LambdaHandler:
    """``handler`` with every call journaled."""

    def call(name: str, payload: JSON) -> Any:
        return journal.perform(lambda: handler(name, payload), lambda_style=True)

    return call


class JournaledHandlers(Mapping[str, TaskHandler]):
    """The service-integration handlers with every call journaled."""

    def __init__(self, journal: Journal, handlers: Mapping[str, TaskHandler]) -> None:
        self._journal = journal
        self._handlers = handlers

    def __getitem__(self, resource: str) -> TaskHandler:
        handler = self._handlers[resource]

        def call(payload: JSON) -> Any:
            return self._journal.perform(lambda: handler(payload), lambda_style=False)

        return call

    def __iter__(self) -> Iterator[str]:
        return iter(self._handlers)

    def __len__(self) -> int:
        return len(self._handlers)


__all__ = [
    "INLINE_WAIT",
    "DurableClock",
    "Journal",
    "JournaledHandlers",
    "Park",
    "TimeBase",
    "journaled_lambda",
    "spend_task_time",
    "to_datetime",
    "to_epoch",
]
