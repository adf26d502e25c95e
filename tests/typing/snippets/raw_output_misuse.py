"""flow.raw(..., output=Model) is typed as the model."""

# ruff: noqa: E501 - each marked line holds the code and the error mypy must report
# fmt: off
from orderflow.dsl import Flow, workflow
from orderflow.orders import GetUserInput, OrderRequest, User, get_user


@workflow("w", input_model=OrderRequest)
def w(flow: Flow[OrderRequest]) -> None:
    user = flow.raw("Load", {"Type": "Pass", "Parameters": {"user_id.$": "$.user_id"}, "ResultPath": "$.loaded"}, output=User)
    flow.task("GetUser", get_user).call(GetUserInput, user_id=user.nickname)  # E: attr-defined "User" has no attribute "nickname"
