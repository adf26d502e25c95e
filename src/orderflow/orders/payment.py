"""The payment service: authorise an amount, idempotently.

Money is integer cents. A payment is keyed by the caller's ``idempotency_key``: its
transaction id is derived from that key and the record is stored under the transaction id,
so a second call with the same key finds the recorded payment and returns it instead of
charging again.

Failure modes:

* ``PaymentDeclined`` (business, never retried): more than $1,000.00 (100_000 cents) with a
  credit score under 650.
* ``PaymentGatewayTimeout`` (transient, retryable): simulated at the rate
  ``deps.failure_rates["authorize-payment"]``, drawn from ``deps.rng``. Half of the timeouts
  happen *after* the charge is recorded — the case that makes idempotency matter: the retry
  finds the record and returns it, so the customer is charged once.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from orderflow import ServiceError
from orderflow.orders._fields import CreditScore, Id, PositiveCents, derived_id, format_cents
from orderflow.orders._metrics import ORDERS_REJECTED, rejected
from orderflow.runtime import Service, ServiceDeps, put_new

DECLINE_ABOVE_CENTS = 100_000
"""Amounts strictly above this (in cents, i.e. $1,000.00) need a good credit score."""

MIN_CREDIT_FOR_LARGE = 650
"""The credit score at or above which large amounts are authorised."""

SERVICE_NAME = "authorize-payment"


class AuthorizePaymentInput(BaseModel):
    """Request for ``authorize-payment``. Money in integer cents."""

    model_config = ConfigDict(extra="forbid")

    idempotency_key: Id = Field(
        description="Caller's key; repeating it returns the recorded payment, never a new charge."
    )
    user_id: Id = Field(description="The user being charged.")
    amount_cents: PositiveCents = Field(description="Amount to authorise in integer cents (> 0).")
    credit_score: CreditScore = Field(description="The user's credit score, 300..850.")


class Payment(BaseModel):
    """An authorised (or later refunded) payment. Money in integer cents."""

    model_config = ConfigDict(extra="forbid")

    transaction_id: Id = Field(description="The payment's id (derived from the idempotency key).")
    idempotency_key: Id = Field(description="The key the payment was authorised with.")
    user_id: Id = Field(description="The user charged.")
    amount_cents: PositiveCents = Field(description="Amount authorised in integer cents.")
    status: Literal["authorized", "refunded"] = Field(
        description="'authorized', or 'refunded' once the refund-payment compensation ran."
    )
    method: Literal["card"] = Field(description="Payment method (only cards for now).")


class PaymentDeclined(ServiceError):
    """Declined: over $1,000.00 with a credit score under 650. Never worth retrying."""


class PaymentGatewayTimeout(ServiceError):
    """The (simulated) card gateway did not answer in time. Safe to retry."""


class PaymentConflict(ServiceError):
    """An idempotency key was reused for a different user or amount."""


def transaction_id_for(idempotency_key: str) -> str:
    """The transaction id ``authorize-payment`` assigns to ``idempotency_key``."""
    return derived_id("txn", idempotency_key)


def _recorded(request: AuthorizePaymentInput, item: dict[str, object]) -> Payment:
    payment = Payment.model_validate(item)
    if payment.user_id != request.user_id or payment.amount_cents != request.amount_cents:
        raise PaymentConflict(
            f"idempotency key {request.idempotency_key!r} was already used for "
            f"{format_cents(payment.amount_cents)} by user {payment.user_id!r}"
        )
    return payment


def _authorize_payment(request: AuthorizePaymentInput, deps: ServiceDeps) -> Payment:
    table = deps.store.table("payments")
    transaction_id = transaction_id_for(request.idempotency_key)
    existing = table.get(transaction_id)
    if existing is not None:
        return _recorded(request, existing)
    if request.amount_cents > DECLINE_ABOVE_CENTS and request.credit_score < MIN_CREDIT_FOR_LARGE:
        declined = PaymentDeclined(
            f"{format_cents(request.amount_cents)} exceeds "
            f"{format_cents(DECLINE_ABOVE_CENTS)} and credit score {request.credit_score} "
            f"is under {MIN_CREDIT_FOR_LARGE}"
        )
        raise rejected(deps, declined)
    times_out = deps.rng.random() < deps.failure_rate(SERVICE_NAME)
    after_charge = times_out and deps.rng.random() < 0.5
    if times_out and not after_charge:
        raise PaymentGatewayTimeout("card gateway timed out before the charge")
    payment = Payment(
        transaction_id=transaction_id,
        idempotency_key=request.idempotency_key,
        user_id=request.user_id,
        amount_cents=request.amount_cents,
        status="authorized",
        method="card",
    )
    stored = put_new(table, payment.model_dump(mode="json"))
    if not stored.created:
        # A concurrent call with the same key recorded first; its record is the payment.
        return _recorded(request, stored.item)
    if after_charge:
        raise PaymentGatewayTimeout("card gateway timed out after the charge was recorded")
    return payment


authorize_payment: Service[AuthorizePaymentInput, Payment] = Service(
    name=SERVICE_NAME,
    handler=_authorize_payment,
    input_model=AuthorizePaymentInput,
    output_model=Payment,
    errors=(PaymentDeclined, PaymentConflict, PaymentGatewayTimeout),
    retryable=(PaymentGatewayTimeout,),
    description="Authorise an amount in integer cents, idempotently per key.",
    reads=("payments",),
    writes=("payments",),
    metrics=(ORDERS_REJECTED,),
)

__all__ = [
    "DECLINE_ABOVE_CENTS",
    "MIN_CREDIT_FOR_LARGE",
    "AuthorizePaymentInput",
    "Payment",
    "PaymentConflict",
    "PaymentDeclined",
    "PaymentGatewayTimeout",
    "authorize_payment",
    "transaction_id_for",
]
