"""A mis-wiring snippet: each line marked `# E:` must fail mypy with that error."""

# ruff: noqa: E501 - each marked line holds the code and the error mypy must report
# fmt: off
from orderflow.dsl import Flow, workflow
from orderflow.orders import CreateOrderInput, OrderRequest, get_user, validate_order


@workflow("w", input_model=OrderRequest)
def w(flow: Flow[OrderRequest]) -> None:
    v = flow.task("Validate", validate_order).call_with(flow.input)
    flow.task("GetUser", get_user).call(CreateOrderInput, request_id=v.request_id, user_id=v.user_id, items=v.items)  # E: arg-type Argument 1 to "call" of "TaskCall" has incompatible type "type[CreateOrderInput]"
    flow.task("Again", get_user).call_with(v)  # E: arg-type Argument 1 to "call_with" of "TaskCall" has incompatible type "ValidatedOrder"; expected "GetUserInput"
