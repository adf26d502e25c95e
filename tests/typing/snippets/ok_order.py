"""Correct wiring: mypy --strict reports nothing."""

from orderflow.dsl import (
    CONTINUE,
    LAMBDA_TRANSIENT_ERRORS,
    Catch,
    CaughtError,
    Flow,
    Retry,
    gt,
    render,
    workflow,
)
from orderflow.orders import (
    AuthorizePaymentInput,
    CreateOrderInput,
    GetUserInput,
    Order,
    OrderItem,
    OrderRequest,
    Payment,
    PaymentDeclined,
    Reservation,
    ReserveInventoryInput,
    SendNotificationInput,
    authorize_payment,
    create_order,
    get_user,
    reserve_inventory,
    send_notification,
    validate_order,
)


def reject(flow: Flow[OrderRequest], error: CaughtError) -> None:
    flow.fail("Rejected", error=error.Error, cause=error.Cause)


@workflow("ok", input_model=OrderRequest)
def ok(flow: Flow[OrderRequest]) -> None:
    validated = flow.task("Validate", validate_order).call_with(flow.input)
    user = flow.task("GetUser", get_user, retry=[Retry(LAMBDA_TRANSIENT_ERRORS)]).call(
        GetUserInput, user_id=validated.user_id
    )

    def create(b: Flow[OrderRequest]) -> Order:
        return b.task("Create", create_order).call(
            CreateOrderInput,
            request_id=validated.request_id,
            user_id=user.user_id,
            items=validated.items,
        )

    def pay(b: Flow[OrderRequest]) -> Payment:
        return b.task("Pay", authorize_payment).call(
            AuthorizePaymentInput,
            idempotency_key=validated.request_id,
            user_id=user.user_id,
            amount_cents=validated.total_cents,
            credit_score=user.credit_score,
        )

    def reserve_one(b: Flow[OrderRequest], item: OrderItem) -> Reservation:
        return b.task("Reserve", reserve_inventory).call(
            ReserveInventoryInput, reservation_id=item.product_id, items=validated.items
        )

    order, payment = flow.parallel(
        "Process", create, pay, catch=[Catch([PaymentDeclined], then=reject)]
    )
    reservations = flow.map("ReserveEach", validated.items, reserve_one, max_concurrency=2)
    flow.choice(
        "Big",
        [(gt(order.total_cents, 100_000), lambda b: b.wait("Hold", seconds=60))],
        otherwise=CONTINUE,
    )
    flow.task("Notify", send_notification).call(
        SendNotificationInput,
        to=user.email,
        order_id=order.order_id,
        total_cents=order.total_cents,
        transaction_id=reservations[0].reservation_id,
    )
    flow.succeed("Done", output=payment)


definition = render(ok)
