"""Compensations: undo a reservation, a payment or an order. Each is idempotent.

Money is integer cents. A compensation run twice does its work once: release restores stock
once, refund refunds once (the refund id is derived from the transaction id), cancel leaves
a cancelled order cancelled. Each first marks its record (with a compare-and-set on the
status) and only then touches anything else, so two concurrent runs cannot both act.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from orderflow import ServiceError
from orderflow.orders._fields import Id, PositiveCents, derived_id
from orderflow.orders.inventory import Reservation, adjust_stock
from orderflow.orders.order import Order
from orderflow.orders.payment import Payment
from orderflow.runtime import Service, ServiceDeps, put_new


class ReleaseInventoryInput(BaseModel):
    """Request for ``release-inventory``."""

    model_config = ConfigDict(extra="forbid")

    reservation_id: Id = Field(description="The reservation to release.")


class RefundPaymentInput(BaseModel):
    """Request for ``refund-payment``."""

    model_config = ConfigDict(extra="forbid")

    transaction_id: Id = Field(description="The payment transaction to refund.")


class Refund(BaseModel):
    """A refund of a whole payment. Money in integer cents."""

    model_config = ConfigDict(extra="forbid")

    refund_id: Id = Field(description="The refund's id (derived from the transaction id).")
    transaction_id: Id = Field(description="The refunded payment.")
    amount_cents: PositiveCents = Field(description="Amount refunded in integer cents.")
    status: Literal["refunded"] = Field(description="Always 'refunded'.")


class CancelOrderInput(BaseModel):
    """Request for ``cancel-order``."""

    model_config = ConfigDict(extra="forbid")

    order_id: Id = Field(description="The order to cancel.")


class ReservationNotFound(ServiceError):
    """No reservation has the given id."""


class PaymentNotFound(ServiceError):
    """No payment has the given transaction id."""


class OrderNotFound(ServiceError):
    """No order has the given id."""


def _release_inventory(request: ReleaseInventoryInput, deps: ServiceDeps) -> Reservation:
    table = deps.store.table("reservations")
    item = table.get(request.reservation_id)
    if item is None:
        raise ReservationNotFound(f"no reservation with id {request.reservation_id!r}")
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
    refund_id = refund_id_for(request.transaction_id)
    existing = refunds.get(refund_id)
    if existing is not None:
        return Refund.model_validate(existing)
    payments = deps.store.table("payments")
    item = payments.get(request.transaction_id)
    if item is None:
        raise PaymentNotFound(f"no payment with transaction id {request.transaction_id!r}")
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


def _cancel_order(request: CancelOrderInput, deps: ServiceDeps) -> Order:
    table = deps.store.table("orders")
    item = table.get(request.order_id)
    if item is None:
        raise OrderNotFound(f"no order with id {request.order_id!r}")
    order = Order.model_validate(item)
    if order.status == "cancelled":
        return order
    cancelled = order.model_copy(update={"status": "cancelled"})
    table.put(cancelled.model_dump(mode="json"))
    return cancelled


release_inventory: Service[ReleaseInventoryInput, Reservation] = Service(
    name="release-inventory",
    handler=_release_inventory,
    input_model=ReleaseInventoryInput,
    output_model=Reservation,
    errors=(ReservationNotFound,),
    description="Give a reservation's units back to stock (idempotent).",
    reads=("reservations", "stock"),
    writes=("reservations", "stock"),
)

refund_payment: Service[RefundPaymentInput, Refund] = Service(
    name="refund-payment",
    handler=_refund_payment,
    input_model=RefundPaymentInput,
    output_model=Refund,
    errors=(PaymentNotFound,),
    description="Refund a whole payment, amount in integer cents (idempotent).",
    reads=("payments", "refunds"),
    writes=("payments", "refunds"),
)

cancel_order: Service[CancelOrderInput, Order] = Service(
    name="cancel-order",
    handler=_cancel_order,
    input_model=CancelOrderInput,
    output_model=Order,
    errors=(OrderNotFound,),
    description="Mark an order cancelled (idempotent).",
    reads=("orders",),
    writes=("orders",),
)

__all__ = [
    "CancelOrderInput",
    "OrderNotFound",
    "PaymentNotFound",
    "RefundPaymentInput",
    "Refund",
    "ReleaseInventoryInput",
    "ReservationNotFound",
    "cancel_order",
    "refund_id_for",
    "refund_payment",
    "release_inventory",
]
