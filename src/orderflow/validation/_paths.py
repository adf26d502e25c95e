"""Expressions inside a definition: JSONPath, Reference Paths, ``.$`` values, intrinsic
function calls and JSONata text.

The parsing is done by :mod:`orderflow.asl.expressions` (one parser for the validator, the
checker and the executor); this module only knows *where* each kind of expression may
appear and turns parse failures into diagnostics.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from orderflow.asl.expressions import (
    ExpressionSyntaxError,
    compile_expression,
    compile_jsonata,
    compile_path,
    is_intrinsic,
    is_jsonata,
    parse_intrinsic,
    reference_path_error,
)
from orderflow.validation._choice import OPERATORS, iter_rules
from orderflow.validation._diagnostic import Collector, pointer_join
from orderflow.validation._walk import JSONATA, StateRef

# Paths that select data (filters and wildcards allowed).
_PATHS = ("InputPath", "OutputPath")
# Paths that must name one node: fields and indexes only.
_REFERENCE_PATHS = (
    "ResultPath",
    "ItemsPath",
    "SecondsPath",
    "TimestampPath",
    "TimeoutSecondsPath",
    "HeartbeatSecondsPath",
    "MaxConcurrencyPath",
    "ToleratedFailureCountPath",
    "ToleratedFailurePercentagePath",
)
# Fields whose value is a Reference Path or a call of one of the intrinsics that return a
# string (AWS's Fail state page names these seven).
_PATH_OR_INTRINSIC = ("ErrorPath", "CausePath")
FAIL_INTRINSICS = (
    "States.Format",
    "States.JsonToString",
    "States.ArrayGetItem",
    "States.Base64Encode",
    "States.Base64Decode",
    "States.Hash",
    "States.UUID",
)
# Reference Paths inside a Distributed Map's configuration objects.
_NESTED_REFERENCE_PATHS = (
    ("ItemReader", "ReaderConfig", "MaxItemsPath"),
    ("ItemBatcher", "MaxItemsPerBatchPath"),
    ("ItemBatcher", "MaxInputBytesPerBatchPath"),
)
# Payload templates: keys ending in ".$" hold a path or an intrinsic call.
_TEMPLATES = ("Parameters", "ResultSelector", "ItemSelector", "Assign", "Credentials")
_SUB_TEMPLATES = (
    ("ItemReader", "Parameters"),
    ("ResultWriter", "Parameters"),
    ("ItemBatcher", "BatchInput"),
)
# Never expressions, and nested scopes are visited as states of their own.
_NOT_EXPRESSIONS = frozenset(
    {"Type", "Comment", "Next", "End", "Default", "QueryLanguage", "Resource"}
)
_SCOPES = frozenset({"Branches", "ItemProcessor", "Iterator"})


def check_paths(ref: StateRef, out: Collector) -> None:
    """Check every expression of one state in the syntax of its query language."""
    if ref.language == JSONATA:
        _check_jsonata(ref, out)
    else:
        _check_jsonpath(ref, out)


def _check_jsonpath(ref: StateRef, out: Collector) -> None:
    state = ref.state
    for key in _PATHS:
        if isinstance(state.get(key), str):
            _path(ref, state[key], ref.at(key), key, out)
    for key in _REFERENCE_PATHS:
        if isinstance(state.get(key), str):
            _reference(ref, state[key], ref.at(key), key, out)
    for key in _PATH_OR_INTRINSIC:
        if isinstance(state.get(key), str):
            _fail_path(ref, state[key], key, out)
    for where in _NESTED_REFERENCE_PATHS:
        value = _nested(state, where)
        if isinstance(value, str):
            _reference(ref, value, ref.at(*where), ".".join(where), out)
    for key in _TEMPLATES:
        if key in state:
            _template(ref, state[key], ref.at(key), key, out)
    for outer, inner in _SUB_TEMPLATES:
        body = state.get(outer)
        if isinstance(body, dict) and inner in body:
            _template(ref, body[inner], ref.at(outer, inner), f"{outer}.{inner}", out)
    catchers = state.get("Catch")
    if isinstance(catchers, list):
        for i, catcher in enumerate(catchers):
            if not isinstance(catcher, dict):
                continue
            if isinstance(catcher.get("ResultPath"), str):
                _reference(
                    ref,
                    catcher["ResultPath"],
                    ref.at("Catch", i, "ResultPath"),
                    f"Catch[{i}].ResultPath",
                    out,
                )
            if "Assign" in catcher:
                _template(
                    ref, catcher["Assign"], ref.at("Catch", i, "Assign"), f"Catch[{i}].Assign", out
                )
    if ref.type == "Choice":
        for rule, pointer, label, _top in iter_rules(ref):
            if isinstance(rule.get("Variable"), str):
                _path(
                    ref,
                    rule["Variable"],
                    pointer_join(pointer, "Variable"),
                    f"{label}.Variable",
                    out,
                )
            for op, kind in OPERATORS.items():
                if kind == "path" and isinstance(rule.get(op), str):
                    _path(ref, rule[op], pointer_join(pointer, op), f"{label}.{op}", out)
            if "Assign" in rule:
                _template(
                    ref, rule["Assign"], pointer_join(pointer, "Assign"), f"{label}.Assign", out
                )


def _path(ref: StateRef, text: str, pointer: str, field: str, out: Collector) -> None:
    try:
        compile_path(text)
    except ExpressionSyntaxError as exc:
        hint = (
            " (intrinsic functions are allowed only in '.$' values, ErrorPath and CausePath)"
            if is_intrinsic(text)
            else ""
        )
        out.report(
            "invalid-path",
            pointer,
            f"{field} is not a valid JSONPath: {exc.message}{hint}",
            state=ref.name,
            field=field,
        )


def _reference(ref: StateRef, text: str, pointer: str, field: str, out: Collector) -> None:
    problem = reference_path_error(text)
    if problem is None and field.endswith("ResultPath") and compile_path(text).root != "input":
        problem = (
            f"{text!r} writes outside the state's data; ResultPath must start with '$.' or be '$'"
        )
    if problem is not None:
        out.report(
            "invalid-reference-path",
            pointer,
            f"{field} must be a Reference Path (fields and array indexes only, no filters, "
            f"wildcards or '..'): {problem}",
            state=ref.name,
            field=field,
        )


def _dynamic(ref: StateRef, value: object, pointer: str, field: str, out: Collector) -> None:
    problem: str | None = None
    if isinstance(value, str) and value != value.strip():
        # The value must start with '$' or 'States.' (statelint and the spec agree); the
        # intrinsic parser currently tolerates surrounding blanks (reported upstream).
        problem = f"{value!r} has leading or trailing whitespace"
    else:
        try:
            compile_expression(value, field=field)
        except ExpressionSyntaxError as exc:
            problem = exc.message
    if problem is not None:
        is_call = isinstance(value, str) and value.startswith("States.")
        code = "invalid-intrinsic" if is_call else "invalid-dynamic-value"
        out.report(
            code,
            pointer,
            f"the value for the field {field!r} must be a valid JSONPath or a valid intrinsic "
            f"function call: {problem}",
            state=ref.name,
            field=field,
        )


def _fail_path(ref: StateRef, text: str, field: str, out: Collector) -> None:
    """ErrorPath/CausePath: a Reference Path, or one of the string-returning intrinsics."""
    if not is_intrinsic(text):
        _reference(ref, text, ref.at(field), field, out)
        return
    try:
        call = parse_intrinsic(text.strip())
    except ExpressionSyntaxError:
        _dynamic(ref, text, ref.at(field), field, out)  # reports the parse error
        return
    if call.name not in FAIL_INTRINSICS:
        out.report(
            "intrinsic-not-allowed",
            ref.at(field),
            f"{field} accepts a Reference Path or one of {', '.join(FAIL_INTRINSICS)} "
            f"(the intrinsics that return a string), not {call.name}",
            state=ref.name,
            field=field,
        )
    else:
        _dynamic(ref, text, ref.at(field), field, out)


def _nested(state: dict[str, Any], where: tuple[str, ...]) -> Any:
    node: Any = state
    for key in where:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def _template(ref: StateRef, template: Any, pointer: str, field: str, out: Collector) -> None:
    for key, value, where in _dynamic_keys(template, pointer):
        _dynamic(ref, value, where, f"{field}.{key}" if field != key else key, out)


def _dynamic_keys(template: Any, pointer: str) -> Iterator[tuple[str, Any, str]]:
    """``(key, value, pointer)`` for every ``.$`` key in a payload template, at any depth."""
    stack = [(template, pointer)]
    while stack:
        node, where = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                child = pointer_join(where, key)
                if key.endswith(".$"):
                    yield key, value, child
                else:
                    stack.append((value, child))
        elif isinstance(node, list):
            stack.extend((value, pointer_join(where, i)) for i, value in enumerate(node))


def _check_jsonata(ref: StateRef, out: Collector) -> None:
    for text, pointer, field in _jsonata_strings(ref):
        try:
            compile_jsonata(text)
        except ExpressionSyntaxError as exc:
            out.report(
                "invalid-jsonata",
                pointer,
                f"{field} holds a JSONata expression that does not parse: {exc.message}",
                state=ref.name,
                field=field,
            )


def _jsonata_strings(ref: StateRef) -> Iterator[tuple[str, str, str]]:
    """Every ``{% %}`` string of a JSONata state, outside nested scopes."""
    stack: list[tuple[Any, str, str]] = [
        (value, ref.at(key), key)
        for key, value in ref.state.items()
        if key not in _NOT_EXPRESSIONS and key not in _SCOPES
    ]
    while stack:
        node, where, field = stack.pop()
        if isinstance(node, str):
            if is_jsonata(node):
                yield node, where, field
        elif isinstance(node, dict):
            stack.extend((value, pointer_join(where, key), field) for key, value in node.items())
        elif isinstance(node, list):
            stack.extend((value, pointer_join(where, i), field) for i, value in enumerate(node))


__all__ = ["FAIL_INTRINSICS", "check_paths"]
