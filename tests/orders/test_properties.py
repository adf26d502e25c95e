"""Property tests: any valid input gives a valid output or one of the declared errors."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orderflow._errors import ServiceError
from orderflow.orders import (
    MAX_CENTS,
    SAMPLE_STOCK,
    SAMPLE_USERS,
    AuthorizePaymentInput,
    CreateOrderInput,
    InvalidOrder,
    OrderItem,
    OrderRequest,
    ReleaseInventoryInput,
    ReserveInventoryInput,
    authorize_payment,
    create_order,
    release_inventory,
    reserve_inventory,
    validate_order,
)
from orderflow.orders.app import app
from orderflow.orders.order import order_id_for
from orderflow.orders.payment import transaction_id_for
from orderflow.runtime import ServiceDeps
from orderflow.testing._strategies import from_model, json_from_model

SEED_KEY = "seed-req"
"""Records made before each example, so compensations and lookups can find something."""

# Bias ids toward existing records so the happy paths are reached, not only "not found".
OVERRIDES: dict[str, st.SearchStrategy[Any]] = {
    "user_id": st.sampled_from([str(u["user_id"]) for u in SAMPLE_USERS])
    | st.text(min_size=1, max_size=8),
    "product_id": st.sampled_from(sorted(SAMPLE_STOCK)) | st.just("p-unknown"),
    "quantity": st.integers(min_value=1, max_value=5) | st.integers(min_value=1, max_value=10_000),
    "order_id": st.just(order_id_for(SEED_KEY)) | st.text(min_size=1, max_size=8),
    "transaction_id": st.just(transaction_id_for(SEED_KEY)) | st.text(min_size=1, max_size=8),
    "reservation_id": st.just(SEED_KEY) | st.text(min_size=1, max_size=8),
}

PROPERTY_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def _prepared_deps(seed: int) -> ServiceDeps:
    deps = app.deps(seed=seed)
    items = [OrderItem(product_id="p-1", quantity=2, unit_price_cents=1050)]
    create_order(CreateOrderInput(request_id=SEED_KEY, user_id="u-100", items=items), deps)
    authorize_payment(
        AuthorizePaymentInput(
            idempotency_key=SEED_KEY, user_id="u-100", amount_cents=2100, credit_score=720
        ),
        deps,
    )
    reserve_inventory(ReserveInventoryInput(reservation_id=SEED_KEY, items=items), deps)
    # Simulated gateway timeouts start only now, for the calls under test.
    return ServiceDeps(
        store=deps.store,
        clock=deps.clock,
        rng=deps.rng,
        failure_rates={"authorize-payment": 0.3},
        objects=deps.objects,
    )


@pytest.mark.parametrize("name", sorted(app.services))
def test_valid_input_gives_valid_output_or_declared_error(name: str) -> None:
    service = app.services[name]
    outcomes: set[str] = set()

    @PROPERTY_SETTINGS
    @given(payload=json_from_model(service.input_model, OVERRIDES), seed=st.integers(0, 2**32))
    def check(payload: dict[str, Any], seed: int) -> None:
        deps = _prepared_deps(seed)
        try:
            out = service.invoke_json(payload, deps)
        except ServiceError as exc:
            assert isinstance(exc, service.errors), f"{name} raised undeclared {type(exc).__name__}"
            outcomes.add(type(exc).__name__)
            return
        service.output_model.model_validate(out)
        outcomes.add("ok")

    check()
    assert "ok" in outcomes, f"{name} never succeeded; outcomes: {sorted(outcomes)}"


@PROPERTY_SETTINGS
@given(request=from_model(OrderRequest, OVERRIDES))
def test_total_is_exact_sum(request: OrderRequest) -> None:
    try:
        validated = validate_order(request, app.deps())
    except InvalidOrder:
        products = [i.product_id for i in request.items]
        total = sum(i.quantity * i.unit_price_cents for i in request.items)
        assert len(set(products)) < len(products) or total == 0 or total > MAX_CENTS
        return
    assert validated.total_cents == sum(i.quantity * i.unit_price_cents for i in request.items)


@PROPERTY_SETTINGS
@given(request=from_model(ReserveInventoryInput, OVERRIDES))
def test_reserve_then_release_restores_stock_exactly(request: ReserveInventoryInput) -> None:
    deps = app.deps()
    stock = deps.store.table("stock")
    before = sorted(map(repr, stock.scan()))
    try:
        reserve_inventory(request, deps)
    except ServiceError:
        assert sorted(map(repr, stock.scan())) == before  # all or nothing
        return
    release_inventory(ReleaseInventoryInput(reservation_id=request.reservation_id), deps)
    release_inventory(ReleaseInventoryInput(reservation_id=request.reservation_id), deps)
    assert sorted(map(repr, stock.scan())) == before
