"""The builder: ``Flow`` methods add states; task and Pass calls return typed references.

The one wiring syntax is ``.call(InputModel, field=value, ...)``: the options of the state
come first (``flow.task(name, service, retry=..., catch=...)``), the payload second, so
mypy can check the payload's keyword arguments against the model's ``__init__`` (the
pydantic mypy plugin types it) while the options stay ordinary keyword arguments.

Example:
    >>> def build(flow: Flow[OrderRequest]) -> None:
    ...     user = flow.task("GetUser", get_user).call(GetUserInput, user_id=flow.input.user_id)
    ...     flow.task("Notify", send_notification).call(
    ...         SendNotificationInput, to=user.email, ...
    ...     )
"""

from __future__ import annotations

import datetime as dt
import types
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar, cast, overload

from pydantic import BaseModel

from orderflow._errors import WorkflowBuildError
from orderflow.dsl._conditions import ChoiceDefault, Condition, covered_values
from orderflow.dsl._distributed import (
    ExecutionType,
    MapRunResult,
    S3Items,
    S3Results,
    build_distributed_map,
)
from orderflow.dsl._integrations import Callback, DynamoDB, EventBridge, Sns, Sqs, StepFunctions
from orderflow.dsl._options import catchers, check_retry_targets, retriers, services_in
from orderflow.dsl._raw import raw_effect
from orderflow.dsl._refs import (
    Ref,
    as_ref,
    compatible,
    list_element,
    parallel_result,
    type_name,
)
from orderflow.dsl._retry import (
    Catch,
    CatchHandler,
    Retry,
)
from orderflow.dsl._saga import (
    DEFAULT_FAIL_STATE,
    CompensateOption,
    compensate_branches,
    start_saga,
)
from orderflow.dsl._scope import (
    ChoiceStep,
    FailStep,
    MapStep,
    ParallelStep,
    RawStep,
    Scope,
    SucceedStep,
    WaitStep,
)
from orderflow.dsl._task import PassCall, TaskCall
from orderflow.dsl._wiring import snake_case
from orderflow.runtime._service import Service

In = TypeVar("In", bound=BaseModel)
TIn = TypeVar("TIn", bound=BaseModel)
TOut = TypeVar("TOut", bound=BaseModel)
M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")
R = TypeVar("R")
O1 = TypeVar("O1")
O2 = TypeVar("O2")
O3 = TypeVar("O3")
O4 = TypeVar("O4")
O5 = TypeVar("O5")
O6 = TypeVar("O6")

Branch = Callable[["Flow[In]"], R]
"""A Parallel branch: builds its states on the Flow it is given, returns its output."""


class Flow(Generic[In]):
    """Adds states to one scope (the workflow, a branch, a Map body or a handler).

    ``In`` is the workflow's input model; ``flow.input`` is typed as it.
    """

    def __init__(self, scope: Scope, input_ref: Ref, prefix: str = "") -> None:
        self._scope = scope
        self._input = input_ref
        self._prefix = prefix

    def _name(self, name: str) -> str:
        if not isinstance(name, str):
            return name
        return self._prefix + name

    def scoped(self, label: str) -> Flow[In]:
        """A Flow adding states to the same sequence, each name prefixed ``"<label>: "``.

        Call a sub-flow function with ``flow.scoped("Compensate")`` as often as needed: a
        label already used gets the next free number (``Compensate 2: Refund``), so the
        sub-flow's state names and result keys stay unique without numbering them by hand.
        Scopes nest (``Order: Compensate: Refund``).

        Example:
            >>> def refund(flow: Flow[Order], payment: Payment) -> None:
            ...     flow.task("Refund", refund_payment).call(RefundInput, id=payment.id)
            >>> refund(flow.scoped("Undo"), first)   # state "Undo: Refund"
            >>> refund(flow.scoped("Undo"), second)  # state "Undo 2: Refund"
        """
        if not isinstance(label, str) or not label.strip():
            raise WorkflowBuildError(f"a scope label must be a non-empty string, got {label!r}")
        full = self._builder_label(self._name(label))
        return Flow(self._scope, self._input, f"{full}: ")

    def _builder_label(self, label: str) -> str:
        used = self._scope.builder.labels
        unique, n = label, 1
        while unique in used:
            n += 1
            unique = f"{label} {n}"
        used.add(unique)
        return unique

    @property
    def input(self) -> In:
        """The execution input (path ``$`` at the workflow's start), typed as the input model."""
        return cast(In, self._input)

    # --- service integrations ---------------------------------------------------------------

    @property
    def dynamodb(self) -> DynamoDB:
        """DynamoDB ``GetItem``/``PutItem``/``UpdateItem``/``DeleteItem`` Tasks."""
        return DynamoDB(self)

    @property
    def sns(self) -> Sns:
        """SNS ``Publish`` Tasks."""
        return Sns(self)

    @property
    def sqs(self) -> Sqs:
        """SQS ``SendMessage`` Tasks."""
        return Sqs(self)

    @property
    def events(self) -> EventBridge:
        """EventBridge ``PutEvents`` Tasks."""
        return EventBridge(self)

    @property
    def sfn(self) -> StepFunctions:
        """Step Functions ``StartExecution`` Tasks (asynchronous or ``.sync:2``)."""
        return StepFunctions(self)

    @property
    def callback(self) -> Callback:
        """Tasks that wait for a task token: Lambda, SQS or SNS with ``.waitForTaskToken``."""
        return Callback(self)

    # --- tasks ------------------------------------------------------------------------------

    def task(
        self,
        name: str,
        service: Service[TIn, TOut],
        *,
        retry: Sequence[Retry] = (),
        catch: Sequence[Catch] = (),
        timeout_seconds: int | None = None,
        heartbeat_seconds: int | None = None,
        result_key: str | None = None,
        comment: str | None = None,
        compensate: CompensateOption[TOut] = None,
    ) -> TaskCall[TIn, TOut]:
        """Start a Lambda Task calling ``service``; finish it with ``.call(...)``.

        Args:
            name: the state name (unique in the workflow).
            service: the service; its contract types the payload and the result.
            retry: Retriers, in order.
            catch: Catchers, in order.
            timeout_seconds: the Task's TimeoutSeconds.
            heartbeat_seconds: the Task's HeartbeatSeconds.
            result_key: where the result goes (``$.<result_key>``); default snake_case(name).
            comment: the state's Comment.
            compensate: makes the Task a saga step (see :meth:`saga`): how to undo it, a
                :class:`~orderflow.dsl.Compensation` or a function of the Task's result
                returning one. Any failure after the Task runs it (and those of the other
                completed steps, newest first), then the execution fails.
        """
        name = self._name(name)
        if not isinstance(service, Service):
            raise WorkflowBuildError(
                f"expected a Service, got {type(service).__name__}", state=str(name)
            )
        return TaskCall(
            self,
            name,
            service,
            retry=tuple(retry),
            catch=tuple(catch),
            timeout_seconds=timeout_seconds,
            heartbeat_seconds=heartbeat_seconds,
            result_key=result_key,
            comment=comment,
            compensate=compensate,
        )

    def saga(
        self,
        *,
        on_failure: CatchHandler | None = None,
        result_key: str = "error",
        fail_state: str = DEFAULT_FAIL_STATE,
    ) -> None:
        """Declare how the workflow's saga ends; call it before the first ``compensate=``.

        Steps declared with ``compensate=`` form a saga on their own; this only changes
        its outcome. After a failure every completed step is compensated, newest first,
        then ``on_failure(flow, error)`` runs (like a Catch handler, e.g. one failing
        with a business name), or, without it, the Fail state ``fail_state`` ends the
        execution with the original error and cause.

        Args:
            on_failure: builds the states that run after the compensations.
            result_key: where the caught error sits (``$.<result_key>``) meanwhile.
            fail_state: the name of the final Fail state when there is no ``on_failure``.
        """
        start_saga(
            self,
            on_failure=on_failure,
            result_key=result_key,
            fail_state=self._name(fail_state),
        )

    def pass_(
        self, name: str, *, result_key: str | None = None, comment: str | None = None
    ) -> PassCall:
        """Start a Pass state that shapes a new value; finish it with ``.call(Model, ...)``."""
        return PassCall(self, self._name(name), result_key=result_key, comment=comment)

    # --- Parallel ---------------------------------------------------------------------------

    @overload
    def parallel(
        self,
        name: str,
        b1: Branch[In, O1],
        /,
        *,
        retry: Sequence[Retry] = ...,
        catch: Sequence[Catch] = ...,
        result_key: str | None = ...,
        comment: str | None = ...,
    ) -> tuple[O1]: ...
    @overload
    def parallel(
        self,
        name: str,
        b1: Branch[In, O1],
        b2: Branch[In, O2],
        /,
        *,
        retry: Sequence[Retry] = ...,
        catch: Sequence[Catch] = ...,
        result_key: str | None = ...,
        comment: str | None = ...,
    ) -> tuple[O1, O2]: ...
    @overload
    def parallel(
        self,
        name: str,
        b1: Branch[In, O1],
        b2: Branch[In, O2],
        b3: Branch[In, O3],
        /,
        *,
        retry: Sequence[Retry] = ...,
        catch: Sequence[Catch] = ...,
        result_key: str | None = ...,
        comment: str | None = ...,
    ) -> tuple[O1, O2, O3]: ...
    @overload
    def parallel(
        self,
        name: str,
        b1: Branch[In, O1],
        b2: Branch[In, O2],
        b3: Branch[In, O3],
        b4: Branch[In, O4],
        /,
        *,
        retry: Sequence[Retry] = ...,
        catch: Sequence[Catch] = ...,
        result_key: str | None = ...,
        comment: str | None = ...,
    ) -> tuple[O1, O2, O3, O4]: ...
    @overload
    def parallel(
        self,
        name: str,
        b1: Branch[In, O1],
        b2: Branch[In, O2],
        b3: Branch[In, O3],
        b4: Branch[In, O4],
        b5: Branch[In, O5],
        /,
        *,
        retry: Sequence[Retry] = ...,
        catch: Sequence[Catch] = ...,
        result_key: str | None = ...,
        comment: str | None = ...,
    ) -> tuple[O1, O2, O3, O4, O5]: ...
    @overload
    def parallel(
        self,
        name: str,
        b1: Branch[In, O1],
        b2: Branch[In, O2],
        b3: Branch[In, O3],
        b4: Branch[In, O4],
        b5: Branch[In, O5],
        b6: Branch[In, O6],
        /,
        *,
        retry: Sequence[Retry] = ...,
        catch: Sequence[Catch] = ...,
        result_key: str | None = ...,
        comment: str | None = ...,
    ) -> tuple[O1, O2, O3, O4, O5, O6]: ...
    @overload
    def parallel(
        self,
        name: str,
        b1: Branch[In, Any],
        b2: Branch[In, Any],
        b3: Branch[In, Any],
        b4: Branch[In, Any],
        b5: Branch[In, Any],
        b6: Branch[In, Any],
        b7: Branch[In, Any],
        /,
        *more: Branch[In, Any],
        retry: Sequence[Retry] = ...,
        catch: Sequence[Catch] = ...,
        result_key: str | None = ...,
        comment: str | None = ...,
    ) -> tuple[Any, ...]: ...
    def parallel(
        self,
        name: str,
        *branches: Branch[In, Any],
        retry: Sequence[Retry] = (),
        catch: Sequence[Catch] = (),
        result_key: str | None = None,
        comment: str | None = None,
    ) -> tuple[Any, ...]:
        """A Parallel state; each branch function gets its own Flow and returns a reference.

        The branch's output is exactly the value its function returns (its last state gets
        ``OutputPath``), and the call returns one reference per branch, in branch order.

        Up to six branches the result is typed per branch (``tuple[User, Payment]``), so
        mypy checks each reference. Seven or more branches are legal too, but Python's
        typing cannot spell a tuple of any length with a type per position, so the result
        is ``tuple[Any, ...]``: annotate what you unpack (``user: User = results[6]``) to
        keep the checking.
        """
        scope = self._scope
        name = self._name(name)
        scope.builder.claim_name(name)
        if not branches:
            raise WorkflowBuildError("a Parallel needs at least one branch", state=name)
        retry_asl = retriers(name, retry)
        catch_specs = catchers(self, name, catch)
        built: list[Scope] = []
        outputs: list[Ref] = []
        for i, branch in enumerate(branches, start=1):
            body = scope.child("branch", f"Parallel {name!r} branch {i}")
            returned = branch(Flow(body, self._input, self._prefix))
            ref = branch_output(body, name, returned, f"branch {i}")
            built.append(body)
            outputs.append(ref)
        check_retry_targets(name, retry, [s for b in built for s in services_in(b)])
        # A failing branch stops the others, but they may have completed: the Parallel
        # catches into the compensation of every branch step (see dsl/_saga.py).
        compensate_branches(self, name, built)
        key = scope.claim_key(result_key or snake_case(name), name)
        scope.add(ParallelStep(name, built, f"$.{key}", retry_asl, catch_specs, comment))
        return parallel_result(
            name,
            [
                Ref(scope, f"$.{key}[{i}]", out._of_annotation, name)
                for i, out in enumerate(outputs)
            ],
        )

    # --- Map --------------------------------------------------------------------------------

    def map(
        self,
        name: str,
        items: Sequence[T],
        body: Callable[[Flow[In], T], R],
        *,
        max_concurrency: int | None = None,
        retry: Sequence[Retry] = (),
        catch: Sequence[Catch] = (),
        result_key: str | None = None,
        comment: str | None = None,
    ) -> list[R]:
        """A Map state running ``body(flow, item)`` for each element of ``items``.

        Outer references read in the body are copied in through the ItemSelector, so the
        body may use any value visible where the Map is. Returns the list of the values the
        body returns.
        """
        scope = self._scope
        name = self._name(name)
        scope.builder.claim_name(name)
        items_ref = as_ref(items, state=name, what="Map items")
        element = list_element(items_ref._of_annotation)
        if element is None:
            raise WorkflowBuildError(
                f"Map items must be a list, {items_ref._of_path} is "
                f"{type_name(items_ref._of_annotation)}",
                state=name,
                field="ItemsPath",
            )
        if max_concurrency is not None and max_concurrency < 0:
            raise WorkflowBuildError(
                "max_concurrency must be >= 0 (0 = no limit)", state=name, field="MaxConcurrency"
            )
        items_path = scope.resolve(items_ref, name)
        retry_asl = retriers(name, retry)
        catch_specs = catchers(self, name, catch)
        inner = scope.child("map", f"Map {name!r}")
        item = Ref(inner, "$.item", element, name)
        returned = body(Flow(inner, self._input, self._prefix), cast(T, item))
        out = branch_output(inner, name, returned, "the Map body")
        check_retry_targets(name, retry, services_in(inner))
        key = scope.claim_key(result_key or snake_case(name), name)
        scope.add(
            MapStep(
                name,
                items_path,
                inner,
                f"$.{key}",
                max_concurrency,
                retry_asl,
                catch_specs,
                comment,
            )
        )
        results = Ref(scope, f"$.{key}", types.GenericAlias(list, (out._of_annotation,)), name)
        return cast(list[R], results)

    # --- Distributed Map ----------------------------------------------------------------------

    @overload
    def distributed_map(
        self,
        name: str,
        items: S3Items[T] | Sequence[T],
        body: Callable[[Flow[In], T], R],
        *,
        batch: None = None,
        writer: None = None,
        max_concurrency: int | None = ...,
        tolerated_failure_count: int | None = ...,
        tolerated_failure_percentage: float | None = ...,
        execution_type: ExecutionType = ...,
        label: str | None = ...,
        retry: Sequence[Retry] = ...,
        catch: Sequence[Catch] = ...,
        result_key: str | None = ...,
        comment: str | None = ...,
    ) -> list[R]: ...
    @overload
    def distributed_map(
        self,
        name: str,
        items: S3Items[T] | Sequence[T],
        body: Callable[[Flow[In], list[T]], R],
        *,
        batch: int,
        writer: None = None,
        max_concurrency: int | None = ...,
        tolerated_failure_count: int | None = ...,
        tolerated_failure_percentage: float | None = ...,
        execution_type: ExecutionType = ...,
        label: str | None = ...,
        retry: Sequence[Retry] = ...,
        catch: Sequence[Catch] = ...,
        result_key: str | None = ...,
        comment: str | None = ...,
    ) -> list[R]: ...
    @overload
    def distributed_map(
        self,
        name: str,
        items: S3Items[T] | Sequence[T],
        body: Callable[[Flow[In], T], R],
        *,
        batch: None = None,
        writer: S3Results,
        max_concurrency: int | None = ...,
        tolerated_failure_count: int | None = ...,
        tolerated_failure_percentage: float | None = ...,
        execution_type: ExecutionType = ...,
        label: str | None = ...,
        retry: Sequence[Retry] = ...,
        catch: Sequence[Catch] = ...,
        result_key: str | None = ...,
        comment: str | None = ...,
    ) -> MapRunResult: ...
    @overload
    def distributed_map(
        self,
        name: str,
        items: S3Items[T] | Sequence[T],
        body: Callable[[Flow[In], list[T]], R],
        *,
        batch: int,
        writer: S3Results,
        max_concurrency: int | None = ...,
        tolerated_failure_count: int | None = ...,
        tolerated_failure_percentage: float | None = ...,
        execution_type: ExecutionType = ...,
        label: str | None = ...,
        retry: Sequence[Retry] = ...,
        catch: Sequence[Catch] = ...,
        result_key: str | None = ...,
        comment: str | None = ...,
    ) -> MapRunResult: ...
    def distributed_map(
        self,
        name: str,
        items: Any,
        body: Callable[..., Any],
        *,
        batch: int | None = None,
        writer: S3Results | None = None,
        max_concurrency: int | None = None,
        tolerated_failure_count: int | None = None,
        tolerated_failure_percentage: float | None = None,
        execution_type: ExecutionType = "STANDARD",
        label: str | None = None,
        retry: Sequence[Retry] = (),
        catch: Sequence[Catch] = (),
        result_key: str | None = None,
        comment: str | None = None,
    ) -> Any:
        """A Distributed Map: ``body`` runs as a child execution per item (or batch).

        Args:
            name: the state name.
            items: a list reference, or an S3 reader (``S3Json``, ``S3Csv``,
                ``S3Manifest``, ``S3Objects``) whose ``item`` model types each item.
            body: ``body(flow, item)`` (or ``body(flow, items)`` with ``batch``) builds the
                child's states and returns its result.
            batch: ``ItemBatcher.MaxItemsPerBatch``; the body then gets a list.
            writer: ``ResultWriter``; the result is then a :class:`MapRunResult`.
            max_concurrency: how many children run at once (0 = as many as allowed).
            tolerated_failure_count: ``ToleratedFailureCount``.
            tolerated_failure_percentage: ``ToleratedFailurePercentage``.
            execution_type: the children's type, ``STANDARD`` or ``EXPRESS``.
            label: the map run's ``Label``.
            retry: Retriers, in order.
            catch: Catchers, in order.
            result_key: where the result goes; default snake_case(name).
            comment: the state's Comment.
        """
        return build_distributed_map(
            self,
            name,
            items,
            body,
            batch=batch,
            writer=writer,
            max_concurrency=max_concurrency,
            tolerated_failure_count=tolerated_failure_count,
            tolerated_failure_percentage=tolerated_failure_percentage,
            execution_type=execution_type,
            label=label,
            retry=retry,
            catch=catch,
            result_key=result_key,
            comment=comment,
        )

    # --- Choice -----------------------------------------------------------------------------

    def choice(
        self,
        name: str,
        rules: Sequence[tuple[Condition, Callable[[Flow[In]], None]]],
        *,
        otherwise: Callable[[Flow[In]], None] | ChoiceDefault | None = None,
        comment: str | None = None,
    ) -> None:
        """A Choice: the first rule that holds runs its branch; then the flow continues.

        A branch may end the workflow (``fail``/``succeed``); otherwise it rejoins the flow
        after the Choice. References made inside a branch are not readable after it.

        ``otherwise`` says what happens when no rule holds: a branch function, ``CONTINUE``
        (go on after the Choice) or ``FAIL`` (the execution fails with
        ``States.NoChoiceMatched``). Leaving it out is allowed only when the rules compare
        one ``Literal``/``Enum`` reference with every value it can hold; anything else is a
        :class:`~orderflow.WorkflowBuildError`, because on AWS it fails only at run time.
        """
        scope = self._scope
        name = self._name(name)
        scope.builder.claim_name(name)
        if not rules:
            raise WorkflowBuildError("a Choice needs at least one rule", state=name)
        built: list[tuple[dict[str, Any], Scope]] = []
        for i, (condition, branch) in enumerate(rules, start=1):
            if not isinstance(condition, Condition):
                raise WorkflowBuildError(
                    f"rule {i}: expected a condition such as eq(ref, value), got "
                    f"{type(condition).__name__}",
                    state=name,
                    field="Choices",
                )
            rule = condition.to_asl(lambda ref: scope.resolve(ref, name), name)
            body = scope.child("choice", f"Choice {name!r} rule {i}")
            branch(Flow(body, self._input, self._prefix))
            built.append((rule, body))
        default: Scope | None = None
        if otherwise is None:
            if not covered_values([condition for condition, _ in rules]):
                raise WorkflowBuildError(
                    "no otherwise= and the rules do not cover every value, so an unmatched "
                    "input would fail at run time with States.NoChoiceMatched; pass "
                    "otherwise=CONTINUE (go on after the Choice), otherwise=FAIL (fail with "
                    "States.NoChoiceMatched) or an otherwise branch",
                    state=name,
                    field="Default",
                )
        elif otherwise is ChoiceDefault.CONTINUE:
            default = scope.child("choice", f"Choice {name!r} otherwise branch")
        elif otherwise is not ChoiceDefault.FAIL:
            if not callable(otherwise):
                raise WorkflowBuildError(
                    f"otherwise must be a branch function, CONTINUE or FAIL, got {otherwise!r}",
                    state=name,
                    field="Default",
                )
            default = scope.child("choice", f"Choice {name!r} otherwise branch")
            otherwise(Flow(default, self._input, self._prefix))
        scope.add(ChoiceStep(name, built, default, comment))
        # Branches rejoin the flow: a raw state in one that replaced the data did so for
        # everything after the Choice too.
        for branch_scope in [*(b for _, b in built), *([default] if default else [])]:
            scope.barriers.extend(branch_scope.barriers)

    # --- simple states ----------------------------------------------------------------------

    def wait(
        self,
        name: str,
        *,
        seconds: int | None = None,
        timestamp: dt.datetime | str | None = None,
        comment: str | None = None,
    ) -> None:
        """A Wait for ``seconds`` or until ``timestamp``; either may be a reference."""
        name = self._name(name)
        if (seconds is None) == (timestamp is None):
            raise WorkflowBuildError(
                "wait() needs exactly one of seconds= or timestamp=", state=name
            )
        self._scope.builder.claim_name(name)
        fields: dict[str, Any] = {}
        if isinstance(seconds, Ref):
            if not compatible(seconds._of_annotation, int):
                raise WorkflowBuildError(
                    f"SecondsPath must point at an int, {seconds._of_path} is "
                    f"{type_name(seconds._of_annotation)}",
                    state=name,
                    field="SecondsPath",
                )
            fields["SecondsPath"] = self._scope.resolve(seconds, name)
        elif seconds is not None:
            if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds < 0:
                raise WorkflowBuildError(
                    f"Seconds must be a non-negative int, got {seconds!r}",
                    state=name,
                    field="Seconds",
                )
            fields["Seconds"] = seconds
        elif isinstance(timestamp, Ref):
            if not compatible(timestamp._of_annotation, dt.datetime | str):
                raise WorkflowBuildError(
                    f"TimestampPath must point at a timestamp, {timestamp._of_path} is "
                    f"{type_name(timestamp._of_annotation)}",
                    state=name,
                    field="TimestampPath",
                )
            fields["TimestampPath"] = self._scope.resolve(timestamp, name)
        elif isinstance(timestamp, dt.datetime):
            if timestamp.tzinfo is None:
                raise WorkflowBuildError(
                    "Timestamp needs a timezone (AWS reads RFC 3339 with an offset or Z)",
                    state=name,
                    field="Timestamp",
                )
            fields["Timestamp"] = timestamp.isoformat().replace("+00:00", "Z")
        else:
            fields["Timestamp"] = timestamp
        self._scope.add(WaitStep(name, fields, comment))

    def succeed(self, name: str, *, output: object = None, comment: str | None = None) -> None:
        """End successfully; ``output`` (a reference) becomes the output when given."""
        name = self._name(name)
        self._scope.builder.claim_name(name)
        path = None
        if output is not None:
            path = self._scope.resolve(as_ref(output, state=name, what="succeed(output=)"), name)
        self._scope.add(SucceedStep(name, path, comment))

    def fail(
        self,
        name: str,
        *,
        error: str | None = None,
        cause: str | None = None,
        comment: str | None = None,
    ) -> None:
        """End with a failure; ``error``/``cause`` are literals or references.

        A reference becomes ``ErrorPath``/``CausePath``, e.g. ``cause=caught.Cause``.
        """
        name = self._name(name)
        self._scope.builder.claim_name(name)
        fields: dict[str, Any] = {}
        for key, value in (("Error", error), ("Cause", cause)):
            if isinstance(value, Ref):
                if not _is_str(value._of_annotation):
                    raise WorkflowBuildError(
                        f"{key}Path must point at a string, {value._of_path} is "
                        f"{type_name(value._of_annotation)}",
                        state=name,
                        field=f"{key}Path",
                    )
                fields[f"{key}Path"] = self._scope.resolve(value, name)
            elif value is not None:
                fields[key] = value
        self._scope.add(FailStep(name, fields, comment))

    @overload
    def raw(self, name: str, state: dict[str, Any]) -> None: ...
    @overload
    def raw(self, name: str, state: dict[str, Any], *, output: type[M]) -> M: ...
    def raw(
        self, name: str, state: dict[str, Any], *, output: type[BaseModel] | None = None
    ) -> Any:
        """Add a state written in ASL (the escape hatch for anything the DSL lacks).

        Without ``Next``/``End`` the state is linked into the sequence like any other; with
        them, or for Succeed/Fail/Choice, you manage its transitions.

        What flows on is read from the state's fields. A state that keeps its input
        (``ResultPath: null``, ``ResultPath: "$.key"`` under a new key, a Wait, a plain
        Pass) lets earlier references through. One that replaces it (no ``ResultPath``,
        ``"$"``, a narrowing ``InputPath``/``OutputPath``) is opaque: reading a reference
        made before it, after it, is a :class:`~orderflow.WorkflowBuildError` naming both
        states.

        Args:
            name: the state name.
            state: the ASL state object.
            output: the model of what the state produces. With ``ResultPath: "$.key"`` the
                returned reference is that result (``$.key``); when the state replaces the
                data, it is the whole new data (``$``), and only it is readable after.

        Returns:
            ``None`` without ``output``, else a reference typed as ``output``.
        """
        name = self._name(name)
        if not isinstance(state, dict) or not isinstance(state.get("Type"), str):
            raise WorkflowBuildError("raw() needs an ASL state object with a Type", state=name)
        if output is not None and not (isinstance(output, type) and issubclass(output, BaseModel)):
            raise WorkflowBuildError(
                f"output must be a Pydantic model class, got {output!r}", state=name
            )
        scope = self._scope
        scope.builder.claim_name(name)
        effect = raw_effect(name, state, self._scope.builder.jsonata)
        if effect.key is not None:
            if effect.key in scope.keys:
                raise WorkflowBuildError(
                    f"ResultPath '$.{effect.key}...' would overwrite {effect.key!r}, which "
                    "holds the input or an earlier result; use a new key",
                    state=name,
                    field="ResultPath",
                )
            scope.claim_key(effect.key, name)
        if output is not None and (
            effect.kind == "ends"
            or (effect.kind == "keeps" and (effect.key is None or effect.nested))
        ):
            raise WorkflowBuildError(
                "output= describes the state's result, but this state's result is not kept "
                "where the DSL can find it: give it ResultPath '$.key' (or none, to replace "
                "the data), and no Next/End",
                state=name,
                field="ResultPath",
            )
        scope.add(RawStep(name, dict(state), effect.kind == "ends"))
        if effect.kind == "replaces":
            scope.add_barrier(name, declared=output is not None)
        if output is None:
            return None
        path = "$" if effect.kind == "replaces" else f"$.{effect.key}"
        return Ref(scope, path, output, name)

    def in_scope(self, scope: Scope) -> Flow[In]:
        """A Flow adding states to ``scope`` (a branch, body or handler of this one)."""
        return Flow(scope, self._input, self._prefix)


# --- helpers ---------------------------------------------------------------------------------


def branch_output(body: Scope, state: str, returned: object, what: str) -> Ref:
    if not body.steps:
        raise WorkflowBuildError(f"{what} has no states; add at least one", state=state)
    ref = as_ref(returned, state=state, what=f"the value {what} returns")
    if not body.terminal:
        body.output_path = body.resolve(ref, state)
    return ref


def _is_str(annotation: Any) -> bool:
    return compatible(annotation, str)


__all__ = ["Flow", "branch_output"]
