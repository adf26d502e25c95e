"""Retry and Catch: field rules, the States.ALL rules, known error names, and advice.

Retriers and catchers only exist on Task, Parallel and Map (the field checks reject them
elsewhere); this module checks their contents wherever they appear so one mistake is not
hidden behind another.
"""

from __future__ import annotations

from typing import Any

from orderflow.validation._diagnostic import Collector, json_kind
from orderflow.validation._fields import MAX_INTEGER
from orderflow.validation._walk import JSONATA, StateRef

STATES_ALL = "States.ALL"
# Every States.* name Step Functions defines (the error-handling reference).
KNOWN_STATES_ERRORS = frozenset(
    {
        "States.ALL",
        "States.BranchFailed",
        "States.DataLimitExceeded",
        "States.ExceedToleratedFailureThreshold",
        "States.HeartbeatTimeout",
        "States.Http.Socket",
        "States.IntrinsicFailure",
        "States.ItemReaderFailed",
        "States.NoChoiceMatched",
        "States.ParameterPathFailure",
        "States.Permissions",
        "States.QueryEvaluationError",
        "States.ResultPathMatchFailure",
        "States.ResultWriterFailed",
        "States.Runtime",
        "States.TaskFailed",
        "States.Timeout",
    }
)
MAX_DELAY_SECONDS = 31_622_400
_RETRIER_FIELDS = frozenset(
    {
        "ErrorEquals",
        "IntervalSeconds",
        "MaxAttempts",
        "BackoffRate",
        "MaxDelaySeconds",
        "JitterStrategy",
        "Comment",
    }
)
_CATCHER_FIELDS = {
    "JSONPath": frozenset({"ErrorEquals", "Next", "ResultPath", "Assign", "Comment"}),
    "JSONata": frozenset({"ErrorEquals", "Next", "Output", "Assign", "Comment"}),
}
# Error names that also match a service's own business errors (PaymentDeclined…).
_BROAD = (STATES_ALL, "States.TaskFailed")


def check_retry_catch(ref: StateRef, out: Collector) -> None:
    """Check the Retry and Catch arrays of one state, and give error-handling advice."""
    retriers = _array(ref, "Retry", out)
    catchers = _array(ref, "Catch", out)
    for i, retrier in enumerate(retriers):
        if _object(ref, "Retry", i, retrier, out):
            _check_retrier(ref, i, retrier, out)
    for i, catcher in enumerate(catchers):
        if _object(ref, "Catch", i, catcher, out):
            _check_catcher(ref, i, catcher, out)
    _states_all_order(ref, "Retry", retriers, out)
    _states_all_order(ref, "Catch", catchers, out)
    if (
        ref.type == "Task"
        and "TimeoutSeconds" not in ref.state
        and "TimeoutSecondsPath" not in ref.state
    ):
        out.report(
            "task-without-timeout",
            ref.pointer,
            f"Task {ref.name!r} has no TimeoutSeconds: if the service never answers the state "
            "waits up to a year; set a timeout a little above the expected duration",
            state=ref.name,
            field="TimeoutSeconds",
        )


def _array(ref: StateRef, key: str, out: Collector) -> list[Any]:
    value = ref.state.get(key)
    if value is None and key not in ref.state:
        return []
    if not isinstance(value, list):
        out.report(
            "invalid-type",
            ref.at(key),
            f"{key} must be an array of objects, not {json_kind(value)}",
            state=ref.name,
            field=key,
        )
        return []
    return value


def _object(ref: StateRef, key: str, i: int, value: object, out: Collector) -> bool:
    if isinstance(value, dict):
        return True
    out.report(
        "invalid-type",
        ref.at(key, i),
        f"{key}[{i}] must be an object, not {json_kind(value)}",
        state=ref.name,
        field=f"{key}[{i}]",
    )
    return False


def _check_error_equals(
    ref: StateRef, key: str, i: int, item: dict[str, Any], out: Collector
) -> None:
    label = f"{key}[{i}].ErrorEquals"
    names = item.get("ErrorEquals")
    if "ErrorEquals" not in item:
        out.report(
            "missing-field",
            ref.at(key, i),
            f"{key}[{i}] needs ErrorEquals",
            state=ref.name,
            field=label,
        )
        return
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        out.report(
            "invalid-type",
            ref.at(key, i, "ErrorEquals"),
            f"{label} must be an array of error names (strings)",
            state=ref.name,
            field=label,
        )
        return
    if not names:
        out.report(
            "empty-error-equals",
            ref.at(key, i, "ErrorEquals"),
            f"{label} is empty (a non-empty array is required); list the errors to match, "
            'e.g. ["States.Timeout"]',
            state=ref.name,
            field=label,
        )
    for j, name in enumerate(names):
        if name.startswith("States.") and name not in KNOWN_STATES_ERRORS:
            out.report(
                "unknown-states-error",
                ref.at(key, i, "ErrorEquals", j),
                f"{name!r} is not an error Step Functions raises; known States errors: "
                f"{', '.join(sorted(KNOWN_STATES_ERRORS))}",
                state=ref.name,
                field=label,
            )
    if STATES_ALL in names and len(names) > 1:
        out.report(
            "states-all-not-alone",
            ref.at(key, i, "ErrorEquals"),
            f"{label}: States.ALL must appear alone in its ErrorEquals; it already matches "
            "every other name",
            state=ref.name,
            field=label,
        )


def _states_all_order(ref: StateRef, key: str, items: list[Any], out: Collector) -> None:
    for i, item in enumerate(items[:-1]):
        names = item.get("ErrorEquals") if isinstance(item, dict) else None
        if isinstance(names, list) and STATES_ALL in names:
            out.report(
                "states-all-not-last",
                ref.at(key, i, "ErrorEquals"),
                f"{key}[{i}] matches States.ALL but is not the last "
                f"{'retrier' if key == 'Retry' else 'catcher'}; later ones can never match — "
                "move it to the end",
                state=ref.name,
                field=f"{key}[{i}].ErrorEquals",
            )


def _check_retrier(ref: StateRef, i: int, retrier: dict[str, Any], out: Collector) -> None:
    for key in retrier:
        if key not in _RETRIER_FIELDS:
            out.report(
                "field-not-allowed",
                ref.at("Retry", i, key),
                f"a retrier does not accept {key!r}; allowed: {', '.join(sorted(_RETRIER_FIELDS))}",
                state=ref.name,
                field=f"Retry[{i}].{key}",
            )
    _check_error_equals(ref, "Retry", i, retrier, out)
    _bounded_int(ref, i, retrier, "IntervalSeconds", 1, MAX_INTEGER, out)
    _bounded_int(ref, i, retrier, "MaxAttempts", 0, MAX_INTEGER, out)
    _bounded_int(ref, i, retrier, "MaxDelaySeconds", 1, MAX_DELAY_SECONDS, out)
    if "BackoffRate" in retrier:
        rate = retrier["BackoffRate"]
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or rate < 1:
            out.report(
                "invalid-value",
                ref.at("Retry", i, "BackoffRate"),
                f"Retry[{i}].BackoffRate must be a number >= 1.0 (allowed minimum is 1), "
                f"not {rate!r}",
                state=ref.name,
                field=f"Retry[{i}].BackoffRate",
            )
    if "JitterStrategy" in retrier and retrier["JitterStrategy"] not in ("FULL", "NONE"):
        out.report(
            "invalid-value",
            ref.at("Retry", i, "JitterStrategy"),
            f"Retry[{i}].JitterStrategy {retrier['JitterStrategy']!r} is not one of the allowed "
            "values FULL, NONE",
            state=ref.name,
            field=f"Retry[{i}].JitterStrategy",
        )
    names = retrier.get("ErrorEquals")
    attempts = retrier.get("MaxAttempts", 3)
    if isinstance(names, list) and any(n in _BROAD for n in names) and attempts != 0:
        broad = next(n for n in names if n in _BROAD)
        out.report(
            "retry-business-errors",
            ref.at("Retry", i, "ErrorEquals"),
            f"Retry[{i}] retries {broad}, which also matches business errors (a declined "
            "payment is retried too); retry the transient errors by name, e.g. "
            "Lambda.ServiceException, Lambda.SdkClientException, States.Timeout",
            state=ref.name,
            field=f"Retry[{i}].ErrorEquals",
        )


def _bounded_int(
    ref: StateRef, i: int, retrier: dict[str, Any], key: str, low: int, high: int, out: Collector
) -> None:
    if key not in retrier:
        return
    value = retrier[key]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        floor = "allowed floor is" if low == 0 else "allowed minimum is"
        out.report(
            "invalid-value",
            ref.at("Retry", i, key),
            f"Retry[{i}].{key} must be an integer from {low} to {high} ({floor} {low}), "
            f"not {value!r}",
            state=ref.name,
            field=f"Retry[{i}].{key}",
        )


def _check_catcher(ref: StateRef, i: int, catcher: dict[str, Any], out: Collector) -> None:
    allowed = _CATCHER_FIELDS[ref.language]
    for key in catcher:
        if key not in allowed:
            other = "JSONata" if ref.language == "JSONPath" else "JSONPath"
            hint = f" (a {other} field)" if key in _CATCHER_FIELDS[other] else ""
            out.report(
                "field-not-allowed",
                ref.at("Catch", i, key),
                f"a {ref.language} catcher does not accept {key!r}{hint}; allowed: "
                f"{', '.join(sorted(allowed))}",
                state=ref.name,
                field=f"Catch[{i}].{key}",
            )
    _check_error_equals(ref, "Catch", i, catcher, out)
    if "Next" not in catcher:
        out.report(
            "missing-field",
            ref.at("Catch", i),
            f"Catch[{i}] needs Next, the state to go to when it matches",
            state=ref.name,
            field=f"Catch[{i}].Next",
        )
    elif not isinstance(catcher["Next"], str):
        out.report(
            "invalid-type",
            ref.at("Catch", i, "Next"),
            f"Catch[{i}].Next must be a state name (string)",
            state=ref.name,
            field=f"Catch[{i}].Next",
        )
    if (
        "ResultPath" in catcher
        and catcher["ResultPath"] is not None
        and not isinstance(catcher["ResultPath"], str)
    ):
        out.report(
            "invalid-type",
            ref.at("Catch", i, "ResultPath"),
            f"Catch[{i}].ResultPath must be a path string or null",
            state=ref.name,
            field=f"Catch[{i}].ResultPath",
        )
    if ref.language == JSONATA:
        # A JSONata catcher's output defaults to $states.errorOutput ({"Error", "Cause"}):
        # the input is lost exactly as with a JSONPath catcher without ResultPath. A
        # misplaced ResultPath is already an error whose fix is Output: no second finding.
        if "Output" not in catcher and "ResultPath" not in catcher:
            out.report(
                "catch-discards-input",
                ref.at("Catch", i),
                f"Catch[{i}] has no Output, so the state's output is $states.errorOutput "
                '({"Error", "Cause"}) and its input is lost; add "Output": '
                "\"{% $merge([$states.input, {'error': $states.errorOutput}]) %}\" to keep it",
                state=ref.name,
                field=f"Catch[{i}].Output",
            )
    elif "ResultPath" not in catcher:
        out.report(
            "catch-discards-input",
            ref.at("Catch", i),
            f"Catch[{i}] has no ResultPath, so the state's input is replaced by "
            '{"Error", "Cause"}; add "ResultPath": "$.error" to keep the input',
            state=ref.name,
            field=f"Catch[{i}].ResultPath",
        )


__all__ = ["KNOWN_STATES_ERRORS", "MAX_DELAY_SECONDS", "STATES_ALL", "check_retry_catch"]
