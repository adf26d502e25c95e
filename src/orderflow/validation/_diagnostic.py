"""Diagnostics: one finding of the validator, and the registry of stable codes.

A code names one rule. Codes are stable (tools and users filter on them), each has one
severity, and the registry below is the single list of them: adding a rule means adding a
code here first. Errors are what AWS rejects at CreateStateMachine or the States Language
forbids; warnings are legal but suspicious.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Literal

# Re-exported for the validation modules: the one implementation lives in orderflow.asl.
from orderflow.asl import pointer_join

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in a state machine definition.

    Attributes:
        severity: ``"error"`` (AWS would reject the definition) or ``"warning"``.
        code: a stable identifier of the rule, e.g. ``"unknown-target"``.
        state: the state the problem belongs to, ``None`` for machine-level problems.
        field: the ASL field at fault (``"ResultPath"``, ``"Retry[0].BackoffRate"``…).
        pointer: a JSON pointer into the document (``/States/Pay/ResultPath``).
        message: what is wrong and how to fix it.
    """

    severity: Severity
    code: str
    state: str | None
    field: str | None
    pointer: str
    message: str

    def to_dict(self) -> dict[str, str | None]:
        """The diagnostic as a JSON-ready dict with the six documented keys."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class CodeInfo:
    """What a code means: its fixed severity and a one-line summary."""

    severity: Severity
    summary: str


def _e(summary: str) -> CodeInfo:
    return CodeInfo("error", summary)


def _w(summary: str) -> CodeInfo:
    return CodeInfo("warning", summary)


CODES: dict[str, CodeInfo] = {
    # document structure and graph
    "missing-field": _e("a required field is absent"),
    "field-not-allowed": _e("a field that this state type (or place) does not accept"),
    "conflicting-fields": _e("two fields that exclude each other are both present"),
    "invalid-type": _e("a field holds a JSON value of the wrong type"),
    "invalid-value": _e("a field's value is out of range or not an allowed value"),
    "unknown-state-type": _e("Type is not one of the eight ASL state types"),
    "empty-states": _e("a States object with no states"),
    "start-at-not-found": _e("StartAt names no state of its scope"),
    "unknown-target": _e("a transition names no state of its scope"),
    "transition-leaves-scope": _e("a transition into or out of a Parallel branch or Map body"),
    "missing-transition": _e("a non-terminal state with neither Next nor End"),
    "unreachable-state": _e("no path from StartAt leads to the state"),
    "no-terminal-path": _e("states from which no path reaches a terminal state"),
    "duplicate-state-name": _e("a state name used twice in the machine"),
    # JSON allows it (the last value wins) but it is almost always a lost edit.
    "duplicate-key": _w("a key written twice in one JSON object (only the last is kept)"),
    "invalid-state-name": _e("a state name that is empty or longer than 80 characters"),
    # Retry and Catch
    "empty-error-equals": _e("ErrorEquals is empty"),
    "states-all-not-alone": _e("States.ALL shares its ErrorEquals with other names"),
    "states-all-not-last": _e("States.ALL in a retrier or catcher that is not the last"),
    "unknown-states-error": _e("a States.* error name that Step Functions does not define"),
    "retry-business-errors": _w(
        "a retrier on States.ALL or States.TaskFailed also retries business errors"
    ),
    "catch-discards-input": _w(
        "a catcher without ResultPath (JSONata: Output) replaces the input with the error"
    ),
    "task-without-timeout": _w("a Task without TimeoutSeconds can wait for a year"),
    # query languages
    "query-language-downgrade": _e("a JSONPath state inside a JSONata machine"),
    "jsonpath-only-field": _e("a JSONPath-only field in a JSONata state"),
    "jsonata-only-field": _e("a JSONata-only field in a JSONPath state"),
    "invalid-jsonata": _e("a JSONata expression that does not parse or is not wrapped in {% %}"),
    "invalid-variable-name": _e("an Assign name that is not a valid variable name"),
    # paths and expressions
    "invalid-path": _e("a JSONPath that does not parse"),
    "invalid-reference-path": _e("a Reference Path with filters, wildcards or recursion"),
    "invalid-dynamic-value": _e("a '.$' key whose value is not a path or intrinsic call"),
    "invalid-intrinsic": _e("an intrinsic function call that does not parse"),
    "intrinsic-not-allowed": _e("an intrinsic function the field does not accept"),
    # resources
    "invalid-resource": _e("a Task Resource that is not a well-formed ARN AWS recognises"),
    "express-unsupported-integration": _e("'.sync' or '.waitForTaskToken' in an EXPRESS machine"),
    "express-activity": _e("an activity Task in an EXPRESS machine"),
    "placeholder-arn": _w("a Lambda or activity ARN whose region or account is not a real one"),
    # limits and literal values
    "definition-too-large": _e("a definition over CreateStateMachine's 1,048,576 characters"),
    # AWS accepts such a definition, but the state always fails with States.DataLimitExceeded.
    "payload-too-large": _w("a literal larger than the 256 KiB payload limit"),
    "invalid-timestamp": _e("a Timestamp that is not an RFC 3339 date-time"),
    "invalid-label": _e("a Map Label that is empty, too long or has a forbidden character"),
    # workflows given as MODULE:ATTR
    "workflow-build-error": _e("a DSL workflow is wired wrongly and cannot be rendered"),
}


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    """True when any diagnostic is an error (warnings alone leave a definition valid)."""
    return any(d.severity == "error" for d in diagnostics)


class Collector:
    """Accumulates diagnostics; the severity comes from the code's registry entry."""

    __slots__ = ("diagnostics",)

    def __init__(self) -> None:
        self.diagnostics: list[Diagnostic] = []

    def report(
        self,
        code: str,
        pointer: str,
        message: str,
        *,
        state: str | None = None,
        field: str | None = None,
    ) -> None:
        info = CODES[code]
        self.diagnostics.append(Diagnostic(info.severity, code, state, field, pointer, message))


def json_kind(value: object) -> str:
    """How a message names a JSON value's type: ``"a string"``, ``"null"``…"""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


__all__ = [
    "CODES",
    "CodeInfo",
    "Collector",
    "Diagnostic",
    "Severity",
    "has_errors",
    "json_kind",
    "pointer_join",
]
