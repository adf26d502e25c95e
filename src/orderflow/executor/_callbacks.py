"""Task tokens: ``.waitForTaskToken`` tasks wait until someone answers their token.

The answering side (a test, a fake queue consumer, the task's own handler) calls
:meth:`Callbacks.send_success`, :meth:`~Callbacks.send_failure` or
:meth:`~Callbacks.send_heartbeat`, the equivalents of ``SendTaskSuccess``,
``SendTaskFailure`` and ``SendTaskHeartbeat``. An answer given before the task starts
waiting (for example from inside the handler) is kept and used at once. When nobody has
answered, the execution pauses (its status is ``RUNNING``) and resumes when an answer
arrives; the pausing is done by :mod:`orderflow.executor._execution`, which runs such
machines on a worker thread and hands control back and forth so only one side runs at a
time (runs stay deterministic).

Parallel branches and Map iterations are simulated side by side (see
:mod:`orderflow.executor._scheduler`), but only one token waits at a time: before a task
waits for its token the other branches due by then go first, and while it waits the whole
simulation pauses until it is answered (on AWS the others would go on). A caller that
moves the clock on meanwhile moves every waiting branch on with it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from orderflow._errors import ExecutionError
from orderflow.asl import JSON
from orderflow.executor._clock import Clock


@dataclass(frozen=True)
class Answer:
    """How a token was answered: an output, or an error and cause."""

    output: JSON = None
    error: str | None = None
    cause: str | None = None
    failed: bool = False
    at: datetime | None = None


class Callbacks:
    """The tokens of one execution and their answers.

    Attributes:
        blocking: whether :meth:`wait` blocks the execution's thread until an answer
            arrives (so the execution must run on a worker thread). A subclass that never
            blocks (it returns an answer or raises) sets it to ``False``; the durable
            server's callbacks do (see :mod:`orderflow.serve`).
    """

    blocking = True

    def __init__(self) -> None:
        self._answers: dict[str, Answer] = {}
        self._issued: set[str] = set()
        self._heartbeats: dict[str, list[datetime]] = {}
        self.clock: Clock | None = None
        self.waiting: str | None = None
        # Created on first use: most executions never wait for a token, and a Condition
        # costs more than the rest of this object. The runner touches it before starting
        # its worker thread, so both threads see the same one.
        self._cond: threading.Condition | None = None
        self.pausable = False
        self.aborted = False
        self.pauses = 0
        # token -> (started, TimeoutSeconds, HeartbeatSeconds), for Execution.advance.
        self._waits: dict[str, tuple[datetime, int | None, int | None]] = {}

    def issue(self, token: str) -> None:
        self._issued.add(token)

    def _check(self, token: str) -> None:
        if token not in self._issued:
            raise ExecutionError(f"unknown task token {token!r} (TaskDoesNotExist)")
        if token in self._answers:
            raise ExecutionError(f"task token {token!r} was already answered (TaskTimedOut)")

    def send_success(self, token: str, output: JSON) -> None:
        """``SendTaskSuccess``: the waiting task succeeds with ``output``."""
        self._answer(token, Answer(output=output))

    def send_failure(self, token: str, error: str | None = None, cause: str | None = None) -> None:
        """``SendTaskFailure``: the waiting task fails with ``error`` and ``cause``."""
        self._answer(token, Answer(error=error, cause=cause, failed=True))

    def send_heartbeat(self, token: str) -> None:
        """``SendTaskHeartbeat``: the task is still alive."""
        with self.condition:
            if token not in self._issued or token in self._answers:
                raise ExecutionError(f"task token {token!r} is not waiting (TaskDoesNotExist)")
            self._heartbeats.setdefault(token, []).append(self._now())

    def _now(self) -> datetime:
        from orderflow.executor._clock import VirtualClock

        return (self.clock or VirtualClock()).now()

    def heartbeats(self, token: str) -> list[datetime]:
        """When ``token``'s heartbeats arrived, on the execution's clock."""
        return list(self._heartbeats.get(token, ()))

    def _answer(self, token: str, answer: Answer) -> None:
        self._answer_at(token, answer)

    def _answer_at(self, token: str, answer: Answer) -> None:
        with self.condition:
            self._check(token)
            self._answers[token] = replace(answer, at=answer.at or self._now())
            self.condition.notify_all()

    def expect(
        self,
        token: str,
        started: datetime,
        timeout: int | None,
        heartbeat: int | None,
        deadline: datetime | None,
    ) -> None:
        """Called just before :meth:`wait` with the task's time limits.

        The in-process runner judges limits when the answer arrives and ignores this; a
        runner that keeps waiting executions across time (the durable server) uses it to
        time the task out even when nobody ever answers.

        Args:
            token: the token about to be waited on.
            started: when the task started waiting, on the execution's clock.
            timeout: the task's ``TimeoutSeconds``, if any.
            heartbeat: the task's ``HeartbeatSeconds``, if any.
            deadline: when the whole execution times out, if it does.
        """
        self._waits[token] = (started, timeout, heartbeat)

    def due(self, token: str) -> datetime | None:
        """When the task waiting on ``token`` times out if nobody answers or beats; ``None``
        when it has neither ``TimeoutSeconds`` nor ``HeartbeatSeconds``."""
        limits = self._waits.get(token)
        if limits is None:
            return None
        started, timeout, heartbeat = limits
        moments: list[datetime] = []
        if timeout is not None:
            moments.append(started + timedelta(seconds=timeout))
        if heartbeat is not None:
            last = max([started, *self._heartbeats.get(token, ())])
            moments.append(last + timedelta(seconds=heartbeat))
        return min(moments) if moments else None

    def expire(self, token: str, at: datetime) -> None:
        """Nobody answered ``token`` by ``at`` (past its time limit): the waiting task wakes
        and judges its own ``TimeoutSeconds``/``HeartbeatSeconds`` against ``at``."""
        self._answer_at(token, Answer(failed=True, error="States.Timeout", at=at))

    def take(self, token: str) -> Answer | None:
        """The answer for ``token`` if one has arrived."""
        with self.condition:
            return self._answers.get(token)

    def wait(self, token: str) -> Answer:
        """Block the execution's thread until ``token`` is answered.

        Raises:
            ExecutionError: the execution cannot pause (the caller ran it in a way that
                cannot wait) and nobody answered the token.
        """
        with self.condition:
            answer = self._answers.get(token)
            if answer is not None:
                return answer
            if not self.pausable:
                raise ExecutionError(
                    f"task token {token!r} was not answered and this run cannot pause; "
                    "answer it from the handler or run with run_asl(...), which pauses"
                )
            self.waiting = token
            self.pauses += 1
            self.condition.notify_all()
            while token not in self._answers and not self.aborted:
                self.condition.wait()
            self.waiting = None
            if self.aborted:
                raise _Aborted
            return self._answers[token]

    @property
    def condition(self) -> threading.Condition:
        if self._cond is None:
            self._cond = threading.Condition()
        return self._cond


class _Aborted(Exception):
    """The execution was stopped while waiting for a token."""


Aborted = _Aborted

__all__ = ["Aborted", "Answer", "Callbacks"]
