"""A mis-wiring snippet: the line marked `# E:` must fail mypy with that error."""

# ruff: noqa: E501 - each marked line holds the code and the error mypy must report
# fmt: off
from orderflow.dsl import Compensation, Flow, workflow
from orderflow.orders import (
    CancelOrderInput,
    CreateOrderInput,
    OrderRequest,
    cancel_order,
    create_order,
    validate_order,
)


@workflow("w", input_model=OrderRequest)
def w(flow: Flow[OrderRequest]) -> None:
    validated = flow.task("Validate", validate_order).call_with(flow.input)
    flow.task(
        "CreateOrder",
        create_order,
        compensate=lambda order: Compensation(cancel_order).call(CancelOrderInput, request_id=order.phone),  # E: attr-defined "Order" has no attribute "phone"
    ).call(CreateOrderInput, request_id=validated.request_id, user_id=validated.user_id, items=validated.items)
