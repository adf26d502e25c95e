"""The order-processing services: typed functions with Pydantic contracts.

Money is integer cents everywhere. Each ``Service`` object bundles a handler with its input
and output models, the business errors it may raise (whose class names are the ASL error
names), the retryable ones, and what it does to which tables (``TableAccess``: the tables
it reads, writes, deletes from or scans, which deploy turns into its IAM grant).
``SERVICES`` holds all nine by name; ``local_handler`` runs them in-process for the local
executor; ``orderflow.services._lambda`` is the AWS Lambda entry point (``LAMBDA_HANDLER``).

The service modules (``user``, ``order``, ``payment``, ``inventory``, ``notification``,
``compensation``) are imported on first use of one of their names, so a Lambda function
loads, and ships, only its own service's code. Type checkers see every name as usual.

Example:
    >>> from orderflow.services import ServiceDeps, get_user, GetUserInput
    >>> get_user(GetUserInput(user_id="u-100"), ServiceDeps.default()).credit_score
    720
"""

# Private aliases: this module's public names are exactly ``__all__``.
import importlib as _importlib
import typing as _typing
from collections.abc import Mapping as _Mapping

from orderflow.services._deps import (
    EPOCH,
    SAMPLE_STOCK,
    SAMPLE_USERS,
    FixedClock,
    ServiceDeps,
    SteppingClock,
    seed_sample_data,
)
from orderflow.services._fields import MAX_CENTS, format_cents
from orderflow.services._lambda import LAMBDA_HANDLER, deps_from_environment, make_handler
from orderflow.services._registry import (
    SERVICES,
    ServiceLocationError,
    UnknownServiceError,
    function_name,
    local_handler,
    resolve_service,
)
from orderflow.services._service import (
    OPERATIONS,
    AccessDeclarationError,
    Operation,
    Service,
    TableAccess,
)
from orderflow.services._storage import (
    ABSENT,
    TABLES,
    DynamoTable,
    InMemoryTable,
    StorageError,
    Store,
    Stored,
    Table,
    physical_table_name,
    put_new,
)

if _typing.TYPE_CHECKING:
    from orderflow.services.compensation import (
        CancelOrderInput,
        OrderNotFound,
        PaymentNotFound,
        Refund,
        RefundPaymentInput,
        ReleaseInventoryInput,
        ReservationNotFound,
        cancel_order,
        refund_payment,
        release_inventory,
    )
    from orderflow.services.inventory import (
        InsufficientStock,
        Reservation,
        ReservationConflict,
        ReservedItem,
        ReserveInventoryInput,
        reserve_inventory,
    )
    from orderflow.services.notification import (
        Notification,
        SendNotificationInput,
        send_notification,
    )
    from orderflow.services.order import (
        CreateOrderInput,
        InvalidOrder,
        Order,
        OrderConflict,
        OrderItem,
        OrderRequest,
        ValidatedOrder,
        create_order,
        validate_order,
    )
    from orderflow.services.payment import (
        AuthorizePaymentInput,
        Payment,
        PaymentConflict,
        PaymentDeclined,
        PaymentGatewayTimeout,
        authorize_payment,
    )
    from orderflow.services.user import GetUserInput, User, UserInactive, UserNotFound, get_user

# Name -> the service module defining it, imported on first access (PEP 562).
_LAZY: _typing.Final[_Mapping[str, str]] = {
    **dict.fromkeys(
        (
            "CancelOrderInput",
            "OrderNotFound",
            "PaymentNotFound",
            "Refund",
            "RefundPaymentInput",
            "ReleaseInventoryInput",
            "ReservationNotFound",
            "cancel_order",
            "refund_payment",
            "release_inventory",
        ),
        "compensation",
    ),
    **dict.fromkeys(
        (
            "InsufficientStock",
            "Reservation",
            "ReservationConflict",
            "ReservedItem",
            "ReserveInventoryInput",
            "reserve_inventory",
        ),
        "inventory",
    ),
    **dict.fromkeys(("Notification", "SendNotificationInput", "send_notification"), "notification"),
    **dict.fromkeys(
        (
            "CreateOrderInput",
            "InvalidOrder",
            "Order",
            "OrderConflict",
            "OrderItem",
            "OrderRequest",
            "ValidatedOrder",
            "create_order",
            "validate_order",
        ),
        "order",
    ),
    **dict.fromkeys(
        (
            "AuthorizePaymentInput",
            "Payment",
            "PaymentConflict",
            "PaymentDeclined",
            "PaymentGatewayTimeout",
            "authorize_payment",
        ),
        "payment",
    ),
    **dict.fromkeys(("GetUserInput", "User", "UserInactive", "UserNotFound", "get_user"), "user"),
}
_SUBMODULES: _typing.Final = frozenset(_LAZY.values())

if not _typing.TYPE_CHECKING:
    # Hidden from type checkers, which see the imports above: a typo in an import from
    # this package stays a type error instead of becoming ``Any``.

    def __getattr__(name: str) -> _typing.Any:
        module = _LAZY.get(name)
        if module is None:
            if name in _SUBMODULES:
                return _importlib.import_module(f"{__name__}.{name}")
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(_importlib.import_module(f"{__name__}.{module}"), name)
        globals()[name] = value  # later lookups skip __getattr__
        return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY, *_SUBMODULES})


__all__ = [
    "ABSENT",
    "EPOCH",
    "LAMBDA_HANDLER",
    "MAX_CENTS",
    "OPERATIONS",
    "SAMPLE_STOCK",
    "SAMPLE_USERS",
    "SERVICES",
    "TABLES",
    "AccessDeclarationError",
    "AuthorizePaymentInput",
    "CancelOrderInput",
    "CreateOrderInput",
    "DynamoTable",
    "FixedClock",
    "GetUserInput",
    "InMemoryTable",
    "InsufficientStock",
    "InvalidOrder",
    "Notification",
    "Operation",
    "Order",
    "OrderConflict",
    "OrderItem",
    "OrderNotFound",
    "OrderRequest",
    "Payment",
    "PaymentConflict",
    "PaymentDeclined",
    "PaymentGatewayTimeout",
    "PaymentNotFound",
    "Refund",
    "RefundPaymentInput",
    "ReleaseInventoryInput",
    "Reservation",
    "ReservationConflict",
    "ReservationNotFound",
    "ReserveInventoryInput",
    "ReservedItem",
    "SendNotificationInput",
    "Service",
    "ServiceDeps",
    "ServiceLocationError",
    "SteppingClock",
    "StorageError",
    "Store",
    "Stored",
    "Table",
    "TableAccess",
    "UnknownServiceError",
    "User",
    "UserInactive",
    "UserNotFound",
    "ValidatedOrder",
    "authorize_payment",
    "cancel_order",
    "create_order",
    "deps_from_environment",
    "format_cents",
    "function_name",
    "get_user",
    "local_handler",
    "make_handler",
    "physical_table_name",
    "put_new",
    "refund_payment",
    "release_inventory",
    "reserve_inventory",
    "resolve_service",
    "seed_sample_data",
    "send_notification",
    "validate_order",
]
