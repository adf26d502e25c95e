"""The order workflow's saga: after any failure the stores end consistent.

Every run goes through the rendered ASL (JSON text, what AWS receives) in the local
executor, with the app's real services on its in-memory store, and a wrapper that injects
failures into chosen Lambda calls:

* ``transient``: the first calls fail with ``Lambda.ServiceException`` (retried), then the
  service answers;
* ``permanent``: every call fails with an error nothing retries;
* ``lost``: the service does its work, then the call fails anyway (a response lost after
  the side effect: the case that makes "compensate every branch" necessary).

Compensations only ever fail transiently (they must end by succeeding), sometimes after
having done their work, which their idempotency must absorb.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orderflow import TaskFailure
from orderflow.dsl import render
from orderflow.orders import SAMPLE_STOCK
from orderflow.orders.app import app
from orderflow.orders.order import order_id_for
from orderflow.orders.workflow import SAMPLE_ORDER, order_workflow
from orderflow.runtime import Store
from orderflow.testing import LocalAws, run_asl

DEFINITION = render(order_workflow).to_json()
FORWARD = (
    "validate-order",
    "get-user",
    "create-order",
    "authorize-payment",
    "reserve-inventory",
    "send-notification",
)
COMPENSATIONS = ("cancel-order", "refund-payment", "release-inventory")
# A gateway timing out after every retry trips the payment breaker, whose fallback fails
# the branch with PaymentUnavailable.
BUSINESS_ERRORS = {"PaymentDeclined", "InsufficientStock", "PaymentUnavailable"}

DECLINED = {
    **SAMPLE_ORDER,
    "user_id": "u-200",  # credit score 600: over $1,000.00 is declined
    "items": [{"product_id": "p-1", "quantity": 3, "unit_price_cents": 50_000}],
}
SHORT_OF_STOCK = {
    **SAMPLE_ORDER,
    "items": [
        {"product_id": "p-1", "quantity": 1, "unit_price_cents": 100},
        {"product_id": "p-9", "quantity": 5, "unit_price_cents": 100},
    ],
}
ORDERS = {"sample": SAMPLE_ORDER, "declined": DECLINED, "short-of-stock": SHORT_OF_STOCK}


@dataclass(frozen=True)
class Fault:
    """What happens to the calls of one service."""

    kind: str  # "transient", "permanent" or "lost"
    times: int = 1
    """For ``transient``: how many calls fail before it answers (retries allow 3)."""


@dataclass
class Outcome:
    status: str
    error: str | None
    cause: str | None
    store: Store
    calls: Counter[str]


def run_order(
    order: Mapping[str, Any],
    faults: Mapping[str, Fault],
    *,
    seed: int = 0,
    gateway_failure_rate: float = 0.0,
) -> Outcome:
    deps = app.deps(seed=seed, failure_rates={"authorize-payment": gateway_failure_rate})
    invoke = app.local_handler(deps)
    calls: Counter[str] = Counter()

    def injecting(function: str, payload: Any) -> Any:
        name = function.rsplit(":", 1)[-1].removeprefix("orderflow-")
        calls[name] += 1
        fault = faults.get(name)
        if fault is None:
            return invoke(function, payload)
        if fault.kind == "permanent":
            raise TaskFailure(f"Injected.{name}", f"{name} is down")
        if fault.kind == "lost":
            invoke(function, payload)  # the work is done, the answer never arrives
            raise TaskFailure(f"Injected.{name}", f"{name} answered too late")
        if calls[name] <= fault.times:
            if calls[name] % 2 == 0:
                invoke(function, payload)  # sometimes the work was done before the error
            raise TaskFailure("Lambda.ServiceException", f"{name}: Lambda had a hiccup")
        return invoke(function, payload)

    aws = LocalAws(seed=seed)
    aws.tables_for(DEFINITION)  # the payment breaker's table, empty: the breaker is closed
    execution = run_asl(DEFINITION, dict(order), lambda_handler=injecting, seed=seed, aws=aws)
    return Outcome(execution.status, execution.error, execution.cause, deps.store, calls)


def assert_consistent(outcome: Outcome, request_id: str) -> None:
    """The invariants every run must leave, whatever failed."""
    store = outcome.store
    orders = {o["order_id"]: o for o in store.table("orders").scan()}
    created = {k for k, o in orders.items() if o["status"] == "created"}
    reserved = [r for r in store.table("reservations").scan() if r["status"] == "reserved"]
    authorized = [p for p in store.table("payments").scan() if p["status"] == "authorized"]
    for reservation in reserved:
        assert order_id_for(reservation["reservation_id"]) in created, "stock held, no order"
    for payment in authorized:
        assert order_id_for(payment["idempotency_key"]) in created, "payment kept, no order"
    # Units are never lost or created: what is missing from stock is exactly what is held.
    held = Counter[str]()
    for reservation in reserved:
        for line in reservation["items"]:
            held[line["product_id"]] += line["quantity"]
    for product, initial in SAMPLE_STOCK.items():
        row = store.table("stock").get(product)
        assert row is not None and row["available"] + held[product] == initial, product
    refunded = [p for p in store.table("payments").scan() if p["status"] == "refunded"]
    assert len(store.table("refunds").scan()) == len(refunded)  # each refunded exactly once
    if outcome.status == "SUCCEEDED":
        assert created == {order_id_for(request_id)}
        assert len(reserved) == len(authorized) == 1
    else:
        assert outcome.status == "FAILED"
        assert created == set(), "an order was left created after a rejection"
        assert reserved == [] and authorized == []


def assert_original_error(outcome: Outcome, faults: Mapping[str, Fault]) -> None:
    """A failed run reports the forward step's error, never a compensation's."""
    if outcome.status != "FAILED":
        return
    injected = {f"Injected.{name}" for name, f in faults.items() if f.kind != "transient"}
    assert outcome.error in BUSINESS_ERRORS | injected, outcome.error
    assert outcome.cause
    assert not any(name in (outcome.error or "") for name in COMPENSATIONS)


# --- one failure at every step --------------------------------------------------------------


@pytest.mark.parametrize("kind", ["permanent", "lost"])
@pytest.mark.parametrize("service", FORWARD)
def test_a_failure_at_any_step_leaves_the_stores_consistent(service: str, kind: str) -> None:
    faults = {service: Fault(kind)}
    outcome = run_order(SAMPLE_ORDER, faults)
    assert (outcome.status, outcome.error) == ("FAILED", f"Injected.{service}")
    assert_consistent(outcome, SAMPLE_ORDER["request_id"])
    if service in ("validate-order", "get-user"):
        # Before the saga's first step: nothing to undo.
        assert not any(outcome.calls[name] for name in COMPENSATIONS)
    else:
        # The Parallel (or a step after it) failed: every branch is compensated, whether
        # or not it completed.
        assert all(outcome.calls[name] == 1 for name in COMPENSATIONS)


def test_a_declined_payment_cancels_the_order_releases_stock_and_fails_with_its_error() -> None:
    outcome = run_order(DECLINED, {})
    assert outcome.status == "FAILED"
    assert outcome.error == "PaymentDeclined"
    assert outcome.cause is not None and "credit score 600" in outcome.cause
    (order,) = outcome.store.table("orders").scan()
    assert order["status"] == "cancelled"
    (reservation,) = outcome.store.table("reservations").scan()
    assert reservation["status"] == "released"
    assert outcome.store.table("payments").scan() == []  # declined: nothing to refund
    assert_consistent(outcome, DECLINED["request_id"])


def test_a_payment_recorded_before_the_gateway_gave_up_is_refunded() -> None:
    # With every gateway call timing out, some after the charge was recorded, the payment
    # step fails after retrying: the charge that went through must be refunded.
    for seed in range(40):
        outcome = run_order(SAMPLE_ORDER, {}, seed=seed, gateway_failure_rate=1.0)
        assert_consistent(outcome, SAMPLE_ORDER["request_id"])
        if outcome.store.table("refunds").scan():
            assert outcome.error == "PaymentUnavailable"
            (payment,) = outcome.store.table("payments").scan()
            assert payment["status"] == "refunded"
            return
    pytest.fail("no seed recorded a charge and then gave up")


# --- any combination of failures ------------------------------------------------------------

faults_strategy = st.dictionaries(
    st.sampled_from(FORWARD),
    st.builds(Fault, st.sampled_from(["transient", "permanent", "lost"]), st.integers(1, 3)),
    max_size=3,
).flatmap(
    lambda forward: st.dictionaries(
        st.sampled_from(COMPENSATIONS),
        st.builds(Fault, st.just("transient"), st.integers(1, 3)),
        max_size=3,
    ).map(lambda undo: {**forward, **undo})
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    order=st.sampled_from(sorted(ORDERS)),
    faults=faults_strategy,
    gateway_failure_rate=st.sampled_from([0.0, 0.5, 1.0]),
    seed=st.integers(0, 2**16),
)
def test_stores_end_consistent_whatever_fails(
    order: str, faults: dict[str, Fault], gateway_failure_rate: float, seed: int
) -> None:
    request = ORDERS[order]
    outcome = run_order(request, faults, seed=seed, gateway_failure_rate=gateway_failure_rate)
    assert_consistent(outcome, request["request_id"])
    assert_original_error(outcome, faults)
    if outcome.status == "FAILED" and outcome.calls["create-order"]:
        assert all(outcome.calls[name] >= 1 for name in COMPENSATIONS)
