"""Start an execution and report its outcome as an :class:`Execution`.

A machine without task tokens runs straight through on the caller's thread. One with
``.waitForTaskToken`` tasks runs on a worker thread that hands control back whenever a
token is waiting: the caller gets an :class:`Execution` whose status is ``RUNNING`` and
answers the token with :meth:`Execution.send_task_success` (or failure, or heartbeat),
which resumes the run until it ends or waits again. Only one side runs at a time, so runs
stay deterministic.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from orderflow._errors import DefinitionError, ExecutionError
from orderflow.asl import JSON, Definition, as_definition
from orderflow.asl import _wire as wire
from orderflow.executor._callbacks import Aborted, Callbacks
from orderflow.executor._clock import Clock, VirtualClock
from orderflow.executor._failure import PAYLOAD_LIMIT, RUNTIME, TIMEOUT, StateFailure
from orderflow.executor._history import Cursor, History
from orderflow.executor._interpreter import Machine, run_machine
from orderflow.executor._limits import (
    HISTORY_LIMIT_CAUSE,
    HistoryLimitReached,
    max_duration_seconds,
)
from orderflow.executor._plan import plan_for, refuse_duplicate_keys
from orderflow.executor._runtime import (
    Frame,
    Identity,
    LambdaHandler,
    Runtime,
    TaskHandler,
    uuid4_text,
)
from orderflow.executor._states._base import payload_size
from orderflow.executor._states._guarded import ExecutionTimedOut

STATUSES = ("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")


class Execution:
    """The outcome of running a state machine locally.

    Attributes:
        status: ``SUCCEEDED``, ``FAILED``, ``TIMED_OUT``, ``ABORTED``, or ``RUNNING``
            while a task token waits for an answer.
        output: the decoded output JSON (``SUCCEEDED`` only).
        error: the error name (``FAILED``/``TIMED_OUT``/``ABORTED``), may be ``None``.
        cause: the cause text, may be ``None``.
        execution_arn: the simulated execution ARN.
        start_date: when it started, on the execution's clock.
        stop_date: when it ended (``None`` while running).
        waiting_token: the task token a ``RUNNING`` execution waits on.
    """

    def __init__(self, runtime: Runtime, machine: Machine) -> None:
        self._rt = runtime
        self._machine = machine
        self.status = "RUNNING"
        self.output: JSON = None
        self.error: str | None = None
        self.cause: str | None = None
        self.execution_arn = runtime.identity.execution_arn
        self.start_date: datetime = runtime.clock.now()
        self.stop_date: datetime | None = None
        self._thread: threading.Thread | None = None
        self._crash: BaseException | None = None

    # --- results ----------------------------------------------------------------------

    @property
    def history(self) -> list[dict[str, Any]]:
        """Every event, in the shape of AWS's ``GetExecutionHistory``."""
        return self._rt.history.events()

    @property
    def history_types(self) -> list[str]:
        """Just the event types, in order."""
        return self._rt.history.types()

    @property
    def succeeded(self) -> bool:
        return self.status == "SUCCEEDED"

    @property
    def waiting_token(self) -> str | None:
        callbacks = self._rt.callbacks
        return callbacks.waiting if callbacks is not None and self.status == "RUNNING" else None

    @property
    def duration(self) -> float:
        """Seconds from start to stop (or to now, while running), on the execution's clock."""
        end = self.stop_date or self._rt.clock.now()
        return (end - self.start_date).total_seconds()

    def __repr__(self) -> str:
        detail = f"error={self.error!r}" if self.error else f"output={self.output!r}"
        return f"Execution(status={self.status!r}, {detail})"

    # --- task tokens ------------------------------------------------------------------

    def send_task_success(self, token: str, output: JSON) -> Execution:
        """Answer ``token`` with ``output`` (``SendTaskSuccess``) and resume the run."""
        before = self._callbacks().pauses
        try:
            copied = wire.copy(output)
        except wire.NotJson as exc:
            raise ExecutionError(f"the task output is not JSON: {exc}") from None
        self._callbacks().send_success(token, copied)
        self._resume(before)
        return self

    def send_task_failure(
        self, token: str, error: str | None = None, cause: str | None = None
    ) -> Execution:
        """Fail the task waiting on ``token`` (``SendTaskFailure``) and resume the run."""
        before = self._callbacks().pauses
        self._callbacks().send_failure(token, error, cause)
        self._resume(before)
        return self

    def send_task_heartbeat(self, token: str) -> Execution:
        """Tell the task waiting on ``token`` its worker is alive (``SendTaskHeartbeat``)."""
        self._callbacks().send_heartbeat(token)
        return self

    def advance(self, seconds: float | None = None) -> Execution:
        """Let virtual time pass while the execution waits for a task token.

        When the waiting task's ``TimeoutSeconds`` (or ``HeartbeatSeconds`` since its last
        heartbeat) runs out within ``seconds``, it times out as on AWS
        (``States.Timeout``/``States.HeartbeatTimeout``, which its Catch may handle) and the
        run resumes. Without ``seconds``, time passes until the task times out.

        Raises:
            ExecutionError: the execution is not waiting for a token, its clock is not a
                :class:`~orderflow.executor.VirtualClock`, or (without ``seconds``) the
                waiting task has no time limit, so it would wait for ever.
        """
        token = self.waiting_token
        if token is None:
            raise ExecutionError(f"the execution is {self.status}, not waiting for a task token")
        clock = self._rt.clock
        if not isinstance(clock, VirtualClock):
            raise ExecutionError("only an execution on a VirtualClock can be moved in time")
        callbacks = self._callbacks()
        due = callbacks.due(token)
        if seconds is None:
            if due is None:
                raise ExecutionError(
                    f"the task waiting on {token!r} has no TimeoutSeconds or HeartbeatSeconds: "
                    "it waits until answered"
                )
            # The limit is exceeded only strictly after it (a task answered exactly at
            # its TimeoutSeconds still succeeds), hence the millisecond.
            target = max(due + timedelta(milliseconds=1), clock.now())
        else:
            if seconds < 0:
                raise ExecutionError(f"cannot move time backwards ({seconds} seconds)")
            target = clock.now() + timedelta(seconds=seconds)
        # Set, not sleep: the scheduler's driver must not run branches on this thread.
        clock.set(target)
        if due is not None and target > due:
            before = callbacks.pauses
            callbacks.expire(token, target)
            self._resume(before)
        return self

    def stop(self, error: str | None = None, cause: str | None = None) -> Execution:
        """Abort a running execution (``StopExecution``)."""
        if self.status != "RUNNING":
            return self
        callbacks = self._callbacks()
        with callbacks.condition:
            callbacks.aborted = True
            callbacks.condition.notify_all()
        self._join()
        self.error, self.cause = error, cause
        return self

    def _callbacks(self) -> Callbacks:
        callbacks = self._rt.callbacks
        if not isinstance(callbacks, Callbacks):
            raise ExecutionError("this execution has no task tokens")
        return callbacks

    # --- running ----------------------------------------------------------------------

    def _run(self, value: JSON) -> None:
        rt = self._rt
        history, clock = rt.history, rt.clock
        cursor = Cursor(0)
        try:
            output = run_machine(self._machine, rt, Frame(cursor), value)
            if payload_size(output) > PAYLOAD_LIMIT:
                raise StateFailure(
                    "States.DataLimitExceeded",
                    "The execution output exceeds the maximum number of bytes service limit.",
                )
        except StateFailure as failure:
            self._fail(cursor, failure.error, failure.cause)
            return
        except HistoryLimitReached:
            self._fail(cursor, RUNTIME, HISTORY_LIMIT_CAUSE)
            return
        except ExecutionTimedOut:
            history.record("ExecutionTimedOut", cursor, clock.now(), {"error": TIMEOUT}, final=True)
            self._finish("TIMED_OUT", None, TIMEOUT, None)
            return
        except Aborted:
            history.record("ExecutionAborted", cursor, clock.now(), {}, final=True)
            self._finish("ABORTED", None, None, None)
            return
        history.record("ExecutionSucceeded", cursor, clock.now(), {"output": output}, final=True)
        self._finish("SUCCEEDED", output, None, None)

    def _fail(self, cursor: Cursor, error: str | None, cause: str | None) -> None:
        rt = self._rt
        rt.history.record(
            "ExecutionFailed",
            cursor,
            rt.clock.now(),
            {"error": error, "cause": cause},
            final=True,
        )
        self._finish("FAILED", None, error, cause)

    def _finish(self, status: str, output: JSON, error: str | None, cause: str | None) -> None:
        self.status, self.output, self.error, self.cause = status, output, error, cause
        self.stop_date = self._rt.clock.now()

    def _start(self, value: JSON) -> None:
        rt = self._rt
        rt.history.record(
            "ExecutionStarted",
            Cursor(0),
            rt.clock.now(),
            {"input": value, "roleArn": rt.identity.role},
            advance=False,
        )
        callbacks = self._callbacks()
        if not self._machine.waits_for_tokens or not callbacks.blocking:
            self._run(value)
            return
        callbacks.pausable = True

        def worker() -> None:
            try:
                self._run(value)
            except BaseException as exc:  # handed to the caller's thread below
                self._crash = exc
            finally:
                with callbacks.condition:
                    callbacks.condition.notify_all()

        self._thread = threading.Thread(target=worker, name="orderflow-execution", daemon=True)
        with callbacks.condition:
            self._thread.start()
            self._wait_for_pause()

    def _wait_for_pause(self) -> None:
        callbacks = self._callbacks()
        thread = self._thread
        assert thread is not None
        while thread.is_alive() and callbacks.waiting is None:
            callbacks.condition.wait(0.05)
        if self._crash is not None:
            crash, self._crash = self._crash, None
            raise crash

    def _resume(self, pauses_before: int) -> None:
        callbacks = self._callbacks()
        thread = self._thread
        if thread is None:
            return
        with callbacks.condition:
            # Run until the worker ends or pauses on a *new* wait.
            while thread.is_alive() and not (
                callbacks.waiting is not None and callbacks.pauses > pauses_before
            ):
                callbacks.condition.wait(0.05)
        if self._crash is not None:
            crash, self._crash = self._crash, None
            raise crash

    def _join(self) -> None:
        if self._thread is not None:
            self._thread.join()
        if self._crash is not None:
            crash, self._crash = self._crash, None
            raise crash


def start_execution(
    definition: Definition | Mapping[str, JSON] | str | bytes,
    execution_input: JSON = None,
    *,
    lambda_handler: LambdaHandler | None = None,
    handlers: Mapping[str, TaskHandler] | None = None,
    state_machine_type: str = "STANDARD",
    clock: Clock | None = None,
    seed: int = 0,
    name: str | None = None,
    state_machine_name: str = "StateMachine",
    account: str = "123456789012",
    region: str = "us-east-1",
    record_history: bool = True,
    on_event: Callable[[str, dict[str, Any] | None], None] | None = None,
    callbacks: Callbacks | None = None,
    history: History | None = None,
) -> Execution:
    """Run ``definition`` on ``execution_input`` and return the :class:`Execution`.

    See :func:`orderflow.testing.run_asl` for the arguments; this is the same function
    with a few more knobs (execution name, account, region, history recording, and
    ``on_event``, called with each history event's type and details as it happens, which
    ``orderflow run`` uses to show a large Map's progress), and two for runners that keep
    executions across processes (:mod:`orderflow.serve`): ``callbacks`` answers task
    tokens (a :class:`Callbacks` subclass) and ``history`` receives the events (so the
    caller can read them even when the run stops early by raising out of the clock or the
    callbacks).

    Raises:
        orderflow.InvalidDefinition: structural validation found errors (AWS would refuse
            to create the state machine); ``diagnostics`` holds them.
        orderflow.DefinitionError: the definition cannot be compiled.
        orderflow.ExecutionError: bad arguments (input not JSON, over 256 KiB, unknown
            machine type) or a task with no handler to answer it.
    """
    if state_machine_type not in ("STANDARD", "EXPRESS"):
        raise ExecutionError(
            f"state_machine_type must be STANDARD or EXPRESS, not {state_machine_type!r}"
        )
    document = as_definition(definition)
    if isinstance(definition, (str, bytes)):
        refuse_duplicate_keys(definition)
    machine = plan_for(document, "EXPRESS" if state_machine_type == "EXPRESS" else "STANDARD")
    if state_machine_type == "EXPRESS" and machine.waits_for_tokens:
        raise DefinitionError(
            "EXPRESS state machines do not support .waitForTaskToken; use STANDARD",
            file=document.file,
        )
    try:
        value, size = wire.copy_with_size(execution_input)
    except wire.NotJson as exc:
        raise ExecutionError(f"the execution input is not JSON: {exc}") from None
    if size > PAYLOAD_LIMIT:
        raise ExecutionError(
            f"the execution input is {size:,} bytes as compact UTF-8 JSON, over the "
            f"{PAYLOAD_LIMIT:,}-byte (256 KiB) limit (InvalidExecutionInput)"
        )
    rng = random.Random(seed)
    clock = clock if clock is not None else VirtualClock()
    identity = Identity(
        account=account,
        region=region,
        state_machine_name=state_machine_name,
        execution_name=name or _uuid(rng),
        express=state_machine_type == "EXPRESS",
        run_id=_uuid(rng),
    )
    rt = Runtime(
        clock=clock,
        history=history
        if history is not None
        else History(enabled=record_history, on_event=on_event),
        rng=rng,
        identity=identity,
        lambda_handler=lambda_handler,
        handlers=dict(handlers or {}),
        callbacks=callbacks if callbacks is not None else Callbacks(),
    )
    rt.start(value)
    rt.callbacks.clock = clock
    # AWS's quota on an execution's duration applies when TimeoutSeconds is longer or absent.
    longest = max_duration_seconds(identity.express)
    timeout = machine.timeout_seconds
    rt.deadline = clock.now() + timedelta(
        seconds=longest if timeout is None else min(timeout, longest)
    )
    execution = Execution(rt, machine)
    execution._start(value)
    return execution


def _uuid(rng: random.Random) -> str:
    return uuid4_text(rng)


__all__ = ["STATUSES", "Execution", "start_execution"]
