"""Compensations: undo a reservation, a payment or an order. Each is idempotent.

Money is integer cents. A compensation run twice does its work once: release restores stock
once, refund refunds once (the refund id is derived from the transaction id), cancel leaves
a cancelled order cancelled. Each first marks its record (with a compare-and-set on the
status) and only then touches anything else, so two concurrent runs cannot both act.

Each is keyed by the key the caller already holds before the step runs (the request id, the
payment's idempotency key, the reservation id), not by the step's result: the order
workflow's saga compensates every branch of a failed Parallel, and a branch that failed, or
never got to its step, left no result to read. For the same reason each succeeds when its
step never ran, reporting that there was nothing to undo. Releasing an unknown reservation
records it as released (with no units), so a reservation arriving late with that id is
refused instead of holding stock for a rejected order.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from orderflow.orders._fields import Cents, Id, derived_id
from orderflow.orders.inventory import Reservation, adjust_stock
from orderflow.orders.order import Order, order_id_for
from orderflow.orders.payment import Payment, transaction_id_for
from orderflow.runtime import Service, ServiceDeps, put_new


class ReleaseInventoryInput(BaseModel):
    """Request for ``release-inventory``."""

    model_config = ConfigDict(extra="forbid")

    reservation_id: Id = Field(
        description="The reservation to release (an unknown one is recorded as released)."
    )


class RefundPaymentInput(BaseModel):
    """Request for ``refund-payment``."""

    model_config = ConfigDict(extra="forbid")

    idempotency_key: Id = Field(
        description="The key the payment was authorised with (its transaction id derives "
        "from it); no payment under that key means nothing to refund."
    )


class Refund(BaseModel):
    """A refund of a whole payment. Money in integer cents."""

    model_config = ConfigDict(extra="forbid")

    refund_id: Id = Field(description="The refund's id (derived from the transaction id).")
    transaction_id: Id = Field(description="The refunded payment.")
    amount_cents: Cents = Field(description="Amount refunded in integer cents (0: nothing).")
    status: Literal["refunded", "nothing_to_refund"] = Field(
        description="'refunded', or 'nothing_to_refund' when no payment was authorised."
    )


class CancelOrderInput(BaseModel):
    """Request for ``cancel-order``."""

    model_config = ConfigDict(extra="forbid")

    request_id: Id = Field(
        description="The request the order was created for (its order id derives from it)."
    )


class Cancellation(BaseModel):
    """What ``cancel-order`` did."""

    model_config = ConfigDict(extra="forbid")

    order_id: Id = Field(description="The order's id (derived from the request id).")
    request_id: Id = Field(description="The request the order was created for.")
    status: Literal["cancelled", "nothing_to_cancel"] = Field(
        description="'cancelled' (now or before), or 'nothing_to_cancel' when no order exists."
    )


def _release_inventory(request: ReleaseInventoryInput, deps: ServiceDeps) -> Reservation:
    table = deps.store.table("reservations")
    item = table.get(request.reservation_id)
    if item is None:
        # Nothing was reserved (yet): record the id as released, so a reservation that
        # arrives late (its Lambda still running when the saga compensated) conflicts.
        tombstone = Reservation(reservation_id=request.reservation_id, items=[], status="released")
        stored = put_new(table, tombstone.model_dump(mode="json"))
        if stored.created:
            return tombstone
        item = stored.item
    reservation = Reservation.model_validate(item)
    if reservation.status == "released":
        return reservation
    released = reservation.model_copy(update={"status": "released"})
    if not table.put(released.model_dump(mode="json"), expect={"status": "reserved"}):
        return released  # a concurrent release marked it first and restores the stock
    stock = deps.store.table("stock")
    for line in reservation.items:
        adjust_stock(stock, line.product_id, line.quantity)
    return released


def refund_id_for(transaction_id: str) -> str:
    """The refund id ``refund-payment`` assigns to a transaction."""
    return derived_id("rfd", transaction_id)


def _refund_payment(request: RefundPaymentInput, deps: ServiceDeps) -> Refund:
    refunds = deps.store.table("refunds")
    transaction_id = transaction_id_for(request.idempotency_key)
    refund_id = refund_id_for(transaction_id)
    existing = refunds.get(refund_id)
    if existing is not None:
        return Refund.model_validate(existing)
    payments = deps.store.table("payments")
    item = payments.get(transaction_id)
    if item is None:
        return Refund(
            refund_id=refund_id,
            transaction_id=transaction_id,
            amount_cents=0,
            status="nothing_to_refund",
        )
    payment = Payment.model_validate(item)
    refund = Refund(
        refund_id=refund_id,
        transaction_id=payment.transaction_id,
        amount_cents=payment.amount_cents,
        status="refunded",
    )
    stored = put_new(refunds, refund.model_dump(mode="json"))
    if not stored.created:
        return Refund.model_validate(stored.item)
    payments.put(payment.model_copy(update={"status": "refunded"}).model_dump(mode="json"))
    return refund


def _cancel_order(request: CancelOrderInput, deps: ServiceDeps) -> Cancellation:
    table = deps.store.table("orders")
    order_id = order_id_for(request.request_id)
    done = Cancellation(order_id=order_id, request_id=request.request_id, status="cancelled")
    item = table.get(order_id)
    if item is None:
        return done.model_copy(update={"status": "nothing_to_cancel"})
    order = Order.model_validate(item)
    if order.status != "cancelled":
        cancelled = order.model_copy(update={"status": "cancelled"})
        table.put(cancelled.model_dump(mode="json"), expect={"status": order.status})
    return done


release_inventory: Service[ReleaseInventoryInput, Reservation] = Service(
    name="release-inventory",
    handler=_release_inventory,
    input_model=ReleaseInventoryInput,
    output_model=Reservation,
    description="Give a reservation's units back to stock (idempotent; unknown ids too).",
    reads=("reservations", "stock"),
    writes=("reservations", "stock"),
)

refund_payment: Service[RefundPaymentInput, Refund] = Service(
    name="refund-payment",
    handler=_refund_payment,
    input_model=RefundPaymentInput,
    output_model=Refund,
    description="Refund a whole payment, amount in integer cents (idempotent; none is a no-op).",
    reads=("payments", "refunds"),
    writes=("payments", "refunds"),
)

cancel_order: Service[CancelOrderInput, Cancellation] = Service(
    name="cancel-order",
    handler=_cancel_order,
    input_model=CancelOrderInput,
    output_model=Cancellation,
    description="Mark the order of a request cancelled (idempotent; none is a no-op).",
    reads=("orders",),
    writes=("orders",),
)

__all__ = [
    "CancelOrderInput",
    "Cancellation",
    "RefundPaymentInput",
    "Refund",
    "ReleaseInventoryInput",
    "cancel_order",
    "refund_id_for",
    "refund_payment",
    "release_inventory",
]
