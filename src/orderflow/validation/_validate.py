"""The validator's entry point: run every check over a definition and return all findings."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Literal

from orderflow._errors import DefinitionError
from orderflow.asl import Definition, as_definition
from orderflow.asl._document import non_finite_pointer
from orderflow.validation._choice import check_choice
from orderflow.validation._diagnostic import Collector, Diagnostic
from orderflow.validation._duplicates import check_duplicate_keys
from orderflow.validation._fields import (
    check_machine_fields,
    check_scope_fields,
    check_state_fields,
)
from orderflow.validation._limits import check_definition_size, check_state_limits
from orderflow.validation._map_config import check_map_config
from orderflow.validation._paths import check_paths
from orderflow.validation._query_language import check_machine_language, check_state_language
from orderflow.validation._resources import check_resource
from orderflow.validation._retry_catch import check_retry_catch
from orderflow.validation._structure import check_structure
from orderflow.validation._walk import collect_scopes, machine_language

StateMachineType = Literal["STANDARD", "EXPRESS"]
_TYPES = ("STANDARD", "EXPRESS")


def validate(
    definition: Definition | Mapping[str, Any] | str | bytes,
    *,
    state_machine_type: StateMachineType = "STANDARD",
) -> list[Diagnostic]:
    """Check a state machine definition the way AWS does at CreateStateMachine, and more.

    Every problem is reported at once, errors and warnings together, in document order
    within each kind of check. A definition is valid when no diagnostic is an error (see
    :func:`has_errors`).

    Args:
        definition: a :class:`~orderflow.asl.Definition`, a decoded dict, or JSON text
            (only text shows keys written twice, which JSON decoding silently drops).
        state_machine_type: ``"STANDARD"`` or ``"EXPRESS"`` (EXPRESS machines reject
            ``.sync`` and ``.waitForTaskToken`` integrations).

    Returns:
        The diagnostics, possibly empty.

    Raises:
        DefinitionError: the input is not a JSON object at all (bad JSON text, a list…),
            or ``state_machine_type`` is unknown.

    Example:
        >>> from orderflow.validation import validate, has_errors
        >>> has_errors(validate({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}))
        False
    """
    if state_machine_type not in _TYPES:
        raise DefinitionError(
            f"state_machine_type must be STANDARD or EXPRESS, not {state_machine_type!r}"
        )
    data = as_definition(definition).data
    try:
        diagnostics = _run(data, state_machine_type)
        if isinstance(definition, (str, bytes)):
            out = Collector()
            check_duplicate_keys(definition, out)
            diagnostics[:0] = out.diagnostics
        return diagnostics
    except RecursionError:
        # Only the JSON encoder recurses (for sizes); the checks themselves are iterative.
        raise DefinitionError("the definition is nested too deeply to check") from None


def _run(data: dict[str, Any], state_machine_type: str) -> list[Diagnostic]:
    out = Collector()
    # Compact text is the smallest form a client can send: no false alarm from indentation.
    try:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except ValueError:
        _report_non_finite_number(data, out)
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    check_definition_size(len(text), out)
    check_machine_fields(data, out)
    check_machine_language(data, out)
    scopes = collect_scopes(data)
    check_structure(scopes, out)
    top_language = machine_language(data)
    for scope in scopes:
        check_scope_fields(scope, out)
        for ref in scope.states:
            check_state_fields(ref, out)
            check_state_language(ref, top_language, out)
            if ref.type == "Choice":
                check_choice(ref, out)
            check_retry_catch(ref, out)
            check_resource(ref, state_machine_type, out)
            check_paths(ref, out)
            check_map_config(ref, out)
            check_state_limits(ref, out)
    return out.diagnostics


def _report_non_finite_number(data: dict[str, Any], out: Collector) -> None:
    # A decoded dict (a DSL build, a caller's own data) can hold NaN or infinity, which no
    # JSON text can carry: AWS would never receive the definition as written.
    pointer = non_finite_pointer(data) or "/"
    tokens = pointer.split("/")
    state = next(
        (_unescape(tokens[i + 1]) for i in range(len(tokens) - 2, 0, -1) if tokens[i] == "States"),
        None,
    )
    out.report(
        "invalid-value",
        pointer,
        "NaN and infinite numbers cannot be written as JSON; use a finite number or a string",
        state=state,
    )


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


__all__ = ["StateMachineType", "validate"]
