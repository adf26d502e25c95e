"""A mis-wiring snippet: each line marked `# E:` must fail mypy with that error."""

# ruff: noqa: E501 - each marked line holds the code and the error mypy must report
# fmt: off
from orderflow.dsl import Flow, workflow
from orderflow.orders import (
    AuthorizePaymentInput,
    GetUserInput,
    OrderRequest,
    authorize_payment,
    get_user,
    validate_order,
)


@workflow("w", input_model=OrderRequest)
def w(flow: Flow[OrderRequest]) -> None:
    validated = flow.task("Validate", validate_order).call_with(flow.input)
    user = flow.task("GetUser", get_user).call(GetUserInput, user_id=validated.user_id)
    flow.task("Pay", authorize_payment).call(AuthorizePaymentInput, idempotency_key=validated.request_id, user_id=user.user_id, amount_cents=validated.total_cents)  # E: call-arg Missing named argument "credit_score" for "call" of "TaskCall"
