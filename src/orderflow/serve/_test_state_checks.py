"""The requests TestState refuses before running anything, with AWS's messages.

Each rule is one AWS recorded refusing (``../shared/conformance/test_state``): Map and
Parallel states only with a mock; a Task without a mock needs a role; a mock excludes
``revealSecrets``; a mocked Task result is an object, a mocked Parallel result has one
element per branch; ``mapIterationFailureCount`` needs a mock and at most one failure per
item; a ``context`` object has only the fields of the real one, with their types.
"""

from __future__ import annotations

from typing import Any

from orderflow.asl import JSON
from orderflow.executor._states._base import State
from orderflow.serve._mock_schema import Mock
from orderflow.serve._protocol import ApiError

# The context object's fields and their JSON types (what AWS accepts in TestState).
_CONTEXT_FIELDS: dict[str, dict[str, tuple[type, ...]]] = {
    "Execution": {
        "Id": (str,),
        "Input": (dict, list, str, int, float, bool, type(None)),
        "Name": (str,),
        "RoleArn": (str,),
        "StartTime": (str,),
        "RedriveCount": (int,),
        "RedriveTime": (str,),
    },
    "State": {"EnteredTime": (str,), "Name": (str,), "RetryCount": (int,)},
    "StateMachine": {"Id": (str,), "Name": (str,)},
    "Task": {"Token": (str,)},
}


def _refuse(message: str, code: str = "ValidationException") -> ApiError:
    return ApiError(code, message)


def check_context(context: JSON, state: State) -> None:
    """A request's ``context`` object, checked as AWS checks it.

    Raises:
        ApiError: ``ValidationException`` naming the field at fault.
    """
    if context is None:
        return
    prefix = "Invalid Context object provided: "
    if not isinstance(context, dict):
        raise _refuse(prefix + "the context object must be a JSON object")
    for part, value in context.items():
        if part == "Map":
            raise _refuse(prefix + "'Map' field is not supported")
        fields = _CONTEXT_FIELDS.get(part)
        if fields is None:
            raise _refuse(prefix + f"Field '{part}' is not supported")
        if not isinstance(value, dict):
            raise _refuse(prefix + f"{part} must be an object")
        for key, item in value.items():
            if key not in fields:
                raise _refuse(prefix + f"Field '{key}' is not supported in {part}")
            if (isinstance(item, bool) and bool not in fields[key]) or not isinstance(
                item, fields[key]
            ):
                raise _refuse(prefix + f"{part}.{key} must be a {fields[key][0].__name__}")
    resource = str(state.data.get("Resource", ""))
    if "Task" in context and not resource.endswith(".waitForTaskToken"):
        raise _refuse(
            prefix + "Context object contains a Task token, but the state does not use "
            "the .waitForTaskToken integration pattern"
        )


def check_request(
    request: dict[str, Any], state: State, mock: Mock, config: dict[str, Any]
) -> None:
    """Refuse what AWS refuses before running the state.

    Raises:
        ApiError: ``InvalidDefinition`` or ``ValidationException``, with AWS's message.
    """
    kind = state.type_name
    if kind in ("Map", "Parallel") and not mock.given:
        raise _refuse(
            "TestState API does not support Map or Parallel states. Supported state types "
            "include: [Task, Wait, Pass, Succeed, Fail, Choice]",
            "InvalidDefinition",
        )
    if kind == "Task" and not mock.given and not request.get("roleArn"):
        raise _refuse("RoleArn must be specified when testing a Task state")
    if mock.given and request.get("revealSecrets"):
        raise _refuse("TestState does not support RevealSecrets when a mock is specified.")
    if mock.failure is None and mock.given:
        if kind == "Task" and not isinstance(mock.result, dict):
            raise _refuse("Mocked result must be a JSON object.")
        branches = state.data.get("Branches")
        one_per_branch = (
            isinstance(mock.result, list)
            and isinstance(branches, list)
            and len(mock.result) == len(branches)
        )
        if kind == "Parallel" and not one_per_branch:
            raise _refuse(
                "Mocked result must contain the same number of items as number of "
                "Parallel branches."
            )
    failures = config.get("mapIterationFailureCount")
    if failures is not None:
        if not mock.given:
            raise _refuse(
                "TestState does not support MapIterationFailureCount when a mock is not specified."
            )
        items = mock.result if isinstance(mock.result, list) else []
        if mock.failure is None and isinstance(failures, int) and failures > len(items):
            raise _refuse(
                "Map iteration failure count must be less than or equal to the number of "
                "Map iterations"
            )


__all__ = ["check_context", "check_request"]
