"""The service registry: every service by name, and resolving Lambda names to services.

A workflow names its tasks' Lambda functions by ARN or name; the local executor hands those
to ``local_handler``, which finds the service and runs it on the payload exactly as the
deployed Lambda would (validate the event, run, return JSON, let business errors raise).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from orderflow._errors import ContractError
from orderflow.services._deps import ServiceDeps
from orderflow.services._service import Service
from orderflow.services.compensation import cancel_order, refund_payment, release_inventory
from orderflow.services.inventory import reserve_inventory
from orderflow.services.notification import send_notification
from orderflow.services.order import create_order, validate_order
from orderflow.services.payment import authorize_payment
from orderflow.services.user import get_user

SERVICES: Mapping[str, Service[Any, Any]] = MappingProxyType(
    {
        service.name: service
        for service in (
            validate_order,
            get_user,
            create_order,
            authorize_payment,
            reserve_inventory,
            send_notification,
            release_inventory,
            refund_payment,
            cancel_order,
        )
    }
)
"""Every service, keyed by its name (``get-user``)."""


class UnknownServiceError(ContractError, LookupError):
    """A Lambda function name or ARN does not name any known service."""


def function_name(reference: str) -> str:
    """The bare function name in a Lambda ARN (qualifier dropped), or ``reference`` itself.

    ``arn:aws:lambda:us-east-1:123456789012:function:shop-get-user:live`` -> ``shop-get-user``.
    """
    if reference.startswith("arn:"):
        parts = reference.split(":")
        if len(parts) >= 7 and parts[2] == "lambda" and parts[5] == "function":
            return parts[6]
        raise UnknownServiceError(f"{reference!r} is not a Lambda function ARN")
    return reference.split(":", 1)[0]


def resolve_service(
    reference: str, services: Mapping[str, Service[Any, Any]] = SERVICES
) -> Service[Any, Any]:
    """The service a Lambda function ARN, ``PREFIX-NAME`` or bare ``NAME`` refers to.

    The longest service name that equals the function name or ends it after a ``-`` wins.

    Raises:
        UnknownServiceError: no service matches.
    """
    name = function_name(reference)
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


__all__ = ["SERVICES", "UnknownServiceError", "function_name", "local_handler", "resolve_service"]
