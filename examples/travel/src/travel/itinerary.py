"""``send-itinerary``: e-mail the traveller what was booked and charged (once per trip).

Sending is simulated: the message is stored in the ``itineraries`` table (an outbox a
mailer would drain) under an id derived from the request id, so a retry sends nothing new.
"""

from __future__ import annotations

from orderflow import Service, ServiceDeps
from orderflow.runtime import ABSENT
from pydantic import BaseModel, ConfigDict, Field, StrictInt

from travel._fields import Email, Id, derived_id, format_cents
from travel.flights import FlightBooking
from travel.hotels import HotelBooking
from travel.payments import Payment
from travel.trip import MAX_CAR_DAYS, MAX_STAYS


class SendItineraryInput(BaseModel):
    """Request for ``send-itinerary``."""

    model_config = ConfigDict(extra="forbid")

    request_id: Id = Field(description="The trip's request id.")
    name: str = Field(min_length=1, max_length=100, description="The lead traveller's name.")
    to: Email = Field(description="Where to send the itinerary.")
    flight: FlightBooking = Field(description="The flight booked.")
    hotels: list[HotelBooking] = Field(
        min_length=1, max_length=MAX_STAYS, description="The hotels booked, in travel order."
    )
    car_days: StrictInt = Field(
        ge=0, le=MAX_CAR_DAYS, description="Days of the rental car held (0: no car)."
    )
    payment: Payment = Field(description="The charge made for the flight and hotels.")


class Itinerary(BaseModel):
    """The itinerary as sent."""

    model_config = ConfigDict(extra="forbid")

    itinerary_id: Id = Field(description="The message's id (derived from the request id).")
    request_id: Id = Field(description="The trip.")
    to: Email = Field(description="The recipient.")
    subject: str = Field(min_length=1, description="The e-mail's subject line.")
    lines: list[str] = Field(min_length=1, description="The e-mail's body, line by line.")
    sent_at: str = Field(description="When it was queued (ISO 8601, UTC).")


def itinerary_id_for(request_id: str) -> str:
    """The id of the itinerary message of trip ``request_id``."""
    return derived_id("iti", request_id)


def _lines(request: SendItineraryInput) -> list[str]:
    flight = request.flight
    lines = [
        f"Dear {request.name},",
        f"Flight {flight.flight_no} {flight.origin} -> {flight.destination} on "
        f"{flight.departure_date}, {flight.seats} seat(s): {format_cents(flight.price_cents)}",
    ]
    lines += [
        f"{hotel.hotel}, {hotel.city}: {hotel.nights} night(s) from {hotel.check_in}, "
        f"{hotel.rooms} room(s): {format_cents(hotel.price_cents)}"
        for hotel in request.hotels
    ]
    if request.car_days:
        lines.append(f"Rental car for {request.car_days} day(s), paid at pick-up.")
    lines.append(
        f"Charged {format_cents(request.payment.amount_cents)} to card "
        f"{request.payment.card_token} (payment {request.payment.payment_id})."
    )
    return lines


def _send_itinerary(request: SendItineraryInput, deps: ServiceDeps) -> Itinerary:
    outbox = deps.store.table("itineraries")
    itinerary_id = itinerary_id_for(request.request_id)
    found = outbox.get(itinerary_id)
    if found is not None:
        return Itinerary.model_validate(found)
    itinerary = Itinerary(
        itinerary_id=itinerary_id,
        request_id=request.request_id,
        to=request.to,
        subject=f"Your trip {request.request_id} is booked",
        lines=_lines(request),
        sent_at=deps.clock().isoformat().replace("+00:00", "Z"),
    )
    if outbox.put(itinerary.model_dump(mode="json"), expect=ABSENT):
        return itinerary
    winner = outbox.get(itinerary_id)  # a concurrent retry queued it first
    assert winner is not None
    return Itinerary.model_validate(winner)


send_itinerary: Service[SendItineraryInput, Itinerary] = Service(
    name="send-itinerary",
    handler=_send_itinerary,
    input_model=SendItineraryInput,
    output_model=Itinerary,
    description="Queue the itinerary e-mail for a booked trip (once per request id).",
    reads=("itineraries",),
    writes=("itineraries",),
)

__all__ = ["Itinerary", "SendItineraryInput", "itinerary_id_for", "send_itinerary"]
