"""The typed workflow DSL: build a workflow in Python, compile it to ASL.

A task call returns a value mypy believes *is* the service's output model, so wiring one
service's output into another's input is type-checked against the real Pydantic models::

    @workflow("order", input_model=OrderRequest)
    def order_workflow(flow: Flow[OrderRequest]) -> None:
        user = flow.task("GetUser", get_user).call(GetUserInput, user_id=flow.input.user_id)
        flow.task("Notify", send_notification).call(NotifyInput, to=user.email)

    definition = render(order_workflow, account="111122223333", region="eu-west-1")
"""

from orderflow.dsl._approval import (
    APPROVAL_REJECTED,
    REJECTIONS,
    ApprovalDecision,
    require_approval,
)
from orderflow.dsl._aws_models import (
    DynamoWriteResult,
    Event,
    ExecutionResult,
    PutEventsResult,
    PutEventsResultEntry,
    SnsPublishResult,
    SqsSendMessageResult,
    StartExecutionResult,
)
from orderflow.dsl._breaker import BreakerState, CircuitBreaker
from orderflow.dsl._compile import LAMBDA_INVOKE, CompiledWorkflow, Target, compile_workflow
from orderflow.dsl._conditions import (
    CONTINUE,
    FAIL,
    ChoiceDefault,
    Condition,
    all_of,
    any_of,
    eq,
    ge,
    gt,
    is_null,
    is_present,
    le,
    lt,
    matches,
    ne,
    not_,
)
from orderflow.dsl._distributed import (
    MapRunResult,
    ResultWriterDetails,
    S3Csv,
    S3Items,
    S3Json,
    S3Manifest,
    S3Object,
    S3Objects,
    S3ObjectSummary,
    S3Results,
)
from orderflow.dsl._flow import Flow
from orderflow.dsl._integrations import (
    Callback,
    DynamoDB,
    EventBridge,
    Sns,
    Sqs,
    StepFunctions,
    TaskOptions,
)
from orderflow.dsl._render import contracts_for, functions, render
from orderflow.dsl._retry import (
    LAMBDA_TRANSIENT_ERRORS,
    STATES_ALL,
    STATES_HEARTBEAT_TIMEOUT,
    STATES_TASK_FAILED,
    STATES_TIMEOUT,
    Catch,
    CaughtError,
    Retry,
)
from orderflow.dsl._saga import Compensation
from orderflow.dsl._task import PassCall, TaskCall
from orderflow.dsl._workflow import Workflow, workflow

__all__ = [
    "APPROVAL_REJECTED",
    "CONTINUE",
    "FAIL",
    "LAMBDA_INVOKE",
    "LAMBDA_TRANSIENT_ERRORS",
    "REJECTIONS",
    "STATES_ALL",
    "STATES_HEARTBEAT_TIMEOUT",
    "STATES_TASK_FAILED",
    "STATES_TIMEOUT",
    "ApprovalDecision",
    "BreakerState",
    "Callback",
    "Catch",
    "CaughtError",
    "ChoiceDefault",
    "CircuitBreaker",
    "Compensation",
    "CompiledWorkflow",
    "Condition",
    "DynamoDB",
    "DynamoWriteResult",
    "Event",
    "EventBridge",
    "ExecutionResult",
    "Flow",
    "MapRunResult",
    "PassCall",
    "PutEventsResult",
    "PutEventsResultEntry",
    "ResultWriterDetails",
    "Retry",
    "S3Csv",
    "S3Items",
    "S3Json",
    "S3Manifest",
    "S3Object",
    "S3ObjectSummary",
    "S3Objects",
    "S3Results",
    "Sns",
    "SnsPublishResult",
    "Sqs",
    "SqsSendMessageResult",
    "StartExecutionResult",
    "StepFunctions",
    "Target",
    "TaskCall",
    "TaskOptions",
    "Workflow",
    "all_of",
    "any_of",
    "compile_workflow",
    "contracts_for",
    "eq",
    "functions",
    "ge",
    "gt",
    "is_null",
    "is_present",
    "le",
    "lt",
    "matches",
    "ne",
    "not_",
    "render",
    "require_approval",
    "workflow",
]
