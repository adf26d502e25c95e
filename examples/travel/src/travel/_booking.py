"""What every reservation service shares: take units from inventory, book once, cancel once.

Inventory rows (a route's seats, a city's rooms or cars) are updated with a compare-and-set
on the count, so two concurrent reservations can never both take the last unit. A booking
is stored under an id derived from the trip's request id, which makes each reservation
idempotent: the retry of a reservation that already happened finds the booking and returns
it without taking inventory again. A cancellation marks the booking first (compare-and-set
on its status) and only then gives the units back, so two concurrent cancellations cannot
both return them; cancelling a booking that was never made is a no-op, which lets a
compensation run whatever point the trip reached.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from orderflow import ServiceError
from orderflow.runtime import ABSENT, Table
from pydantic import BaseModel, ConfigDict, Field

from travel._fields import Id

B = TypeVar("B", bound=BaseModel)

MAX_CAS_ATTEMPTS = 50
"""Compare-and-set attempts before giving up on a row that keeps changing under us."""


class RequestAlreadyCancelled(ServiceError):
    """This request id belongs to a trip that was cancelled: book again with a new id."""


class InventoryContention(ServiceError):
    """An inventory row kept changing while we tried to update it. Safe to retry."""


class Cancellation(BaseModel):
    """The result of a cancellation (a compensation): what happened to the booking."""

    model_config = ConfigDict(extra="forbid")

    booking_id: Id = Field(description="The booking the cancellation is about.")
    status: Literal["cancelled", "not-booked"] = Field(
        description=(
            "'cancelled': the booking is (now or already) cancelled and its units are back in "
            "inventory; 'not-booked': nothing was ever reserved under this id, nothing to undo."
        )
    )


@dataclass(frozen=True)
class Stock:
    """One inventory row: a count of units (``attribute``) in the row ``key`` of ``table``.

    Attributes:
        table: the inventory table.
        key: the row's partition key (a route, a city).
        attribute: the counted attribute (``seats_left``...).
        missing: raised when no row has ``key``.
    """

    table: Table
    key: str
    attribute: str
    missing: ServiceError

    def row(self) -> dict[str, Any]:
        """The row as stored now."""
        row = self.table.get(self.key)
        if row is None:
            raise self.missing
        return row

    def add(self, units: int, *, short: Callable[[int], ServiceError] | None = None) -> None:
        """Add ``units`` (negative to take) with compare-and-set.

        Raises:
            ServiceError: ``missing``; ``short(left)`` when taking more than is left;
                ``InventoryContention`` when the row changed under every attempt.
        """
        for _ in range(MAX_CAS_ATTEMPTS):
            row = self.row()
            left = int(row[self.attribute])
            if left + units < 0:
                assert short is not None, "a take must say what to raise when short"
                raise short(left)
            if self.table.put({**row, self.attribute: left + units}, expect={self.attribute: left}):
                return
        raise InventoryContention(f"{self.table.name} {self.key!r} kept changing; try again")


def reserve_once(
    bookings: Table,
    booking_id: str,
    model: type[B],
    stock: Stock,
    units: int,
    *,
    short: Callable[[int], ServiceError],
    build: Callable[[dict[str, Any]], B],
) -> B:
    """Book once: the stored booking if there is one, else take ``units`` and store
    ``build(inventory_row)``.

    Raises:
        RequestAlreadyCancelled: the booking exists but a compensation cancelled it.
        ServiceError: from ``stock`` (missing row, ``short``, contention).
    """
    found = bookings.get(booking_id)
    if found is not None:
        if found.get("status") == "cancelled":
            raise RequestAlreadyCancelled(
                f"booking {booking_id} was cancelled; start a new trip with a new request id"
            )
        return model.model_validate(found)
    row = stock.row()
    stock.add(-units, short=short)
    booking = build(row)
    if bookings.put(booking.model_dump(mode="json"), expect=ABSENT):
        return booking
    # A concurrent twin stored its booking first: give our units back, its booking stands.
    stock.add(units)
    winner = bookings.get(booking_id)
    assert winner is not None  # the put failed because this key exists; bookings never vanish
    return model.model_validate(winner)


def cancel_once(
    bookings: Table, booking_id: str, model: type[B], release: Callable[[B], None]
) -> Cancellation:
    """Mark the booking cancelled (once) and ``release`` its units (once)."""
    item = bookings.get(booking_id)
    if item is None:
        return Cancellation(booking_id=booking_id, status="not-booked")
    if item.get("status") == "cancelled":
        return Cancellation(booking_id=booking_id, status="cancelled")
    if bookings.put({**item, "status": "cancelled"}, expect={"status": "reserved"}):
        release(model.model_validate(item))
    # Otherwise a concurrent cancellation marked it first and releases the units itself.
    return Cancellation(booking_id=booking_id, status="cancelled")


__all__ = [
    "MAX_CAS_ATTEMPTS",
    "Cancellation",
    "InventoryContention",
    "RequestAlreadyCancelled",
    "Stock",
    "cancel_once",
    "reserve_once",
]
