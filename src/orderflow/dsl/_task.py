"""Task and Pass states waiting for their payload: ``.call(Model, field=value, ...)``.

Splitting the state's options (``flow.task(name, service, retry=...)``) from its payload
(``.call(InputModel, **fields)``) is what lets mypy check the payload's keywords against
the model's ``__init__`` through a ParamSpec, with no clash between option names and field
names.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, TypeVar, cast

from pydantic import BaseModel

from orderflow._errors import WorkflowBuildError
from orderflow.dsl._options import catchers, check_retry_targets, retriers
from orderflow.dsl._refs import Ref
from orderflow.dsl._retry import Catch, Retry
from orderflow.dsl._saga import CompensateOption, add_compensation
from orderflow.dsl._scope import PassStep, TaskStep
from orderflow.dsl._wiring import payload_template, result_selector, snake_case, whole_payload
from orderflow.runtime._service import Service

if TYPE_CHECKING:
    from orderflow.dsl._flow import Flow

TIn = TypeVar("TIn", bound=BaseModel)
TOut = TypeVar("TOut", bound=BaseModel)
M = TypeVar("M", bound=BaseModel)
P = ParamSpec("P")


class TaskCall(Generic[TIn, TOut]):
    """A Task waiting for its payload; see :meth:`call` and :meth:`call_with`."""

    def __init__(
        self,
        flow: Flow[Any],
        name: str,
        service: Service[TIn, TOut],
        *,
        retry: tuple[Retry, ...],
        catch: tuple[Catch, ...],
        timeout_seconds: int | None,
        heartbeat_seconds: int | None,
        result_key: str | None,
        comment: str | None,
        compensate: CompensateOption[TOut] = None,
    ) -> None:
        self._flow = flow
        self._name = name
        self._service = service
        self._compensate = compensate
        self._retry = retry
        self._catch = catch
        self._timeouts = (timeout_seconds, heartbeat_seconds)
        self._result_key = result_key
        self._comment = comment
        flow._scope.builder.unfinished[id(self)] = name

    def call(self, model: Callable[P, TIn], /, *args: P.args, **kwargs: P.kwargs) -> TOut:
        """Wire the payload field by field; returns the service's output, typed.

        ``model`` must be the service's input model; each keyword is a field, set to a
        reference or a literal. mypy checks names and types; the build checks them again.
        """
        scope, name = self._flow._scope, self._name
        if model is not self._service.input_model:
            raise WorkflowBuildError(
                f"service {self._service.name!r} takes {self._service.input_model.__name__}, "
                f"not {getattr(model, '__name__', model)!r}",
                state=name,
                field="Payload",
            )
        return self._finish(lambda: payload_template(scope, name, model, dict(kwargs), args=args))

    def call_with(self, value: TIn) -> TOut:
        """Pass one reference as the whole payload (``"Payload.$": "<its path>"``)."""
        scope, name = self._flow._scope, self._name
        return self._finish(lambda: whole_payload(scope, name, self._service.input_model, value))

    def _finish(self, payload: Callable[[], dict[str, Any] | str]) -> TOut:
        flow, name, service = self._flow, self._name, self._service
        scope = flow._scope
        scope.builder.unfinished.pop(id(self), None)
        scope.builder.claim_name(name)
        for timeout, label in zip(
            self._timeouts, ("TimeoutSeconds", "HeartbeatSeconds"), strict=True
        ):
            if timeout is not None and timeout < 1:
                raise WorkflowBuildError(f"{label} must be >= 1", state=name, field=label)
        template = payload()
        retry_asl = retriers(name, self._retry)
        check_retry_targets(name, self._retry, [service])
        # Handlers are built before the result exists, so they cannot read it.
        catch_specs = catchers(flow, name, self._catch)
        key = scope.claim_key(self._result_key or snake_case(name), name)
        timeout, heartbeat = self._timeouts
        scope.add(
            TaskStep(
                name,
                service,
                template,
                result_selector(service.output_model),
                f"$.{key}",
                retry_asl,
                catch_specs,
                timeout,
                heartbeat,
                self._comment,
            )
        )
        result = Ref(scope, f"$.{key}", service.output_model, name)
        if self._compensate is not None:
            add_compensation(flow, name, self._compensate, result)
        return cast(TOut, result)


class PassCall:
    """A Pass state waiting for the value it shapes; see :meth:`call`."""

    def __init__(
        self, flow: Flow[Any], name: str, *, result_key: str | None, comment: str | None
    ) -> None:
        self._flow = flow
        self._name = name
        self._result_key = result_key
        self._comment = comment
        flow._scope.builder.unfinished[id(self)] = name

    def call(self, model: Callable[P, M], /, *args: P.args, **kwargs: P.kwargs) -> M:
        """Build a ``model`` value from references and literals (a Pass with Parameters)."""
        scope, name = self._flow._scope, self._name
        scope.builder.unfinished.pop(id(self), None)
        scope.builder.claim_name(name)
        template = payload_template(scope, name, model, dict(kwargs), args=args)
        key = scope.claim_key(self._result_key or snake_case(name), name)
        scope.add(PassStep(name, template, f"$.{key}", self._comment))
        return cast(M, Ref(scope, f"$.{key}", model, name))


__all__ = ["PassCall", "TaskCall"]
