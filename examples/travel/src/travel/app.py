"""The travel booking app: its services, tables, workflow and trigger, in one ``App``.

Every orderflow command finds it through ``[tool.orderflow] app = "travel.app:app"`` in
this project's ``pyproject.toml`` (or ``--app travel.app:app``).
"""

from __future__ import annotations

from orderflow import App, Trigger

from travel.cars import cancel_car, reserve_car
from travel.data import SAMPLE_TRIP, seed
from travel.flights import cancel_flight, reserve_flight
from travel.hotels import cancel_hotel, reserve_hotel
from travel.itinerary import send_itinerary
from travel.payments import charge_card, price_trip
from travel.trip import validate_trip
from travel.workflow import trip_workflow

SERVICES = (
    validate_trip,
    reserve_flight,
    reserve_hotel,
    reserve_car,
    price_trip,
    charge_card,
    send_itinerary,
    cancel_flight,
    cancel_hotel,
    cancel_car,
)
"""Every service of the app, the compensations included."""

app = App(
    "travel",
    services=SERVICES,
    workflows=[trip_workflow],
    tables={
        "flights": "route",
        "hotels": "city",
        "cars": "city",
        "cards": "card_token",
        "bookings": "booking_id",
        "payments": "payment_id",
        "itineraries": "itinerary_id",
    },
    triggers=[Trigger("trip", source="travel.bookings", detail_type="Trip Requested")],
    packages=("travel",),
    seed_data=seed,
    sample_inputs={"trip": SAMPLE_TRIP},
)
"""The travel app: ten services, seven tables, the ``trip`` workflow and its trigger."""

__all__ = ["SERVICES", "app"]
