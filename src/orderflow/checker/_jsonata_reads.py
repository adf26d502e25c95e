"""What a compound JSONata expression reads, and the kind of value it makes.

The checker follows plain field paths (``$states.input.a.b``, ``$var.f``) exactly. For any
other expression it asks this module for the expression's *reads* — every path from a
variable (``$states.…`` or an assigned ``$var``) written as plain field steps — and the
kind of its result when the outermost form fixes it (``$string(…)`` is a string, ``a + b``
a number, ``a > b`` a boolean). When every read is one the checker can confirm, the
expression needs no "unchecked" warning.

The walk is deliberately narrow: any form it does not model (function definitions,
filters and predicates on a path, a path not starting at a variable, wildcards, regular
expressions, ``~>`` chains…) makes it give up, and the expression stays unchecked.
Variables bound inside the expression (``$x := …``) are local and not reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

from jsonata.parser import Parser

_STRING_FUNCTIONS: Final = frozenset(
    {
        "string",
        "substring",
        "substringBefore",
        "substringAfter",
        "uppercase",
        "lowercase",
        "trim",
        "pad",
        "join",
        "base64encode",
        "base64decode",
        "encodeUrl",
        "encodeUrlComponent",
        "decodeUrl",
        "decodeUrlComponent",
        "formatNumber",
        "formatBase",
        "formatInteger",
        "fromMillis",
        "now",
        "uuid",
        "hash",
    }
)
_NUMBER_FUNCTIONS: Final = frozenset(
    {
        "number",
        "abs",
        "floor",
        "ceil",
        "round",
        "power",
        "sqrt",
        "random",
        "millis",
        "toMillis",
        "count",
        "sum",
        "max",
        "min",
        "average",
        "length",
        "parseInteger",
    }
)
_BOOLEAN_FUNCTIONS: Final = frozenset({"boolean", "not", "exists", "contains"})
_OTHER_FUNCTIONS: Final = frozenset(
    {
        "merge",
        "append",
        "partition",
        "keys",
        "values",
        "lookup",
        "spread",
        "distinct",
        "reverse",
        "sort",
        "range",
        "parse",
        "type",
        "split",
        "zip",
        "each",
        "shuffle",
        "assert",
        "error",
        "single",
    }
)
_FUNCTIONS: Final = _STRING_FUNCTIONS | _NUMBER_FUNCTIONS | _BOOLEAN_FUNCTIONS | _OTHER_FUNCTIONS

_ARITHMETIC: Final = frozenset({"+", "-", "*", "/", "%"})
_COMPARISON: Final = frozenset({"=", "!=", "<", "<=", ">", ">=", "and", "or", "in"})

# Attributes a plain ``name`` path step has; any other (a predicate, a stage, a group, a
# focus or index binding) is a form the walk does not follow.
_PLAIN_STEP: Final = frozenset(
    {"_outer_instance", "id", "value", "type", "position", "bp", "lbp", "level"}
)


def _extras(node: Any) -> set[str]:
    """The attributes set on a parser node beyond a plain step's (the parser gives every
    node every attribute, unset ones as ``None``, ``False`` or empty)."""
    found = set()
    for name, value in vars(node).items():
        if name in _PLAIN_STEP or value is None or value is False:
            continue
        if isinstance(value, (list, dict, tuple)) and not value:
            continue
        found.add(name)
    return found


# The parser fields each modelled node kind may carry; anything more is not followed.
_FIELDS: Final[dict[str | None, frozenset[str]]] = {
    "string": frozenset(),
    "number": frozenset(),
    "value": frozenset(),
    "variable": frozenset(),
    "path": frozenset({"steps"}),
    "block": frozenset({"expressions"}),
    "bind": frozenset({"lhs", "rhs"}),
    "function": frozenset({"procedure", "arguments"}),
    "binary": frozenset({"lhs", "rhs"}),
    "condition": frozenset({"condition", "then", "_else"}),
    "unary{": frozenset({"lhs_object"}),
    "unary[": frozenset({"expressions"}),
    "unary-": frozenset({"expression"}),
}


class _GiveUp(Exception):
    """The expression uses a form the walk does not model."""


@dataclass(frozen=True, slots=True)
class Reads:
    """What an expression reads and makes.

    Attributes:
        paths: each read as ``(variable, field names)``; ``("states", ["input", "a"])`` is
            ``$states.input.a``.
        kind: ``string``, ``number`` or ``boolean`` when the outermost form fixes the
            result's kind, else ``None``.
    """

    paths: tuple[tuple[str, tuple[str, ...]], ...]
    kind: str | None


@lru_cache(maxsize=2048)
def reads_of(text: str) -> Reads | None:
    """The reads and result kind of a JSONata expression, or ``None`` when it uses a form
    this walk does not model (or does not parse)."""
    try:
        ast = Parser().parse(text)
        walk = _Walk()
        walk.locals_in(ast)
        kind = walk.visit(ast)
    except (_GiveUp, RecursionError):
        return None
    except Exception:
        # A syntax error (the validator names it), or a node shape of the parser this walk
        # does not expect: either way the expression stays unchecked, never a crash.
        return None
    return Reads(tuple(walk.paths), kind)


class _Walk:
    def __init__(self) -> None:
        self.paths: list[tuple[str, tuple[str, ...]]] = []
        self.locals: set[str] = set()

    def locals_in(self, node: Any) -> None:
        """Every variable the expression binds with ``:=`` (anywhere: a local)."""
        if isinstance(node, (list, tuple)):
            for item in node:
                self.locals_in(item)
            return
        if not hasattr(node, "type"):
            return
        if node.type == "bind" and getattr(node.lhs, "type", None) == "variable":
            self.locals.add(str(node.lhs.value))
        for name, value in vars(node).items():
            if name != "_outer_instance":
                self.locals_in(value)

    def read(self, variable: str, names: tuple[str, ...]) -> None:
        if variable in self.locals or variable == "":
            return  # a local binding, or the context value ``$``
        self.paths.append((variable, names))

    def visit(self, node: Any) -> str | None:
        kind = getattr(node, "type", None)
        allowed = _FIELDS.get(kind if kind != "unary" else f"unary{node.value}")
        if allowed is None or _extras(node) - allowed:
            raise _GiveUp  # a predicate, a focus or index binding, a group, a sort…
        if kind in ("string", "number", "value"):
            return {"string": "string", "number": "number"}.get(kind)
        if kind == "variable":
            name = str(node.value)
            if name in _FUNCTIONS and name not in self.locals:
                raise _GiveUp  # a function used as a value
            self.read(name, ())
            return None
        if kind == "path":
            return self._path(node)
        if kind == "block":
            last: str | None = None
            for expression in node.expressions:
                last = self.visit(expression)
            return last
        if kind == "bind":
            if getattr(node.lhs, "type", None) != "variable":
                raise _GiveUp
            return self.visit(node.rhs)
        if kind == "function":
            procedure = node.procedure
            name = str(getattr(procedure, "value", ""))
            if getattr(procedure, "type", None) != "variable" or name not in _FUNCTIONS:
                raise _GiveUp
            for argument in node.arguments:
                self.visit(argument)
            if name in _STRING_FUNCTIONS:
                return "string"
            if name in _NUMBER_FUNCTIONS:
                return "number"
            if name in _BOOLEAN_FUNCTIONS:
                return "boolean"
            return None
        if kind == "binary":
            self.visit(node.lhs)
            self.visit(node.rhs)
            if node.value in _ARITHMETIC:
                return "number"
            if node.value in _COMPARISON:
                return "boolean"
            if node.value == "&":
                return "string"
            raise _GiveUp  # ranges, chains and the rest
        if kind == "condition":
            self.visit(node.condition)
            then = self.visit(node.then)
            otherwise = self.visit(node._else) if node._else is not None else None
            return then if then == otherwise else None
        if kind == "unary":
            if node.value == "{":
                for key, value in node.lhs_object:
                    if getattr(key, "type", None) != "string":
                        raise _GiveUp
                    self.visit(value)
                return None
            if node.value == "[":
                for expression in node.expressions:
                    self.visit(expression)
                return None
            if node.value == "-":
                self.visit(node.expression)
                return "number"
        raise _GiveUp

    def _path(self, node: Any) -> str | None:
        steps = list(node.steps or [])
        if not steps:
            raise _GiveUp
        first = steps[0]
        if getattr(first, "type", None) != "variable" or _extras(first):
            raise _GiveUp  # a path from the context value, or with a predicate
        names: list[str] = []
        for step in steps[1:]:
            if getattr(step, "type", None) != "name" or _extras(step):
                raise _GiveUp
            names.append(str(step.value))
        self.read(str(first.value), tuple(names))
        return None


__all__ = ["Reads", "reads_of"]
