"""The ``trip`` workflow, written in orderflow's typed DSL.

ValidateTrip -> BookTravel, a Parallel of three branches: the flight; the hotels, a Map
with one ReserveHotel per stay; and a Choice that rents a car only when ``car_days > 0``
-> PriceTrip -> ChargeCard -> SendItinerary; the execution's output is the itinerary.

Every value a state reads comes from a typed reference, so mypy checks the wiring against
the service contracts. Retries are only for transient errors: the Lambda service's own
errors everywhere, the airline and card gateway timeouts where the services declare them
retryable (safe: bookings and payments are keyed by the request id). A business error
(no seats, no rooms, no car, a declined card) or a transient error that outlived its
retries is caught into one compensation: cancel the car, the flight and every hotel stay,
in parallel (each cancellation is idempotent and a no-op for what was never booked), then
fail the execution with the original error and cause. An invalid request fails at once:
nothing was booked.
"""

from __future__ import annotations

from collections.abc import Callable

from orderflow.dsl import (
    LAMBDA_TRANSIENT_ERRORS,
    STATES_TIMEOUT,
    Catch,
    CaughtError,
    Flow,
    Retry,
    gt,
    workflow,
)

from travel._booking import Cancellation, InventoryContention, RequestAlreadyCancelled
from travel.cars import CancelCarInput, NoCarAvailable, ReserveCarInput, cancel_car, reserve_car
from travel.flights import (
    AirlineTimeout,
    CancelFlightInput,
    FlightBooking,
    NoSeatsAvailable,
    ReserveFlightInput,
    UnknownRoute,
    cancel_flight,
    reserve_flight,
)
from travel.hotels import (
    CancelHotelInput,
    HotelBooking,
    NoRoomsAvailable,
    ReserveHotelInput,
    UnknownCity,
    cancel_hotel,
    reserve_hotel,
)
from travel.itinerary import SendItineraryInput, send_itinerary
from travel.payments import (
    CardDeclined,
    CardGatewayTimeout,
    ChargeCardInput,
    PaymentConflict,
    PriceTripInput,
    charge_card,
    price_trip,
)
from travel.trip import InvalidTrip, Stay, TripRequest, ValidatedTrip, validate_trip

TRANSIENT = Retry(
    LAMBDA_TRANSIENT_ERRORS,
    interval_seconds=1,
    max_attempts=3,
    backoff_rate=2.0,
    max_delay_seconds=10,
    jitter="FULL",
)
"""Lambda's own service errors: a few quick retries with jittered backoff."""

AIRLINE = Retry(
    [AirlineTimeout, InventoryContention],
    interval_seconds=2,
    max_attempts=4,
    backoff_rate=2.0,
    max_delay_seconds=20,
    jitter="FULL",
)
"""The airline timed out or the route's row was contended: retry (the request id makes a
retried booking happen at most once)."""

CONTENTION = Retry([InventoryContention], interval_seconds=1, max_attempts=5, jitter="FULL")
"""An inventory row kept changing under a compare-and-set: try again shortly."""

CARD_GATEWAY = Retry(
    [CardGatewayTimeout],
    interval_seconds=2,
    max_attempts=3,
    backoff_rate=2.0,
    max_delay_seconds=20,
    jitter="FULL",
)
"""The card gateway timed out before charging: retry (one charge per request id)."""

NOT_RECOVERED = [*LAMBDA_TRANSIENT_ERRORS, STATES_TIMEOUT]
"""Transient errors still failing after the retries: the trip cannot complete, undo it."""

BOOKING_ERRORS = [
    UnknownRoute,
    NoSeatsAvailable,
    AirlineTimeout,
    UnknownCity,
    NoRoomsAvailable,
    NoCarAvailable,
    RequestAlreadyCancelled,
    InventoryContention,
]
"""Why a booking can fail for good once its retries are spent."""

PAYMENT_ERRORS = [CardDeclined, PaymentConflict, CardGatewayTimeout]
"""Why the charge can fail for good once its retries are spent."""

TASK_TIMEOUT_SECONDS = 30


def compensation(validated: ValidatedTrip) -> Callable[[Flow[TripRequest], CaughtError], None]:
    """The Catch handler that undoes every booking of the trip, then fails with the error.

    Give the one function it returns to every catcher: they then share its states.
    """

    def undo(flow: Flow[TripRequest], error: CaughtError) -> None:
        def car(branch: Flow[TripRequest]) -> Cancellation:
            return branch.task(
                "CancelCar",
                cancel_car,
                retry=[CONTENTION, TRANSIENT],
                timeout_seconds=TASK_TIMEOUT_SECONDS,
            ).call(CancelCarInput, request_id=validated.request_id)

        def flight(branch: Flow[TripRequest]) -> Cancellation:
            return branch.task(
                "CancelFlight",
                cancel_flight,
                retry=[CONTENTION, TRANSIENT],
                timeout_seconds=TASK_TIMEOUT_SECONDS,
            ).call(CancelFlightInput, request_id=validated.request_id)

        def hotels(branch: Flow[TripRequest]) -> list[Cancellation]:
            return branch.map(
                "CancelHotels",
                validated.stays,
                lambda body, stay: body.task(
                    "CancelHotel",
                    cancel_hotel,
                    retry=[CONTENTION, TRANSIENT],
                    timeout_seconds=TASK_TIMEOUT_SECONDS,
                ).call(
                    CancelHotelInput,
                    request_id=validated.request_id,
                    city=stay.city,
                    check_in=stay.check_in,
                ),
            )

        flow.parallel("Compensate", car, flight, hotels)
        flow.fail("TripFailed", error=error.Error, cause=error.Cause)

    return undo


def reject(flow: Flow[TripRequest], error: CaughtError) -> None:
    """An invalid request: nothing was booked, end with the error and its cause."""
    flow.fail("TripRejected", error=error.Error, cause=error.Cause)


@workflow(
    "trip",
    input_model=TripRequest,
    comment="Book a flight, a hotel per city and maybe a car in parallel, charge, then e-mail.",
)
def trip_workflow(flow: Flow[TripRequest]) -> None:
    """Build the trip workflow (see the module docstring)."""
    validated = flow.task(
        "ValidateTrip",
        validate_trip,
        retry=[TRANSIENT],
        catch=[Catch([InvalidTrip], then=reject)],
        timeout_seconds=TASK_TIMEOUT_SECONDS,
    ).call_with(flow.input)
    undo = compensation(validated)

    def flight(branch: Flow[TripRequest]) -> FlightBooking:
        return branch.task(
            "ReserveFlight",
            reserve_flight,
            retry=[AIRLINE, TRANSIENT],
            timeout_seconds=TASK_TIMEOUT_SECONDS,
        ).call(
            ReserveFlightInput,
            request_id=validated.request_id,
            origin=validated.flight.origin,
            destination=validated.flight.destination,
            departure_date=validated.flight.departure_date,
            seats=validated.party_size,
        )

    def hotel(body: Flow[TripRequest], stay: Stay) -> HotelBooking:
        return body.task(
            "ReserveHotel",
            reserve_hotel,
            retry=[CONTENTION, TRANSIENT],
            timeout_seconds=TASK_TIMEOUT_SECONDS,
        ).call(
            ReserveHotelInput,
            request_id=validated.request_id,
            city=stay.city,
            check_in=stay.check_in,
            nights=stay.nights,
            guests=validated.party_size,
        )

    def hotels(branch: Flow[TripRequest]) -> list[HotelBooking]:
        return branch.map("ReserveHotels", validated.stays, hotel, max_concurrency=5)

    def car(branch: Flow[TripRequest]) -> ValidatedTrip:
        def rent(choice: Flow[TripRequest]) -> None:
            choice.task(
                "ReserveCar",
                reserve_car,
                retry=[CONTENTION, TRANSIENT],
                timeout_seconds=TASK_TIMEOUT_SECONDS,
            ).call(
                ReserveCarInput,
                request_id=validated.request_id,
                city=validated.car_city,
                pickup_date=validated.car_pickup_date,
                days=validated.car_days,
            )

        branch.choice("CarWanted", [(gt(validated.car_days, 0), rent)], otherwise=lambda _: None)
        # The car is paid at pick-up: nothing after this branch needs its booking.
        return validated

    booked_flight, booked_hotels, _ = flow.parallel(
        "BookTravel",
        flight,
        hotels,
        car,
        catch=[Catch(BOOKING_ERRORS, then=undo), Catch(NOT_RECOVERED, then=undo)],
    )

    price = flow.task(
        "PriceTrip",
        price_trip,
        retry=[TRANSIENT],
        catch=[Catch(NOT_RECOVERED, then=undo)],
        timeout_seconds=TASK_TIMEOUT_SECONDS,
    ).call(
        PriceTripInput,
        request_id=validated.request_id,
        flight=booked_flight,
        hotels=booked_hotels,
    )

    payment = flow.task(
        "ChargeCard",
        charge_card,
        retry=[CARD_GATEWAY, TRANSIENT],
        catch=[Catch(PAYMENT_ERRORS, then=undo), Catch(NOT_RECOVERED, then=undo)],
        timeout_seconds=TASK_TIMEOUT_SECONDS,
    ).call(
        ChargeCardInput,
        request_id=validated.request_id,
        card_token=validated.card_token,
        amount_cents=price.total_cents,
    )

    itinerary = flow.task(
        "SendItinerary",
        send_itinerary,
        retry=[TRANSIENT],
        timeout_seconds=TASK_TIMEOUT_SECONDS,
    ).call(
        SendItineraryInput,
        request_id=validated.request_id,
        name=validated.traveller.name,
        to=validated.traveller.email,
        flight=booked_flight,
        hotels=booked_hotels,
        car_days=validated.car_days,
        payment=payment,
    )
    flow.succeed("TripBooked", output=itinerary)


__all__ = [
    "AIRLINE",
    "BOOKING_ERRORS",
    "CARD_GATEWAY",
    "CONTENTION",
    "NOT_RECOVERED",
    "PAYMENT_ERRORS",
    "TASK_TIMEOUT_SECONDS",
    "TRANSIENT",
    "compensation",
    "reject",
    "trip_workflow",
]
