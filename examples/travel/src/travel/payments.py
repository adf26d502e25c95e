"""Paying for a trip: ``price-trip`` totals the bookings, ``charge-card`` charges the card.

Money is integer cents. The flight and the hotels are charged together when everything is
booked; the rental car is paid at pick-up. A charge is keyed by the trip's request id (the
payment id derives from it), so a retried charge finds the recorded payment and never
charges twice.

Failure modes of ``charge-card``:

* ``CardDeclined`` (business, never retried): an unknown card, or an amount above the
  card's limit (the ``cards`` table);
* ``PaymentConflict`` (business): the request id was already charged a different amount or
  card;
* ``CardGatewayTimeout`` (transient, retryable): simulated at the rate
  ``deps.failure_rates["charge-card"]`` drawn from ``deps.rng``, before anything is charged.
"""

from __future__ import annotations

from typing import Literal

from orderflow import Service, ServiceDeps, ServiceError
from orderflow.runtime import ABSENT
from pydantic import BaseModel, ConfigDict, Field

from travel._fields import Id, PositiveCents, derived_id, format_cents
from travel.flights import FlightBooking
from travel.hotels import HotelBooking
from travel.trip import MAX_STAYS

CHARGE = "charge-card"


class PriceTripInput(BaseModel):
    """Request for ``price-trip``: the bookings to pay for now."""

    model_config = ConfigDict(extra="forbid")

    request_id: Id = Field(description="The trip's request id.")
    flight: FlightBooking = Field(description="The flight booking.")
    hotels: list[HotelBooking] = Field(
        min_length=1, max_length=MAX_STAYS, description="The hotel bookings, one per stay."
    )


class TripPrice(BaseModel):
    """What the trip costs now. Money in integer cents."""

    model_config = ConfigDict(extra="forbid")

    request_id: Id = Field(description="The trip's request id.")
    flight_cents: PositiveCents = Field(description="The flight's price, integer cents.")
    hotels_cents: PositiveCents = Field(description="All hotel stays, integer cents.")
    total_cents: PositiveCents = Field(description="Flight plus hotels, integer cents.")


class ChargeCardInput(BaseModel):
    """Request for ``charge-card``."""

    model_config = ConfigDict(extra="forbid")

    request_id: Id = Field(description="The trip's request id; the payment id derives from it.")
    card_token: Id = Field(description="The card's token.")
    amount_cents: PositiveCents = Field(description="Amount to charge, integer cents (> 0).")


class Payment(BaseModel):
    """A charge recorded on a card. Money in integer cents."""

    model_config = ConfigDict(extra="forbid")

    payment_id: Id = Field(description="The payment's id (derived from the request id).")
    request_id: Id = Field(description="The trip paid for.")
    card_token: Id = Field(description="The card charged.")
    amount_cents: PositiveCents = Field(description="Amount charged, integer cents.")
    status: Literal["charged"] = Field(description="Always 'charged'.")
    charged_at: str = Field(description="When the charge was recorded (ISO 8601, UTC).")


class CardDeclined(ServiceError):
    """The card is unknown or the amount is above its limit. Never worth retrying."""


class PaymentConflict(ServiceError):
    """The request id was already charged a different amount or to a different card."""


class CardGatewayTimeout(ServiceError):
    """The (simulated) card gateway did not answer in time. Safe to retry."""


def payment_id_for(request_id: str) -> str:
    """The id of the payment of trip ``request_id``."""
    return derived_id("pay", request_id)


def _price_trip(request: PriceTripInput, deps: ServiceDeps) -> TripPrice:
    hotels = sum(hotel.price_cents for hotel in request.hotels)
    return TripPrice(
        request_id=request.request_id,
        flight_cents=request.flight.price_cents,
        hotels_cents=hotels,
        total_cents=request.flight.price_cents + hotels,
    )


def _recorded(request: ChargeCardInput, item: dict[str, object]) -> Payment:
    payment = Payment.model_validate(item)
    if (payment.card_token, payment.amount_cents) != (request.card_token, request.amount_cents):
        raise PaymentConflict(
            f"request {request.request_id!r} was already charged "
            f"{format_cents(payment.amount_cents)} on card {payment.card_token!r}"
        )
    return payment


def _charge_card(request: ChargeCardInput, deps: ServiceDeps) -> Payment:
    payments = deps.store.table("payments")
    payment_id = payment_id_for(request.request_id)
    found = payments.get(payment_id)
    if found is not None:
        return _recorded(request, found)
    if deps.rng.random() < deps.failure_rate(CHARGE):
        raise CardGatewayTimeout("the card gateway did not answer in time; nothing was charged")
    card = deps.store.table("cards").get(request.card_token)
    if card is None:
        raise CardDeclined(f"unknown card {request.card_token!r}")
    limit = int(card["limit_cents"])
    if request.amount_cents > limit:
        raise CardDeclined(
            f"{format_cents(request.amount_cents)} is above the card's limit of "
            f"{format_cents(limit)}"
        )
    payment = Payment(
        payment_id=payment_id,
        request_id=request.request_id,
        card_token=request.card_token,
        amount_cents=request.amount_cents,
        status="charged",
        charged_at=deps.clock().isoformat().replace("+00:00", "Z"),
    )
    if payments.put(payment.model_dump(mode="json"), expect=ABSENT):
        return payment
    winner = payments.get(payment_id)  # a concurrent twin charged first: its record stands
    assert winner is not None
    return _recorded(request, winner)


price_trip: Service[PriceTripInput, TripPrice] = Service(
    name="price-trip",
    handler=_price_trip,
    input_model=PriceTripInput,
    output_model=TripPrice,
    description="Total the flight and hotel bookings of a trip, integer cents.",
)

charge_card: Service[ChargeCardInput, Payment] = Service(
    name=CHARGE,
    handler=_charge_card,
    input_model=ChargeCardInput,
    output_model=Payment,
    errors=(CardDeclined, PaymentConflict, CardGatewayTimeout),
    retryable=(CardGatewayTimeout,),
    description="Charge a card for a trip in integer cents, once per request id.",
    reads=("cards", "payments"),
    writes=("payments",),
)

__all__ = [
    "CardDeclined",
    "CardGatewayTimeout",
    "ChargeCardInput",
    "Payment",
    "PaymentConflict",
    "PriceTripInput",
    "TripPrice",
    "charge_card",
    "payment_id_for",
    "price_trip",
]
