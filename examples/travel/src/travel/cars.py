"""Cars: ``reserve-car`` rents one car in a city, ``cancel-car`` returns it to the pool.

Inventory lives in the ``cars`` table, one row per city with the rental company, the cars
left and the daily rate in cents. The car is paid at pick-up, so its price is shown on the
itinerary but not charged with the trip. A trip has at most one car; its booking is stored
in ``bookings`` under an id derived from the request id (see :func:`car_booking_id`).

Failure modes of ``reserve-car``: ``NoCarAvailable`` (also when the city has no rental
desk) and ``RequestAlreadyCancelled`` (business, never retried).
"""

from __future__ import annotations

from typing import Any, Literal

from orderflow import Service, ServiceDeps, ServiceError
from pydantic import BaseModel, ConfigDict, Field, StrictInt

from travel._booking import (
    Cancellation,
    InventoryContention,
    RequestAlreadyCancelled,
    Stock,
    cancel_once,
    reserve_once,
)
from travel._fields import City, Id, IsoDate, Price, derived_id
from travel.trip import MAX_CAR_DAYS


class ReserveCarInput(BaseModel):
    """Request for ``reserve-car``."""

    model_config = ConfigDict(extra="forbid")

    request_id: Id = Field(description="The trip's request id; the booking id derives from it.")
    city: City = Field(description="Where the car is picked up.")
    pickup_date: IsoDate = Field(description="Pick-up day (YYYY-MM-DD).")
    days: StrictInt = Field(ge=1, le=MAX_CAR_DAYS, description="Rental days.")


class CarBooking(BaseModel):
    """A rental car held for a trip. Money in integer cents (paid at pick-up)."""

    model_config = ConfigDict(extra="forbid")

    booking_id: Id = Field(description="The booking's id (derived from the request id).")
    request_id: Id = Field(description="The trip the booking belongs to.")
    company: str = Field(min_length=1, max_length=100, description="The rental company.")
    city: City = Field(description="Pick-up city.")
    pickup_date: IsoDate = Field(description="Pick-up day.")
    days: StrictInt = Field(ge=1, le=MAX_CAR_DAYS, description="Rental days.")
    price_cents: Price = Field(description="Rental price, integer cents, paid at pick-up.")
    status: Literal["reserved", "cancelled"] = Field(
        description="'reserved', or 'cancelled' once cancel-car ran."
    )


class CancelCarInput(BaseModel):
    """Request for ``cancel-car`` (a compensation)."""

    model_config = ConfigDict(extra="forbid")

    request_id: Id = Field(description="The trip whose car booking to cancel.")


class NoCarAvailable(ServiceError):
    """No car is left (or no rental desk exists) in the pick-up city."""


def car_booking_id(request_id: str) -> str:
    """The id of the car booking of trip ``request_id``."""
    return derived_id("car", request_id)


def _reserve_car(request: ReserveCarInput, deps: ServiceDeps) -> CarBooking:
    stock = Stock(
        deps.store.table("cars"),
        request.city,
        "cars_left",
        NoCarAvailable(f"no car rental desk in {request.city}"),
    )
    booking_id = car_booking_id(request.request_id)

    def short(left: int) -> ServiceError:
        return NoCarAvailable(f"no car left in {request.city}")

    def build(row: dict[str, Any]) -> CarBooking:
        return CarBooking(
            booking_id=booking_id,
            request_id=request.request_id,
            company=str(row["company"]),
            city=request.city,
            pickup_date=request.pickup_date,
            days=request.days,
            price_cents=int(row["daily_cents"]) * request.days,
            status="reserved",
        )

    bookings = deps.store.table("bookings")
    return reserve_once(bookings, booking_id, CarBooking, stock, 1, short=short, build=build)


def _cancel_car(request: CancelCarInput, deps: ServiceDeps) -> Cancellation:
    def release(booking: CarBooking) -> None:
        missing = NoCarAvailable(f"{booking.city} vanished from the cars table")
        Stock(deps.store.table("cars"), booking.city, "cars_left", missing).add(1)

    booking_id = car_booking_id(request.request_id)
    return cancel_once(deps.store.table("bookings"), booking_id, CarBooking, release)


reserve_car: Service[ReserveCarInput, CarBooking] = Service(
    name="reserve-car",
    handler=_reserve_car,
    input_model=ReserveCarInput,
    output_model=CarBooking,
    errors=(NoCarAvailable, RequestAlreadyCancelled, InventoryContention),
    retryable=(InventoryContention,),
    description="Hold a rental car for a trip, idempotently per request id.",
    reads=("bookings", "cars"),
    writes=("bookings", "cars"),
)

cancel_car: Service[CancelCarInput, Cancellation] = Service(
    name="cancel-car",
    handler=_cancel_car,
    input_model=CancelCarInput,
    output_model=Cancellation,
    errors=(NoCarAvailable, InventoryContention),
    retryable=(InventoryContention,),
    description="Cancel a trip's car booking, if any, and free the car (idempotent).",
    reads=("bookings", "cars"),
    writes=("bookings", "cars"),
)

__all__ = [
    "CancelCarInput",
    "CarBooking",
    "NoCarAvailable",
    "ReserveCarInput",
    "cancel_car",
    "car_booking_id",
    "reserve_car",
]
