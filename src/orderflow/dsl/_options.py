"""Retry and Catch options of a state: checked, compiled, and Catch handlers built.

A Catch handler function runs once per scope even when several catchers name it, so they
share its states; it is built before the failing state's result exists, so it cannot read
that result.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from orderflow._errors import WorkflowBuildError
from orderflow.dsl._refs import Ref
from orderflow.dsl._retry import (
    STATES_ALL,
    STATES_TASK_FAILED,
    Catch,
    CaughtError,
    Retry,
    check_order,
)
from orderflow.dsl._scope import (
    CatchSpec,
    ChoiceStep,
    MapStep,
    ParallelStep,
    Scope,
    ServiceStep,
    TaskStep,
)
from orderflow.runtime._service import Service

if TYPE_CHECKING:
    from orderflow.dsl._flow import Flow


def retriers(state: str, retry: Sequence[Retry]) -> list[dict[str, Any]]:
    """The Retry field of ``state``, with ``States.ALL`` only in the last retrier."""
    if isinstance(retry, Retry):
        retry = [retry]
    retriers = [r.to_asl(state) for r in retry]
    check_order([r["ErrorEquals"] for r in retriers], state=state, what="Retry")
    return retriers


def services_in(scope: Scope) -> list[Service[Any, Any]]:
    """Every service a scope calls, nested branches, bodies and handlers included."""
    found: list[Service[Any, Any]] = []
    for step in scope.steps:
        if isinstance(step, (TaskStep, ServiceStep)):
            if step.service is not None:
                found.append(step.service)
        elif isinstance(step, ParallelStep):
            for branch in step.branches:
                found.extend(services_in(branch))
        elif isinstance(step, MapStep):
            found.extend(services_in(step.body))
        elif isinstance(step, ChoiceStep):
            for _, branch in step.rules:
                found.extend(services_in(branch))
            if step.default is not None:
                found.extend(services_in(step.default))
    for handler in scope.handlers:
        found.extend(services_in(handler))
    return found


def check_retry_targets(
    state: str, retry: Sequence[Retry], services: list[Service[Any, Any]]
) -> None:
    """Refuse to retry a declared business error that the service does not call retryable.

    ``States.ALL`` and ``States.TaskFailed`` also match business errors (a declined payment
    would be retried and, without idempotency, charged twice), so they count too.
    """
    if isinstance(retry, Retry):
        retry = [retry]
    for retrier in retry:
        names = set(retrier.error_names(state))
        for service in services:
            retryable = {e.__name__ for e in service.retryable}
            business = [e.__name__ for e in service.errors if e.__name__ not in retryable]
            for error in business:
                if error in names or (names & {STATES_ALL, STATES_TASK_FAILED}):
                    matched = error if error in names else ", ".join(sorted(names))
                    raise WorkflowBuildError(
                        f"Retry on {matched} would retry {error}, a business error of "
                        f"service {service.name!r} that it does not declare retryable; list "
                        "only transient errors (e.g. LAMBDA_TRANSIENT_ERRORS)",
                        state=state,
                        field="Retry",
                    )


def catchers(flow: Flow[Any], state: str, catch: Sequence[Catch]) -> list[CatchSpec]:
    """The Catch field of ``state``; builds each handler function once per scope."""
    scope = flow._scope
    if isinstance(catch, Catch):
        catch = [catch]
    specs: list[CatchSpec] = []
    for catcher in catch:
        names = catcher.error_names(state)
        key = catcher.result_key
        if key not in scope.error_keys:
            scope.claim_key(key, state)
            scope.error_keys.add(key)
        if isinstance(catcher.then, str):
            target = catcher.then
        else:
            cache_key = (id(catcher.then), key)
            target = scope.handler_targets.get(cache_key, "")
            if not target:
                target = build_handler(flow, state, catcher, key)
                scope.handler_targets[cache_key] = target
        specs.append(CatchSpec(names, target, f"$.{key}"))
    check_order([s.errors for s in specs], state=state, what="Catch")
    return specs


def build_handler(flow: Flow[Any], state: str, catcher: Catch, key: str) -> str:
    """Run a handler function in a new scope; returns its first state (the Catch target)."""
    scope = flow._scope
    handler = scope.child("catch", f"the Catch handler of {state!r}")
    error = Ref(handler, f"$.{key}", CaughtError, state)
    assert not isinstance(catcher.then, str)
    catcher.then(flow.in_scope(handler), cast(CaughtError, error))
    if not handler.steps:
        raise WorkflowBuildError("the Catch handler added no states", state=state, field="Catch")
    if scope.kind != "root" and not handler.terminal:
        raise WorkflowBuildError(
            "a Catch handler inside a branch or Map body must end with fail() or succeed()",
            state=state,
            field="Catch",
        )
    scope.handlers.append(handler)
    return handler.steps[0].name


__all__ = ["build_handler", "catchers", "check_retry_targets", "retriers", "services_in"]
