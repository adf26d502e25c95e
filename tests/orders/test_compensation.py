from __future__ import annotations

import pytest

from orderflow.orders import (
    SAMPLE_STOCK,
    AuthorizePaymentInput,
    CancelOrderInput,
    CreateOrderInput,
    OrderItem,
    OrderNotFound,
    PaymentNotFound,
    RefundPaymentInput,
    ReleaseInventoryInput,
    ReservationNotFound,
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


def test_release_unknown(deps: ServiceDeps) -> None:
    with pytest.raises(ReservationNotFound, match="nope"):
        release_inventory(ReleaseInventoryInput(reservation_id="nope"), deps)


def test_refund_whole_payment_once(deps: ServiceDeps) -> None:
    payment = authorize_payment(
        AuthorizePaymentInput(
            idempotency_key="k", user_id="u-100", amount_cents=1332, credit_score=700
        ),
        deps,
    )
    refund = refund_payment(RefundPaymentInput(transaction_id=payment.transaction_id), deps)
    assert (refund.transaction_id, refund.amount_cents, refund.status) == (
        payment.transaction_id,
        1332,
        "refunded",
    )
    assert refund_payment(RefundPaymentInput(transaction_id=payment.transaction_id), deps) == refund
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


def test_refund_unknown(deps: ServiceDeps) -> None:
    with pytest.raises(PaymentNotFound, match="txn-x"):
        refund_payment(RefundPaymentInput(transaction_id="txn-x"), deps)


def test_cancel_order(deps: ServiceDeps) -> None:
    order = create_order(CreateOrderInput(request_id="q", user_id="u-100", items=ITEMS), deps)
    cancelled = cancel_order(CancelOrderInput(order_id=order.order_id), deps)
    assert cancelled == order.model_copy(update={"status": "cancelled"})
    assert cancel_order(CancelOrderInput(order_id=order.order_id), deps) == cancelled
    stored = deps.store.table("orders").get(order.order_id)
    assert stored is not None and stored["status"] == "cancelled"


def test_cancel_unknown(deps: ServiceDeps) -> None:
    with pytest.raises(OrderNotFound, match="ord-x"):
        cancel_order(CancelOrderInput(order_id="ord-x"), deps)
