"""The inventory service: reserve every item of an order from the stock table, or none.

The ``stock`` table holds ``{"product_id": ..., "available": <int units>}``. Each product is
decremented with a compare-and-set on its ``available`` count, so concurrent reservations
never oversell; if any product falls short, the products already decremented are put back
and ``InsufficientStock`` names the product, the units requested and the units available.
A reservation is idempotent per ``reservation_id``. Prices in the items (integer cents) are
ignored here.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from orderflow import ServiceError
from orderflow.orders._fields import Id
from orderflow.orders._metrics import ORDERS_REJECTED, rejected
from orderflow.orders.order import MAX_ITEMS, OrderItem
from orderflow.runtime import ABSENT, Service, ServiceDeps, StorageError, Table, put_new

_CAS_ATTEMPTS = 20


class ReserveInventoryInput(BaseModel):
    """Request for ``reserve-inventory``. Item prices are integer cents (not used here)."""

    model_config = ConfigDict(extra="forbid")

    reservation_id: Id = Field(description="Caller's key; repeating it returns the reservation.")
    items: Annotated[list[OrderItem], Field(min_length=1, max_length=MAX_ITEMS)] = Field(
        description="The order lines to reserve; a product listed twice is reserved once, summed."
    )


class ReservedItem(BaseModel):
    """Units of one product held by a reservation."""

    model_config = ConfigDict(extra="forbid")

    product_id: Id = Field(description="The product held.")
    quantity: Annotated[StrictInt, Field(ge=1)] = Field(description="Units held (>= 1).")


class Reservation(BaseModel):
    """Stock held for an order."""

    model_config = ConfigDict(extra="forbid")

    reservation_id: Id = Field(description="The reservation's id, as given by the caller.")
    items: list[ReservedItem] = Field(description="Units held per product, one entry each.")
    status: Literal["reserved", "released"] = Field(
        description="'reserved', or 'released' once release-inventory gave the stock back."
    )


class InsufficientStock(ServiceError):
    """A product has fewer units available than requested (or is unknown: 0 available).

    Attributes:
        product_id: the product short of stock.
        requested: units requested.
        available: units available when checked.
    """

    def __init__(self, product_id: str, requested: int, available: int) -> None:
        super().__init__(
            f"insufficient stock for product {product_id!r}: "
            f"requested {requested}, available {available}"
        )
        self.product_id = product_id
        self.requested = requested
        self.available = available


class ReservationConflict(ServiceError):
    """A reservation id was reused for different items."""


def adjust_stock(stock: Table, product_id: str, delta: int) -> int | None:
    """Add ``delta`` units to a product, atomically; return the new count.

    Returns ``None`` (and changes nothing) when the result would be negative; an unknown
    product counts as 0 available.

    Raises:
        StorageError: the compare-and-set kept losing races.
    """
    for _ in range(_CAS_ATTEMPTS):
        item = stock.get(product_id)
        available = int(item["available"]) if item is not None else 0
        if available + delta < 0:
            return None
        # Other attributes (the stock service's applied-adjustment ids) are kept as they are.
        new = {**(item or {}), "product_id": product_id, "available": available + delta}
        expect = {"available": available} if item is not None else ABSENT
        if stock.put(new, expect=expect):
            return available + delta
    raise StorageError(f"stock of {product_id!r} changed {_CAS_ATTEMPTS} times while updating")


def _summed(items: list[OrderItem]) -> list[ReservedItem]:
    totals: dict[str, int] = {}
    for item in items:
        totals[item.product_id] = totals.get(item.product_id, 0) + item.quantity
    return [ReservedItem(product_id=p, quantity=q) for p, q in totals.items()]


def _reserve_inventory(request: ReserveInventoryInput, deps: ServiceDeps) -> Reservation:
    reservations = deps.store.table("reservations")
    wanted = _summed(request.items)
    existing = reservations.get(request.reservation_id)
    if existing is not None:
        recorded = Reservation.model_validate(existing)
        if recorded.items != wanted:
            raise ReservationConflict(
                f"reservation id {request.reservation_id!r} already holds different items"
            )
        return recorded
    stock = deps.store.table("stock")
    taken: list[ReservedItem] = []
    for line in wanted:
        if adjust_stock(stock, line.product_id, -line.quantity) is None:
            for done in taken:
                adjust_stock(stock, done.product_id, done.quantity)
            item = stock.get(line.product_id)
            available = int(item["available"]) if item is not None else 0
            raise rejected(deps, InsufficientStock(line.product_id, line.quantity, available))
        taken.append(line)
    reservation = Reservation(
        reservation_id=request.reservation_id, items=wanted, status="reserved"
    )
    stored = put_new(reservations, reservation.model_dump(mode="json"))
    if not stored.created:
        # A concurrent identical request won: give our units back and return its record.
        for done in taken:
            adjust_stock(stock, done.product_id, done.quantity)
        return Reservation.model_validate(stored.item)
    return reservation


reserve_inventory: Service[ReserveInventoryInput, Reservation] = Service(
    name="reserve-inventory",
    handler=_reserve_inventory,
    input_model=ReserveInventoryInput,
    output_model=Reservation,
    errors=(InsufficientStock, ReservationConflict),
    description="Reserve all items from stock or none, idempotently per reservation id.",
    reads=("stock", "reservations"),
    writes=("stock", "reservations"),
    metrics=(ORDERS_REJECTED,),
)

__all__ = [
    "InsufficientStock",
    "ReservationConflict",
    "ReserveInventoryInput",
    "Reservation",
    "ReservedItem",
    "adjust_stock",
    "reserve_inventory",
]
