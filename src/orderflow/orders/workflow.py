"""The order workflow, written in the typed DSL.

Validate the request -> get the user -> in parallel: create the order, authorise the payment,
reserve the stock -> send the confirmation. Every value a state reads comes from a typed
reference, so mypy checks the wiring against the service contracts: the payment is for the
validated total, the confirmation goes to the user's e-mail with the order id, the order
total and the payment's transaction id.

Orders above ``APPROVAL_THRESHOLD_CENTS`` wait for a person's decision before anything is
created, paid or reserved: the request goes to the ``APPROVALS_TOPIC`` SNS topic with a task
token (``orderflow approve/reject TOKEN``); a rejection, or no answer within
``APPROVAL_TIMEOUT_SECONDS``, ends the execution in ``OrderNotApproved`` with nothing to undo.

Business errors (unknown or suspended user, invalid order, declined payment, missing stock)
end in one ``OrderRejected`` Fail state that reports the error and its cause. Creating the
order, authorising the payment and reserving the stock form a saga: each declares its
compensation (cancel, refund, release), keyed by the request id, so after any failure from
the Parallel on every branch is undone (a branch may have completed while another failed)
before ``OrderRejected``. Only
transient errors are retried: the Lambda service's own errors everywhere, and the payment
gateway timeout on the payment (safe because payments carry an idempotency key); a decline
is never retried.

The payment call sits behind a circuit breaker (``PAYMENT_BREAKER``, its state in the
``{prefix}-breakers`` DynamoDB table every execution shares): when the gateway keeps timing
out after the retries, the breaker opens and later orders fail fast with
``PaymentUnavailable`` (compensated like any other failure) instead of waiting out the
retries against a dead gateway; after the cooldown one order probes the gateway, and a
success closes the breaker. A declined payment says nothing about the gateway's health and
does not count.
"""

from __future__ import annotations

from typing import Any

from orderflow.dsl import (
    LAMBDA_TRANSIENT_ERRORS,
    Catch,
    CaughtError,
    CircuitBreaker,
    Compensation,
    Flow,
    Retry,
    gt,
    require_approval,
    workflow,
)
from orderflow.orders import (
    AuthorizePaymentInput,
    CancelOrderInput,
    CreateOrderInput,
    GetUserInput,
    InvalidOrder,
    Order,
    OrderRequest,
    Payment,
    PaymentGatewayTimeout,
    RefundPaymentInput,
    ReleaseInventoryInput,
    Reservation,
    ReserveInventoryInput,
    SendNotificationInput,
    UserInactive,
    UserNotFound,
    authorize_payment,
    cancel_order,
    create_order,
    get_user,
    refund_payment,
    release_inventory,
    reserve_inventory,
    send_notification,
    validate_order,
)

SAMPLE_ORDER: dict[str, Any] = {
    "request_id": "req-0001",
    "user_id": "u-100",
    "items": [
        {"product_id": "p-1", "quantity": 2, "unit_price_cents": 1999},
        {"product_id": "p-2", "quantity": 1, "unit_price_cents": 4550},
    ],
}
"""A valid execution input: user u-100 orders two products ($85.48 in all)."""

TRANSIENT = Retry(
    LAMBDA_TRANSIENT_ERRORS,
    interval_seconds=1,
    max_attempts=3,
    backoff_rate=2.0,
    max_delay_seconds=10,
    jitter="FULL",
)
"""Lambda's own service errors: worth a few quick retries with jittered backoff."""

GATEWAY_TIMEOUT = Retry(
    [PaymentGatewayTimeout],
    interval_seconds=2,
    max_attempts=4,
    backoff_rate=2.0,
    max_delay_seconds=20,
    jitter="FULL",
)
"""The card gateway timed out; the idempotency key makes a retry charge at most once."""

TASK_TIMEOUT_SECONDS = 30

APPROVAL_THRESHOLD_CENTS = 500_000
"""Orders whose validated total is above this ($5,000.00) wait for a human approval."""

APPROVALS_TOPIC = "{prefix}-approvals"
"""The SNS topic approval requests go to, one per deployed stack (``orderflow-approvals``
for the default prefix; deployed with the app, see ``app.topics``)."""

APPROVAL_TIMEOUT_SECONDS = 24 * 3600
"""No decision within a day rejects the order automatically (``States.Timeout``)."""


PAYMENT_BREAKER = CircuitBreaker(
    "authorize-payment",
    "{prefix}-breakers",
    trips_on=[PaymentGatewayTimeout, "States.Timeout"],
    failure_threshold=3,
    window_seconds=300,
    cooldown_seconds=120,
)
"""Three orders whose payment fails (after its retries, up to half a minute each) within
five minutes open the breaker for two minutes."""


def payment_unavailable(flow: Flow[Any]) -> None:
    """The payment branch's fallback while the gateway is failing: fail it (the saga then
    undoes the order and the reservation)."""
    flow.fail(
        "PaymentUnavailable",
        error="PaymentUnavailable",
        cause="the payment gateway is failing; the order was not charged, try again later",
    )


def reject(flow: Flow[OrderRequest], error: CaughtError) -> None:
    """End the execution with the business error's name and cause."""
    flow.fail("OrderRejected", error=error.Error, cause=error.Cause)


def not_approved(flow: Flow[OrderRequest], error: CaughtError) -> None:
    """End the execution: the approver said no (``Rejected``) or nobody answered in time."""
    flow.fail("OrderNotApproved", error=error.Error, cause=error.Cause)


@workflow(
    "order",
    input_model=OrderRequest,
    comment="Validate an order, get the user, create/pay/reserve in parallel, then notify.",
)
def order_workflow(flow: Flow[OrderRequest]) -> None:
    """Build the order workflow (see the module docstring)."""
    validated = flow.task(
        "ValidateOrder",
        validate_order,
        retry=[TRANSIENT],
        catch=[Catch([InvalidOrder], then=reject)],
        timeout_seconds=TASK_TIMEOUT_SECONDS,
    ).call_with(flow.input)

    user = flow.task(
        "GetUser",
        get_user,
        retry=[TRANSIENT],
        catch=[Catch([UserNotFound, UserInactive], then=reject)],
        timeout_seconds=TASK_TIMEOUT_SECONDS,
    ).call(GetUserInput, user_id=validated.user_id)

    # Before the Parallel: a rejected order has created, paid and reserved nothing.
    require_approval(
        flow,
        "ApproveOrder",
        when=gt(validated.total_cents, APPROVAL_THRESHOLD_CENTS),
        topic=APPROVALS_TOPIC,
        message={
            "request_id": validated.request_id,
            "user_id": validated.user_id,
            "email": user.email,
            "total_cents": validated.total_cents,
        },
        timeout_seconds=APPROVAL_TIMEOUT_SECONDS,
        on_reject=not_approved,
    )

    # From here on a failure undoes every step that may have completed, then rejects.
    # Compensations are keyed by the request id: a failed branch leaves no result to read.
    flow.saga(on_failure=reject)

    def create(branch: Flow[OrderRequest]) -> Order:
        return branch.task(
            "CreateOrder",
            create_order,
            retry=[TRANSIENT],
            timeout_seconds=TASK_TIMEOUT_SECONDS,
            compensate=Compensation(
                cancel_order, retry=[TRANSIENT], timeout_seconds=TASK_TIMEOUT_SECONDS
            ).call(CancelOrderInput, request_id=validated.request_id),
        ).call(
            CreateOrderInput,
            request_id=validated.request_id,
            user_id=validated.user_id,
            items=validated.items,
        )

    def pay(branch: Flow[OrderRequest]) -> Payment:
        def authorize(guarded: Flow[Any], catch: list[Catch]) -> Payment:
            return guarded.task(
                "AuthorizePayment",
                authorize_payment,
                retry=[GATEWAY_TIMEOUT, TRANSIENT],
                catch=catch,
                timeout_seconds=TASK_TIMEOUT_SECONDS,
                compensate=Compensation(
                    refund_payment, retry=[TRANSIENT], timeout_seconds=TASK_TIMEOUT_SECONDS
                ).call(RefundPaymentInput, idempotency_key=validated.request_id),
            ).call(
                AuthorizePaymentInput,
                idempotency_key=validated.request_id,
                user_id=user.user_id,
                amount_cents=validated.total_cents,
                credit_score=user.credit_score,
            )

        return PAYMENT_BREAKER.guard(
            branch, "PaymentBreaker", authorize, fallback=payment_unavailable
        )

    def reserve(branch: Flow[OrderRequest]) -> Reservation:
        return branch.task(
            "ReserveInventory",
            reserve_inventory,
            retry=[TRANSIENT],
            timeout_seconds=TASK_TIMEOUT_SECONDS,
            compensate=Compensation(
                release_inventory, retry=[TRANSIENT], timeout_seconds=TASK_TIMEOUT_SECONDS
            ).call(ReleaseInventoryInput, reservation_id=validated.request_id),
        ).call(ReserveInventoryInput, reservation_id=validated.request_id, items=validated.items)

    order, payment, _reservation = flow.parallel("ProcessOrder", create, pay, reserve)

    flow.task(
        "SendNotification",
        send_notification,
        retry=[TRANSIENT],
        timeout_seconds=TASK_TIMEOUT_SECONDS,
    ).call(
        SendNotificationInput,
        to=user.email,
        order_id=order.order_id,
        total_cents=order.total_cents,
        transaction_id=payment.transaction_id,
    )


__all__ = [
    "APPROVALS_TOPIC",
    "APPROVAL_THRESHOLD_CENTS",
    "APPROVAL_TIMEOUT_SECONDS",
    "SAMPLE_ORDER",
    "order_workflow",
]
