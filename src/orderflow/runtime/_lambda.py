"""The AWS Lambda entry point for every service of every app.

Deploy points each function's handler at ``LAMBDA_HANDLER`` and tells it, through the
environment, which service it runs and where that service lives. The event is the
service's input JSON; the return value is the output model's JSON itself (no
``statusCode``/``body`` envelope). A business error is raised as its own class, so Lambda
reports ``errorType`` = the class name and a workflow's Retry/Catch matches it.

Environment:
    ORDERFLOW_SERVICE: the service name (``get-user``).
    ORDERFLOW_SERVICE_LOCATION: where the ``Service`` object lives (``pkg.users:get_user``).
    ORDERFLOW_TABLES: JSON object, table name -> partition key attribute, of the tables
        the service uses.
    ORDERFLOW_STORAGE, ORDERFLOW_TABLE_PREFIX: see ``Store.from_environment``.
    ORDERFLOW_BUCKETS: JSON object, bucket name -> S3 bucket, of the buckets the service
        archives to (see ``Objects.from_environment``).
    ORDERFLOW_FAILURE_RATE_<NAME>: simulated transient-failure probability for the
        service, ``<NAME>`` being its name upper-cased with ``-`` as ``_``
        (``ORDERFLOW_FAILURE_RATE_AUTHORIZE_PAYMENT=0.2``).
    ORDERFLOW_METRICS_NAMESPACE: the CloudWatch namespace of the service's business
        metrics. Deploy sets it only on functions whose service declares metrics; those
        get the AWS Lambda Powertools boundary (``orderflow.runtime._powertools``: EMF
        metric lines, a structured log line per invocation). Other functions never import
        Powertools, so their packages do not ship it.
    ORDERFLOW_APP, ORDERFLOW_SEED_SAMPLE_DATA: with ``ORDERFLOW_SEED_SAMPLE_DATA=1``, the
        app at ``ORDERFLOW_APP`` (``module:attribute``) writes its sample data into the store
        at cold start (useful with in-memory storage); the store then has all its tables.

Importing this module with ``ORDERFLOW_SERVICE_LOCATION`` set imports that service's module,
and no other service's: Lambda runs module-level code in its init phase, so the import cost
stays out of the first invocation, and deploy's packager, which records what importing the
entry point loads, ships each function exactly its own service's code.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import os
import random
from collections.abc import Callable, Mapping
from typing import Any

from orderflow._errors import ConfigurationError, ContractError
from orderflow.runtime._deps import ServiceDeps, utc_now
from orderflow.runtime._objects import BUCKETS_ENV, Objects
from orderflow.runtime._registry import UnknownServiceError, load_service
from orderflow.runtime._service import Service
from orderflow.runtime._storage import Store

LAMBDA_HANDLER = "orderflow.runtime._lambda.lambda_entry"
"""The importable handler path deploy gives every function."""

SERVICE_ENV = "ORDERFLOW_SERVICE"
LOCATION_ENV = "ORDERFLOW_SERVICE_LOCATION"
TABLES_ENV = "ORDERFLOW_TABLES"
APP_ENV = "ORDERFLOW_APP"
SEED_ENV = "ORDERFLOW_SEED_SAMPLE_DATA"
FAILURE_RATE_ENV_PREFIX = "ORDERFLOW_FAILURE_RATE_"
METRICS_NAMESPACE_ENV = "ORDERFLOW_METRICS_NAMESPACE"

LambdaHandler = Callable[[Any, Any], dict[str, Any]]


def failure_rate_env(service: str) -> str:
    """The environment variable holding ``service``'s simulated failure rate."""
    return FAILURE_RATE_ENV_PREFIX + service.upper().replace("-", "_")


def table_keys_from_environment(env: Mapping[str, str]) -> dict[str, str]:
    """``ORDERFLOW_TABLES`` decoded: table name -> partition key attribute (empty if unset).

    Raises:
        ConfigurationError: the variable is not a JSON object of strings.
    """
    raw = env.get(TABLES_ENV, "").strip()
    if not raw:
        return {}
    try:
        keys = json.loads(raw)
    except ValueError:
        keys = None
    if not isinstance(keys, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in keys.items()
    ):
        raise ConfigurationError(
            f"{TABLES_ENV}={raw!r} must be a JSON object of table name -> key attribute"
        )
    return keys


def _load_app(location: str) -> Any:
    module_name, _, attribute = location.partition(":")
    value: Any = importlib.import_module(module_name)
    for part in attribute.split("."):
        value = getattr(value, part)
    return value


def deps_from_environment(
    env: Mapping[str, str], services: tuple[str, ...] | None = None
) -> ServiceDeps:
    """Deps for a Lambda process: store from ``env``, real UTC clock, OS-seeded rng.

    Args:
        env: the environment.
        services: whose failure rates to read (default: ``ORDERFLOW_SERVICE``'s).

    Raises:
        ContractError: a failure rate is not a number in [0, 1].
        ConfigurationError: ``ORDERFLOW_TABLES`` or ``ORDERFLOW_BUCKETS`` is malformed,
            or seeding is asked for without a loadable ``ORDERFLOW_APP``.
    """
    names = services if services is not None else (env.get(SERVICE_ENV, ""),)
    rates: dict[str, float] = {}
    for name in names:
        raw = env.get(failure_rate_env(name)) if name else None
        if raw is None or not raw.strip():
            continue
        try:
            rate = float(raw)
        except ValueError:
            raise ContractError(f"{failure_rate_env(name)}={raw!r} is not a number") from None
        if not 0.0 <= rate <= 1.0:
            raise ContractError(f"{failure_rate_env(name)}={raw!r} is not in [0, 1]")
        rates[name] = rate
    keys = table_keys_from_environment(env)
    seed = env.get(SEED_ENV, "").strip() in {"1", "true", "yes"}
    app = None
    if seed:
        location = env.get(APP_ENV, "").strip()
        try:
            app = _load_app(location)
        except Exception as exc:
            raise ConfigurationError(
                f"{SEED_ENV} needs {APP_ENV}=MODULE:ATTR naming the app; "
                f"{location!r} cannot be loaded: {type(exc).__name__}: {exc}"
            ) from None
        keys = {**dict(app.tables), **keys}
    store = Store.from_environment(env, keys)
    if app is not None and app.seed_data is not None:
        app.seed_data(store)
    # The process boundary is the one place real entropy enters; everything below is injected.
    rng = random.Random(int.from_bytes(os.urandom(16), "big"))
    return ServiceDeps(
        store=store,
        clock=utc_now,
        rng=rng,
        failure_rates=rates,
        objects=Objects.from_environment(env),
    )


def _boundary(service: Service[Any, Any], env: Mapping[str, str]) -> Any:
    """The Powertools boundary of a measuring service, or ``None`` (imported only then)."""
    namespace = env.get(METRICS_NAMESPACE_ENV, "").strip()
    if not service.metrics or not namespace:
        return None
    from orderflow.runtime._powertools import PowertoolsBoundary

    return PowertoolsBoundary(namespace, service.name, service.metrics)


def make_handler(
    service: Service[Any, Any],
    deps: ServiceDeps | Callable[[], ServiceDeps] | None = None,
    *,
    environment: Mapping[str, str] | None = None,
) -> LambdaHandler:
    """A Lambda handler for one service.

    Args:
        service: the service to run.
        deps: the deps, or a factory called once at first invocation; by default
            ``deps_from_environment(os.environ)``.
        environment: where ``ORDERFLOW_METRICS_NAMESPACE`` is read (default
            ``os.environ``). With it set and metrics declared by ``service``, the deps'
            ``metrics`` become Powertools-backed and each invocation is wrapped by the
            Powertools boundary (EMF lines, one structured log line).
    """
    cached: list[ServiceDeps] = []
    boundary = _boundary(service, os.environ if environment is None else environment)

    def resolve() -> ServiceDeps:
        if not cached:
            if isinstance(deps, ServiceDeps):
                resolved = deps
            elif deps is not None:
                resolved = deps()
            else:
                resolved = deps_from_environment(os.environ, (service.name,))
            if boundary is not None:
                resolved = dataclasses.replace(resolved, metrics=boundary.metrics)
            cached.append(resolved)
        return cached[0]

    def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
        if boundary is None:
            return service.invoke_json(event, resolve())
        result: dict[str, Any] = boundary.run(lambda: service.invoke_json(event, resolve()))
        return result

    lambda_handler.__name__ = f"handle_{service.name.replace('-', '_')}"
    return lambda_handler


_handlers: dict[str, LambdaHandler] = {}


def _service_handler(env: Mapping[str, str]) -> LambdaHandler:
    name = env.get(SERVICE_ENV, "")
    location = env.get(LOCATION_ENV, "")
    if not name or not location:
        raise UnknownServiceError(
            f"{SERVICE_ENV}={name!r} and {LOCATION_ENV}={location!r}: both must be set "
            "(deploy sets them) to name the service this function runs"
        )
    key = f"{name}={location}"
    if key not in _handlers:
        _handlers[key] = make_handler(load_service(location, name))
    return _handlers[key]


def lambda_entry(event: Any, context: Any) -> dict[str, Any]:
    """The Lambda handler: runs the service the environment names on ``event``.

    Raises:
        UnknownServiceError: ``ORDERFLOW_SERVICE`` or ``ORDERFLOW_SERVICE_LOCATION`` is
            unset; ``ServiceLocationError`` when the location holds no such service.
        ContractError: the event does not satisfy the service's input model.
        ServiceError: the service's business error, under its own class name.
    """
    return _service_handler(os.environ)(event, context)


def _preload(env: Mapping[str, str]) -> None:
    # Only when deploy configured the function: importing orderflow.runtime elsewhere
    # (tests, the CLI) must not try to load a service. A broken location fails the init
    # phase loudly, and the packager's trace with it.
    if env.get(LOCATION_ENV):
        _service_handler(env)


_preload(os.environ)


__all__ = [
    "APP_ENV",
    "BUCKETS_ENV",
    "FAILURE_RATE_ENV_PREFIX",
    "LAMBDA_HANDLER",
    "LOCATION_ENV",
    "METRICS_NAMESPACE_ENV",
    "SEED_ENV",
    "SERVICE_ENV",
    "TABLES_ENV",
    "deps_from_environment",
    "failure_rate_env",
    "lambda_entry",
    "make_handler",
    "table_keys_from_environment",
]
