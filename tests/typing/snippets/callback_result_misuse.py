"""A callback's result is typed as its declared model: credit_score is an int."""

# ruff: noqa: E501 - each marked line holds the code and the error mypy must report
# fmt: off
from orderflow.dsl import Flow, workflow
from orderflow.orders import GetUserInput, OrderRequest, User, get_user


@workflow("w", input_model=OrderRequest)
def w(flow: Flow[OrderRequest]) -> None:
    user = flow.callback.sqs("Ask", queue="people", body={"id": flow.input.user_id}, result=User, timeout_seconds=60)
    flow.task("GetUser", get_user).call(GetUserInput, user_id=user.credit_score)  # E: arg-type Argument "user_id" to "call" of "TaskCall" has incompatible type "int"; expected "str"
