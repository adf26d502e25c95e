"""`orderflow.dsl.__all__` is exactly the documented names, and each one resolves."""

import orderflow.dsl

EXPECTED = {
    "MapRunResult",
    "ResultWriterDetails",
    "S3Csv",
    "S3Items",
    "S3Json",
    "S3Manifest",
    "S3Object",
    "S3Objects",
    "S3ObjectSummary",
    "S3Results",
    "DynamoWriteResult",
    "Event",
    "ExecutionResult",
    "PutEventsResult",
    "PutEventsResultEntry",
    "SnsPublishResult",
    "SqsSendMessageResult",
    "StartExecutionResult",
    "Callback",
    "DynamoDB",
    "EventBridge",
    "Sns",
    "Sqs",
    "StepFunctions",
    "TaskOptions",
    "APPROVAL_REJECTED",
    "ApprovalDecision",
    "BreakerState",
    "CONTINUE",
    "CircuitBreaker",
    "REJECTIONS",
    "require_approval",
    "FAIL",
    "ChoiceDefault",
    "LAMBDA_INVOKE",
    "LAMBDA_TRANSIENT_ERRORS",
    "STATES_ALL",
    "STATES_HEARTBEAT_TIMEOUT",
    "STATES_TASK_FAILED",
    "STATES_TIMEOUT",
    "Catch",
    "CaughtError",
    "Compensation",
    "CompiledWorkflow",
    "Condition",
    "Flow",
    "PassCall",
    "Retry",
    "Target",
    "TaskCall",
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
    "workflow",
}


def test_all_is_exactly_the_public_names() -> None:
    assert set(orderflow.dsl.__all__) == EXPECTED
    assert len(orderflow.dsl.__all__) == len(EXPECTED)


def test_every_public_name_resolves() -> None:
    for name in orderflow.dsl.__all__:
        assert getattr(orderflow.dsl, name) is not None
