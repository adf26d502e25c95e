"""The trip workflow run locally on the executor with the real services (virtual time)."""

from __future__ import annotations

from typing import Any

import pytest
from orderflow import ServiceDeps
from orderflow.dsl import render
from orderflow.testing import Execution, run_asl

from travel.app import app
from travel.data import CARS, DECLINED_TRIP, FLIGHTS, HOTELS, SAMPLE_TRIP
from travel.workflow import trip_workflow

DEFINITION = render(trip_workflow)
COMPENSATIONS = {"CancelCar", "CancelFlight", "CancelHotel"}


def _run(trip: dict[str, Any], deps: ServiceDeps, seed: int = 0) -> Execution:
    return run_asl(DEFINITION, trip, lambda_handler=app.local_handler(deps), seed=seed)


def _entered(execution: Execution) -> list[str]:
    return [
        event["stateEnteredEventDetails"]["name"]
        for event in execution.history
        if "stateEnteredEventDetails" in event
    ]


def _inventory(deps: ServiceDeps) -> dict[str, int]:
    counts = {}
    for table, key, attribute in (
        ("flights", "route", "seats_left"),
        ("hotels", "city", "rooms_left"),
        ("cars", "city", "cars_left"),
    ):
        for row in deps.store.table(table).scan():
            counts[f"{table}/{row[key]}"] = row[attribute]
    return counts


INITIAL = {
    **{f"flights/{r['route']}": r["seats_left"] for r in FLIGHTS},
    **{f"hotels/{r['city']}": r["rooms_left"] for r in HOTELS},
    **{f"cars/{r['city']}": r["cars_left"] for r in CARS},
}


def test_the_sample_trip_books_charges_and_sends_the_itinerary(deps: ServiceDeps) -> None:
    execution = _run(SAMPLE_TRIP, deps)
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output["to"] == "ada@example.com"
    assert "Charged EUR 889.00 to card tok_visa_ada" in "\n".join(execution.output["lines"])
    entered = _entered(execution)
    assert entered.count("ReserveHotel") == 2 and "ReserveCar" in entered
    assert not COMPENSATIONS & set(entered)
    expected = dict(INITIAL)
    expected.update({"flights/LIS-CDG": 38, "hotels/Paris": 19, "hotels/Lyon": 9, "cars/Paris": 4})
    assert _inventory(deps) == expected
    (payment,) = deps.store.table("payments").scan()
    assert payment["amount_cents"] == 88_900


def test_without_car_days_the_choice_skips_the_car(deps: ServiceDeps) -> None:
    execution = _run({**SAMPLE_TRIP, "car_days": 0}, deps)
    assert execution.status == "SUCCEEDED", execution.cause
    assert "ReserveCar" not in _entered(execution)
    assert _inventory(deps)["cars/Paris"] == INITIAL["cars/Paris"]


def test_a_declined_card_cancels_every_booking_then_fails(deps: ServiceDeps) -> None:
    execution = _run(DECLINED_TRIP, deps)
    assert (execution.status, execution.error) == ("FAILED", "CardDeclined")
    assert "above the card's limit" in (execution.cause or "")
    entered = _entered(execution)
    assert entered.index("ChargeCard") < entered.index("Compensate")
    assert entered.count("CancelHotel") == 2 and entered[-1] == "TripFailed"
    assert _inventory(deps) == INITIAL
    assert {b["status"] for b in deps.store.table("bookings").scan()} == {"cancelled"}
    assert deps.store.table("payments").scan() == []


def test_a_full_flight_undoes_the_hotels_and_the_car(deps: ServiceDeps) -> None:
    trip = {
        **SAMPLE_TRIP,
        "party_size": 3,
        "flight": {"origin": "LIS", "destination": "OPO", "departure_date": "2027-05-03"},
        "stays": [{"city": "Porto", "check_in": "2027-05-03", "nights": 2}],
        "car_days": 0,
    }
    execution = _run(trip, deps)
    assert (execution.status, execution.error) == ("FAILED", "NoSeatsAvailable")
    assert {"CancelFlight", "CancelHotel", "CancelCar"} <= set(_entered(execution))
    assert _inventory(deps) == INITIAL


def test_no_car_left_undoes_the_flight_and_hotels(deps: ServiceDeps) -> None:
    trip = {
        **SAMPLE_TRIP,
        "flight": {"origin": "LIS", "destination": "OPO", "departure_date": "2027-05-03"},
        "party_size": 1,
        "stays": [{"city": "Porto", "check_in": "2027-05-03", "nights": 2}],
    }
    execution = _run(trip, deps)
    assert (execution.status, execution.error) == ("FAILED", "NoCarAvailable")
    assert _inventory(deps) == INITIAL


def test_an_invalid_trip_is_rejected_before_anything_is_booked(deps: ServiceDeps) -> None:
    stays = [{"city": "Paris", "check_in": "2027-05-04", "nights": 1}]
    execution = _run({**SAMPLE_TRIP, "stays": stays}, deps)
    assert (execution.status, execution.error) == ("FAILED", "InvalidTrip")
    assert _entered(execution) == ["ValidateTrip", "TripRejected"]
    assert deps.store.table("bookings").scan() == []


def test_a_gateway_that_never_answers_is_retried_then_compensated() -> None:
    deps = app.deps(failure_rates={"charge-card": 1.0})
    execution = _run(SAMPLE_TRIP, deps)
    assert (execution.status, execution.error) == ("FAILED", "CardGatewayTimeout")
    assert _entered(execution).count("ChargeCard") == 1
    charges = [
        event
        for event in execution.history
        if event["type"] == "TaskScheduled"
        and "-charge-card" in event["taskScheduledEventDetails"]["parameters"]
    ]
    assert len(charges) == 4  # the first attempt and CARD_GATEWAY's three retries
    assert _inventory(deps) == INITIAL


@pytest.mark.parametrize("seed", range(5))
def test_flaky_partners_are_retried_and_the_trip_is_charged_once(seed: int) -> None:
    deps = app.deps(seed=seed, failure_rates={"charge-card": 0.5, "reserve-flight": 0.5})
    execution = _run(SAMPLE_TRIP, deps, seed=seed)
    if execution.status == "SUCCEEDED":
        assert len(deps.store.table("payments").scan()) == 1
        assert _inventory(deps)["flights/LIS-CDG"] == 38
    else:  # the retries ran out: everything is given back
        assert execution.error in ("CardGatewayTimeout", "AirlineTimeout")
        assert _inventory(deps) == INITIAL


def test_running_the_same_trip_twice_books_and_charges_once(deps: ServiceDeps) -> None:
    first = _run(SAMPLE_TRIP, deps)
    second = _run(SAMPLE_TRIP, deps)
    assert first.output == second.output
    assert _inventory(deps)["flights/LIS-CDG"] == 38
    assert len(deps.store.table("payments").scan()) == 1
