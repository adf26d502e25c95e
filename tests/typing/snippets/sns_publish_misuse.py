"""SNS Publish: the result has a MessageId, nothing else."""

# ruff: noqa: E501 - each marked line holds the code and the error mypy must report
# fmt: off
from orderflow.dsl import Flow, workflow
from orderflow.orders import GetUserInput, OrderRequest, get_user


@workflow("w", input_model=OrderRequest)
def w(flow: Flow[OrderRequest]) -> None:
    sent = flow.sns.publish("Announce", topic="orders", message=flow.input)
    flow.task("GetUser", get_user).call(GetUserInput, user_id=sent.MessageID)  # E: attr-defined "SnsPublishResult" has no attribute "MessageID"
