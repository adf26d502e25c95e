"""Flights: ``reserve-flight`` holds seats on a route, ``cancel-flight`` gives them back.

Inventory lives in the ``flights`` table, one row per route (``LIS-CDG``) with the flight
number, the seats left and the fare per seat in cents. A trip's flight booking is stored in
``bookings`` under an id derived from the request id (see :func:`flight_booking_id`).

Failure modes of ``reserve-flight``:

* ``UnknownRoute``, ``NoSeatsAvailable``, ``RequestAlreadyCancelled`` (business, never
  retried);
* ``AirlineTimeout`` (transient, retryable): the airline's system did not answer, simulated
  at the rate ``deps.failure_rates["reserve-flight"]`` drawn from ``deps.rng``, before
  anything is read or written;
* ``InventoryContention`` (transient, retryable): the route's row kept changing.
"""

from __future__ import annotations

from typing import Any, Literal

from orderflow import Service, ServiceDeps, ServiceError
from pydantic import BaseModel, ConfigDict, Field

from travel._booking import (
    Cancellation,
    InventoryContention,
    RequestAlreadyCancelled,
    Stock,
    cancel_once,
    reserve_once,
)
from travel._fields import Airport, Id, IsoDate, Party, Price, derived_id

RESERVE = "reserve-flight"


class ReserveFlightInput(BaseModel):
    """Request for ``reserve-flight``."""

    model_config = ConfigDict(extra="forbid")

    request_id: Id = Field(description="The trip's request id; the booking id derives from it.")
    origin: Airport = Field(description="Departure airport (IATA).")
    destination: Airport = Field(description="Arrival airport (IATA).")
    departure_date: IsoDate = Field(description="Day of the flight (YYYY-MM-DD).")
    seats: Party = Field(description="Seats to hold, one per traveller.")


class FlightBooking(BaseModel):
    """Seats held on a flight. Money in integer cents."""

    model_config = ConfigDict(extra="forbid")

    booking_id: Id = Field(description="The booking's id (derived from the request id).")
    request_id: Id = Field(description="The trip the booking belongs to.")
    flight_no: Id = Field(description="The flight number, e.g. TP438.")
    origin: Airport = Field(description="Departure airport (IATA).")
    destination: Airport = Field(description="Arrival airport (IATA).")
    departure_date: IsoDate = Field(description="Day of the flight.")
    seats: Party = Field(description="Seats held.")
    price_cents: Price = Field(description="Fare for all seats, in integer cents.")
    status: Literal["reserved", "cancelled"] = Field(
        description="'reserved', or 'cancelled' once cancel-flight ran."
    )


class CancelFlightInput(BaseModel):
    """Request for ``cancel-flight`` (a compensation)."""

    model_config = ConfigDict(extra="forbid")

    request_id: Id = Field(description="The trip whose flight booking to cancel.")


class UnknownRoute(ServiceError):
    """No flight flies this route."""


class NoSeatsAvailable(ServiceError):
    """Fewer seats are left on the route than travellers."""


class AirlineTimeout(ServiceError):
    """The (simulated) airline system did not answer in time. Safe to retry."""


def flight_booking_id(request_id: str) -> str:
    """The id of the flight booking of trip ``request_id``."""
    return derived_id("flt", request_id)


def route_key(origin: str, destination: str) -> str:
    """The ``flights`` row key of a route: ``LIS-CDG``."""
    return f"{origin}-{destination}"


def _reserve_flight(request: ReserveFlightInput, deps: ServiceDeps) -> FlightBooking:
    if deps.rng.random() < deps.failure_rate(RESERVE):
        raise AirlineTimeout("the airline did not answer in time")
    route = route_key(request.origin, request.destination)
    stock = Stock(
        deps.store.table("flights"),
        route,
        "seats_left",
        UnknownRoute(f"no flight from {request.origin} to {request.destination}"),
    )

    def short(left: int) -> ServiceError:
        return NoSeatsAvailable(f"{route}: {request.seats} seat(s) wanted, {left} left")

    def build(row: dict[str, Any]) -> FlightBooking:
        return FlightBooking(
            booking_id=flight_booking_id(request.request_id),
            request_id=request.request_id,
            flight_no=str(row["flight_no"]),
            origin=request.origin,
            destination=request.destination,
            departure_date=request.departure_date,
            seats=request.seats,
            price_cents=int(row["fare_cents"]) * request.seats,
            status="reserved",
        )

    bookings = deps.store.table("bookings")
    booking_id = flight_booking_id(request.request_id)
    return reserve_once(
        bookings, booking_id, FlightBooking, stock, request.seats, short=short, build=build
    )


def _cancel_flight(request: CancelFlightInput, deps: ServiceDeps) -> Cancellation:
    def release(booking: FlightBooking) -> None:
        route = route_key(booking.origin, booking.destination)
        missing = UnknownRoute(f"route {route} vanished from the flights table")
        Stock(deps.store.table("flights"), route, "seats_left", missing).add(booking.seats)

    booking_id = flight_booking_id(request.request_id)
    return cancel_once(deps.store.table("bookings"), booking_id, FlightBooking, release)


reserve_flight: Service[ReserveFlightInput, FlightBooking] = Service(
    name=RESERVE,
    handler=_reserve_flight,
    input_model=ReserveFlightInput,
    output_model=FlightBooking,
    errors=(
        UnknownRoute,
        NoSeatsAvailable,
        RequestAlreadyCancelled,
        AirlineTimeout,
        InventoryContention,
    ),
    retryable=(AirlineTimeout, InventoryContention),
    description="Hold seats on a route for a trip, idempotently per request id.",
    reads=("bookings", "flights"),
    writes=("bookings", "flights"),
)

cancel_flight: Service[CancelFlightInput, Cancellation] = Service(
    name="cancel-flight",
    handler=_cancel_flight,
    input_model=CancelFlightInput,
    output_model=Cancellation,
    errors=(UnknownRoute, InventoryContention),
    retryable=(InventoryContention,),
    description="Cancel a trip's flight booking and free its seats (idempotent).",
    reads=("bookings", "flights"),
    writes=("bookings", "flights"),
)

__all__ = [
    "AirlineTimeout",
    "CancelFlightInput",
    "FlightBooking",
    "NoSeatsAvailable",
    "ReserveFlightInput",
    "UnknownRoute",
    "cancel_flight",
    "flight_booking_id",
    "reserve_flight",
    "route_key",
]
