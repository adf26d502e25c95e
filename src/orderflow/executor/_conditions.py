"""Choice rules compiled once into predicates.

Each JSONPath choice rule (``And``/``Or``/``Not``, every comparison operator and its
``*Path`` form, ``Is*`` tests, ``StringMatches``) becomes a closure over pre-compiled paths,
so choosing never re-parses anything. AWS semantics: a comparison against a value of the
wrong type is simply false; a ``Variable`` that selects nothing is ``States.Runtime``
(``IsPresent`` excepted).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from orderflow.asl import JSON
from orderflow.executor._paths import PathReader, read_path
from orderflow.executor._timestamps import parse_timestamp

# predicate(input, context, variables) -> bool
Predicate = Callable[[JSON, JSON, Mapping[str, JSON]], bool]

_MISSING: Any = object()


def _is_number(value: JSON) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_timestamp(value: JSON) -> bool:
    return isinstance(value, str) and parse_timestamp(value) is not None


def _string_matches(pattern: str) -> Callable[[str], bool]:
    # AWS: '*' matches any run of characters; '\*' and '\\' escape.
    parts: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            parts.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        parts.append(".*" if char == "*" else re.escape(char))
        i += 1
    regex = re.compile("".join(parts), re.DOTALL)
    return lambda text: regex.fullmatch(text) is not None


def _compare(kind: str, op: str) -> Callable[[JSON, JSON], bool]:
    """A comparison of ``kind`` (String, Numeric, Boolean, Timestamp) and ``op``."""
    ops: dict[str, Callable[[Any, Any], bool]] = {
        "Equals": lambda a, b: bool(a == b),
        "LessThan": lambda a, b: bool(a < b),
        "GreaterThan": lambda a, b: bool(a > b),
        "LessThanEquals": lambda a, b: bool(a <= b),
        "GreaterThanEquals": lambda a, b: bool(a >= b),
    }
    compare = ops[op]
    if kind == "String":
        return lambda a, b: isinstance(a, str) and isinstance(b, str) and compare(a, b)
    if kind == "Numeric":

        def numeric(a: JSON, b: JSON) -> bool:
            if not (_is_number(a) and _is_number(b)):
                return False
            if isinstance(a, float) and math.isnan(a):
                return False
            return compare(a, b)

        return numeric
    if kind == "Boolean":
        return lambda a, b: isinstance(a, bool) and isinstance(b, bool) and compare(a, b)

    def timestamps(a: JSON, b: JSON) -> bool:
        left = parse_timestamp(a) if isinstance(a, str) else None
        right = parse_timestamp(b) if isinstance(b, str) else None
        if left is None or right is None:
            return False
        return compare(left, right)

    return timestamps


_KINDS = ("String", "Numeric", "Boolean", "Timestamp")
_OPS = ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals")
COMPARISONS: dict[str, tuple[str, str, bool]] = {}
for _kind in _KINDS:
    for _op in _OPS:
        if _kind == "Boolean" and _op != "Equals":
            continue
        COMPARISONS[f"{_kind}{_op}"] = (_kind, _op, False)
        COMPARISONS[f"{_kind}{_op}Path"] = (_kind, _op, True)

_TYPE_TESTS: dict[str, Callable[[JSON], bool]] = {
    "IsNull": lambda v: v is None,
    "IsNumeric": _is_number,
    "IsString": lambda v: isinstance(v, str),
    "IsBoolean": lambda v: isinstance(v, bool),
    "IsTimestamp": _is_timestamp,
}


def compile_rule(rule: Mapping[str, JSON]) -> Predicate:
    """Compile one JSONPath choice rule (without its ``Next``) into a predicate.

    Raises:
        orderflow.DefinitionError: the rule uses no known operator.
    """
    if "And" in rule:
        parts = [compile_rule(r) for r in rule["And"]]
        return lambda i, c, v: all(p(i, c, v) for p in parts)
    if "Or" in rule:
        parts = [compile_rule(r) for r in rule["Or"]]
        return lambda i, c, v: any(p(i, c, v) for p in parts)
    if "Not" in rule:
        inner = compile_rule(rule["Not"])
        return lambda i, c, v: not inner(i, c, v)
    variable: PathReader = read_path(str(rule.get("Variable", "$")), field="Variable")
    if "IsPresent" in rule:
        expected = bool(rule["IsPresent"])

        def present(i: JSON, c: JSON, v: Mapping[str, JSON]) -> bool:
            return variable.exists(i, c, v) is expected

        return present
    for name, test in _TYPE_TESTS.items():
        if name in rule:
            wanted = bool(rule[name])

            def type_test(
                i: JSON,
                c: JSON,
                v: Mapping[str, JSON],
                test: Callable[[JSON], bool] = test,
                wanted: bool = wanted,
            ) -> bool:
                # A missing variable is simply "not of that type" for the Is* tests.
                value = variable.get_or(i, c, v, _MISSING)
                return value is not _MISSING and test(value) is wanted

            return type_test
    if "StringMatches" in rule:
        matcher = _string_matches(str(rule["StringMatches"]))

        def matches(i: JSON, c: JSON, v: Mapping[str, JSON]) -> bool:
            value = variable.get(i, c, v)
            return isinstance(value, str) and matcher(value)

        return matches
    for name, (kind, op, is_path) in COMPARISONS.items():
        if name not in rule:
            continue
        compare = _compare(kind, op)
        if is_path:
            other = read_path(str(rule[name]), field=name)

            def by_path(
                i: JSON, c: JSON, v: Mapping[str, JSON], compare: Any = compare, other: Any = other
            ) -> bool:
                return bool(compare(variable.get(i, c, v), other.get(i, c, v)))

            return by_path
        constant = rule[name]
        if kind == "Timestamp" and isinstance(constant, str):
            parsed: datetime | None = parse_timestamp(constant)

            def by_timestamp(
                i: JSON, c: JSON, v: Mapping[str, JSON], parsed: Any = parsed, op: str = op
            ) -> bool:
                value = variable.get(i, c, v)
                left = parse_timestamp(value) if isinstance(value, str) else None
                if left is None or parsed is None:
                    return False
                return bool(_compare_dt(op, left, parsed))

            return by_timestamp

        def by_value(
            i: JSON,
            c: JSON,
            v: Mapping[str, JSON],
            compare: Any = compare,
            constant: Any = constant,
        ) -> bool:
            return bool(compare(variable.get(i, c, v), constant))

        return by_value
    from orderflow._errors import DefinitionError

    raise DefinitionError(
        f"choice rule has no comparison operator: {sorted(rule)}", field="Choices"
    )


def _compare_dt(op: str, a: datetime, b: datetime) -> bool:
    if op == "Equals":
        return a == b
    if op == "LessThan":
        return a < b
    if op == "GreaterThan":
        return a > b
    if op == "LessThanEquals":
        return a <= b
    return a >= b


__all__ = ["COMPARISONS", "Predicate", "compile_rule"]
