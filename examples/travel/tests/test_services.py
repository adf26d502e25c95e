"""Each service on its own: business rules, idempotency, compensations, failure injection."""

from __future__ import annotations

from typing import Any

import pytest
from orderflow import ServiceDeps

from travel._booking import RequestAlreadyCancelled
from travel.app import app
from travel.cars import (
    CancelCarInput,
    NoCarAvailable,
    ReserveCarInput,
    cancel_car,
    reserve_car,
)
from travel.data import SAMPLE_TRIP
from travel.flights import (
    AirlineTimeout,
    CancelFlightInput,
    NoSeatsAvailable,
    ReserveFlightInput,
    UnknownRoute,
    cancel_flight,
    reserve_flight,
)
from travel.hotels import (
    CancelHotelInput,
    NoRoomsAvailable,
    ReserveHotelInput,
    UnknownCity,
    cancel_hotel,
    reserve_hotel,
    rooms_for,
)
from travel.itinerary import send_itinerary
from travel.payments import (
    CardDeclined,
    CardGatewayTimeout,
    ChargeCardInput,
    PaymentConflict,
    PriceTripInput,
    charge_card,
    price_trip,
)
from travel.trip import InvalidTrip, TripRequest, validate_trip


def _row(deps: ServiceDeps, table: str, key: str) -> dict[str, Any]:
    row = deps.store.table(table).get(key)
    assert row is not None
    return row


def _flight(**changes: Any) -> ReserveFlightInput:
    fields: dict[str, Any] = {
        "request_id": "t-1",
        "origin": "LIS",
        "destination": "CDG",
        "departure_date": "2027-05-03",
        "seats": 2,
    }
    return ReserveFlightInput.model_validate({**fields, **changes})


def _trip(**changes: Any) -> TripRequest:
    return TripRequest.model_validate({**SAMPLE_TRIP, **changes})


# --- validate-trip ---------------------------------------------------------------------------


def test_a_valid_trip_gets_its_car_pickup_and_nights(deps: ServiceDeps) -> None:
    validated = validate_trip(_trip(), deps)
    assert (validated.car_city, validated.car_pickup_date) == ("Paris", "2027-05-03")
    assert validated.total_nights == 5


def test_a_flight_in_the_past_is_invalid(deps: ServiceDeps) -> None:
    past = {"origin": "LIS", "destination": "CDG", "departure_date": "2025-12-31"}
    with pytest.raises(InvalidTrip, match="before today"):
        validate_trip(_trip(flight=past), deps)


def test_stays_must_follow_each_other(deps: ServiceDeps) -> None:
    stays = [
        {"city": "Paris", "check_in": "2027-05-03", "nights": 3},
        {"city": "Lyon", "check_in": "2027-05-07", "nights": 2},
    ]
    with pytest.raises(InvalidTrip, match=r"stay 2 \(Lyon\) checks in on 2027-05-07"):
        validate_trip(_trip(stays=stays), deps)


def test_a_flight_to_its_own_origin_is_invalid(deps: ServiceDeps) -> None:
    loop = {"origin": "LIS", "destination": "LIS", "departure_date": "2027-05-03"}
    with pytest.raises(InvalidTrip, match="to itself"):
        validate_trip(_trip(flight=loop), deps)


def test_impossible_dates_are_refused_by_the_contract() -> None:
    bad = {"origin": "LIS", "destination": "CDG", "departure_date": "2027-02-30"}
    with pytest.raises(ValueError, match="departure_date"):
        _trip(flight=bad)


# --- flights -----------------------------------------------------------------------------------


def test_reserving_a_flight_twice_takes_the_seats_once(deps: ServiceDeps) -> None:
    first = reserve_flight(_flight(), deps)
    again = reserve_flight(_flight(), deps)
    assert again == first
    assert (first.flight_no, first.price_cents, first.status) == ("TP438", 25_800, "reserved")
    assert _row(deps, "flights", "LIS-CDG")["seats_left"] == 38


def test_a_full_flight_and_an_unknown_route_are_business_errors(deps: ServiceDeps) -> None:
    with pytest.raises(NoSeatsAvailable, match="3 seat"):
        reserve_flight(_flight(destination="OPO", seats=3), deps)
    assert _row(deps, "flights", "LIS-OPO")["seats_left"] == 2
    with pytest.raises(UnknownRoute):
        reserve_flight(_flight(destination="JFK"), deps)


def test_the_airline_times_out_at_the_configured_rate_before_taking_seats() -> None:
    deps = app.deps(failure_rates={"reserve-flight": 1.0})
    with pytest.raises(AirlineTimeout):
        reserve_flight(_flight(), deps)
    assert _row(deps, "flights", "LIS-CDG")["seats_left"] == 40
    assert deps.store.table("bookings").scan() == []


def test_cancelling_a_flight_frees_the_seats_once(deps: ServiceDeps) -> None:
    reserve_flight(_flight(), deps)
    first = cancel_flight(CancelFlightInput(request_id="t-1"), deps)
    again = cancel_flight(CancelFlightInput(request_id="t-1"), deps)
    assert first.status == again.status == "cancelled"
    assert _row(deps, "flights", "LIS-CDG")["seats_left"] == 40


def test_cancelling_what_was_never_booked_is_a_no_op(deps: ServiceDeps) -> None:
    result = cancel_flight(CancelFlightInput(request_id="never"), deps)
    assert result.status == "not-booked"
    assert _row(deps, "flights", "LIS-CDG")["seats_left"] == 40


def test_a_cancelled_request_cannot_book_again(deps: ServiceDeps) -> None:
    reserve_flight(_flight(), deps)
    cancel_flight(CancelFlightInput(request_id="t-1"), deps)
    with pytest.raises(RequestAlreadyCancelled, match="new request id"):
        reserve_flight(_flight(), deps)
    assert _row(deps, "flights", "LIS-CDG")["seats_left"] == 40


# --- hotels ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("guests", "rooms"), [(1, 1), (2, 1), (3, 2), (9, 5)])
def test_rooms_hold_two_guests(guests: int, rooms: int) -> None:
    assert rooms_for(guests) == rooms


def test_a_hotel_stay_is_priced_per_room_and_night_and_cancels_once(deps: ServiceDeps) -> None:
    stay = {"request_id": "t-1", "city": "Paris", "check_in": "2027-05-03", "nights": 3}
    booking = reserve_hotel(ReserveHotelInput(**stay, guests=3), deps)
    assert (booking.rooms, booking.price_cents) == (2, 2 * 3 * 14_500)
    assert _row(deps, "hotels", "Paris")["rooms_left"] == 18
    assert reserve_hotel(ReserveHotelInput(**stay, guests=3), deps) == booking
    stay.pop("nights")
    for _ in range(2):
        assert cancel_hotel(CancelHotelInput(**stay), deps).status == "cancelled"
    assert _row(deps, "hotels", "Paris")["rooms_left"] == 20


def test_each_stay_of_a_trip_is_its_own_booking(deps: ServiceDeps) -> None:
    paris = reserve_hotel(
        ReserveHotelInput(
            request_id="t-1", city="Paris", check_in="2027-05-03", nights=1, guests=1
        ),
        deps,
    )
    lyon = reserve_hotel(
        ReserveHotelInput(request_id="t-1", city="Lyon", check_in="2027-05-04", nights=1, guests=1),
        deps,
    )
    assert paris.booking_id != lyon.booking_id


def test_a_full_hotel_and_an_unknown_city_are_business_errors(deps: ServiceDeps) -> None:
    stay = {"request_id": "t-1", "check_in": "2027-05-03", "nights": 1, "guests": 1}
    with pytest.raises(NoRoomsAvailable, match="Promenade in Nice"):
        reserve_hotel(ReserveHotelInput(city="Nice", **stay), deps)
    with pytest.raises(UnknownCity):
        reserve_hotel(ReserveHotelInput(city="Atlantis", **stay), deps)


# --- cars --------------------------------------------------------------------------------------


def test_a_car_is_priced_per_day_and_cancels_once(deps: ServiceDeps) -> None:
    request = ReserveCarInput(request_id="t-1", city="Paris", pickup_date="2027-05-03", days=3)
    booking = reserve_car(request, deps)
    assert (booking.company, booking.price_cents) == ("Rue Cars", 13_500)
    assert _row(deps, "cars", "Paris")["cars_left"] == 4
    for _ in range(2):
        assert cancel_car(CancelCarInput(request_id="t-1"), deps).status == "cancelled"
    assert _row(deps, "cars", "Paris")["cars_left"] == 5


def test_no_car_left_or_no_desk_is_no_car_available(deps: ServiceDeps) -> None:
    for city in ("Porto", "Lyon"):
        with pytest.raises(NoCarAvailable, match=city):
            reserve_car(
                ReserveCarInput(request_id="t-1", city=city, pickup_date="2027-05-03", days=1),
                deps,
            )


# --- payments ----------------------------------------------------------------------------------


def test_the_price_is_the_flight_plus_every_hotel(deps: ServiceDeps) -> None:
    flight = reserve_flight(_flight(), deps)
    hotels = [
        reserve_hotel(
            ReserveHotelInput(request_id="t-1", city=city, check_in=day, nights=nights, guests=2),
            deps,
        )
        for city, day, nights in (("Paris", "2027-05-03", 3), ("Lyon", "2027-05-06", 2))
    ]
    price = price_trip(PriceTripInput(request_id="t-1", flight=flight, hotels=hotels), deps)
    assert (price.flight_cents, price.hotels_cents) == (25_800, 43_500 + 19_600)
    assert price.total_cents == 88_900


def test_a_charge_is_recorded_once_per_request(deps: ServiceDeps) -> None:
    request = ChargeCardInput(request_id="t-1", card_token="tok_visa_ada", amount_cents=88_900)
    first = charge_card(request, deps)
    assert charge_card(request, deps) == first
    assert len(deps.store.table("payments").scan()) == 1
    other = request.model_copy(update={"amount_cents": 100})
    with pytest.raises(PaymentConflict, match=r"already charged EUR 889\.00"):
        charge_card(other, deps)


def test_over_the_limit_or_an_unknown_card_is_declined(deps: ServiceDeps) -> None:
    with pytest.raises(CardDeclined, match=r"above the card's limit of EUR 200\.00"):
        charge_card(
            ChargeCardInput(request_id="t-1", card_token="tok_small_limit", amount_cents=20_001),
            deps,
        )
    with pytest.raises(CardDeclined, match="unknown card"):
        charge_card(
            ChargeCardInput(request_id="t-1", card_token="tok_nobody", amount_cents=1), deps
        )
    assert deps.store.table("payments").scan() == []


def test_the_card_gateway_times_out_at_the_configured_rate_without_charging() -> None:
    deps = app.deps(failure_rates={"charge-card": 1.0})
    request = ChargeCardInput(request_id="t-1", card_token="tok_visa_ada", amount_cents=100)
    with pytest.raises(CardGatewayTimeout, match="nothing was charged"):
        charge_card(request, deps)
    assert deps.store.table("payments").scan() == []


# --- itinerary ---------------------------------------------------------------------------------


def test_the_itinerary_is_queued_once_and_lists_everything(deps: ServiceDeps) -> None:
    flight = reserve_flight(_flight(), deps)
    hotel = reserve_hotel(
        ReserveHotelInput(
            request_id="t-1", city="Paris", check_in="2027-05-03", nights=2, guests=2
        ),
        deps,
    )
    payment = charge_card(
        ChargeCardInput(request_id="t-1", card_token="tok_visa_ada", amount_cents=54_800), deps
    )
    payload = {
        "request_id": "t-1",
        "name": "Ada",
        "to": "ada@example.com",
        "flight": flight.model_dump(),
        "hotels": [hotel.model_dump()],
        "car_days": 2,
        "payment": payment.model_dump(),
    }
    first = send_itinerary.invoke_json(payload, deps)
    assert send_itinerary.invoke_json(payload, deps) == first
    assert len(deps.store.table("itineraries").scan()) == 1
    text = "\n".join(first["lines"])
    for needle in ("TP438 LIS -> CDG", "Hotel du Nord, Paris", "Rental car for 2", "EUR 548.00"):
        assert needle in text


# --- the app -----------------------------------------------------------------------------------


def test_the_app_wires_ten_services_seven_tables_and_one_trigger() -> None:
    assert len(app.services) == 10
    assert set(app.tables) == {
        "flights",
        "hotels",
        "cars",
        "cards",
        "bookings",
        "payments",
        "itineraries",
    }
    (trigger,) = app.triggers
    assert trigger.pattern == {"source": ["travel.bookings"], "detail-type": ["Trip Requested"]}
    assert app.sample_inputs["trip"] == SAMPLE_TRIP


def test_every_service_declares_only_tables_of_the_app() -> None:
    for service in app.services.values():
        assert set(service.access) <= set(app.tables), service.name
