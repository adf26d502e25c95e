"""StartExecution.sync:2: Output is typed as the declared output model."""

# ruff: noqa: E501 - each marked line holds the code and the error mypy must report
# fmt: off
from orderflow.dsl import Flow, workflow
from orderflow.orders import GetUserInput, OrderRequest, User, get_user


@workflow("w", input_model=OrderRequest)
def w(flow: Flow[OrderRequest]) -> None:
    child = flow.sfn.start_execution_sync("Lookup", machine="users", input=flow.input, output=User)
    flow.task("GetUser", get_user).call(GetUserInput, user_id=child.Output.phone)  # E: attr-defined "User" has no attribute "phone"
