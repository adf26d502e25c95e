"""SQS SendMessage: the MessageId is a string, not a number."""

# ruff: noqa: E501 - each marked line holds the code and the error mypy must report
# fmt: off
from orderflow.dsl import Flow, workflow
from orderflow.orders import OrderRequest, SendNotificationInput, send_notification


@workflow("w", input_model=OrderRequest)
def w(flow: Flow[OrderRequest]) -> None:
    queued = flow.sqs.send_message("Enqueue", queue="shipping", body=flow.input)
    flow.task("Notify", send_notification).call(SendNotificationInput, to="a@b.c", order_id="o", total_cents=queued.MessageId, transaction_id="t")  # E: arg-type Argument "total_cents" to "call" of "TaskCall" has incompatible type "str"; expected "int"
