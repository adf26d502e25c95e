"""Distributed Map: each item read from S3 is typed as the reader's item model."""

# ruff: noqa: E501 - each marked line holds the code and the error mypy must report
# fmt: off
from orderflow.dsl import Flow, S3Json, workflow
from orderflow.orders import GetUserInput, OrderItem, OrderRequest, User, get_user


@workflow("w", input_model=OrderRequest)
def w(flow: Flow[OrderRequest]) -> None:
    def body(f: Flow[OrderRequest], item: OrderItem) -> User:
        return f.task("GetUser", get_user).call(GetUserInput, user_id=item.quantity)  # E: arg-type Argument "user_id" to "call" of "TaskCall" has incompatible type "int"; expected "str"

    flow.distributed_map("Each", S3Json("in", "items.json", OrderItem), body)
