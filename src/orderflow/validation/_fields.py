"""Fields per state type: which are allowed, which are required, and their value types.

Which *query language* a field belongs to is not decided here (see ``_query_language``):
this module accepts the union of both languages' fields for each type, so a JSONPath-only
field in a JSONata state is reported once, by the module that knows why.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from typing import Any, TypeGuard

from orderflow.asl.expressions import is_jsonata
from orderflow.validation._diagnostic import Collector, json_kind, pointer_join
from orderflow.validation._walk import Scope, StateRef

STATE_TYPES = ("Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map")
# The largest value AWS accepts in an integer field (seconds, attempts, counts).
MAX_INTEGER = 99_999_999

_COMMON = frozenset({"Type", "Comment", "QueryLanguage"})
_IO = frozenset({"InputPath", "OutputPath", "Output"})
_FLOW = frozenset({"Next", "End"})
_RESULT = frozenset({"Parameters", "Arguments", "ResultSelector", "ResultPath", "Assign"})
_ERRORS = frozenset({"Retry", "Catch"})

ALLOWED_FIELDS: dict[str, frozenset[str]] = {
    "Pass": _COMMON | _IO | _FLOW | {"Parameters", "ResultPath", "Result", "Assign"},
    "Task": _COMMON
    | _IO
    | _FLOW
    | _RESULT
    | _ERRORS
    | {
        "Resource",
        "TimeoutSeconds",
        "TimeoutSecondsPath",
        "HeartbeatSeconds",
        "HeartbeatSecondsPath",
        "Credentials",
    },
    "Choice": _COMMON | _IO | {"Choices", "Default", "Assign"},
    "Wait": _COMMON
    | _IO
    | _FLOW
    | {"Seconds", "SecondsPath", "Timestamp", "TimestampPath", "Assign"},
    "Succeed": _COMMON | _IO,
    "Fail": _COMMON | {"Error", "ErrorPath", "Cause", "CausePath"},
    "Parallel": _COMMON | _IO | _FLOW | _RESULT | _ERRORS | {"Branches"},
    "Map": _COMMON
    | _IO
    | _FLOW
    | _ERRORS
    | {
        "Parameters",
        "ResultSelector",
        "ResultPath",
        "Assign",
        "ItemsPath",
        "Items",
        "ItemProcessor",
        "Iterator",
        "ItemSelector",
        "ItemReader",
        "ItemBatcher",
        "ResultWriter",
        "MaxConcurrency",
        "MaxConcurrencyPath",
        "ToleratedFailureCount",
        "ToleratedFailureCountPath",
        "ToleratedFailurePercentage",
        "ToleratedFailurePercentagePath",
        "Label",
    },
}
MACHINE_FIELDS = frozenset(
    {"Comment", "StartAt", "States", "TimeoutSeconds", "Version", "QueryLanguage"}
)
_SCOPE_FIELDS = {
    "branch": frozenset({"StartAt", "States", "Comment"}),
    "map": frozenset({"StartAt", "States", "Comment", "ProcessorConfig"}),
}
# Pairs (and one triple) of fields of which at most one may be present.
_EXCLUSIVE = (
    ("Error", "ErrorPath"),
    ("Cause", "CausePath"),
    ("TimeoutSeconds", "TimeoutSecondsPath"),
    ("HeartbeatSeconds", "HeartbeatSecondsPath"),
    ("Iterator", "ItemProcessor"),
    ("ItemSelector", "Parameters"),
    ("MaxConcurrency", "MaxConcurrencyPath"),
    ("ToleratedFailureCount", "ToleratedFailureCountPath"),
    ("ToleratedFailurePercentage", "ToleratedFailurePercentagePath"),
)
_WAIT_FIELDS = ("Seconds", "SecondsPath", "Timestamp", "TimestampPath")
_STRING_FIELDS = (
    "Comment",
    "Next",
    "Default",
    "Resource",
    "Error",
    "Cause",
    "ErrorPath",
    "CausePath",
    "SecondsPath",
    "TimestampPath",
    "TimeoutSecondsPath",
    "HeartbeatSecondsPath",
    "MaxConcurrencyPath",
    "ToleratedFailureCountPath",
    "ToleratedFailurePercentagePath",
    "ItemsPath",
)
# Null is meaningful here: InputPath/OutputPath null pass {}, ResultPath null discards.
_NULLABLE_PATHS = ("InputPath", "OutputPath", "ResultPath")
_OBJECT_FIELDS = ("Assign", "Credentials", "ItemReader", "ItemBatcher", "ResultWriter")
# Checked in this order, so diagnostics come out grouped by kind as they always have.
_TYPED_FIELDS: tuple[tuple[tuple[str, ...], Callable[[object], bool], str], ...] = (
    (_STRING_FIELDS, lambda v: isinstance(v, str), "a string"),
    (_NULLABLE_PATHS, lambda v: v is None or isinstance(v, str), "a path string or null"),
    (_OBJECT_FIELDS, lambda v: isinstance(v, dict), "an object"),
)

_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))\Z"
)


def is_rfc3339(text: str) -> bool:
    """True when ``text`` is an RFC 3339 date-time with uppercase T and Z (ASL's profile)."""
    match = _RFC3339.match(text)
    if match is None:
        return False
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year, month)[1]:
        return False
    if hour > 23 or minute > 59 or second > 60:
        return False
    offset_hours, offset_minutes = match.group(9), match.group(10)
    return offset_hours is None or (int(offset_hours) <= 23 and int(offset_minutes) <= 59)


def check_machine_fields(data: dict[str, Any], out: Collector) -> None:
    """Top-level fields other than StartAt/States (the structure checks own those)."""
    for key in data:
        if key not in MACHINE_FIELDS:
            out.report(
                "field-not-allowed",
                pointer_join("", key),
                f"{key!r} is not a top-level field of a state machine; allowed: "
                f"{', '.join(sorted(MACHINE_FIELDS))}",
                field=key,
            )
    if "Comment" in data and not isinstance(data["Comment"], str):
        out.report("invalid-type", "/Comment", "Comment must be a string", field="Comment")
    if "Version" in data and not isinstance(data["Version"], str):
        out.report(
            "invalid-type", "/Version", 'Version must be a string such as "1.0"', field="Version"
        )
    if "TimeoutSeconds" in data:
        _integer(data["TimeoutSeconds"], "/TimeoutSeconds", "TimeoutSeconds", None, 1, out)


def check_scope_fields(scope: Scope, out: Collector) -> None:
    """Fields of a Parallel branch or a Map body object."""
    allowed = _SCOPE_FIELDS.get(scope.kind)
    if allowed is None:
        return
    for key in scope.data:
        if key not in allowed:
            out.report(
                "field-not-allowed",
                pointer_join(scope.pointer, key),
                f"{key!r} is not allowed here; allowed: {', '.join(sorted(allowed))}",
                state=scope.owner,
                field=key,
            )
    config = scope.data.get("ProcessorConfig")
    if config is None:
        return
    where = pointer_join(scope.pointer, "ProcessorConfig")
    if not isinstance(config, dict):
        out.report(
            "invalid-type",
            where,
            "ProcessorConfig must be an object",
            state=scope.owner,
            field="ProcessorConfig",
        )
        return
    for key, value in config.items():
        choices = {"Mode": ("INLINE", "DISTRIBUTED"), "ExecutionType": ("STANDARD", "EXPRESS")}.get(
            key
        )
        if choices is None:
            out.report(
                "field-not-allowed",
                pointer_join(where, key),
                f"ProcessorConfig accepts Mode and ExecutionType, not {key!r}",
                state=scope.owner,
                field=f"ProcessorConfig.{key}",
            )
        elif value not in choices:
            out.report(
                "invalid-value",
                pointer_join(where, key),
                f"ProcessorConfig.{key} must be one of {', '.join(choices)}, not {value!r}",
                state=scope.owner,
                field=f"ProcessorConfig.{key}",
            )
    if config.get("Mode") == "DISTRIBUTED" and "ExecutionType" not in config:
        # Each iteration of a distributed Map is a child execution: AWS needs its type.
        out.report(
            "missing-field",
            where,
            "a DISTRIBUTED Map needs ProcessorConfig.ExecutionType, STANDARD or EXPRESS (the "
            "type of the child executions)",
            state=scope.owner,
            field="ProcessorConfig.ExecutionType",
        )


def check_state_fields(ref: StateRef, out: Collector) -> None:
    """Allowed, required and exclusive fields of one state, and their value types."""
    state = ref.state
    kind = state.get("Type")
    if "Type" not in state:
        out.report(
            "missing-field",
            ref.pointer,
            f"state {ref.name!r} has no Type; use one of {', '.join(STATE_TYPES)}",
            state=ref.name,
            field="Type",
        )
        return
    if not isinstance(kind, str):
        out.report(
            "invalid-type",
            ref.at("Type"),
            f"Type of state {ref.name!r} must be a string, not {json_kind(kind)}; use one "
            f"of {', '.join(STATE_TYPES)}",
            state=ref.name,
            field="Type",
        )
        return
    if kind not in ALLOWED_FIELDS:
        out.report(
            "unknown-state-type",
            ref.at("Type"),
            f"Type {kind!r} is not a state type; use one of {', '.join(STATE_TYPES)}",
            state=ref.name,
            field="Type",
        )
        return
    allowed = ALLOWED_FIELDS[kind]
    for key in state:
        if key not in allowed:
            out.report(
                "field-not-allowed",
                ref.at(key),
                f"a {kind} state does not accept {key!r}; remove it",
                state=ref.name,
                field=key,
            )
    for group in _EXCLUSIVE:
        present = [key for key in group if key in state]
        if len(present) > 1:
            out.report(
                "conflicting-fields",
                ref.pointer,
                f"state {ref.name!r} may have only one of {', '.join(group)}",
                state=ref.name,
                field=present[-1],
            )
    _required(ref, kind, out)
    _value_types(ref, out)


def _required(ref: StateRef, kind: str, out: Collector) -> None:
    needs = {"Task": "Resource", "Choice": "Choices", "Parallel": "Branches"}.get(kind)
    if needs is not None and needs not in ref.state:
        out.report(
            "missing-field",
            ref.pointer,
            f"a {kind} state needs {needs}",
            state=ref.name,
            field=needs,
        )
    if kind == "Map" and "ItemProcessor" not in ref.state and "Iterator" not in ref.state:
        out.report(
            "missing-field",
            ref.pointer,
            "a Map state needs ItemProcessor (StartAt and States run for each item)",
            state=ref.name,
            field="ItemProcessor",
        )
    if kind == "Wait":
        present = [key for key in _WAIT_FIELDS if key in ref.state]
        if len(present) != 1:
            out.report(
                "missing-field" if not present else "conflicting-fields",
                ref.pointer,
                f"a Wait state needs exactly one of {', '.join(_WAIT_FIELDS)}"
                + (f"; it has {', '.join(present)}" if present else ""),
                state=ref.name,
                field=present[-1] if present else "Seconds",
            )


def _value_types(ref: StateRef, out: Collector) -> None:
    state = ref.state
    jsonata = ref.language == "JSONata"
    for keys, fits, expected in _TYPED_FIELDS:
        for key in keys:
            if key in state and not fits(state[key]):
                out.report(
                    "invalid-type",
                    ref.at(key),
                    f"{key} must be {expected}, not {json_kind(state[key])}",
                    state=ref.name,
                    field=key,
                )
    if "End" in state and not isinstance(state["End"], bool):
        out.report(
            "invalid-type", ref.at("End"), "End must be true or false", state=ref.name, field="End"
        )
    for key, minimum in (("TimeoutSeconds", 1), ("HeartbeatSeconds", 1), ("Seconds", 0)):
        if key in state:
            _integer(state[key], ref.at(key), key, ref.name, minimum, out, expression=jsonata)
    timeout, heartbeat = state.get("TimeoutSeconds"), state.get("HeartbeatSeconds")
    if _is_int(timeout) and _is_int(heartbeat) and heartbeat >= timeout:
        out.report(
            "invalid-value",
            ref.at("HeartbeatSeconds"),
            f"HeartbeatSeconds ({heartbeat}) must be smaller than TimeoutSeconds ({timeout})",
            state=ref.name,
            field="HeartbeatSeconds",
        )
    for key in ("MaxConcurrency", "ToleratedFailureCount"):
        if key in state:
            _integer(state[key], ref.at(key), key, ref.name, 0, out, expression=jsonata)
    if "ToleratedFailurePercentage" in state:
        _percentage(ref, state["ToleratedFailurePercentage"], out)
    if "Timestamp" in state:
        _timestamp(ref, state["Timestamp"], out)
    if "Branches" in state:
        branches = state["Branches"]
        if not isinstance(branches, list) or not branches:
            out.report(
                "invalid-type" if not isinstance(branches, list) else "invalid-value",
                ref.at("Branches"),
                "Branches must be a non-empty array of {StartAt, States} objects",
                state=ref.name,
                field="Branches",
            )
        else:
            for i, branch in enumerate(branches):
                if not isinstance(branch, dict):
                    out.report(
                        "invalid-type",
                        ref.at("Branches", i),
                        f"Branches[{i}] must be an object with StartAt and States, not "
                        f"{json_kind(branch)}",
                        state=ref.name,
                        field=f"Branches[{i}]",
                    )
    for key in ("ItemProcessor", "Iterator"):
        if key in state and not isinstance(state[key], dict):
            out.report(
                "invalid-type",
                ref.at(key),
                f"{key} must be an object with StartAt and States, not {json_kind(state[key])}",
                state=ref.name,
                field=key,
            )
    _credentials(ref, out)


def _credentials(ref: StateRef, out: Collector) -> None:
    credentials = ref.state.get("Credentials")
    if not isinstance(credentials, dict):
        return
    keys = ("RoleArn",) if ref.language == "JSONata" else ("RoleArn", "RoleArn.$")
    for key in credentials:
        if key not in keys:
            out.report(
                "field-not-allowed",
                ref.at("Credentials", key),
                f"Credentials accepts only {' or '.join(keys)}, not {key!r}",
                state=ref.name,
                field=f"Credentials.{key}",
            )
    if not any(key in credentials for key in keys):
        out.report(
            "missing-field",
            ref.at("Credentials"),
            "Credentials needs RoleArn, the IAM role the task assumes",
            state=ref.name,
            field="Credentials.RoleArn",
        )


def _timestamp(ref: StateRef, value: object, out: Collector) -> None:
    if ref.language == "JSONata" and is_jsonata(value):
        return
    if not isinstance(value, str) or not is_rfc3339(value):
        out.report(
            "invalid-timestamp",
            ref.at("Timestamp"),
            f"Timestamp {value!r} is not an RFC 3339 date-time; write e.g. "
            '"2016-03-14T01:59:00Z" (uppercase T, and Z or a numeric offset)',
            state=ref.name,
            field="Timestamp",
        )


def _percentage(ref: StateRef, value: object, out: Collector) -> None:
    if ref.language == "JSONata" and is_jsonata(value):
        return
    if not _is_number(value) or not 0 <= value <= 100:
        out.report(
            "invalid-value",
            ref.at("ToleratedFailurePercentage"),
            f"ToleratedFailurePercentage must be a number from 0 to 100, not {value!r}",
            state=ref.name,
            field="ToleratedFailurePercentage",
        )


def _integer(
    value: object,
    pointer: str,
    name: str,
    state: str | None,
    minimum: int,
    out: Collector,
    *,
    expression: bool = False,
) -> None:
    if expression and is_jsonata(value):
        return
    if not _is_int(value) or not minimum <= value <= MAX_INTEGER:
        out.report(
            "invalid-value" if _is_int(value) else "invalid-type",
            pointer,
            f"{name} must be an integer from {minimum} to {MAX_INTEGER}, not {value!r}",
            state=state,
            field=name,
        )


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


__all__ = [
    "ALLOWED_FIELDS",
    "MACHINE_FIELDS",
    "MAX_INTEGER",
    "STATE_TYPES",
    "check_machine_fields",
    "check_scope_fields",
    "check_state_fields",
    "is_rfc3339",
]
