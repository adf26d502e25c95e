"""Sample inventory and sample trips, for local runs, tests and ``deploy --seed-sample-data``.

Some rows are there to make a failure easy to try: the ``LIS-OPO`` flight has two seats,
the hotel in Nice is full, Porto has no car left, and the card ``tok_small_limit`` cannot pay
for much.
"""

from __future__ import annotations

from typing import Any

from orderflow.runtime import Store

FLIGHTS: tuple[dict[str, Any], ...] = (
    {"route": "LIS-CDG", "flight_no": "TP438", "seats_left": 40, "fare_cents": 12_900},
    {"route": "CDG-LIS", "flight_no": "TP439", "seats_left": 40, "fare_cents": 11_900},
    {"route": "LIS-FCO", "flight_no": "TP836", "seats_left": 30, "fare_cents": 15_400},
    {"route": "LIS-NCE", "flight_no": "TP490", "seats_left": 20, "fare_cents": 10_500},
    {"route": "LIS-OPO", "flight_no": "TP1940", "seats_left": 2, "fare_cents": 6_900},
)
"""Routes: ``route`` is ``ORIGIN-DESTINATION``; fares per seat in cents."""

HOTELS: tuple[dict[str, Any], ...] = (
    {"city": "Paris", "name": "Hotel du Nord", "rooms_left": 20, "nightly_cents": 14_500},
    {"city": "Lyon", "name": "Les Halles", "rooms_left": 10, "nightly_cents": 9_800},
    {"city": "Rome", "name": "Albergo Sole", "rooms_left": 12, "nightly_cents": 13_200},
    {"city": "Nice", "name": "Promenade", "rooms_left": 0, "nightly_cents": 17_000},
    {"city": "Porto", "name": "Ribeira", "rooms_left": 8, "nightly_cents": 8_900},
)
"""One hotel per city; nightly rate per room (two guests) in cents."""

CARS: tuple[dict[str, Any], ...] = (
    {"city": "Paris", "company": "Rue Cars", "cars_left": 5, "daily_cents": 4_500},
    {"city": "Rome", "company": "Vespa Rent", "cars_left": 3, "daily_cents": 3_900},
    {"city": "Nice", "company": "Azur Auto", "cars_left": 4, "daily_cents": 5_200},
    {"city": "Porto", "company": "Douro Drive", "cars_left": 0, "daily_cents": 3_100},
)
"""One rental desk per city; daily rate in cents (paid at pick-up)."""

CARDS: tuple[dict[str, Any], ...] = (
    {"card_token": "tok_visa_ada", "holder": "Ada Lovelace", "limit_cents": 500_000},
    {"card_token": "tok_small_limit", "holder": "Bob Small", "limit_cents": 20_000},
)
"""Payment cards by token, each with its limit in cents."""


def seed(store: Store) -> None:
    """Write the sample inventory and cards into ``store``."""
    for table, rows in (
        ("flights", FLIGHTS),
        ("hotels", HOTELS),
        ("cars", CARS),
        ("cards", CARDS),
    ):
        for row in rows:
            store.table(table).put(row)


SAMPLE_TRIP: dict[str, Any] = {
    "request_id": "trip-0001",
    "traveller": {"name": "Ada Lovelace", "email": "ada@example.com"},
    "party_size": 2,
    "flight": {"origin": "LIS", "destination": "CDG", "departure_date": "2027-05-03"},
    "stays": [
        {"city": "Paris", "check_in": "2027-05-03", "nights": 3},
        {"city": "Lyon", "check_in": "2027-05-06", "nights": 2},
    ],
    "car_days": 3,
    "card_token": "tok_visa_ada",
}
"""A trip that books: two people, Lisbon to Paris, then Lyon, a car in Paris; EUR 889.00."""

DECLINED_TRIP: dict[str, Any] = {
    **SAMPLE_TRIP,
    "request_id": "trip-0002",
    "card_token": "tok_small_limit",
}
"""The same trip on a card whose limit is EUR 200.00: the charge is declined."""

__all__ = ["CARDS", "CARS", "DECLINED_TRIP", "FLIGHTS", "HOTELS", "SAMPLE_TRIP", "seed"]
