"""The order services: validate an order request, create the order.

All money is integer cents. ``validate-order`` checks the request and computes the total;
``create-order`` records the order, idempotently per ``request_id`` (the order id is derived
from it, so a retried or repeated request returns the same order instead of a second one).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictInt

from orderflow import ServiceError
from orderflow.orders._fields import (
    MAX_CENTS,
    Cents,
    Id,
    PositiveCents,
    derived_id,
    format_cents,
)
from orderflow.orders._metrics import ORDERS_REJECTED, rejected
from orderflow.runtime import Service, ServiceDeps, put_new

MAX_QUANTITY = 10_000
"""Most units of one product in one order."""

MAX_ITEMS = 100
"""Most lines in one order."""


class OrderItem(BaseModel):
    """One order line. Money in integer cents."""

    model_config = ConfigDict(extra="forbid")

    product_id: Id = Field(description="The product ordered.")
    quantity: Annotated[StrictInt, Field(ge=1, le=MAX_QUANTITY)] = Field(
        description=f"Units ordered, 1..{MAX_QUANTITY}."
    )
    unit_price_cents: Cents = Field(
        description="Price of one unit in integer cents (1234 = $12.34)."
    )

    @property
    def line_total_cents(self) -> int:
        """``quantity * unit_price_cents``, exact integer cents."""
        return self.quantity * self.unit_price_cents


Items = Annotated[list[OrderItem], Field(min_length=1, max_length=MAX_ITEMS)]


class OrderRequest(BaseModel):
    """The execution input of the order workflow. Money in integer cents."""

    model_config = ConfigDict(extra="forbid")

    request_id: Id = Field(
        description="Client idempotency key: the same request id always yields the same order."
    )
    user_id: Id = Field(description="The user placing the order.")
    items: Items = Field(
        description=f"Order lines, 1..{MAX_ITEMS}, each product at most once; prices in cents."
    )


class ValidatedOrder(BaseModel):
    """A checked order request with its total. Money in integer cents."""

    model_config = ConfigDict(extra="forbid")

    request_id: Id = Field(description="Client idempotency key, as received.")
    user_id: Id = Field(description="The user placing the order.")
    items: Items = Field(description="Order lines, as received; prices in integer cents.")
    total_cents: PositiveCents = Field(
        description="Sum of quantity * unit price, in integer cents; never 0 (a zero total "
        "is an InvalidOrder, since no payment of 0 can be authorized)."
    )


class CreateOrderInput(BaseModel):
    """Request for ``create-order``. Money in integer cents."""

    model_config = ConfigDict(extra="forbid")

    request_id: Id = Field(description="Client idempotency key; the order id is derived from it.")
    user_id: Id = Field(description="The user placing the order.")
    items: Items = Field(description="Order lines; prices in integer cents.")


class Order(BaseModel):
    """A recorded order. Money in integer cents."""

    model_config = ConfigDict(extra="forbid")

    order_id: Id = Field(description="The order's id (derived from request_id).")
    request_id: Id = Field(description="The client idempotency key the order was created with.")
    user_id: Id = Field(description="The user who placed the order.")
    items: Items = Field(description="Order lines; prices in integer cents.")
    total_cents: Cents = Field(description="Order total in integer cents.")
    status: Literal["created", "cancelled"] = Field(
        description="'created', or 'cancelled' once the cancel-order compensation ran."
    )
    created_at: AwareDatetime = Field(description="When the order was created (ISO-8601, UTC).")


class InvalidOrder(ServiceError):
    """The request names a product twice, or its total is zero or exceeds the maximum."""


class OrderConflict(ServiceError):
    """A request id was reused with a different user or different items."""


def order_total_cents(items: list[OrderItem]) -> int:
    """The exact total of ``items`` in integer cents."""
    return sum(item.line_total_cents for item in items)


def _check(items: list[OrderItem]) -> int:
    # One line per product keeps reservations and refunds unambiguous; a client that
    # wants more units raises the quantity instead of repeating the line.
    seen: set[str] = set()
    for item in items:
        if item.product_id in seen:
            raise InvalidOrder(f"product {item.product_id!r} appears more than once")
        seen.add(item.product_id)
    total = order_total_cents(items)
    if total == 0:
        # Payment authorizes a positive amount only; a free order would pass validation and
        # then break the workflow at AuthorizePayment with a contract error.
        raise InvalidOrder(
            "order total is $0.00 (every line has a unit price of 0): there is nothing to "
            "charge, and payment authorizes only positive amounts"
        )
    if total > MAX_CENTS:
        raise InvalidOrder(
            f"order total {format_cents(total)} exceeds the maximum {format_cents(MAX_CENTS)}"
        )
    return total


def _validate_order(request: OrderRequest, deps: ServiceDeps) -> ValidatedOrder:
    try:
        total = _check(request.items)
    except InvalidOrder as error:
        raise rejected(deps, error) from None
    return ValidatedOrder(
        request_id=request.request_id,
        user_id=request.user_id,
        items=request.items,
        total_cents=total,
    )


def order_id_for(request_id: str) -> str:
    """The order id ``create-order`` assigns to ``request_id``."""
    return derived_id("ord", request_id)


def _create_order(request: CreateOrderInput, deps: ServiceDeps) -> Order:
    total = _check(request.items)
    table = deps.store.table("orders")
    order_id = order_id_for(request.request_id)
    existing = table.get(order_id)
    if existing is None:
        created_at: datetime = deps.clock()
        order = Order(
            order_id=order_id,
            request_id=request.request_id,
            user_id=request.user_id,
            items=request.items,
            total_cents=total,
            status="created",
            created_at=created_at,
        )
        stored = put_new(table, order.model_dump(mode="json"))
        if stored.created:
            return order
        # Lost a race with a concurrent identical request: fall through to its record.
        existing = stored.item
    recorded = Order.model_validate(existing)
    if recorded.user_id != request.user_id or recorded.items != request.items:
        raise OrderConflict(
            f"request id {request.request_id!r} was already used for a different order "
            f"({recorded.order_id})"
        )
    return recorded


validate_order: Service[OrderRequest, ValidatedOrder] = Service(
    name="validate-order",
    handler=_validate_order,
    input_model=OrderRequest,
    output_model=ValidatedOrder,
    errors=(InvalidOrder,),
    description="Check an order request and compute its total in integer cents.",
    metrics=(ORDERS_REJECTED,),
)

create_order: Service[CreateOrderInput, Order] = Service(
    name="create-order",
    handler=_create_order,
    input_model=CreateOrderInput,
    output_model=Order,
    errors=(InvalidOrder, OrderConflict),
    description="Record an order, idempotently per request id (amounts in integer cents).",
    reads=("orders",),
    writes=("orders",),
)

__all__ = [
    "MAX_ITEMS",
    "MAX_QUANTITY",
    "CreateOrderInput",
    "InvalidOrder",
    "Order",
    "OrderConflict",
    "OrderItem",
    "OrderRequest",
    "ValidatedOrder",
    "create_order",
    "order_id_for",
    "order_total_cents",
    "validate_order",
]
