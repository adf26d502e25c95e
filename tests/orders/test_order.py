from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from orderflow._errors import ContractError
from orderflow.orders import (
    CreateOrderInput,
    InvalidOrder,
    Order,
    OrderConflict,
    OrderItem,
    OrderRequest,
    ValidatedOrder,
    create_order,
    validate_order,
)
from orderflow.orders._fields import MAX_CENTS
from orderflow.orders.order import order_id_for
from orderflow.runtime import ServiceDeps


def _items(*lines: tuple[str, int, int]) -> list[OrderItem]:
    return [OrderItem(product_id=p, quantity=q, unit_price_cents=c) for p, q, c in lines]


def test_total_is_exact_integer_cents(deps: ServiceDeps) -> None:
    # 0.1 + 0.2 style sums must stay exact: 3 x $0.10 + 7 x $0.20 = $1.70 exactly.
    request = OrderRequest(
        request_id="r", user_id="u-100", items=_items(("p-1", 3, 10), ("p-2", 7, 20))
    )
    validated = validate_order(request, deps)
    assert validated.total_cents == 170
    assert isinstance(validated.total_cents, int)
    assert validated.items == request.items


def test_duplicate_product_is_invalid(deps: ServiceDeps) -> None:
    request = OrderRequest(
        request_id="r", user_id="u-100", items=_items(("p-1", 1, 100), ("p-1", 2, 100))
    )
    with pytest.raises(InvalidOrder, match="p-1"):
        validate_order(request, deps)


def test_total_above_maximum_is_invalid(deps: ServiceDeps) -> None:
    items = _items(*[(f"p-{i}", 10_000, 100_000_000) for i in range(2)])
    assert sum(i.line_total_cents for i in items) > MAX_CENTS
    with pytest.raises(InvalidOrder, match="maximum"):
        validate_order(OrderRequest(request_id="r", user_id="u", items=items), deps)


def test_zero_total_is_invalid_before_it_reaches_payment(deps: ServiceDeps) -> None:
    # Free lines are fine next to a priced one; an order with nothing to charge is not,
    # because authorize-payment accepts only positive amounts.
    priced = _items(("p-1", 2, 0), ("p-2", 1, 1))
    assert validate_order(OrderRequest(request_id="r", user_id="u", items=priced), deps)
    free = OrderRequest(request_id="r", user_id="u", items=_items(("p-1", 2, 0), ("p-2", 5, 0)))
    with pytest.raises(InvalidOrder, match=r"\$0\.00.*only positive amounts"):
        validate_order(free, deps)
    with pytest.raises(InvalidOrder, match=r"\$0\.00"):
        create_order(CreateOrderInput(request_id="r", user_id="u", items=free.items), deps)
    assert deps.store.table("orders").get(order_id_for("r")) is None
    # The output contract says so too, so a consumer of ValidatedOrder never sees a zero.
    with pytest.raises(ValidationError, match="total_cents"):
        ValidatedOrder(request_id="r", user_id="u", items=free.items, total_cents=0)


@pytest.mark.parametrize(
    "payload",
    [
        {"request_id": "r", "user_id": "u", "items": []},
        {
            "request_id": "r",
            "user_id": "u",
            "items": [{"product_id": "p", "quantity": 0, "unit_price_cents": 1}],
        },
        {
            "request_id": "r",
            "user_id": "u",
            "items": [{"product_id": "p", "quantity": "2", "unit_price_cents": 1}],
        },
        {
            "request_id": "r",
            "user_id": "u",
            "items": [{"product_id": "p", "quantity": 1, "unit_price_cents": 1.5}],
        },
        {
            "request_id": "r",
            "user_id": "u",
            "items": [{"product_id": "p", "quantity": 1, "unit_price_cents": -1}],
        },
        {
            "request_id": "r",
            "user_id": "u",
            "items": [{"product_id": "p", "quantity": 1, "unit_price_cents": 1}],
            "coupon": "x",
        },
    ],
)
def test_request_contract_rejects(payload: dict[str, Any], deps: ServiceDeps) -> None:
    with pytest.raises(ContractError):
        validate_order.invoke_json(payload, deps)


def test_create_order_records_and_is_idempotent(deps: ServiceDeps) -> None:
    request = CreateOrderInput(request_id="req-1", user_id="u-100", items=_items(("p-1", 2, 1250)))
    first = create_order(request, deps)
    assert first.status == "created"
    assert first.total_cents == 2500
    assert first.created_at == datetime(2026, 1, 1, tzinfo=UTC)
    again = create_order(request, deps)
    assert again == first  # same id, same timestamp: nothing new recorded
    assert Order.model_validate(deps.store.table("orders").get(first.order_id)) == first
    other = create_order(request.model_copy(update={"request_id": "req-2"}), deps)
    assert other.order_id != first.order_id


def test_reused_request_id_with_other_items_conflicts(deps: ServiceDeps) -> None:
    request = CreateOrderInput(request_id="req-1", user_id="u-100", items=_items(("p-1", 2, 1250)))
    create_order(request, deps)
    with pytest.raises(OrderConflict, match="req-1"):
        create_order(request.model_copy(update={"items": _items(("p-1", 3, 1250))}), deps)


def test_order_json_round_trip(deps: ServiceDeps) -> None:
    out = create_order.invoke_json(
        {
            "request_id": "r",
            "user_id": "u-100",
            "items": [{"product_id": "p-1", "quantity": 1, "unit_price_cents": 99}],
        },
        deps,
    )
    assert out["created_at"] == "2026-01-01T00:00:00Z"
    assert Order.model_validate(out).created_at.tzinfo is not None
    with pytest.raises(ValueError):
        Order.model_validate({**out, "created_at": "2026-01-01T00:00:00"})  # naive refused
