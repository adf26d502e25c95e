"""A mis-wiring snippet: each line marked `# E:` must fail mypy with that error."""

# ruff: noqa: E501 - each marked line holds the code and the error mypy must report
# fmt: off
from orderflow.dsl import Flow, workflow
from orderflow.orders import GetUserInput, OrderRequest, get_user


@workflow("w", input_model=OrderRequest)
def w(flow: Flow[OrderRequest]) -> None:
    flow.task("GetUser", get_user).call(GetUserInput, user_id=flow.input.user_id, email="x")  # E: call-arg Unexpected keyword argument "email" for "call" of "TaskCall"
