"""The trip request (the workflow's input) and ``validate-trip``, which checks it.

A trip is one flight out, one hotel stay per city (the stays follow each other: each
check-in is the previous check-out, the first on the day the flight leaves), an optional
rental car picked up in the first city on arrival, and the card that pays. Money is integer
cents; dates are ``YYYY-MM-DD``.
"""

from __future__ import annotations

from datetime import timedelta

from orderflow import Service, ServiceDeps, ServiceError
from pydantic import BaseModel, ConfigDict, Field, StrictInt

from travel._fields import Airport, City, Email, Id, IsoDate, Nights, Party, parse_date

MAX_STAYS = 5
"""The most cities one trip visits."""

MAX_CAR_DAYS = 30
"""The longest car rental."""


class Traveller(BaseModel):
    """Who books (and receives the itinerary)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, description="The lead traveller's name.")
    email: Email = Field(description="Where the itinerary goes.")


class FlightRequest(BaseModel):
    """The outbound flight wanted."""

    model_config = ConfigDict(extra="forbid")

    origin: Airport = Field(description="IATA code of the departure airport, e.g. LIS.")
    destination: Airport = Field(description="IATA code of the arrival airport, e.g. CDG.")
    departure_date: IsoDate = Field(description="Day of the flight (YYYY-MM-DD).")


class Stay(BaseModel):
    """One hotel stay: a city, a check-in day and a number of nights."""

    model_config = ConfigDict(extra="forbid")

    city: City = Field(description="The city of the hotel, e.g. Paris.")
    check_in: IsoDate = Field(description="Check-in day (YYYY-MM-DD).")
    nights: Nights = Field(description="Nights at the hotel, 1 to 30.")


class TripRequest(BaseModel):
    """A trip to book: the execution input of the ``trip`` workflow."""

    model_config = ConfigDict(extra="forbid")

    request_id: Id = Field(
        description="The caller's key for this trip; every booking and the payment derive "
        "their ids from it, so a retried request never books or charges twice."
    )
    traveller: Traveller = Field(description="The lead traveller.")
    party_size: Party = Field(description="People travelling together (seats; rooms for two).")
    flight: FlightRequest = Field(description="The outbound flight.")
    stays: list[Stay] = Field(
        min_length=1, max_length=MAX_STAYS, description="The hotel stays, in travel order."
    )
    car_days: StrictInt = Field(
        default=0,
        ge=0,
        le=MAX_CAR_DAYS,
        description="Days of car rental from arrival in the first city; 0 for no car.",
    )
    card_token: Id = Field(description="The payment card's token (never the card number).")


class ValidatedTrip(BaseModel):
    """A trip that passed validation, with the car pick-up worked out."""

    model_config = ConfigDict(extra="forbid")

    request_id: Id = Field(description="The trip's request id (idempotency key).")
    traveller: Traveller = Field(description="The lead traveller.")
    party_size: Party = Field(description="People travelling together.")
    flight: FlightRequest = Field(description="The outbound flight.")
    stays: list[Stay] = Field(
        min_length=1, max_length=MAX_STAYS, description="The hotel stays, in travel order."
    )
    car_days: StrictInt = Field(ge=0, le=MAX_CAR_DAYS, description="Car rental days; 0 = none.")
    car_city: City = Field(description="Where a car would be picked up: the first stay's city.")
    car_pickup_date: IsoDate = Field(description="When a car would be picked up: the arrival.")
    card_token: Id = Field(description="The payment card's token.")
    total_nights: StrictInt = Field(ge=1, description="Nights across all stays.")


class InvalidTrip(ServiceError):
    """The trip cannot be booked as asked (a date in the past, stays that do not chain...)."""


def _validate_trip(request: TripRequest, deps: ServiceDeps) -> ValidatedTrip:
    today = deps.clock().date()
    departure = parse_date(request.flight.departure_date)
    if departure < today:
        raise InvalidTrip(f"the flight leaves on {departure}, before today ({today})")
    if request.flight.origin == request.flight.destination:
        raise InvalidTrip(f"the flight goes from {request.flight.origin} to itself")
    expected = departure
    for number, stay in enumerate(request.stays, start=1):
        check_in = parse_date(stay.check_in)
        if check_in != expected:
            raise InvalidTrip(
                f"stay {number} ({stay.city}) checks in on {check_in}, expected {expected} "
                "(the flight's day, then each previous check-out)"
            )
        expected = check_in + timedelta(days=stay.nights)
    first = request.stays[0]
    return ValidatedTrip(
        request_id=request.request_id,
        traveller=request.traveller,
        party_size=request.party_size,
        flight=request.flight,
        stays=request.stays,
        car_days=request.car_days,
        car_city=first.city,
        car_pickup_date=first.check_in,
        card_token=request.card_token,
        total_nights=sum(stay.nights for stay in request.stays),
    )


validate_trip: Service[TripRequest, ValidatedTrip] = Service(
    name="validate-trip",
    handler=_validate_trip,
    input_model=TripRequest,
    output_model=ValidatedTrip,
    errors=(InvalidTrip,),
    description="Check a trip request: dates not past, stays chained, a real route.",
)

__all__ = [
    "MAX_CAR_DAYS",
    "MAX_STAYS",
    "FlightRequest",
    "InvalidTrip",
    "Stay",
    "Traveller",
    "TripRequest",
    "ValidatedTrip",
    "validate_trip",
]
