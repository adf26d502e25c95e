"""DynamoDB DeleteItem: a key attribute is a string or a number, not a whole model."""

# ruff: noqa: E501 - each marked line holds the code and the error mypy must report
# fmt: off
from orderflow.dsl import Flow, workflow
from orderflow.orders import OrderRequest


@workflow("w", input_model=OrderRequest)
def w(flow: Flow[OrderRequest]) -> None:
    flow.dynamodb.delete_item("Forget", table="orders", key={"request_id": flow.input})  # E: dict-item Dict entry 0 has incompatible type "str": "OrderRequest"; expected "str": "str | int | float"
