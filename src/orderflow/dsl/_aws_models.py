"""Request parts and response models of the optimized service integrations.

Responses keep AWS's field names (``MessageId``, ``ExecutionArn``…) so what a later state
reads is what the AWS documentation shows. Each integration's ``ResultSelector`` keeps only
the fields AWS always returns, so every field of these models exists at run time and a
typed reference to it cannot fail with ``States.Runtime``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

T = TypeVar("T")


class DynamoWriteResult(BaseModel):
    """What ``PutItem``/``DeleteItem`` (and ``UpdateItem`` without ``item=``) return.

    Attributes:
        HttpStatusCode: the HTTP status of the DynamoDB call (``200``).
    """

    HttpStatusCode: int


class SnsPublishResult(BaseModel):
    """SNS ``Publish``: the id SNS gave the message."""

    MessageId: str


class SqsSendMessageResult(BaseModel):
    """SQS ``SendMessage``: the message id and the MD5 digest of its body."""

    MessageId: str
    MD5OfMessageBody: str


class PutEventsResultEntry(BaseModel):
    """One entry of ``PutEvents``'s answer: an ``EventId`` when accepted, else an error."""

    EventId: str | None = None
    ErrorCode: str | None = None
    ErrorMessage: str | None = None


class PutEventsResult(BaseModel):
    """EventBridge ``PutEvents``: how many entries failed and one result per entry."""

    FailedEntryCount: int
    Entries: list[PutEventsResultEntry]


class StartExecutionResult(BaseModel):
    """Step Functions ``StartExecution`` (asynchronous): the child's ARN and start time.

    ``StartDate`` is in milliseconds since the epoch, as the integration returns it.
    """

    ExecutionArn: str
    StartDate: float


class ExecutionResult(BaseModel, Generic[T]):
    """``StartExecution.sync:2``: the finished child execution, its output parsed as JSON.

    ``Output`` has the type given as ``output=`` to ``start_execution_sync``.
    """

    ExecutionArn: str
    Status: str
    StartDate: float
    StopDate: float
    Output: T


@dataclass(frozen=True)
class Event:
    """One EventBridge event to put: each field a literal or a reference.

    Attributes:
        source: the event's ``Source`` (``com.example.orders``).
        detail_type: its ``DetailType``.
        detail: its ``Detail``: a reference to a model (sent as the JSON object) or a dict.
        bus: the event bus name (``default``).
    """

    source: str
    detail_type: str
    detail: Any
    bus: str = "default"


__all__ = [
    "DynamoWriteResult",
    "Event",
    "ExecutionResult",
    "PutEventsResult",
    "PutEventsResultEntry",
    "SnsPublishResult",
    "SqsSendMessageResult",
    "StartExecutionResult",
]
