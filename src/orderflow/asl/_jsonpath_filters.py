"""The indefinite half of JSONPath: Jayway's filters and its tree walk.

:mod:`orderflow.asl._jsonpath` parses a path into steps and evaluates the common case
(fields and indexes only) itself. Everything else goes through :func:`walk` here, which
follows Jayway's rules for wildcards, ``..``, slices, unions, functions (``.length()``…)
and ``[?(...)]`` filters, including how it words a missing property or a wrong node type.
Filters are compiled once into closures (:func:`compile_filter`) when the path is parsed.
"""

from __future__ import annotations

import decimal
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from orderflow.asl._document import JSON
from orderflow.asl._regex import RegexBudgetExceeded, compile_bounded
from orderflow.asl._states_errors import (
    ExpressionSyntaxError,
    PathNotFound,
    StatesError,
    cause_json,
)

# --- steps -----------------------------------------------------------------------------
# Steps are small tuples so the interpreter can dispatch on the first element cheaply.
# ("field", name) ("index", i) ("wild",) ("slice", start, stop, step)
# ("fields", (names...)) ("indexes", (ints...)) ("filter", predicate, text)
# ("scan", inner_step)   ("func", name)

Step = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class _Missing:
    """Marker for "selected nothing" inside filters (JSON null is a real value)."""


MISSING: Final = _Missing()


def _java_class(value: JSON) -> str:
    # Jayway names the Java class of the node it could not navigate; AWS passes it on.
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "java.lang.Boolean"
    if isinstance(value, int):
        return "java.lang.Integer"
    if isinstance(value, float):
        return "java.lang.Double"
    if isinstance(value, str):
        return "java.lang.String"
    if isinstance(value, list):
        return "net.minidev.json.JSONArray"
    return "java.util.LinkedHashMap"


def fragment(step: Step) -> str:
    """How Jayway prints one step in its messages (``['a']``, ``[0]``, ``[*]``…)."""
    kind = step[0]
    if kind == "field":
        return f"['{step[1]}']"
    if kind == "index":
        return f"[{step[1]}]"
    if kind == "wild":
        return "[*]"
    if kind == "fields":
        return "[" + ",".join("'" + n + "'" for n in step[1]) + "]"
    if kind == "indexes":
        return "[" + ",".join(str(i) for i in step[1]) + "]"
    if kind == "slice":
        start, stop, _ = step[1], step[2], step[3]
        return f"[{'' if start is None else start}:{'' if stop is None else stop}]"
    if kind == "filter":
        return "[?]"
    if kind == "scan":
        return ".." + fragment(step[1]).removeprefix(".")
    return f".{step[1]}()"


# --- filters ---------------------------------------------------------------------------

Predicate = Callable[[JSON, JSON], bool]
Operand = Callable[[JSON, JSON], JSON]
StepParser = Callable[[str], tuple[Step, ...]]
"""Parses a filter operand path (``@.price``, ``$.limit``) after its one-character root."""

_FILTER_TOKEN = re.compile(
    r"""\s*(?:
        (?P<num>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
      | (?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
      | (?P<regex>/(?:[^/\\]|\\.)*/[a-z]*)
      | (?P<op>==|!=|<=|>=|=~|&&|\|\||<|>|!|\(|\)|\[|\]|,)
      | (?P<word>\b(?:true|false|null|in|nin|subsetof|anyof|noneof|size|empty)\b)
      | (?P<path>[@$](?:\.\.?[^\s.\[\]()=!<>&|,]+|\[[^\]]*\]|\.\*|\(\))*)
    )""",
    re.VERBOSE,
)


def compile_filter(body: str, full: str, offset: int, parse_steps: StepParser) -> Predicate:
    """Compile the body of ``[?(body)]`` into a predicate ``(node, root) -> bool``.

    ``full`` and ``offset`` place syntax errors in the whole path; ``parse_steps`` is the
    path parser, passed in because paths contain filters and filters contain paths.
    """
    tokens: list[tuple[str, str, int]] = []
    pos = 0
    while pos < len(body):
        if body[pos:].strip() == "":
            break
        m = _FILTER_TOKEN.match(body, pos)
        if not m or m.end() == pos:
            raise ExpressionSyntaxError(
                "cannot parse filter expression", expression=full, position=offset + pos
            )
        kind = m.lastgroup or ""
        tokens.append((kind, m.group(kind), offset + m.start(kind)))
        pos = m.end()
    return _FilterParser(tokens, full, parse_steps).parse()


class _FilterParser:
    def __init__(
        self, tokens: list[tuple[str, str, int]], full: str, parse_steps: StepParser
    ) -> None:
        self.tokens = tokens
        self.i = 0
        self.full = full
        self.parse_steps = parse_steps

    def fail(self, message: str) -> ExpressionSyntaxError:
        pos = self.tokens[self.i][2] if self.i < len(self.tokens) else None
        return ExpressionSyntaxError(message, expression=self.full, position=pos)

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, value: str) -> bool:
        tok = self.peek()
        if tok is not None and tok[1] == value and tok[0] in ("op", "word"):
            self.i += 1
            return True
        return False

    def parse(self) -> Predicate:
        pred = self.disjunction()
        if self.peek() is not None:
            raise self.fail("unexpected token in filter")
        return pred

    def disjunction(self) -> Predicate:
        left = self.conjunction()
        while self.take("||"):
            right = self.conjunction()
            left = (lambda a, b: lambda cur, root: a(cur, root) or b(cur, root))(left, right)
        return left

    def conjunction(self) -> Predicate:
        left = self.negation()
        while self.take("&&"):
            right = self.negation()
            left = (lambda a, b: lambda cur, root: a(cur, root) and b(cur, root))(left, right)
        return left

    def negation(self) -> Predicate:
        if self.take("!"):
            inner = self.negation()
            return lambda cur, root: not inner(cur, root)
        if self.take("("):
            inner = self.disjunction()
            if not self.take(")"):
                raise self.fail("expected ')'")
            return inner
        return self.comparison()

    def comparison(self) -> Predicate:
        left = self.operand()
        tok = self.peek()
        if tok is None or tok[0] not in ("op", "word") or tok[1] in ("&&", "||", ")"):
            return lambda cur, root: _exists(left(cur, root))
        op = tok[1]
        self.i += 1
        if op == "=~":
            rtok = self.peek()
            if rtok is None or rtok[0] != "regex":
                raise self.fail("expected /regex/ after =~")
            self.i += 1
            raw = rtok[1]
            end = raw.rindex("/")
            pattern = compile_bounded(raw[1:end], ignore_case="i" in raw[end + 1 :])

            def matches(cur: Any, root: Any) -> bool:
                value = left(cur, root)
                if not isinstance(value, str):
                    return False
                try:
                    return bool(pattern.fullmatch(value))
                except RegexBudgetExceeded as exc:
                    raise StatesError("States.Runtime", str(exc)) from None

            return matches
        if op == "empty":
            expect = self.operand()
            return lambda cur, root: _empty(left(cur, root), expect(cur, root))
        right = self.operand()
        compare = _COMPARATORS.get(op)
        if compare is None:
            raise self.fail(f"unknown filter operator {op!r}")
        return lambda cur, root: compare(left(cur, root), right(cur, root))

    def operand(self) -> Operand:
        tok = self.peek()
        if tok is None:
            raise self.fail("expected a value")
        kind, text, pos = tok
        self.i += 1
        if kind == "num":
            num: JSON = float(text) if any(c in text for c in ".eE") else int(text)
            return lambda cur, root: num
        if kind == "str":
            s = re.sub(r"\\(.)", r"\1", text[1:-1])
            return lambda cur, root: s
        if kind == "word" and text in ("true", "false", "null"):
            const = {"true": True, "false": False, "null": None}[text]
            return lambda cur, root: const
        if kind == "path":
            select = _selector(self.parse_steps(text))
            if text.startswith("@"):
                return lambda cur, root: select(cur)
            return lambda cur, root: select(root)
        if kind == "op" and text == "[":
            values: list[JSON] = []
            while not self.take("]"):
                values.append(self.operand()(None, None))
                self.take(",")
                if self.peek() is None:
                    raise self.fail("unterminated list")
            frozen = values
            return lambda cur, root: frozen
        self.i -= 1
        raise ExpressionSyntaxError("expected a value", expression=self.full, position=pos)


def _selector(steps: tuple[Step, ...]) -> Callable[[JSON], JSON]:
    """Pick how a filter operand path is evaluated once, not on every node it is tried on."""
    if all(s[0] in ("field", "index") for s in steps):
        return lambda value: _select_keys(value, steps)
    return lambda value: _select_walk(value, steps)


def _select_keys(value: JSON, steps: tuple[Step, ...]) -> JSON:
    """Evaluate a fields-and-indexes operand path; MISSING when it selects nothing."""
    cur = value
    for s in steps:
        key = s[1]
        if s[0] == "field":
            if not isinstance(cur, dict) or key not in cur:
                return MISSING
            cur = cur[key]
        else:
            if not isinstance(cur, list) or not -len(cur) <= key < len(cur):
                return MISSING
            cur = cur[key]
    return cur


def _select_walk(value: JSON, steps: tuple[Step, ...]) -> JSON:
    """Evaluate any other operand path: the list it selects, or a function's one value."""
    hits: list[JSON] = []
    try:
        walk(value, steps, 0, "@", hits, definite=False, root=value)
    except StatesError:
        return MISSING
    if steps and steps[-1][0] == "func":
        return hits[0] if hits else MISSING
    return hits


def _exists(value: JSON) -> bool:
    return value is not MISSING


def _num(value: JSON) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _eq(a: JSON, b: JSON) -> bool:
    """Jayway's ``==``: numbers and strings compare across types ("1" == 1), as its
    NumberNode/StringNode equality converts the other side."""
    if a is MISSING or b is MISSING:
        return False
    if _num(a) and _num(b):
        return bool(a == b)
    if _num(a) and isinstance(b, str):
        try:
            return decimal.Decimal(b) == decimal.Decimal(repr(a))
        except decimal.InvalidOperation:
            return False
    if isinstance(a, str) and _num(b):
        return a == (str(b) if isinstance(b, int) else repr(b))
    if isinstance(a, bool) != isinstance(b, bool):
        return False
    return bool(a == b)


def _order(a: JSON, b: JSON, test: Callable[[Any, Any], bool]) -> bool:
    if _num(a) and _num(b):
        return test(a, b)
    if isinstance(a, str) and isinstance(b, str):
        return test(a, b)
    return False


def _contains(container: JSON, item: JSON) -> bool:
    return isinstance(container, list) and any(_eq(item, x) for x in container)


def _empty(value: JSON, expect: JSON) -> bool:
    if isinstance(value, str | list | dict):
        return (len(value) == 0) == bool(expect)
    return False


_COMPARATORS: Final[dict[str, Callable[[JSON, JSON], bool]]] = {
    "==": _eq,
    # Jayway defines != and nin as the negation of == and in, so a missing value passes.
    "!=": lambda a, b: not _eq(a, b),
    "<": lambda a, b: _order(a, b, lambda x, y: x < y),
    "<=": lambda a, b: _order(a, b, lambda x, y: x <= y),
    ">": lambda a, b: _order(a, b, lambda x, y: x > y),
    ">=": lambda a, b: _order(a, b, lambda x, y: x >= y),
    "in": lambda a, b: _contains(b, a),
    "nin": lambda a, b: not _contains(b, a),
    "subsetof": lambda a, b: isinstance(a, list) and all(_contains(b, x) for x in a),
    "anyof": lambda a, b: isinstance(a, list) and any(_contains(b, x) for x in a),
    "noneof": lambda a, b: isinstance(a, list) and not any(_contains(b, x) for x in a),
    "size": lambda a, b: isinstance(a, str | list) and _num(b) and len(a) == b,
}


# --- evaluation ------------------------------------------------------------------------


def _apply_function(name: str, value: JSON, where: str) -> JSON:
    if name in ("length", "size"):
        if isinstance(value, list | str | dict):
            return len(value)
    elif name == "keys":
        if isinstance(value, dict):
            return list(value)
    elif isinstance(value, list):
        nums = [v for v in value if _num(v)]
        if nums:
            if name == "min":
                return float(min(nums))
            if name == "max":
                return float(max(nums))
            if name == "sum":
                return float(math.fsum(nums))
            mean = math.fsum(nums) / len(nums)
            if name == "avg":
                return mean
            return math.sqrt(math.fsum((n - mean) ** 2 for n in nums) / len(nums))
    raise PathNotFound(where, f"Function {name}() cannot be applied to {_java_class(value)}")


def walk(
    value: JSON,
    steps: tuple[Step, ...],
    i: int,
    at: str,
    hits: list[JSON],
    *,
    definite: bool,
    root: JSON = None,
) -> None:
    """Jayway-style evaluation: append every node the steps select to ``hits``.

    ``definite`` says whether every step so far selected at most one node; only then is a
    missing property an error rather than "nothing here".
    """
    if i == len(steps):
        hits.append(value)
        return
    step = steps[i]
    kind = step[0]
    leaf = i == len(steps) - 1
    if kind == "field":
        name = step[1]
        here = at + "['" + name + "']"
        if isinstance(value, dict):
            if name in value:
                walk(value[name], steps, i + 1, here, hits, definite=definite, root=root)
            elif definite and not leaf:
                raise PathNotFound("", f"Missing property in path {here}")
        elif definite:
            raise PathNotFound(
                "",
                f"Expected to find an object with property ['{name}'] in path {at} but found "
                f"'{_java_class(value)}'. This is not a json object according to the "
                "JsonProvider: 'com.jayway.jsonpath.spi.json.JsonSmartJsonProvider'.",
            )
        return
    if kind == "fields":
        if isinstance(value, dict):
            for name in step[1]:
                if name in value:
                    walk(
                        value[name],
                        steps,
                        i + 1,
                        at + f"['{name}']",
                        hits,
                        definite=False,
                        root=root,
                    )
        return
    if kind == "func":
        hits.append(_apply_function(step[1], value, at))
        return
    if kind == "wild":
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, steps, i + 1, at + f"['{k}']", hits, definite=False, root=root)
        elif isinstance(value, list):
            for n, v in enumerate(value):
                walk(v, steps, i + 1, at + f"[{n}]", hits, definite=False, root=root)
        return
    if kind == "scan":
        _scan(value, step[1], steps, i, at, hits, root)
        return
    # The remaining steps need an array.
    if not isinstance(value, list):
        if definite:
            if value is None:
                raise PathNotFound("", f"The path {at} is null")
            if kind == "index":
                raise PathNotFound(
                    "",
                    f"Filter: {fragment(step)} can only be applied to arrays. "
                    f"Current context is: {cause_json(value)}",
                )
        if kind == "filter" and isinstance(value, dict) and step[1](value, root):
            walk(value, steps, i + 1, at, hits, definite=False, root=root)
        return
    if kind == "index":
        n = step[1]
        if -len(value) <= n < len(value):
            walk(value[n], steps, i + 1, at + f"[{n}]", hits, definite=definite, root=root)
        return
    if kind == "indexes":
        for n in step[1]:
            if -len(value) <= n < len(value):
                walk(value[n], steps, i + 1, at + f"[{n}]", hits, definite=False, root=root)
        return
    if kind == "slice":
        for n in range(*slice(step[1], step[2], step[3]).indices(len(value))):
            walk(value[n], steps, i + 1, at + f"[{n}]", hits, definite=False, root=root)
        return
    if kind == "filter":
        pred = step[1]
        for n, v in enumerate(value):
            if pred(v, root):
                walk(v, steps, i + 1, at + f"[{n}]", hits, definite=False, root=root)
        return
    raise AssertionError(kind)  # pragma: no cover - the parser makes no other kinds


def _scan(
    value: JSON,
    inner: Step,
    steps: tuple[Step, ...],
    i: int,
    at: str,
    hits: list[JSON],
    root: JSON,
) -> None:
    # ``..x`` applies ``x`` at this node and at every descendant, depth first, as Jayway does.
    rest = (inner, *steps[i + 1 :])
    if inner[0] == "wild":
        children: list[JSON] = (
            (list(value.values()) if isinstance(value, dict) else value)
            if isinstance(value, dict | list)
            else []
        )
        for child in children:
            walk(child, steps, i + 1, at, hits, definite=False, root=root)
            _scan(child, inner, steps, i, at, hits, root)
        return
    if isinstance(value, dict | list):
        walk(value, rest, 0, at, hits, definite=False, root=root)
        children = list(value.values()) if isinstance(value, dict) else value
        for child in children:
            if isinstance(child, dict | list):
                _scan(child, inner, steps, i, at, hits, root)


__all__ = [
    "MISSING",
    "Operand",
    "Predicate",
    "Step",
    "StepParser",
    "compile_filter",
    "fragment",
    "walk",
]
