"""DynamoDB PutItem: the item must be a model, not one of its fields."""

# ruff: noqa: E501 - each marked line holds the code and the error mypy must report
# fmt: off
from orderflow.dsl import Flow, workflow
from orderflow.orders import OrderRequest


@workflow("w", input_model=OrderRequest)
def w(flow: Flow[OrderRequest]) -> None:
    flow.dynamodb.put_item("Save", table="orders", item=flow.input.user_id)  # E: arg-type Argument "item" to "put_item" of "DynamoDB" has incompatible type "str"; expected "BaseModel"
