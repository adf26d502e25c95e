"""The AWS Lambda entry point for every service.

Deploy points each function's handler at ``LAMBDA_HANDLER`` and sets ``ORDERFLOW_SERVICE``
to the service name. The event is the service's input JSON; the return value is the output
model's JSON itself (no ``statusCode``/``body`` envelope). A business error is raised as its
own class, so Lambda reports ``errorType`` = the class name and a workflow's Retry/Catch
matches it.

Environment:
    ORDERFLOW_SERVICE: the service name (``get-user``).
    ORDERFLOW_STORAGE, ORDERFLOW_TABLE_PREFIX: see ``Store.from_environment``.
    ORDERFLOW_FAILURE_RATE_<NAME>: simulated transient-failure probability for a service,
        ``<NAME>`` being its name upper-cased with ``-`` as ``_``
        (``ORDERFLOW_FAILURE_RATE_AUTHORIZE_PAYMENT=0.2``).
    ORDERFLOW_SEED_SAMPLE_DATA: ``1`` writes the sample users and stock into the store at
        cold start (useful with in-memory storage).

Importing this module with ``ORDERFLOW_SERVICE`` set imports that service's module, and no
other service's: Lambda runs module-level code in its init phase, so the import cost stays
out of the first invocation, and deploy's packager, which records what importing the entry
point loads, ships each function exactly its own service's code.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Mapping
from typing import Any

from orderflow._errors import ContractError
from orderflow.services._deps import ServiceDeps, seed_sample_data, utc_now
from orderflow.services._registry import SERVICES, UnknownServiceError
from orderflow.services._service import Service
from orderflow.services._storage import Store

LAMBDA_HANDLER = "orderflow.services._lambda.handler"
"""The importable handler path deploy gives every function."""

SERVICE_ENV = "ORDERFLOW_SERVICE"
FAILURE_RATE_ENV_PREFIX = "ORDERFLOW_FAILURE_RATE_"

LambdaHandler = Callable[[Any, Any], dict[str, Any]]


def failure_rate_env(service: str) -> str:
    """The environment variable holding ``service``'s simulated failure rate."""
    return FAILURE_RATE_ENV_PREFIX + service.upper().replace("-", "_")


def deps_from_environment(env: Mapping[str, str]) -> ServiceDeps:
    """Deps for a Lambda process: store from ``env``, real UTC clock, OS-seeded rng.

    Raises:
        ContractError: a failure rate is not a number in [0, 1].
    """
    rates: dict[str, float] = {}
    for name in SERVICES:
        raw = env.get(failure_rate_env(name))
        if raw is None or not raw.strip():
            continue
        try:
            rate = float(raw)
        except ValueError:
            raise ContractError(f"{failure_rate_env(name)}={raw!r} is not a number") from None
        if not 0.0 <= rate <= 1.0:
            raise ContractError(f"{failure_rate_env(name)}={raw!r} is not in [0, 1]")
        rates[name] = rate
    store = Store.from_environment(env)
    if env.get("ORDERFLOW_SEED_SAMPLE_DATA", "").strip() in {"1", "true", "yes"}:
        seed_sample_data(store)
    # The process boundary is the one place real entropy enters; everything below is injected.
    rng = random.Random(int.from_bytes(os.urandom(16), "big"))
    return ServiceDeps(store=store, clock=utc_now, rng=rng, failure_rates=rates)


def make_handler(
    service: Service[Any, Any], deps: ServiceDeps | Callable[[], ServiceDeps] | None = None
) -> LambdaHandler:
    """A Lambda handler for one service.

    Args:
        service: the service to run.
        deps: the deps, or a factory called once at first invocation; by default
            ``deps_from_environment(os.environ)``.
    """
    cached: list[ServiceDeps] = []

    def resolve() -> ServiceDeps:
        if not cached:
            if isinstance(deps, ServiceDeps):
                cached.append(deps)
            elif deps is not None:
                cached.append(deps())
            else:
                cached.append(deps_from_environment(os.environ))
        return cached[0]

    def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
        return service.invoke_json(event, resolve())

    lambda_handler.__name__ = f"handle_{service.name.replace('-', '_')}"
    return lambda_handler


_handlers: dict[str, LambdaHandler] = {}


def handler(event: Any, context: Any) -> dict[str, Any]:
    """The Lambda handler: runs the service named by ``ORDERFLOW_SERVICE`` on ``event``.

    Raises:
        UnknownServiceError: ``ORDERFLOW_SERVICE`` is unset or names no service.
        ContractError: the event does not satisfy the service's input model.
        ServiceError: the service's business error, under its own class name.
    """
    name = os.environ.get(SERVICE_ENV, "")
    if name not in SERVICES:
        raise UnknownServiceError(
            f"{SERVICE_ENV}={name!r} names no service; known: {', '.join(sorted(SERVICES))}"
        )
    if name not in _handlers:
        _handlers[name] = make_handler(SERVICES[name])
    return _handlers[name](event, context)


def _preload(env: Mapping[str, str]) -> None:
    name = env.get(SERVICE_ENV, "")
    # An unknown name is reported by ``handler`` at invocation, with the list of services;
    # failing the import instead would break every importer of orderflow.services.
    if name in SERVICES and name not in _handlers:
        _handlers[name] = make_handler(SERVICES[name])


_preload(os.environ)


__all__ = [
    "FAILURE_RATE_ENV_PREFIX",
    "LAMBDA_HANDLER",
    "SERVICE_ENV",
    "deps_from_environment",
    "failure_rate_env",
    "handler",
    "make_handler",
]
