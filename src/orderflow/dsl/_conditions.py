"""Choice rules as typed condition functions over references.

``gt(validated.total_cents, 1000)`` becomes ``NumericGreaterThan`` because the reference is
annotated ``int``; ``eq(user.status, "active")`` becomes ``StringEquals``. Comparing with
another reference uses the ``...Path`` variant. A comparison the annotation does not support
(``gt`` on a bool, a string literal against an int field) is a build error naming the state.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, TypeVar, get_args, get_origin

from orderflow._errors import WorkflowBuildError
from orderflow.dsl._refs import Ref, strip_annotated, type_name, union_members

T = TypeVar("T")
Resolve = Callable[[Ref], str]
_Kind = Literal["String", "Numeric", "Boolean", "Timestamp"]
_Op = Literal["eq", "ne", "gt", "ge", "lt", "le"]
_SUFFIX: dict[str, str] = {
    "eq": "Equals",
    "gt": "GreaterThan",
    "ge": "GreaterThanEquals",
    "lt": "LessThan",
    "le": "LessThanEquals",
}
_SYMBOL = {"eq": "==", "ne": "!=", "gt": ">", "ge": ">=", "lt": "<", "le": "<="}


class Condition:
    """A Choice rule; build one with :func:`eq`, :func:`gt`, :func:`all_of`…"""

    def to_asl(self, resolve: Resolve, state: str) -> dict[str, Any]:
        raise NotImplementedError


@dataclass(frozen=True)
class _Compare(Condition):
    op: _Op
    ref: Any
    value: Any

    def to_asl(self, resolve: Resolve, state: str) -> dict[str, Any]:
        ref = _need_ref(self.ref, state, _SYMBOL[self.op])
        kind = _kind(ref._of_annotation, ref, state)
        if kind == "Boolean" and self.op not in ("eq", "ne"):
            raise WorkflowBuildError(
                f"{ref._of_path} is a bool; only eq/ne apply to it", state=state, field="Choices"
            )
        operator = kind + _SUFFIX["eq" if self.op == "ne" else self.op]
        rule: dict[str, Any] = {"Variable": resolve(ref)}
        if isinstance(self.value, Ref):
            other_kind = _kind(self.value._of_annotation, self.value, state)
            if other_kind != kind:
                raise WorkflowBuildError(
                    f"cannot compare {ref._of_path} ({type_name(ref._of_annotation)}) with "
                    f"{self.value._of_path} ({type_name(self.value._of_annotation)})",
                    state=state,
                    field="Choices",
                )
            rule[operator + "Path"] = resolve(self.value)
        else:
            rule[operator] = _literal(kind, self.value, ref, state)
            if self.op in ("eq", "ne"):
                _check_possible(ref, rule[operator], self.op, state)
        return {"Not": rule} if self.op == "ne" else rule


@dataclass(frozen=True)
class _Test(Condition):
    operator: str
    ref: Any
    expected: bool

    def to_asl(self, resolve: Resolve, state: str) -> dict[str, Any]:
        ref = _need_ref(self.ref, state, self.operator)
        return {"Variable": resolve(ref), self.operator: self.expected}


@dataclass(frozen=True)
class _Matches(Condition):
    ref: Any
    pattern: str

    def to_asl(self, resolve: Resolve, state: str) -> dict[str, Any]:
        ref = _need_ref(self.ref, state, "matches")
        if _kind(ref._of_annotation, ref, state) != "String":
            raise WorkflowBuildError(
                f"matches() needs a string, {ref._of_path} is {type_name(ref._of_annotation)}",
                state=state,
                field="Choices",
            )
        return {"Variable": resolve(ref), "StringMatches": self.pattern}


@dataclass(frozen=True)
class _Combine(Condition):
    operator: Literal["And", "Or"]
    conditions: tuple[Condition, ...]

    def to_asl(self, resolve: Resolve, state: str) -> dict[str, Any]:
        if not self.conditions:
            raise WorkflowBuildError(
                f"{self.operator} needs at least one condition", state=state, field="Choices"
            )
        return {self.operator: [c.to_asl(resolve, state) for c in self.conditions]}


@dataclass(frozen=True)
class _Not(Condition):
    condition: Condition

    def to_asl(self, resolve: Resolve, state: str) -> dict[str, Any]:
        return {"Not": self.condition.to_asl(resolve, state)}


def eq(ref: T, value: T) -> Condition:
    """``ref == value`` (String/Numeric/Boolean/TimestampEquals by the annotation)."""
    return _Compare("eq", ref, value)


def ne(ref: T, value: T) -> Condition:
    """``ref != value`` (``Not`` around the matching ``...Equals``)."""
    return _Compare("ne", ref, value)


def gt(ref: T, value: T) -> Condition:
    """``ref > value``."""
    return _Compare("gt", ref, value)


def ge(ref: T, value: T) -> Condition:
    """``ref >= value``."""
    return _Compare("ge", ref, value)


def lt(ref: T, value: T) -> Condition:
    """``ref < value``."""
    return _Compare("lt", ref, value)


def le(ref: T, value: T) -> Condition:
    """``ref <= value``."""
    return _Compare("le", ref, value)


def is_present(ref: object, expected: bool = True) -> Condition:
    """Whether the referenced path exists (``IsPresent``)."""
    return _Test("IsPresent", ref, expected)


def is_null(ref: object, expected: bool = True) -> Condition:
    """Whether the referenced value is JSON null (``IsNull``)."""
    return _Test("IsNull", ref, expected)


def matches(ref: str, pattern: str) -> Condition:
    """``StringMatches``: ``*`` matches any run of characters, ``\\*`` a literal star."""
    return _Matches(ref, pattern)


def all_of(*conditions: Condition) -> Condition:
    """Every condition holds (``And``)."""
    return _Combine("And", conditions)


def any_of(*conditions: Condition) -> Condition:
    """At least one condition holds (``Or``)."""
    return _Combine("Or", conditions)


def not_(condition: Condition) -> Condition:
    """The condition does not hold (``Not``)."""
    return _Not(condition)


class ChoiceDefault(enum.Enum):
    """What a Choice does when no rule matches, said explicitly (``otherwise=FAIL``)."""

    FAIL = "FAIL"
    """Fail the execution with ``States.NoChoiceMatched`` (the Choice has no ``Default``)."""
    CONTINUE = "CONTINUE"
    """Go on to the state after the Choice (``Default`` is that state)."""


FAIL = ChoiceDefault.FAIL
CONTINUE = ChoiceDefault.CONTINUE


def covered_values(conditions: Sequence[Condition]) -> bool:
    """Whether ``conditions`` together match every value their reference can hold.

    True only when each rule is ``eq(ref, value)`` (or ``any_of`` such rules) on one and the
    same reference whose annotation is a ``Literal``, an ``Enum`` or ``bool`` (not
    optional), and the compared values are exactly all of its values.
    """
    seen: dict[str, tuple[Any, set[Any]]] = {}

    def collect(condition: Condition) -> bool:
        if isinstance(condition, _Combine) and condition.operator == "Or":
            return all(collect(c) for c in condition.conditions)
        if not (
            isinstance(condition, _Compare)
            and condition.op == "eq"
            and isinstance(condition.ref, Ref)
            and not isinstance(condition.value, Ref)
        ):
            return False
        ref = condition.ref
        value = condition.value.value if isinstance(condition.value, enum.Enum) else condition.value
        key = f"{id(ref._of_scope)}:{ref._of_path}"
        seen.setdefault(key, (ref._of_annotation, set()))[1].add(value)
        return True

    if not conditions or not all(collect(c) for c in conditions) or len(seen) != 1:
        return False
    annotation, values = next(iter(seen.values()))
    members = union_members(strip_annotated(annotation))
    if members is not None and type(None) in members:
        return False
    allowed = _allowed_values(annotation)
    if strip_annotated(annotation) is bool:
        allowed = [True, False]
    return allowed is not None and all(
        any(option == v and type(option) is type(v) for v in values) for option in allowed
    )


def _need_ref(value: Any, state: str, what: str) -> Ref:
    if isinstance(value, Ref):
        return value
    raise WorkflowBuildError(
        f"the left side of {what} must be a reference (a task result or a field of one), "
        f"got {type(value).__name__}",
        state=state,
        field="Choices",
    )


def _kind(annotation: Any, ref: Ref, state: str) -> _Kind:
    annotation = strip_annotated(annotation)
    members = union_members(annotation)
    if members is not None:
        kinds = {_kind(m, ref, state) for m in members if m is not type(None)}
        if len(kinds) == 1:
            return kinds.pop()
    elif get_origin(annotation) is Literal:
        kinds = {_kind(type(v), ref, state) for v in get_args(annotation)}
        if len(kinds) == 1:
            return kinds.pop()
    elif isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        # JSON carries an Enum's values; compare by their type.
        kinds = {_kind(type(member.value), ref, state) for member in annotation}
        if len(kinds) == 1:
            return kinds.pop()
    elif isinstance(annotation, type):
        if issubclass(annotation, bool):
            return "Boolean"
        if issubclass(annotation, (dt.datetime, dt.date)):
            return "Timestamp"
        if issubclass(annotation, str):
            return "String"
        if issubclass(annotation, (int, float, Decimal)):
            return "Numeric"
    raise WorkflowBuildError(
        f"{ref._of_path} is {type_name(annotation)}; a Choice can compare strings, numbers, "
        "booleans and timestamps",
        state=state,
        field="Choices",
    )


def _check_possible(ref: Ref, value: Any, op: _Op, state: str) -> None:
    # mypy accepts eq(user.status, "deleted") for a Literal["active", "suspended"] field
    # (both sides are str to it), yet the rule could never match (or, with ne, never fail).
    allowed = _allowed_values(ref._of_annotation)
    if allowed is None or any(value == option for option in allowed):
        return
    raise WorkflowBuildError(
        f"{ref._of_path} can only be {', '.join(repr(v) for v in allowed)}, so "
        f"{_SYMBOL[op]} {value!r} is always {'false' if op == 'eq' else 'true'}; compare with "
        "one of the allowed values",
        state=state,
        field="Choices",
    )


def _allowed_values(annotation: Any) -> list[Any] | None:
    """The values a Literal or Enum annotation admits (None when any value of its type can)."""
    annotation = strip_annotated(annotation)
    members = union_members(annotation)
    if members is not None:
        found: list[Any] = []
        for member in members:
            if member is type(None):
                continue
            values = _allowed_values(member)
            if values is None:
                return None
            found.extend(v for v in values if v not in found)
        return found
    if get_origin(annotation) is Literal:
        return [v.value if isinstance(v, enum.Enum) else v for v in get_args(annotation)]
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return [member.value for member in annotation]
    return None


def _literal(kind: _Kind, value: Any, ref: Ref, state: str) -> Any:
    if isinstance(value, enum.Enum):
        value = value.value
    ok = {
        "String": isinstance(value, str),
        "Numeric": isinstance(value, (int, float, Decimal)) and not isinstance(value, bool),
        "Boolean": isinstance(value, bool),
        "Timestamp": isinstance(value, (dt.datetime, str)),
    }[kind]
    if not ok:
        raise WorkflowBuildError(
            f"cannot compare {ref._of_path} ({type_name(ref._of_annotation)}) with "
            f"{value!r} ({type(value).__name__})",
            state=state,
            field="Choices",
        )
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.datetime):
        return value.isoformat().replace("+00:00", "Z")
    return value


__all__ = [
    "CONTINUE",
    "FAIL",
    "ChoiceDefault",
    "Condition",
    "all_of",
    "any_of",
    "covered_values",
    "eq",
    "ge",
    "gt",
    "is_null",
    "is_present",
    "le",
    "lt",
    "matches",
    "ne",
    "not_",
]
