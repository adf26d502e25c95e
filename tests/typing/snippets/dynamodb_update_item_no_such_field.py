"""DynamoDB UpdateItem with item=: the returned item has only the model's fields."""

# ruff: noqa: E501 - each marked line holds the code and the error mypy must report
# fmt: off
from orderflow.dsl import Flow, workflow
from orderflow.orders import GetUserInput, OrderRequest, User, get_user


@workflow("w", input_model=OrderRequest)
def w(flow: Flow[OrderRequest]) -> None:
    user = flow.dynamodb.update_item("Touch", table="users", key={"user_id": flow.input.user_id}, set={"status": "active"}, item=User)
    flow.task("GetUser", get_user).call(GetUserInput, user_id=user.phone)  # E: attr-defined "User" has no attribute "phone"
