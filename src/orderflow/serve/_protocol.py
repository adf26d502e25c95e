"""The Step Functions JSON 1.0 protocol: operations, their errors, request checking.

Every call is ``POST /`` with ``X-Amz-Target: AWSStepFunctions.<Operation>`` and a JSON
body; the answer is a JSON body, or for a bad request HTTP 400 with
``{"__type": "<ErrorCode>", "message": "..."}``, which botocore turns into a
``ClientError`` whose code is ``<ErrorCode>`` (``InvalidArn``, ``ExecutionDoesNotExist``…).

Each API group (:mod:`~orderflow.serve._machines`, :mod:`~orderflow.serve._executions`,
:mod:`~orderflow.serve._tasks`, :mod:`~orderflow.serve._test_state`) registers its
operations here with :func:`operation`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from orderflow.serve._journal import TimeBase
from orderflow.serve._runner import Runner
from orderflow.serve._store import Store

TARGET_PREFIX = "AWSStepFunctions."
CONTENT_TYPE = "application/x-amz-json-1.0"

_NAME = re.compile(r"[A-Za-z0-9_-]{1,80}\Z")


class ApiError(Exception):
    """A request AWS would refuse: HTTP ``status`` with ``{"__type": code, "message"}``."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


@dataclass
class Service:
    """What every operation works on.

    Attributes:
        store: the database.
        runner: the execution scheduler.
        base: the logical clock's time base.
        account: the account in ARNs.
        region: the region in ARNs.
    """

    store: Store
    runner: Runner
    base: TimeBase
    account: str
    region: str

    def arn(self, kind: str, *parts: str) -> str:
        """An ARN of this server's account and region (``stateMachine``, ``execution``…)."""
        return f"arn:aws:states:{self.region}:{self.account}:{kind}:" + ":".join(parts)


Operation = Callable[[Service, dict[str, Any]], dict[str, Any]]
OPERATIONS: dict[str, Operation] = {}


def operation(name: str) -> Callable[[Operation], Operation]:
    """Register ``function`` as the handler of ``AWSStepFunctions.<name>``."""

    def register(function: Operation) -> Operation:
        OPERATIONS[name] = function
        return function

    return register


# --- request checking ------------------------------------------------------------------


def required(request: dict[str, Any], key: str) -> str:
    """A required string member of the request.

    Raises:
        ApiError: ``ValidationException`` naming the member when it is missing or empty.
    """
    value = request.get(key)
    if not isinstance(value, str) or not value:
        raise ApiError(
            "ValidationException",
            f"1 validation error detected: Value null at '{key}' failed to satisfy "
            "constraint: Member must not be null",
        )
    return value


def optional_str(request: dict[str, Any], key: str) -> str | None:
    """An optional string member (``ValidationException`` when it is not a string)."""
    value = request.get(key)
    if value is not None and not isinstance(value, str):
        raise ApiError("ValidationException", f"'{key}' must be a string")
    return value


def check_name(name: str, what: str = "name") -> str:
    """A state machine or execution name as AWS allows them (``InvalidName``)."""
    if not _NAME.match(name):
        raise ApiError("InvalidName", f"Invalid Name: '{name}'")
    return name


def arn_of(request: dict[str, Any], key: str, kind: str) -> str:
    """The ARN member ``key``, checked to be a Step Functions ARN of ``kind``.

    Raises:
        ApiError: ``InvalidArn`` when malformed.
    """
    value = required(request, key)
    parts = value.split(":")
    if (
        len(parts) < 7
        or parts[0] != "arn"
        or parts[2] != "states"
        or parts[5] not in kind.split("|")
    ):
        raise ApiError("InvalidArn", f"Invalid Arn: '{value}'")
    return value


def page(request: dict[str, Any], default: int = 100) -> tuple[int, str | None]:
    """``maxResults`` (0 or missing: ``default``, at most 1000) and ``nextToken``."""
    limit = request.get("maxResults") or default
    if not isinstance(limit, int) or limit < 0 or limit > 1000:
        raise ApiError(
            "ValidationException",
            "1 validation error detected: Value at 'maxResults' failed to satisfy "
            "constraint: Member must have value less than or equal to 1000",
        )
    token = request.get("nextToken")
    if token is not None and not isinstance(token, str):
        raise ApiError("InvalidToken", "Invalid Token")
    return limit, token


def token_number(token: str | None) -> int | None:
    """The position a ``nextToken`` of this server encodes (``InvalidToken`` if none)."""
    if token is None:
        return None
    if not token.isdigit():
        raise ApiError("InvalidToken", f"Invalid Token: '{token}'")
    return int(token)


__all__ = [
    "CONTENT_TYPE",
    "OPERATIONS",
    "TARGET_PREFIX",
    "ApiError",
    "Operation",
    "Service",
    "arn_of",
    "check_name",
    "operation",
    "optional_str",
    "page",
    "required",
    "token_number",
]
