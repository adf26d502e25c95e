from __future__ import annotations

import pytest

from orderflow.orders import (
    SAMPLE_STOCK,
    AuthorizePaymentInput,
    CancelOrderInput,
    CreateOrderInput,
    OrderItem,
    RefundPaymentInput,
    ReleaseInventoryInput,
    ReservationConflict,
    ReserveInventoryInput,
    authorize_payment,
    cancel_order,
    create_order,
    refund_payment,
    release_inventory,
    reserve_inventory,
)
from orderflow.runtime import ServiceDeps

ITEMS = [OrderItem(product_id="p-1", quantity=4, unit_price_cents=333)]


def _available(deps: ServiceDeps, product: str) -> int:
    item = deps.store.table("stock").get(product)
    return int(item["available"]) if item else 0


def test_release_restores_stock_once(deps: ServiceDeps) -> None:
    reserve_inventory(ReserveInventoryInput(reservation_id="r", items=ITEMS), deps)
    assert _available(deps, "p-1") == SAMPLE_STOCK["p-1"] - 4
    released = release_inventory(ReleaseInventoryInput(reservation_id="r"), deps)
    assert released.status == "released"
    assert _available(deps, "p-1") == SAMPLE_STOCK["p-1"]
    assert release_inventory(ReleaseInventoryInput(reservation_id="r"), deps) == released
    assert _available(deps, "p-1") == SAMPLE_STOCK["p-1"]  # not restored twice


def test_release_unknown_is_recorded_and_blocks_a_late_reservation(deps: ServiceDeps) -> None:
    released = release_inventory(ReleaseInventoryInput(reservation_id="late"), deps)
    assert (released.status, released.items) == ("released", [])
    assert release_inventory(ReleaseInventoryInput(reservation_id="late"), deps) == released
    # The reservation's Lambda was still running when the saga compensated: it must not
    # take stock for an order that was rejected.
    with pytest.raises(ReservationConflict):
        reserve_inventory(ReserveInventoryInput(reservation_id="late", items=ITEMS), deps)
    assert _available(deps, "p-1") == SAMPLE_STOCK["p-1"]


def test_refund_whole_payment_once(deps: ServiceDeps) -> None:
    payment = authorize_payment(
        AuthorizePaymentInput(
            idempotency_key="k", user_id="u-100", amount_cents=1332, credit_score=700
        ),
        deps,
    )
    refund = refund_payment(RefundPaymentInput(idempotency_key="k"), deps)
    assert (refund.transaction_id, refund.amount_cents, refund.status) == (
        payment.transaction_id,
        1332,
        "refunded",
    )
    assert refund_payment(RefundPaymentInput(idempotency_key="k"), deps) == refund
    assert len(deps.store.table("refunds").scan()) == 1
    stored = deps.store.table("payments").get(payment.transaction_id)
    assert stored is not None and stored["status"] == "refunded"
    # Re-authorising with the same key still returns the (now refunded) payment: no new charge.
    again = authorize_payment(
        AuthorizePaymentInput(
            idempotency_key="k", user_id="u-100", amount_cents=1332, credit_score=700
        ),
        deps,
    )
    assert again.status == "refunded"


def test_refund_when_nothing_was_authorised(deps: ServiceDeps) -> None:
    refund = refund_payment(RefundPaymentInput(idempotency_key="never"), deps)
    assert (refund.status, refund.amount_cents) == ("nothing_to_refund", 0)
    assert deps.store.table("refunds").scan() == []


def test_cancel_order(deps: ServiceDeps) -> None:
    order = create_order(CreateOrderInput(request_id="q", user_id="u-100", items=ITEMS), deps)
    cancelled = cancel_order(CancelOrderInput(request_id="q"), deps)
    assert (cancelled.order_id, cancelled.status) == (order.order_id, "cancelled")
    assert cancel_order(CancelOrderInput(request_id="q"), deps) == cancelled
    stored = deps.store.table("orders").get(order.order_id)
    assert stored == order.model_copy(update={"status": "cancelled"}).model_dump(mode="json")


def test_cancel_when_no_order_was_created(deps: ServiceDeps) -> None:
    cancelled = cancel_order(CancelOrderInput(request_id="never"), deps)
    assert cancelled.status == "nothing_to_cancel"
    assert deps.store.table("orders").scan() == []
