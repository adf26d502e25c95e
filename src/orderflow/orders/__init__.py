"""The bundled order app: order-processing services and workflow, built on orderflow.

An application like any user's, using only orderflow's public API (``orderflow``,
``orderflow.runtime``, ``orderflow.dsl``). Money is integer cents everywhere. Each service
(``orderflow.runtime.Service``) bundles a handler with its input and output models, the
business errors it may raise (whose class names are the ASL error names), the retryable
ones, and what it does to which tables. ``orderflow.orders.workflow`` holds the order
workflow; ``orderflow.orders.app:app`` is the :class:`orderflow.App` every command uses
when no other app is named.

The service modules (``user``, ``order``, ``payment``, ``inventory``, ``notification``,
``compensation``, ``stock``) are imported on first use of one of their names, so a Lambda function
loads, and ships, only its own service's code. Type checkers see every name as usual.

Example:
    >>> from orderflow.orders import GetUserInput, get_user
    >>> from orderflow.orders.app import app
    >>> get_user(GetUserInput(user_id="u-100"), app.deps()).credit_score
    720
"""

# Private aliases: this module's public names are exactly ``__all__``.
import importlib as _importlib
import typing as _typing
from collections.abc import Mapping as _Mapping

from orderflow.orders._fields import MAX_CENTS, format_cents
from orderflow.orders._sample import SAMPLE_STOCK, SAMPLE_USERS, TABLES, seed_sample_data

if _typing.TYPE_CHECKING:
    from orderflow.orders.compensation import (
        Cancellation,
        CancelOrderInput,
        Refund,
        RefundPaymentInput,
        ReleaseInventoryInput,
        cancel_order,
        refund_payment,
        release_inventory,
    )
    from orderflow.orders.inventory import (
        InsufficientStock,
        Reservation,
        ReservationConflict,
        ReservedItem,
        ReserveInventoryInput,
        reserve_inventory,
    )
    from orderflow.orders.notification import (
        Notification,
        SendNotificationInput,
        send_notification,
    )
    from orderflow.orders.order import (
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
    from orderflow.orders.payment import (
        AuthorizePaymentInput,
        Payment,
        PaymentConflict,
        PaymentDeclined,
        PaymentGatewayTimeout,
        authorize_payment,
    )
    from orderflow.orders.stock import (
        InventoryAdjusted,
        StockLevel,
        StockUnderflow,
        adjust_inventory,
    )
    from orderflow.orders.user import GetUserInput, User, UserInactive, UserNotFound, get_user

# Name -> the service module defining it, imported on first access (PEP 562).
_LAZY: _typing.Final[_Mapping[str, str]] = {
    **dict.fromkeys(
        (
            "CancelOrderInput",
            "Cancellation",
            "Refund",
            "RefundPaymentInput",
            "ReleaseInventoryInput",
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
    **dict.fromkeys(
        ("InventoryAdjusted", "StockLevel", "StockUnderflow", "adjust_inventory"), "stock"
    ),
}
_SUBMODULES: _typing.Final = frozenset({*_LAZY.values(), "app", "workflow", "inventory_workflow"})

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
    "MAX_CENTS",
    "SAMPLE_STOCK",
    "SAMPLE_USERS",
    "TABLES",
    "AuthorizePaymentInput",
    "CancelOrderInput",
    "Cancellation",
    "CreateOrderInput",
    "GetUserInput",
    "InsufficientStock",
    "InvalidOrder",
    "InventoryAdjusted",
    "Notification",
    "Order",
    "OrderConflict",
    "OrderItem",
    "OrderRequest",
    "Payment",
    "PaymentConflict",
    "PaymentDeclined",
    "PaymentGatewayTimeout",
    "Refund",
    "RefundPaymentInput",
    "ReleaseInventoryInput",
    "Reservation",
    "ReservationConflict",
    "ReserveInventoryInput",
    "ReservedItem",
    "SendNotificationInput",
    "StockLevel",
    "StockUnderflow",
    "User",
    "UserInactive",
    "UserNotFound",
    "ValidatedOrder",
    "adjust_inventory",
    "authorize_payment",
    "cancel_order",
    "create_order",
    "format_cents",
    "get_user",
    "refund_payment",
    "release_inventory",
    "reserve_inventory",
    "seed_sample_data",
    "send_notification",
    "validate_order",
]
