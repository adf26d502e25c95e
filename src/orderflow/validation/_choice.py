"""Choice rules: their shape in JSONPath (Variable + one comparison, And/Or/Not) and JSONata
(Condition), and the type each comparison operator's value must have."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from orderflow.asl.expressions import is_jsonata
from orderflow.validation._diagnostic import Collector, json_kind, pointer_join
from orderflow.validation._fields import is_rfc3339
from orderflow.validation._walk import JSONATA, StateRef

_STRING_OPS = (
    "StringEquals",
    "StringLessThan",
    "StringGreaterThan",
    "StringLessThanEquals",
    "StringGreaterThanEquals",
)
_NUMERIC_OPS = (
    "NumericEquals",
    "NumericLessThan",
    "NumericGreaterThan",
    "NumericLessThanEquals",
    "NumericGreaterThanEquals",
)
_TIMESTAMP_OPS = (
    "TimestampEquals",
    "TimestampLessThan",
    "TimestampGreaterThan",
    "TimestampLessThanEquals",
    "TimestampGreaterThanEquals",
)
_TYPE_TESTS = ("IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp")
# operator -> the kind of value it compares against
OPERATORS: dict[str, str] = {
    **{op: "string" for op in _STRING_OPS},
    "StringMatches": "string",
    **{op: "number" for op in _NUMERIC_OPS},
    "BooleanEquals": "boolean",
    **{op: "timestamp" for op in _TIMESTAMP_OPS},
    **{op: "boolean" for op in _TYPE_TESTS},
    **{
        op + "Path": "path"
        for op in (*_STRING_OPS, *_NUMERIC_OPS, "BooleanEquals", *_TIMESTAMP_OPS)
    },
}
_BOOLEAN_OPS = ("And", "Or", "Not")
# A tuple, not a set: its order is the order of the diagnostics, which must not vary by run.
_TOP_ONLY = ("Next", "Assign")
_JSONATA_RULE = frozenset({"Condition", "Next", "Comment", "Assign", "Output"})
_JSONPATH_RULE = frozenset({"Variable", "Comment", *_TOP_ONLY, *OPERATORS, *_BOOLEAN_OPS})
# kind of operand -> (does a value fit, how a message names what fits)
_OPERAND_KINDS: dict[str, tuple[Callable[[object], bool], str]] = {
    "string": (lambda v: isinstance(v, str), "a string"),
    "number": (lambda v: isinstance(v, (int, float)) and not isinstance(v, bool), "a number"),
    "boolean": (lambda v: isinstance(v, bool), "true or false"),
    "timestamp": (
        lambda v: isinstance(v, str) and is_rfc3339(v),
        'an RFC 3339 timestamp string such as "2016-03-14T01:59:00Z"',
    ),
    "path": (lambda v: isinstance(v, str), "a path string"),
}


def iter_rules(ref: StateRef) -> Iterator[tuple[dict[str, Any], str, str, bool]]:
    """``(rule, pointer, label, top_level)`` for every rule of a Choice state, nested ones too."""
    if isinstance(ref.state.get("Choices"), list):
        for rule, pointer, label, top in _all_rules(ref):
            if isinstance(rule, dict):
                yield rule, pointer, label, top


def check_choice(ref: StateRef, out: Collector) -> None:
    """Every rule of a Choice state."""
    choices = ref.state.get("Choices")
    if "Choices" not in ref.state:
        return
    if not isinstance(choices, list) or not choices:
        out.report(
            "invalid-type" if not isinstance(choices, list) else "invalid-value",
            ref.at("Choices"),
            "Choices must be a non-empty array of choice rules",
            state=ref.name,
            field="Choices",
        )
        return
    for rule, pointer, label, top in _all_rules(ref):
        if not isinstance(rule, dict):
            out.report(
                "invalid-type",
                pointer,
                f"{label} must be a choice rule object, not {json_kind(rule)}",
                state=ref.name,
                field=label,
            )
        elif ref.language == JSONATA:
            _jsonata_rule(ref, rule, pointer, label, top, out)
        else:
            _jsonpath_rule(ref, rule, pointer, label, top, out)


def _all_rules(ref: StateRef) -> Iterator[tuple[Any, str, str, bool]]:
    # Like iter_rules but also yields non-object rules, so they can be reported.
    choices = ref.state["Choices"]
    stack: list[tuple[Any, str, str, bool]] = [
        (rule, ref.at("Choices", i), f"Choices[{i}]", True) for i, rule in enumerate(choices)
    ]
    stack.reverse()
    while stack:
        rule, pointer, label, top = stack.pop()
        yield rule, pointer, label, top
        if not isinstance(rule, dict):
            continue
        children: list[tuple[Any, str, str, bool]] = []
        for op in ("And", "Or"):
            subs = rule.get(op)
            if isinstance(subs, list):
                children.extend(
                    (sub, pointer_join(pointer, op, j), f"{label}.{op}[{j}]", False)
                    for j, sub in enumerate(subs)
                )
        if "Not" in rule:
            children.append((rule["Not"], pointer_join(pointer, "Not"), f"{label}.Not", False))
        stack.extend(reversed(children))


def _next(
    ref: StateRef, rule: dict[str, Any], pointer: str, label: str, top: bool, out: Collector
) -> None:
    if top and "Next" not in rule:
        out.report(
            "missing-field",
            pointer,
            f"{label} needs Next, the state to go to when the rule matches",
            state=ref.name,
            field=f"{label}.Next",
        )
    elif top and not isinstance(rule["Next"], str):
        out.report(
            "invalid-type",
            pointer_join(pointer, "Next"),
            f"{label}.Next must be a state name",
            state=ref.name,
            field=f"{label}.Next",
        )
    for key in _TOP_ONLY:
        if not top and key in rule:
            out.report(
                "field-not-allowed",
                pointer_join(pointer, key),
                f"{label} is nested inside And/Or/Not, so it cannot have {key}; only "
                "top-level rules do",
                state=ref.name,
                field=f"{label}.{key}",
            )


def _jsonata_rule(
    ref: StateRef, rule: dict[str, Any], pointer: str, label: str, top: bool, out: Collector
) -> None:
    for key in rule:
        if key not in _JSONATA_RULE:
            out.report(
                "field-not-allowed",
                pointer_join(pointer, key),
                "a JSONata choice rule has Condition, Next, Assign, Output and Comment, "
                f"not {key!r}",
                state=ref.name,
                field=f"{label}.{key}",
            )
    condition = rule.get("Condition")
    if "Condition" not in rule:
        out.report(
            "missing-field",
            pointer,
            f"{label} needs a Condition ({{% … %}})",
            state=ref.name,
            field=f"{label}.Condition",
        )
    elif not isinstance(condition, bool) and not is_jsonata(condition):
        out.report(
            "invalid-jsonata",
            pointer_join(pointer, "Condition"),
            f"{label}.Condition must be a JSONata expression wrapped in {{% %}} or a boolean, "
            f"not {condition!r}",
            state=ref.name,
            field=f"{label}.Condition",
        )
    _next(ref, rule, pointer, label, top, out)


def _jsonpath_rule(
    ref: StateRef, rule: dict[str, Any], pointer: str, label: str, top: bool, out: Collector
) -> None:
    _next(ref, rule, pointer, label, top, out)
    for key in rule:
        if key not in _JSONPATH_RULE:
            out.report(
                "field-not-allowed",
                pointer_join(pointer, key),
                f"{label} has unknown field {key!r}; a rule is Variable plus one comparison "
                "operator, or And/Or/Not",
                state=ref.name,
                field=f"{label}.{key}",
            )
    booleans = [op for op in _BOOLEAN_OPS if op in rule]
    comparisons = [op for op in OPERATORS if op in rule]
    if booleans:
        mixed = booleans + comparisons + (["Variable"] if "Variable" in rule else [])
        if len(mixed) > 1:
            out.report(
                "conflicting-fields",
                pointer,
                f"{label} mixes {', '.join(mixed)}; "
                "a rule is either one of And/Or/Not or Variable plus one comparison",
                state=ref.name,
                field=label,
            )
        for op in ("And", "Or"):
            if op in rule and (not isinstance(rule[op], list) or not rule[op]):
                out.report(
                    "invalid-type",
                    pointer_join(pointer, op),
                    f"{label}.{op} must be a non-empty array of rules",
                    state=ref.name,
                    field=f"{label}.{op}",
                )
        return
    if "Variable" not in rule:
        out.report(
            "missing-field",
            pointer,
            f"{label} needs Variable (the path to test) and one comparison operator",
            state=ref.name,
            field=f"{label}.Variable",
        )
    elif not isinstance(rule["Variable"], str):
        out.report(
            "invalid-type",
            pointer_join(pointer, "Variable"),
            f"{label}.Variable must be a path string",
            state=ref.name,
            field=f"{label}.Variable",
        )
    if len(comparisons) != 1:
        out.report(
            "missing-field" if not comparisons else "conflicting-fields",
            pointer,
            f"{label} needs exactly one comparison operator (StringEquals, NumericLessThan, "
            f"IsPresent…)" + (f"; it has {', '.join(comparisons)}" if comparisons else ""),
            state=ref.name,
            field=label,
        )
    for op in comparisons:
        _operand(ref, rule[op], op, pointer_join(pointer, op), f"{label}.{op}", out)


def _operand(
    ref: StateRef, value: object, op: str, pointer: str, label: str, out: Collector
) -> None:
    kind = OPERATORS[op]
    fits, wanted = _OPERAND_KINDS[kind]
    if not fits(value):
        out.report(
            "invalid-timestamp"
            if kind == "timestamp" and isinstance(value, str)
            else "invalid-type",
            pointer,
            f"{label} must be {wanted}, not {value!r}",
            state=ref.name,
            field=label,
        )


__all__ = ["OPERATORS", "check_choice", "iter_rules"]
