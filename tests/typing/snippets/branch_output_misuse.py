"""A mis-wiring snippet: each line marked `# E:` must fail mypy with that error."""

# ruff: noqa: E501 - each marked line holds the code and the error mypy must report
# fmt: off
from orderflow.dsl import Flow, gt, workflow
from orderflow.orders import (
    CreateOrderInput,
    GetUserInput,
    Order,
    OrderRequest,
    create_order,
    get_user,
)


@workflow("w", input_model=OrderRequest)
def w(flow: Flow[OrderRequest]) -> None:
    def create(b: Flow[OrderRequest]) -> Order:
        return b.task("Create", create_order).call(
            CreateOrderInput, request_id=b.input.request_id, user_id=b.input.user_id, items=b.input.items
        )

    (order,) = flow.parallel("P", create)
    flow.task("GetUser", get_user).call(GetUserInput, user_id=order.transaction_id)  # E: attr-defined "Order" has no attribute "transaction_id"
    flow.choice("C", [(order.total_cents > 5, lambda f: None)])  # E: list-item List item 0 has incompatible type "tuple[bool, Callable[[Flow[OrderRequest]], None]]"; expected "tuple[Condition, Callable[[Flow[OrderRequest]], None]]"
    flow.choice("D", [(gt(order.total_cents, 5), lambda f: None)])
