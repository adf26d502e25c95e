from __future__ import annotations

import pytest

from orderflow.orders import (
    SAMPLE_STOCK,
    InsufficientStock,
    OrderItem,
    ReservationConflict,
    ReserveInventoryInput,
    reserve_inventory,
)
from orderflow.runtime import ServiceDeps


def _reserve(rid: str, *lines: tuple[str, int]) -> ReserveInventoryInput:
    return ReserveInventoryInput(
        reservation_id=rid,
        items=[OrderItem(product_id=p, quantity=q, unit_price_cents=100) for p, q in lines],
    )


def _available(deps: ServiceDeps, product: str) -> int:
    item = deps.store.table("stock").get(product)
    return int(item["available"]) if item else 0


def test_reserves_and_decrements(deps: ServiceDeps) -> None:
    reservation = reserve_inventory(_reserve("res-1", ("p-1", 3), ("p-2", 1)), deps)
    assert reservation.status == "reserved"
    assert [(i.product_id, i.quantity) for i in reservation.items] == [("p-1", 3), ("p-2", 1)]
    assert _available(deps, "p-1") == SAMPLE_STOCK["p-1"] - 3
    assert _available(deps, "p-2") == SAMPLE_STOCK["p-2"] - 1


def test_repeated_lines_are_summed(deps: ServiceDeps) -> None:
    reservation = reserve_inventory(_reserve("res-1", ("p-1", 3), ("p-1", 4)), deps)
    assert [(i.product_id, i.quantity) for i in reservation.items] == [("p-1", 7)]
    assert _available(deps, "p-1") == SAMPLE_STOCK["p-1"] - 7


def test_idempotent_per_reservation_id(deps: ServiceDeps) -> None:
    first = reserve_inventory(_reserve("res-1", ("p-1", 3)), deps)
    assert reserve_inventory(_reserve("res-1", ("p-1", 3)), deps) == first
    assert _available(deps, "p-1") == SAMPLE_STOCK["p-1"] - 3
    with pytest.raises(ReservationConflict):
        reserve_inventory(_reserve("res-1", ("p-1", 4)), deps)


def test_insufficient_stock_names_product_and_changes_nothing(deps: ServiceDeps) -> None:
    with pytest.raises(InsufficientStock) as info:
        reserve_inventory(_reserve("res-1", ("p-1", 5), ("p-9", 3)), deps)
    err = info.value
    assert (err.product_id, err.requested, err.available) == ("p-9", 3, 2)
    assert "'p-9'" in str(err) and "requested 3" in str(err) and "available 2" in str(err)
    assert _available(deps, "p-1") == SAMPLE_STOCK["p-1"]  # all or nothing
    assert _available(deps, "p-9") == 2
    assert deps.store.table("reservations").get("res-1") is None


def test_unknown_product_has_zero_available(deps: ServiceDeps) -> None:
    with pytest.raises(InsufficientStock, match=r"'nope'.*available 0"):
        reserve_inventory(_reserve("res-1", ("nope", 1)), deps)


def test_exactly_all_stock_can_be_reserved(deps: ServiceDeps) -> None:
    reserve_inventory(_reserve("res-1", ("p-9", 2)), deps)
    assert _available(deps, "p-9") == 0
    with pytest.raises(InsufficientStock, match="available 0"):
        reserve_inventory(_reserve("res-2", ("p-9", 1)), deps)
