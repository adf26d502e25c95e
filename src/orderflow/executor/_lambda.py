"""Lambda invocation as Step Functions sees it.

Both ways of calling a function go through :func:`call_function`, which reproduces what
crosses the wire: the payload is serialised to JSON and back (so the function gets its own
copy, as it would in Lambda), the response is decoded from JSON (``bytes`` are taken as
the raw response body), and an exception becomes Lambda's error object, byte for byte the
JSON text the Python runtime writes.

* a plain function ARN as ``Resource`` yields the bare payload;
* ``arn:aws:states:::lambda:invoke`` wraps it (:func:`invoke_response`) in
  ``{ExecutedVersion, Payload, SdkHttpMetadata, SdkResponseMetadata, StatusCode}``.
"""

from __future__ import annotations

import base64
import json
import traceback
from datetime import datetime
from email.utils import format_datetime
from functools import lru_cache
from typing import Any

from orderflow._errors import ConfigurationError, ExecutionError, TaskFailure
from orderflow.asl import JSON
from orderflow.asl import _wire as wire
from orderflow.executor._failure import DATA_LIMIT, PAYLOAD_LIMIT, StateFailure, data_limit_cause
from orderflow.executor._runtime import LambdaHandler, Runtime


class LambdaResponse:
    """A successful invocation: the decoded payload and its size on the wire."""

    __slots__ = ("payload", "size")

    def __init__(self, payload: JSON, size: int) -> None:
        self.payload = payload
        self.size = size


class LambdaFunctionError(TaskFailure):
    """Raised by a handler to fail as a Lambda function does: with an error object.

    ``error_object`` is what the function's runtime returns (``errorMessage``,
    ``errorType``, ``requestId``, ``stackTrace``); the executor serialises it the way the
    calling integration does, so the cause text matches AWS's byte for byte.

    Example:
        >>> error = {"errorMessage": "boom", "errorType": "Exception"}
        >>> raise LambdaFunctionError("Exception", error)
    """

    def __init__(self, error: str, error_object: dict[str, Any]) -> None:
        super().__init__(error, json.dumps(error_object))
        self.error_object = error_object


def _error_object(exc: BaseException, rt: Runtime) -> dict[str, Any]:
    # The frames below the executor's own call are the function's stack, as Lambda shows it.
    tb = exc.__traceback__
    frames = traceback.extract_tb(tb.tb_next) if tb is not None else traceback.StackSummary()
    return {
        "errorMessage": str(exc),
        "errorType": type(exc).__name__,
        "requestId": rt.new_uuid(),
        "stackTrace": traceback.format_list(frames),
    }


def _serialise(error_object: dict[str, Any], compact: bool) -> str:
    # The Python runtime writes json.dumps' default form; the lambda:invoke integration
    # hands Step Functions the same object re-serialised without spaces.
    if compact:
        return json.dumps(error_object, separators=(",", ":"), ensure_ascii=False)
    return json.dumps(error_object)


def call_function(
    handler: LambdaHandler,
    name: str,
    payload: JSON,
    rt: Runtime,
    *,
    compact_errors: bool = False,
    state: str | None = None,
) -> LambdaResponse:
    """Invoke ``handler`` the way Lambda would and return its decoded response.

    Args:
        handler: the user's ``lambda_handler``.
        name: the function name or ARN the state names.
        payload: the event.
        rt: the execution's runtime (for request ids).
        compact_errors: serialise error objects as ``lambda:invoke`` does (no spaces).
        state: the calling state; when given, a payload over 256 KiB fails it with
            ``States.DataLimitExceeded`` before the function runs.

    Raises:
        StateFailure: the function raised; ``TaskFailure`` keeps its error and cause,
            any other exception becomes ``errorType`` plus Lambda's JSON error text.
    """
    try:
        event, size = wire.copy_with_size(payload if payload is not None else {})
    except wire.NotJson as exc:
        raise ExecutionError(
            f"the payload for Lambda function {name!r} is not JSON: {exc}"
        ) from None
    if state is not None and size > PAYLOAD_LIMIT:
        raise StateFailure(DATA_LIMIT, data_limit_cause(state))
    try:
        result = handler(name, event)
    except LambdaFunctionError as exc:
        raise StateFailure(exc.error, _serialise(exc.error_object, compact_errors)) from None
    except TaskFailure as exc:
        raise StateFailure(exc.error, exc.cause) from None
    except ConfigurationError:
        # The app is wired wrongly (no service by that name): never a task failure that a
        # States.ALL catcher could swallow.
        raise
    except Exception as exc:
        error = getattr(exc, "error_name", type(exc).__name__)
        raise StateFailure(error, _serialise(_error_object(exc, rt), compact_errors)) from None
    if isinstance(result, (bytes, bytearray)):
        raw = bytes(result)
        try:
            decoded: JSON = wire.loads(raw)
        except wire.NotJson:
            decoded = raw.decode("utf-8", errors="replace")
        return LambdaResponse(decoded, len(raw))
    try:
        copied, size = wire.copy_with_size(result)
    except wire.NotJson as exc:
        cause = _serialise(
            {
                "errorMessage": f"Unable to marshal response: {exc}",
                "errorType": "Runtime.MarshalError",
                "requestId": rt.new_uuid(),
                "stackTrace": [],
            },
            compact_errors,
        )
        raise StateFailure("Runtime.MarshalError", cause) from None
    return LambdaResponse(copied, runtime_text_size(copied, size))


def runtime_text_size(value: JSON, compact_size: int) -> int:
    """The byte length of ``json.dumps(value)``, the text Lambda's Python runtime sends.

    That is the compact size (``compact_size``) plus one space after every ``,`` and
    ``:``, plus the ``\\uXXXX`` escapes of non-ASCII characters, plus any float spelled
    differently; counted on the value rather than by encoding it a second time.
    """
    extra = 0
    stack: list[Any] = [value]
    pop, push, extend = stack.pop, stack.append, stack.extend
    while stack:
        item = pop()
        kind = type(item)
        if kind is str:
            if not item.isascii() or "\x7f" in item:
                extra += _escape_growth(item)
        elif kind is dict:
            n = len(item)
            if n:
                extra += 2 * n - 1
                for key in item:
                    if not key.isascii() or "\x7f" in key:
                        extra += _escape_growth(key)
                extend(item.values())
        elif kind is list:
            n = len(item)
            if n:
                extra += n - 1
                extend(item)
        elif kind is float:
            extra += len(json.dumps(item)) - len(wire.dumps(item))
        elif kind is not int and kind is not bool and item is not None:
            push(json.loads(json.dumps(item)))  # a subclass: measure its plain form
    return compact_size + extra


def _escape_growth(text: str) -> int:
    # UTF-8 bytes versus a \uXXXX escape (a surrogate pair for characters past U+FFFF).
    growth = 0
    for char in text:
        code = ord(char)
        if code > 0xFFFF:
            growth += 8
        elif code > 0x7FF:
            growth += 3
        elif code > 0x7F:
            growth += 4
        elif code == 0x7F:  # DEL is ASCII, but json.dumps escapes it as \u007f
            growth += 5
    return growth


@lru_cache(maxsize=64)
def _http_date(moment: datetime) -> str:
    # Many calls share a (virtual) second; formatting is the costly part of the wrapper.
    return format_datetime(moment.replace(microsecond=0), usegmt=True)


def invoke_response(
    response: LambdaResponse, rt: Runtime, parameters: JSON = None
) -> dict[str, Any]:
    """The ``lambda:invoke`` integration's result around ``response``.

    With ``"LogType": "Tail"`` in ``parameters`` the result also carries ``LogResult``
    (the base64 log tail, here a synthetic START/END/REPORT record).
    """
    request_id = rt.new_uuid()
    date = _http_date(rt.clock.now())
    hex_id = request_id.replace("-", "")
    trace = f"Root=1-{hex_id[:8]}-{hex_id[8:]};Sampled=0"
    length = str(response.size)
    headers = {
        "Connection": "keep-alive",
        "Content-Length": length,
        "Content-Type": "application/json",
        "Date": date,
        "X-Amz-Executed-Version": "$LATEST",
        "x-amzn-Remapped-Content-Length": "0",
        "x-amzn-RequestId": request_id,
        "X-Amzn-Trace-Id": trace,
    }
    extra: dict[str, Any] = {}
    if isinstance(parameters, dict) and parameters.get("LogType") == "Tail":
        log = (
            f"START RequestId: {request_id} Version: $LATEST\nEND RequestId: {request_id}\n"
            f"REPORT RequestId: {request_id}\tDuration: 0.00 ms\n"
        )
        extra["LogResult"] = base64.b64encode(log.encode()).decode()
        headers["X-Amz-Log-Result"] = extra["LogResult"]
        all_headers = {key: [value] for key, value in headers.items()}
    else:
        # Spelled out rather than built from `headers`: this runs on every Lambda call.
        all_headers = {
            "Connection": ["keep-alive"],
            "Content-Length": [length],
            "Content-Type": ["application/json"],
            "Date": [date],
            "X-Amz-Executed-Version": ["$LATEST"],
            "x-amzn-Remapped-Content-Length": ["0"],
            "x-amzn-RequestId": [request_id],
            "X-Amzn-Trace-Id": [trace],
        }
    return {
        "ExecutedVersion": "$LATEST",
        **extra,
        "Payload": response.payload,
        "SdkHttpMetadata": {
            "AllHttpHeaders": all_headers,
            "HttpHeaders": headers,
            "HttpStatusCode": 200,
        },
        "SdkResponseMetadata": {"RequestId": request_id},
        "StatusCode": 200,
    }


__all__ = [
    "LambdaFunctionError",
    "LambdaResponse",
    "call_function",
    "invoke_response",
    "runtime_text_size",
]
