"""Sagas: a Task declares how to undo itself; a later failure undoes every completed step.

``flow.task(name, service, compensate=Compensation(undo_service).call(Model, ...))`` marks
the Task as a saga step. From then on every Task, Parallel and Map of the workflow's
sequence catches ``States.ALL`` into the *compensation chain*: one Task per compensable
step, linked newest to oldest, ending in the saga's outcome. A step's Catch enters the
chain at the newest step completed before it, so exactly the completed steps are undone,
in reverse order of completion. The chain ends in a Fail that re-raises the original error
and cause (``ErrorPath``/``CausePath``), or in the handler given to :meth:`Flow.saga`.

Everything compiles to plain ASL, so validation, the data-flow checker, render, the local
executor and deploy see ordinary states::

    CreateOrder --Catch States.ALL, ResultPath $.error--> Compensate ReserveInventory
    Compensate ReserveInventory (ResultPath null) --> Compensate CreateOrder --> SagaFailed

Parallel branches: on AWS every branch starts at once, and when one fails the others may
already have done their work, but the Parallel's error carries none of their results. So
the Parallel itself catches into a compensation of *every* step of *every* branch (one
branch per branch that has compensations, run side by side), and those compensations may
read only values from before the Parallel (such as the request id): they must be
idempotent and safe when their step never ran. The same holds after the Parallel.

A compensation's own failure is not caught: after its retries it fails the execution with
its own error, so a store that could not be repaired is never reported as a clean rejection.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, TypeVar

from pydantic import BaseModel

from orderflow._errors import WorkflowBuildError
from orderflow.dsl._options import catchers, check_retry_targets, retriers
from orderflow.dsl._retry import STATES_ALL, Catch, CatchHandler, Retry
from orderflow.dsl._scope import CatchSpec, FailStep, ParallelStep, Scope, Step, TaskStep
from orderflow.dsl._wiring import payload_template, whole_payload
from orderflow.runtime._service import Service

if TYPE_CHECKING:
    from orderflow.dsl._flow import Flow

TIn = TypeVar("TIn", bound=BaseModel)
TOut = TypeVar("TOut")
P = ParamSpec("P")

DEFAULT_FAIL_STATE = "SagaFailed"
"""The Fail state ending the compensation chain when the saga declares no ``on_failure``."""

_PayloadBuilder = Callable[[Scope, str], "dict[str, Any] | str"]


class Compensation(Generic[TIn]):
    """How to undo a saga step: a service call, wired like a Task's payload.

    Give the options first, the payload second (as with ``flow.task(...).call(...)``), so
    mypy checks the payload's fields against the compensation service's input model.

    Example:
        >>> flow.task(
        ...     "CreateOrder",
        ...     create_order,
        ...     compensate=Compensation(cancel_order, retry=[TRANSIENT]).call(
        ...         CancelOrderInput, request_id=validated.request_id
        ...     ),
        ... ).call(CreateOrderInput, ...)

    Args:
        service: the compensating service; it must be idempotent and succeed when the step
            it undoes never ran (or ran only in part).
        retry: Retriers of the compensation Task (transient errors only).
        timeout_seconds: the compensation Task's TimeoutSeconds.
        comment: the compensation Task's Comment.
    """

    def __init__(
        self,
        service: Service[TIn, Any],
        *,
        retry: Sequence[Retry] = (),
        timeout_seconds: int | None = None,
        comment: str | None = None,
    ) -> None:
        if not isinstance(service, Service):
            raise WorkflowBuildError(
                f"Compensation needs a Service, got {type(service).__name__}", field="compensate"
            )
        if timeout_seconds is not None and timeout_seconds < 1:
            raise WorkflowBuildError("TimeoutSeconds must be >= 1", field="compensate")
        self.service = service
        self.retry = tuple([retry] if isinstance(retry, Retry) else retry)
        self.timeout_seconds = timeout_seconds
        self.comment = comment
        self._payload: _PayloadBuilder | None = None

    def call(
        self, model: Callable[P, TIn], /, *args: P.args, **kwargs: P.kwargs
    ) -> Compensation[TIn]:
        """Wire the compensation's payload field by field (references or literals)."""
        if model is not self.service.input_model:
            raise WorkflowBuildError(
                f"compensation service {self.service.name!r} takes "
                f"{self.service.input_model.__name__}, not {getattr(model, '__name__', model)!r}",
                field="compensate",
            )
        fields = dict(kwargs)
        return self._bound(
            lambda scope, state: payload_template(scope, state, model, fields, args=args)
        )

    def call_with(self, value: TIn) -> Compensation[TIn]:
        """Pass one reference as the compensation's whole payload."""
        model = self.service.input_model
        return self._bound(lambda scope, state: whole_payload(scope, state, model, value))

    def _bound(self, payload: _PayloadBuilder) -> Compensation[TIn]:
        bound: Compensation[TIn] = Compensation(
            self.service,
            retry=self.retry,
            timeout_seconds=self.timeout_seconds,
            comment=self.comment,
        )
        bound._payload = payload
        return bound

    def task_step(self, scope: Scope, name: str) -> TaskStep:
        """The compensation Task, its payload read in ``scope`` (the failure path)."""
        if self._payload is None:
            raise WorkflowBuildError(
                f"the compensation calling {self.service.name!r} has no payload: finish it "
                "with .call(Model, ...) or .call_with(reference)",
                state=name,
                field="compensate",
            )
        try:
            payload = self._payload(scope, name)
        except WorkflowBuildError as exc:
            if "cannot be read outside" not in exc.message:
                raise
            raise WorkflowBuildError(
                f"{exc.message}; a compensation runs on the failure path, where only values "
                "from before the failing step exist: inside a Parallel branch, key it by a "
                "value from before the Parallel (such as the request id), and make the "
                "compensating service safe when its step never ran",
                state=name,
                field=exc.field or "compensate",
            ) from None
        retry_asl = retriers(name, self.retry)
        check_retry_targets(name, self.retry, [self.service])
        return TaskStep(
            name,
            self.service,
            payload,
            {},
            None,
            retry_asl,
            [],
            self.timeout_seconds,
            None,
            self.comment,
            discard_result=True,
        )


CompensateOption = Compensation[Any] | Callable[[TOut], Compensation[Any]] | None
"""``compensate=``: a Compensation, or a function of the step's result returning one."""


@dataclass
class SagaFrame:
    """The compensation chain of one workflow sequence, built as the steps are added.

    Attributes:
        scope: the sequence (the workflow's top level) whose steps catch into the chain.
        key: where every catch puts the :class:`~orderflow.dsl.CaughtError`.
        head: the chain's newest state (a step failing now enters here).
        active: whether a compensable step was added (before that nothing is caught).
    """

    scope: Scope
    key: str
    head: str
    active: bool = False
    names: set[str] = field(default_factory=set)

    def attach(self, step: Step) -> None:
        """Give ``step`` (just added to the sequence) a catch into the chain."""
        if not self.active or step.name in self.names:
            return
        catch: list[CatchSpec] | None = getattr(step, "catch", None)
        if catch is None or any(STATES_ALL in spec.errors for spec in catch):
            return  # no Catch field (Pass, Wait, ...) or the step already catches everything
        catch.append(CatchSpec([STATES_ALL], self.head, f"$.{self.key}"))

    def push_step(self, step: str, compensation: Compensation[Any]) -> None:
        """A step of the sequence completed: its compensation becomes the chain's head."""
        handler = self._handler(f"the compensation of {step!r}")
        handler.add(self._task(handler, step, compensation))
        self._link(handler)

    def push_parallel(self, state: str, groups: list[list[tuple[str, Compensation[Any]]]]) -> None:
        """A Parallel whose branches hold compensable steps: undo them all, side by side."""
        handler = self._handler(f"the compensation of {state!r}")
        if len(groups) == 1:
            for step, compensation in reversed(groups[0]):
                handler.add(self._task(handler, step, compensation))
        else:
            name = _claim(handler, f"Compensate {state}")
            branches: list[Scope] = []
            for i, group in enumerate(groups, start=1):
                branch = handler.child("branch", f"compensation branch {i} of {state!r}")
                for step, compensation in reversed(group):
                    branch.add(self._task(branch, step, compensation))
                branches.append(branch)
            handler.add(ParallelStep(name, branches, None, [], [], discard_result=True))
        self._link(handler)

    def _handler(self, label: str) -> Scope:
        return self.scope.child("catch", label)

    def _task(self, scope: Scope, step: str, compensation: Compensation[Any]) -> TaskStep:
        name = _claim(scope, f"Compensate {step}")
        self.names.add(name)
        return compensation.task_step(scope, name)

    def _link(self, handler: Scope) -> None:
        handler.continues_to = self.head
        self.scope.handlers.append(handler)
        self.head = handler.steps[0].name
        self.active = True


def _claim(scope: Scope, name: str) -> str:
    scope.builder.claim_name(name)
    return name


def start_saga(
    flow: Flow[Any],
    *,
    on_failure: CatchHandler | None,
    result_key: str,
    fail_state: str,
) -> SagaFrame:
    """Create the saga of ``flow``'s sequence: its outcome first, the chain grows from it."""
    scope = flow._scope
    if scope.kind != "root":
        raise WorkflowBuildError(
            "a saga belongs to the workflow's top-level sequence; steps of its Parallel "
            "branches may declare compensate= too",
            state=scope.label,
            field="saga",
        )
    if scope.saga is not None:
        raise WorkflowBuildError(
            "the workflow already has a saga: call flow.saga(...) once, before the first "
            "step with compensate=",
            field="saga",
        )
    if on_failure is not None:
        spec = catchers(flow, "Saga", [Catch([STATES_ALL], then=on_failure, result_key=result_key)])
        head = spec[0].target
    else:
        if result_key not in scope.error_keys:
            scope.claim_key(result_key, fail_state)
            scope.error_keys.add(result_key)
        handler = scope.child("catch", "the saga's failure")
        handler.add(
            FailStep(
                _claim(handler, fail_state),
                {"ErrorPath": f"$.{result_key}.Error", "CausePath": f"$.{result_key}.Cause"},
                "Every completed step was compensated: fail with the original error.",
            )
        )
        scope.handlers.append(handler)
        head = fail_state
    frame = SagaFrame(scope, result_key, head)
    scope.saga = frame
    return frame


def add_compensation(
    flow: Flow[Any], step: str, compensate: CompensateOption[Any], result: object
) -> None:
    """Register the compensation of ``step`` (just added) with the saga it belongs to."""
    compensation = compensate
    if not isinstance(compensation, Compensation) and callable(compensation):
        compensation = compensation(result)
    if not isinstance(compensation, Compensation):
        raise WorkflowBuildError(
            "compensate= takes a Compensation(service).call(Model, ...) or a function of the "
            f"step's result returning one, got {type(compensation).__name__}",
            state=step,
            field="compensate",
        )
    scope = flow._scope
    if scope.kind == "root":
        frame = scope.saga or start_saga(
            flow, on_failure=None, result_key="error", fail_state=DEFAULT_FAIL_STATE
        )
        frame.push_step(step, compensation)
    elif scope.kind == "branch" and scope.parent is not None and scope.parent.kind == "root":
        scope.pending_compensations.append((step, compensation))
    else:
        raise WorkflowBuildError(
            "compensate= is supported on steps of the workflow's top-level sequence and of "
            f"its Parallel branches, not inside {scope.label}",
            state=step,
            field="compensate",
        )


def compensate_branches(flow: Flow[Any], state: str, branches: list[Scope]) -> None:
    """Before a Parallel is added: chain the compensations its branches declared."""
    groups = [list(b.pending_compensations) for b in branches if b.pending_compensations]
    if not groups:
        return
    scope = flow._scope
    frame = scope.saga or start_saga(
        flow, on_failure=None, result_key="error", fail_state=DEFAULT_FAIL_STATE
    )
    frame.push_parallel(state, groups)


__all__ = [
    "DEFAULT_FAIL_STATE",
    "CompensateOption",
    "Compensation",
    "SagaFrame",
    "add_compensation",
    "compensate_branches",
    "start_saga",
]
