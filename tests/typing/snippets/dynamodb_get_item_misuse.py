"""DynamoDB GetItem: the item is typed as its model; an int field is not a user id."""

# ruff: noqa: E501 - each marked line holds the code and the error mypy must report
# fmt: off
from orderflow.dsl import Flow, workflow
from orderflow.orders import GetUserInput, OrderRequest, User, get_user


@workflow("w", input_model=OrderRequest)
def w(flow: Flow[OrderRequest]) -> None:
    got = flow.dynamodb.get_item("Load", table="users", key={"user_id": flow.input.user_id}, item=User)
    flow.task("GetUser", get_user).call(GetUserInput, user_id=got.credit_score)  # E: arg-type Argument "user_id" to "call" of "TaskCall" has incompatible type "int"; expected "str"
