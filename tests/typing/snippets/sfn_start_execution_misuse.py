"""StartExecution (async): the result is an ARN and a start date, not the child's output."""

# ruff: noqa: E501 - each marked line holds the code and the error mypy must report
# fmt: off
from orderflow.dsl import Flow, workflow
from orderflow.orders import GetUserInput, OrderRequest, get_user


@workflow("w", input_model=OrderRequest)
def w(flow: Flow[OrderRequest]) -> None:
    started = flow.sfn.start_execution("Audit", machine="audit", input=flow.input)
    flow.task("GetUser", get_user).call(GetUserInput, user_id=started.Output)  # E: attr-defined "StartExecutionResult" has no attribute "Output"
