"""Hotels: ``reserve-hotel`` books rooms in one city, ``cancel-hotel`` frees them.

Inventory lives in the ``hotels`` table, one row per city with the hotel's name, the rooms
left and the nightly rate per room in cents. Rooms hold two guests. A stay's booking is
stored in ``bookings`` under an id derived from the request id, the city and the check-in
day (see :func:`hotel_booking_id`), so each stay of a multi-city trip has its own booking.

Failure modes of ``reserve-hotel``: ``UnknownCity``, ``NoRoomsAvailable`` and
``RequestAlreadyCancelled`` (business, never retried).
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
from travel._fields import City, Id, IsoDate, Nights, Party, Price, derived_id

GUESTS_PER_ROOM = 2


class ReserveHotelInput(BaseModel):
    """Request for ``reserve-hotel``: one stay."""

    model_config = ConfigDict(extra="forbid")

    request_id: Id = Field(description="The trip's request id; the booking id derives from it.")
    city: City = Field(description="The city to stay in.")
    check_in: IsoDate = Field(description="Check-in day (YYYY-MM-DD).")
    nights: Nights = Field(description="Nights to stay.")
    guests: Party = Field(description="Guests; one room per two guests.")


class HotelBooking(BaseModel):
    """Rooms booked in one city. Money in integer cents."""

    model_config = ConfigDict(extra="forbid")

    booking_id: Id = Field(description="The booking's id (from request id, city and check-in).")
    request_id: Id = Field(description="The trip the booking belongs to.")
    hotel: str = Field(min_length=1, max_length=100, description="The hotel's name.")
    city: City = Field(description="The hotel's city.")
    check_in: IsoDate = Field(description="Check-in day.")
    nights: Nights = Field(description="Nights booked.")
    rooms: StrictInt = Field(ge=1, le=5, description="Rooms booked.")
    price_cents: Price = Field(description="Price of all rooms for all nights, integer cents.")
    status: Literal["reserved", "cancelled"] = Field(
        description="'reserved', or 'cancelled' once cancel-hotel ran."
    )


class CancelHotelInput(BaseModel):
    """Request for ``cancel-hotel`` (a compensation): the stay whose booking to cancel."""

    model_config = ConfigDict(extra="forbid")

    request_id: Id = Field(description="The trip's request id.")
    city: City = Field(description="The stay's city.")
    check_in: IsoDate = Field(description="The stay's check-in day.")


class UnknownCity(ServiceError):
    """No hotel is listed in this city."""


class NoRoomsAvailable(ServiceError):
    """The city's hotel has fewer rooms left than the stay needs."""


def hotel_booking_id(request_id: str, city: str, check_in: str) -> str:
    """The id of the booking of one stay of trip ``request_id``."""
    return derived_id("htl", request_id, city, check_in)


def rooms_for(guests: int) -> int:
    """Rooms needed for ``guests`` (two per room)."""
    return -(-guests // GUESTS_PER_ROOM)


def _reserve_hotel(request: ReserveHotelInput, deps: ServiceDeps) -> HotelBooking:
    stock = Stock(
        deps.store.table("hotels"),
        request.city,
        "rooms_left",
        UnknownCity(f"no hotel listed in {request.city}"),
    )
    rooms = rooms_for(request.guests)
    booking_id = hotel_booking_id(request.request_id, request.city, request.check_in)

    def short(left: int) -> ServiceError:
        name = stock.row()["name"]
        return NoRoomsAvailable(f"{name} in {request.city}: {rooms} room(s) wanted, {left} left")

    def build(row: dict[str, Any]) -> HotelBooking:
        return HotelBooking(
            booking_id=booking_id,
            request_id=request.request_id,
            hotel=str(row["name"]),
            city=request.city,
            check_in=request.check_in,
            nights=request.nights,
            rooms=rooms,
            price_cents=int(row["nightly_cents"]) * rooms * request.nights,
            status="reserved",
        )

    bookings = deps.store.table("bookings")
    return reserve_once(bookings, booking_id, HotelBooking, stock, rooms, short=short, build=build)


def _cancel_hotel(request: CancelHotelInput, deps: ServiceDeps) -> Cancellation:
    def release(booking: HotelBooking) -> None:
        missing = UnknownCity(f"{booking.city} vanished from the hotels table")
        Stock(deps.store.table("hotels"), booking.city, "rooms_left", missing).add(booking.rooms)

    booking_id = hotel_booking_id(request.request_id, request.city, request.check_in)
    return cancel_once(deps.store.table("bookings"), booking_id, HotelBooking, release)


reserve_hotel: Service[ReserveHotelInput, HotelBooking] = Service(
    name="reserve-hotel",
    handler=_reserve_hotel,
    input_model=ReserveHotelInput,
    output_model=HotelBooking,
    errors=(UnknownCity, NoRoomsAvailable, RequestAlreadyCancelled, InventoryContention),
    retryable=(InventoryContention,),
    description="Book rooms for one stay, idempotently per request id, city and check-in.",
    reads=("bookings", "hotels"),
    writes=("bookings", "hotels"),
)

cancel_hotel: Service[CancelHotelInput, Cancellation] = Service(
    name="cancel-hotel",
    handler=_cancel_hotel,
    input_model=CancelHotelInput,
    output_model=Cancellation,
    errors=(UnknownCity, InventoryContention),
    retryable=(InventoryContention,),
    description="Cancel one stay's booking and free its rooms (idempotent).",
    reads=("bookings", "hotels"),
    writes=("bookings", "hotels"),
)

__all__ = [
    "GUESTS_PER_ROOM",
    "CancelHotelInput",
    "HotelBooking",
    "NoRoomsAvailable",
    "ReserveHotelInput",
    "UnknownCity",
    "cancel_hotel",
    "hotel_booking_id",
    "reserve_hotel",
    "rooms_for",
]
