"""EventBridge PutEvents: FailedEntryCount is a number, not a user id."""

# ruff: noqa: E501 - each marked line holds the code and the error mypy must report
# fmt: off
from orderflow.dsl import Event, Flow, workflow
from orderflow.orders import GetUserInput, OrderRequest, get_user


@workflow("w", input_model=OrderRequest)
def w(flow: Flow[OrderRequest]) -> None:
    put = flow.events.put_events("Emit", [Event(source="shop", detail_type="Placed", detail=flow.input)])
    flow.task("GetUser", get_user).call(GetUserInput, user_id=put.FailedEntryCount)  # E: arg-type Argument "user_id" to "call" of "TaskCall" has incompatible type "int"; expected "str"
