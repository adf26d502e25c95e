"""The service registry: every service by name, and resolving Lambda names to services.

A workflow names its tasks' Lambda functions by ARN or name; the local executor hands those
to ``local_handler``, which finds the service and runs it on the payload exactly as the
deployed Lambda would (validate the event, run, return JSON, let business errors raise).

The registry knows each service's module without importing it: ``SERVICES[name]`` imports
that one module on first lookup. So a process that runs one service (a Lambda function)
loads only that service's code, and deploy's packager, which records what the entry point
imports, ships each function exactly the code it runs.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import Any

from orderflow._errors import ContractError
from orderflow.asl import LambdaNameError, parse_function_name
from orderflow.services._deps import ServiceDeps
from orderflow.services._service import Service

SERVICE_MODULES: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "validate-order": ("orderflow.services.order", "validate_order"),
        "get-user": ("orderflow.services.user", "get_user"),
        "create-order": ("orderflow.services.order", "create_order"),
        "authorize-payment": ("orderflow.services.payment", "authorize_payment"),
        "reserve-inventory": ("orderflow.services.inventory", "reserve_inventory"),
        "send-notification": ("orderflow.services.notification", "send_notification"),
        "release-inventory": ("orderflow.services.compensation", "release_inventory"),
        "refund-payment": ("orderflow.services.compensation", "refund_payment"),
        "cancel-order": ("orderflow.services.compensation", "cancel_order"),
    }
)
"""Service name -> (module, attribute) where the ``Service`` object lives."""


class UnknownServiceError(ContractError, LookupError):
    """A Lambda function name or ARN does not name any known service."""


class ServiceLocationError(ContractError, TypeError):
    """A registry location names something other than the service it is listed under.

    It is a ``TypeError`` too: the object found has the wrong type (or is another service).
    """


class ServiceTable(Mapping[str, Service[Any, Any]]):
    """A read-only mapping of services that imports each service's module on first lookup.

    Membership, iteration and ``len`` read only the names; ``table[name]`` (and ``values``
    or ``items``, which look every service up) import the modules concerned.

    Args:
        locations: service name -> (module, attribute).
    """

    def __init__(self, locations: Mapping[str, tuple[str, str]]) -> None:
        self._locations = locations

    def __getitem__(self, name: str) -> Service[Any, Any]:
        module, attribute = self._locations[name]
        service = getattr(importlib.import_module(module), attribute)
        if not isinstance(service, Service):
            raise ServiceLocationError(
                f"{module}.{attribute} is a {type(service).__name__}, "
                f"not the Service {name!r}; fix its entry in the registry's locations"
            )
        if service.name != name:
            raise ServiceLocationError(
                f"{module}.{attribute} is the Service {service.name!r}, "
                f"not the Service {name!r}; fix its entry in the registry's locations"
            )
        return service

    def __contains__(self, name: object) -> bool:
        # Mapping's default looks the item up, which would import the module.
        return name in self._locations

    def __iter__(self) -> Iterator[str]:
        return iter(self._locations)

    def __len__(self) -> int:
        return len(self._locations)

    def __repr__(self) -> str:
        return f"ServiceTable({list(self._locations)!r})"


SERVICES: Mapping[str, Service[Any, Any]] = ServiceTable(SERVICE_MODULES)
"""Every service, keyed by its name (``get-user``); each module is imported on first use."""


def function_name(reference: str) -> str:
    """The function name in a Lambda function name, partial ARN or ARN (qualifier dropped).

    ``arn:aws:lambda:us-east-1:123456789012:function:shop-get-user:live``,
    ``123456789012:function:shop-get-user`` and ``shop-get-user:3`` all give
    ``shop-get-user`` (the forms: :func:`orderflow.asl.parse_function_name`).

    Raises:
        UnknownServiceError: ``reference`` is not a Lambda function reference.
    """
    try:
        return parse_function_name(reference).name
    except LambdaNameError as exc:
        raise UnknownServiceError(exc.message) from None


def resolve_service(
    reference: str, services: Mapping[str, Service[Any, Any]] = SERVICES
) -> Service[Any, Any]:
    """The service a Lambda function reference refers to, for running it locally.

    The reference may be in any form AWS accepts (name, partial ARN, ARN; a version or
    alias is ignored). Its function name matches a service when it *is* the service's name
    (``get-user``) or is ``{prefix}-{name}`` with any non-empty prefix (``shop-get-user``,
    ``team-a-get-user``): a local run does not know which deploy prefix the definition was
    rendered with. When several services match, the longest name wins, so
    ``x-release-inventory`` is ``release-inventory``, never a shorter service whose name
    merely ends it (deploy then insists the name is exactly this stack's function).

    Raises:
        UnknownServiceError: no service matches, or ``reference`` is not a function
            reference.
    """
    try:
        name = parse_function_name(reference).name
    except LambdaNameError as exc:
        raise UnknownServiceError(
            f"no service for Lambda function {reference!r}: {exc.message}"
        ) from None
    matches = [s for s in services if name == s or name.endswith(f"-{s}")]
    if not matches:
        raise UnknownServiceError(
            f"no service for Lambda function {reference!r}; known services: "
            f"{', '.join(sorted(services))}"
        )
    return services[max(matches, key=len)]


def local_handler(deps: ServiceDeps | None = None) -> Callable[[str, Any], Any]:
    """A task handler running the services in-process, for the local executor.

    Args:
        deps: shared by every call (one store, one clock, one rng); by default
            ``ServiceDeps.default()``.

    Returns:
        ``handler(function_name_or_arn, payload) -> output JSON``; business errors
        (``ServiceError`` subclasses) propagate with their class as the error name.

    Example:
        >>> run = local_handler()
        >>> run("arn:aws:lambda:us-east-1:123456789012:function:shop-get-user",
        ...     {"user_id": "u-100"})["credit_score"]
        720
    """
    shared = deps if deps is not None else ServiceDeps.default()

    def handle(function: str, payload: Any) -> Any:
        return resolve_service(function).invoke_json(payload, shared)

    return handle


__all__ = [
    "SERVICES",
    "SERVICE_MODULES",
    "ServiceLocationError",
    "ServiceTable",
    "UnknownServiceError",
    "function_name",
    "local_handler",
    "resolve_service",
]
