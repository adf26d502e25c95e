"""Finding services: by Lambda function reference, by location, lazily by name.

A workflow names its tasks' Lambda functions by ARN or name; :func:`resolve_service` finds
the service an app means by one. :class:`ServiceTable` maps names to services whose
modules are imported on first lookup, and :func:`service_location` finds the
``module:attribute`` a ``Service`` object lives at, so the Lambda adapter can import that
one module (and a function's package ships only its own service's code).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator, Mapping
from typing import Any

from orderflow._errors import ConfigurationError
from orderflow.asl import LambdaNameError, parse_function_name
from orderflow.runtime._service import Service


class UnknownServiceError(ConfigurationError):
    """A Lambda function name, ARN or service name does not name a service of the app."""


class ServiceLocationError(ConfigurationError, TypeError):
    """A service location names something other than the service it is listed under.

    It is a ``TypeError`` too: the object found has the wrong type (or is another service).
    """


def load_service(location: str, name: str | None = None) -> Service[Any, Any]:
    """The ``Service`` at ``location`` (``module:attribute``), checked to be called ``name``.

    Raises:
        ServiceLocationError: the location is malformed, cannot be imported, or holds
            something other than the service ``name``.
    """
    module_name, sep, attribute = location.partition(":")
    if not sep or not module_name or not attribute:
        raise ServiceLocationError(f"service location {location!r} is not MODULE:ATTR")
    try:
        value: object = importlib.import_module(module_name)
        for part in attribute.split("."):
            value = getattr(value, part)
    except (ImportError, AttributeError) as exc:
        raise ServiceLocationError(
            f"service location {location!r}: {type(exc).__name__}: {exc}"
        ) from None
    if not isinstance(value, Service):
        raise ServiceLocationError(
            f"{location} is a {type(value).__name__}, not the Service {name!r}"
        )
    if name is not None and value.name != name:
        raise ServiceLocationError(
            f"{location} is the Service {value.name!r}, not the Service {name!r}"
        )
    return value


def service_location(service: Service[Any, Any]) -> str:
    """Where ``service`` can be imported from, as ``module:attribute``.

    The service's handler's module is searched first, then every loaded module, for a
    module-level name bound to this very object.

    Raises:
        ServiceLocationError: no loaded module holds the service at module level (a
            service built inside a function cannot be imported by a Lambda function).
    """
    home = getattr(service.handler, "__module__", None)
    candidates = [home] if isinstance(home, str) else []
    candidates += sorted(name for name in sys.modules if name != home)
    for module_name in candidates:
        module = sys.modules.get(module_name)
        if module is None:
            continue
        for attribute, value in list(vars(module).items()):
            if value is service and not attribute.startswith("__"):
                return f"{module_name}:{attribute}"
    raise ServiceLocationError(
        f"service {service.name!r} is not a module-level name of any imported module; "
        "define it at module level so a Lambda function can import it"
    )


class ServiceTable(Mapping[str, Service[Any, Any]]):
    """A read-only mapping of services that imports each service's module on first lookup.

    Membership, iteration and ``len`` read only the names; ``table[name]`` (and ``values``
    or ``items``, which look every service up) import the modules concerned.

    Args:
        locations: service name -> ``module:attribute``.
    """

    def __init__(self, locations: Mapping[str, str]) -> None:
        self._locations = dict(locations)

    def __getitem__(self, name: str) -> Service[Any, Any]:
        return load_service(self._locations[name], name)

    def __contains__(self, name: object) -> bool:
        # Mapping's default looks the item up, which would import the module.
        return name in self._locations

    def __iter__(self) -> Iterator[str]:
        return iter(self._locations)

    def __len__(self) -> int:
        return len(self._locations)

    def __repr__(self) -> str:
        return f"ServiceTable({list(self._locations)!r})"


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
    reference: str, services: Mapping[str, Service[Any, Any]], *, app: str | None = None
) -> Service[Any, Any]:
    """The service a Lambda function reference refers to, for running it locally.

    The reference may be in any form AWS accepts (name, partial ARN, ARN; a version or
    alias is ignored). Its function name matches a service when it *is* the service's name
    (``get-user``) or is ``{prefix}-{name}`` with any non-empty prefix (``shop-get-user``,
    ``team-a-get-user``): a local run does not know which deploy prefix the definition was
    rendered with. When several services match, the longest name wins, so
    ``x-release-inventory`` is ``release-inventory``, never a shorter service whose name
    merely ends it (deploy then insists the name is exactly this stack's function).

    Args:
        reference: the function name or ARN a Task state names.
        services: service name -> service (an app's :attr:`orderflow.App.services`).
        app: the app's name, for the message.

    Raises:
        UnknownServiceError: no service matches, or ``reference`` is not a function
            reference.
    """
    whose = f"app {app!r}" if app else "the app"
    try:
        name = parse_function_name(reference).name
    except LambdaNameError as exc:
        raise UnknownServiceError(
            f"no service of {whose} for Lambda function {reference!r}: {exc.message}"
        ) from None
    matches = [s for s in services if name == s or name.endswith(f"-{s}")]
    if not matches:
        raise UnknownServiceError(
            f"no service of {whose} for Lambda function {reference!r}; its services: "
            f"{', '.join(sorted(services)) or '(none)'}"
        )
    return services[max(matches, key=len)]


__all__ = [
    "ServiceLocationError",
    "ServiceTable",
    "UnknownServiceError",
    "function_name",
    "load_service",
    "resolve_service",
    "service_location",
]
