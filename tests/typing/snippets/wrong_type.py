"""A mis-wiring snippet: the line marked `# E:` must fail mypy with that error."""

# ruff: noqa: E501 - each marked line holds the code and the error mypy must report
# fmt: off
from orderflow.dsl import Flow, workflow
from orderflow.orders import GetUserInput, OrderRequest, get_user, validate_order


@workflow("w", input_model=OrderRequest)
def w(flow: Flow[OrderRequest]) -> None:
    validated = flow.task("Validate", validate_order).call_with(flow.input)
    flow.task("GetUser", get_user).call(GetUserInput, user_id=validated.total_cents)  # E: arg-type Argument "user_id" to "call" of "TaskCall" has incompatible type "int"; expected "str"
