"""TestState's ``mock``, and its ``fieldValidationMode``: a mocked result checked against
the service API.

AWS checks a ``mock.result`` against the output shape of the API the Task calls: in
``STRICT`` mode (the default) required fields must be present and every field given must
have the shape's type and limits; in ``PRESENT`` mode only the fields given are checked;
``NONE`` checks nothing. Fields the API does not define are accepted. The shapes come from
botocore's service models (installed with boto3), so every service and operation boto3
knows is covered: ``aws-sdk:<service>:<action>`` integrations and the optimised ones
(``lambda:invoke``, ``dynamodb:putItem``, ``events:putEvents``, ``states:startExecution``…).
Field names are the models' names with a capital first letter, as Step Functions returns
them.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from orderflow.asl import JSON
from orderflow.executor._failure import StateFailure
from orderflow.serve._protocol import ApiError

MOCKABLE = ("Task", "Map", "Parallel")
_PREFIX = "Mock result schema validation error: "
_ARN = re.compile(r"arn:[^:]+:states:::(?:aws-sdk:)?([a-z0-9-]+):([A-Za-z0-9]+)")
# ARN service names that botocore knows under another name.
_SERVICES = {"sfn": "stepfunctions", "states": "stepfunctions", "eventbridge": "events"}
_NUMBERS = ("integer", "long", "float", "double")
# Fields an optimised integration returns decoded rather than as the API's raw type:
# lambda:invoke hands back the function's payload as JSON.
_DECODED = {("lambda", "invoke", "Payload")}


class MockSchemaError(ValueError):
    """The mock result does not fit the API's output shape (the message is AWS's)."""


@lru_cache(maxsize=256)
def _output_shape(service: str, operation: str) -> Any:
    import botocore.session  # type: ignore[import-untyped]
    from botocore.exceptions import UnknownServiceError  # type: ignore[import-untyped]

    session = botocore.session.get_session()
    try:
        model = session.get_service_model(_SERVICES.get(service, service))
    except UnknownServiceError:
        return None
    for name in model.operation_names:
        if name.lower() == operation.lower():
            return model.operation_model(name).output_shape
    return None


def _pascal(name: str) -> str:
    return name[:1].upper() + name[1:]


def check_mock_result(resource: str, result: JSON, mode: str) -> None:
    """Check ``result`` (a decoded mock) against ``resource``'s API output shape.

    Raises:
        MockSchemaError: a field breaks the shape, with AWS's message.
    """
    if mode == "NONE":
        return
    match = _ARN.match(resource)
    if match is None:
        return
    service, operation = match.group(1), match.group(2)
    shape = _output_shape(service, operation)
    if shape is None:
        return
    _check(shape, result, None, mode == "STRICT", (service, operation.lower()))


def _check(shape: Any, value: JSON, name: str | None, strict: bool, where: tuple[str, str]) -> None:
    kind = shape.type_name
    field = f"Field '{name}'"
    if kind == "structure":
        if not isinstance(value, dict):
            raise MockSchemaError(f"{_PREFIX}{field} must be an object")
        members = {_pascal(member): (member, sub) for member, sub in shape.members.items()}
        if strict:
            for required in shape.required_members:
                if _pascal(required) not in value:
                    raise MockSchemaError(
                        f"{_PREFIX}Required field '{_pascal(required)}' is missing"
                    )
        for key, item in value.items():
            if key in members:
                _, sub = members[key]
                if (*where, key) in _DECODED:
                    continue
                _check(sub, item, key, strict, where)
        return
    if kind == "list":
        if not isinstance(value, list):
            raise MockSchemaError(f"{_PREFIX}{field} must be an array")
        for item in value:
            _check(shape.member, item, name, strict, where)
        return
    if kind == "map":
        if not isinstance(value, dict):
            raise MockSchemaError(f"{_PREFIX}{field} must be an object")
        for item in value.values():
            _check(shape.value, item, name, strict, where)
        return
    if kind in _NUMBERS:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise MockSchemaError(f"{_PREFIX}{field} must be a number")
        low, high = shape.metadata.get("min"), shape.metadata.get("max")
        if low is not None and value < low:
            raise MockSchemaError(f"{_PREFIX}{field} is less than the minimum value")
        if high is not None and value > high:
            raise MockSchemaError(f"{_PREFIX}{field} exceeds the maximum value")
        return
    if kind == "boolean":
        if not isinstance(value, bool):
            raise MockSchemaError(f"{_PREFIX}{field} must be a boolean")
        return
    if kind in ("string", "blob", "timestamp"):
        if not isinstance(value, str):
            raise MockSchemaError(f"{_PREFIX}{field} must be a string")
        if kind == "string" and shape.enum and value not in shape.enum:
            raise MockSchemaError(f"{_PREFIX}{field} is not an expected value")
        low = shape.metadata.get("min")
        if kind != "timestamp" and isinstance(low, int) and len(value) < low:
            raise MockSchemaError(f"{_PREFIX}{field} is smaller than the minimum length")


class Mock:
    """TestState's ``mock``: a result (JSON text, checked against the API) or an error.

    Raises:
        ApiError: ``ValidationException`` for a mock AWS refuses.
    """

    def __init__(self, request: dict[str, Any], state_type: str, resource: JSON) -> None:
        mock = request.get("mock")
        self.given = isinstance(mock, dict)
        self.result: JSON = None
        self.failure: StateFailure | None = None
        if not isinstance(mock, dict):
            return
        if state_type not in MOCKABLE:
            raise ApiError("ValidationException", f"A mock is not allowed for a {state_type} state")
        has_result, has_error = "result" in mock, "errorOutput" in mock
        if has_result == has_error:
            raise ApiError(
                "ValidationException", "A mock has either a result or an errorOutput, not both"
            )
        if has_error:
            err = mock["errorOutput"] or {}
            self.failure = StateFailure(err.get("error"), err.get("cause"))
            return
        try:
            self.result = json.loads(mock["result"])
        except (TypeError, ValueError) as exc:
            raise ApiError(
                "ValidationException", f"The mock result is not valid JSON: {exc}"
            ) from None
        if state_type in ("Map", "Parallel") and not isinstance(self.result, list):
            raise ApiError(
                "ValidationException", f"The mock result of a {state_type} state must be an array"
            )
        mode = mock.get("fieldValidationMode") or "STRICT"
        if mode not in ("STRICT", "PRESENT", "NONE"):
            raise ApiError("ValidationException", f"Invalid fieldValidationMode: '{mode}'")
        if state_type == "Task":
            try:
                check_mock_result(str(resource), self.result, mode)
            except MockSchemaError as exc:
                raise ApiError("ValidationException", str(exc)) from None

    def answer(self) -> JSON:
        if self.failure is not None:
            raise self.failure
        return self.result


__all__ = ["Mock", "MockSchemaError", "check_mock_result"]
