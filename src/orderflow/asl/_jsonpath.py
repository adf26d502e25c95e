"""JSONPath as AWS Step Functions evaluates it (the Jayway dialect), compiled once.

A path is parsed into a tuple of steps when first seen and cached. Paths made only of
field names and array indexes (``$.order.items[0]``, by far the most common) evaluate as a
tight loop over precomputed keys; filters, wildcards, slices, unions and ``..`` go through
a small interpreter that follows Jayway's rules for what a missing property means:

* a *definite* path (no wildcard, filter, slice, union or ``..``) selecting nothing is an
  error (``States.Runtime``) worded as Jayway words it, e.g.
  ``No results for path: $['a']['b']`` or ``Missing property in path $['a']``;
* an *indefinite* path returns the list of everything it selected, possibly empty.

Three roots: ``$`` (the state input), ``$$`` (the context object) and ``$name`` (a
variable set by ``Assign``). :meth:`CompiledPath.evaluate` applies the steps to whatever
root value it is given; :meth:`CompiledPath.resolve` picks the root from the path itself.
"""

from __future__ import annotations

import decimal
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

from orderflow.asl._document import JSON
from orderflow.asl._states_errors import ExpressionSyntaxError, PathNotFound, StatesError

# --- steps -----------------------------------------------------------------------------
# Steps are small tuples so the interpreter can dispatch on the first element cheaply.
# ("field", name) ("index", i) ("wild",) ("slice", start, stop, step)
# ("fields", (names...)) ("indexes", (ints...)) ("filter", predicate, text)
# ("scan", inner_step)   ("func", name)

Step = tuple[Any, ...]

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_FIELD_CHARS = re.compile(r"[^.\[\]()\s,*?@'\"]+")
_FUNCTIONS: Final = frozenset({"length", "size", "min", "max", "avg", "sum", "stddev", "keys"})


@dataclass(frozen=True, slots=True)
class _Missing:
    """Marker for "selected nothing" inside filters (JSON null is a real value)."""


_MISSING: Final = _Missing()


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


def _fragment(step: Step) -> str:
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
        return ".." + _fragment(step[1]).removeprefix(".")
    return f".{step[1]}()"


# --- parsing ---------------------------------------------------------------------------


class _Parser:
    """Recursive-descent parser for one path (also used for ``@`` paths in filters)."""

    def __init__(self, text: str, pos: int = 0) -> None:
        self.text = text
        self.pos = pos

    def fail(self, message: str, pos: int | None = None) -> ExpressionSyntaxError:
        return ExpressionSyntaxError(
            message, expression=self.text, position=self.pos if pos is None else pos
        )

    def peek(self, n: int = 0) -> str:
        i = self.pos + n
        return self.text[i] if i < len(self.text) else ""

    def skip_ws(self) -> None:
        while self.peek() in (" ", "\t", "\n", "\r") and self.peek():
            self.pos += 1

    def steps(self, stop: Callable[[], bool]) -> list[Step]:
        out: list[Step] = []
        while self.pos < len(self.text) and not stop():
            ch = self.peek()
            if ch == "." and self.peek(1) == ".":
                self.pos += 2
                if self.peek() == "[":
                    out.append(("scan", self.bracket()))
                elif self.peek() == "*":
                    self.pos += 1
                    out.append(("scan", ("wild",)))
                else:
                    out.append(("scan", ("field", self.dotted_name())))
            elif ch == ".":
                self.pos += 1
                if self.peek() == "*":
                    self.pos += 1
                    out.append(("wild",))
                    continue
                name = self.dotted_name()
                if self.text.startswith("()", self.pos) and name in _FUNCTIONS:
                    self.pos += 2
                    out.append(("func", name))
                else:
                    out.append(("field", name))
            elif ch == "[":
                out.append(self.bracket())
            else:
                raise self.fail(f"unexpected character {ch!r}")
        return out

    def dotted_name(self) -> str:
        m = _FIELD_CHARS.match(self.text, self.pos)
        if not m:
            raise self.fail("expected a field name after '.'")
        self.pos = m.end()
        return m.group()

    def quoted(self) -> str:
        quote = self.peek()
        start = self.pos
        self.pos += 1
        buf: list[str] = []
        while True:
            ch = self.peek()
            if not ch:
                raise self.fail("unterminated quoted name", start)
            self.pos += 1
            if ch == "\\" and self.peek():
                # A backslash stops the next character from ending the name, but AWS keeps
                # both characters: $['a\\"b'] selects the key a\"b, as recorded.
                buf.append(ch + self.peek())
                self.pos += 1
            elif ch == quote:
                return "".join(buf)
            else:
                buf.append(ch)

    def integer(self) -> int | None:
        m = re.compile(r"\s*(-?\d+)\s*").match(self.text, self.pos)
        if not m:
            return None
        self.pos = m.end()
        return int(m.group(1))

    def bracket(self) -> Step:
        start = self.pos
        self.pos += 1  # '['
        self.skip_ws()
        ch = self.peek()
        step: Step
        if ch == "*":
            self.pos += 1
            step = ("wild",)
        elif ch == "?":
            self.pos += 1
            self.skip_ws()
            if self.peek() != "(":
                raise self.fail("expected '(' after '[?'")
            body_start = self.pos + 1
            depth = 0
            quote = ""
            while True:
                c = self.peek()
                if not c:
                    raise self.fail("unterminated filter", start)
                if quote:
                    if c == "\\":
                        self.pos += 1
                    elif c == quote:
                        quote = ""
                elif c in "'\"":
                    quote = c
                elif c == "(":
                    depth += 1
                elif c == ")":
                    depth -= 1
                    if depth == 0:
                        break
                self.pos += 1
            body = self.text[body_start : self.pos]
            self.pos += 1
            predicate = _compile_filter(body, self.text, body_start)
            step = ("filter", predicate, body)
        elif ch in "'\"":
            names = [self.quoted()]
            self.skip_ws()
            while self.peek() == ",":
                self.pos += 1
                self.skip_ws()
                if self.peek() not in ("'", '"'):
                    raise self.fail("expected a quoted name in union")
                names.append(self.quoted())
                self.skip_ws()
            step = ("field", names[0]) if len(names) == 1 else ("fields", tuple(names))
        else:
            first = self.integer()
            if self.peek() == ":":
                self.pos += 1
                stop = self.integer()
                step_by = 1
                if self.peek() == ":":
                    self.pos += 1
                    s = self.integer()
                    step_by = 1 if s is None else s
                    if step_by == 0:
                        raise self.fail("slice step cannot be 0")
                step = ("slice", first, stop, step_by)
            elif first is None:
                raise self.fail("expected an index, a quoted name, '*', a slice or a filter")
            else:
                idx = [first]
                while self.peek() == ",":
                    self.pos += 1
                    nxt = self.integer()
                    if nxt is None:
                        raise self.fail("expected an index in union")
                    idx.append(nxt)
                step = ("index", first) if len(idx) == 1 else ("indexes", tuple(idx))
        self.skip_ws()
        if self.peek() != "]":
            raise self.fail("expected ']'")
        self.pos += 1
        return step


def _parse_root(text: str) -> tuple[str, str | None, int]:
    """Return (kind, variable name, offset after the root) for a path's root."""
    if text.startswith("$$"):
        return "context", None, 2
    if not text.startswith("$"):
        raise ExpressionSyntaxError("a JSONPath must start with '$'", expression=text, position=0)
    m = _IDENT.match(text, 1)
    if m:
        return "variable", m.group(), m.end()
    return "input", None, 1


# --- filters ---------------------------------------------------------------------------

Predicate = Callable[[JSON, JSON], bool]
Operand = Callable[[JSON, JSON], JSON]

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


def _compile_filter(body: str, full: str, offset: int) -> Predicate:
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
    return _FilterParser(tokens, full).parse()


class _FilterParser:
    def __init__(self, tokens: list[tuple[str, str, int]], full: str) -> None:
        self.tokens = tokens
        self.i = 0
        self.full = full

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
            flags = re.IGNORECASE if "i" in raw[end + 1 :] else 0
            pattern = re.compile(raw[1:end], flags)
            return lambda cur, root: (
                isinstance(v := left(cur, root), str) and bool(pattern.fullmatch(v))
            )
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
            relative = text.startswith("@")
            parser = _Parser(text, 1)
            steps = tuple(parser.steps(lambda: False))
            if relative:
                return lambda cur, root: _select_one(cur, steps)
            return lambda cur, root: _select_one(root, steps)
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


def _select_one(value: JSON, steps: tuple[Step, ...]) -> JSON:
    """Evaluate a filter operand path; return _MISSING when it selects nothing."""
    if all(s[0] in ("field", "index") for s in steps):
        cur = value
        for s in steps:
            key = s[1]
            if s[0] == "field":
                if not isinstance(cur, dict) or key not in cur:
                    return _MISSING
                cur = cur[key]
            else:
                if not isinstance(cur, list) or not -len(cur) <= key < len(cur):
                    return _MISSING
                cur = cur[key]
        return cur
    hits: list[JSON] = []
    try:
        _walk(value, steps, 0, "@", hits, definite=False, root=value)
    except StatesError:
        return _MISSING
    if steps and steps[-1][0] == "func":
        return hits[0] if hits else _MISSING
    return hits


def _exists(value: JSON) -> bool:
    return value is not _MISSING


def _num(value: JSON) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _eq(a: JSON, b: JSON) -> bool:
    """Jayway's ``==``: numbers and strings compare across types ("1" == 1), as its
    NumberNode/StringNode equality converts the other side."""
    if a is _MISSING or b is _MISSING:
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


def _walk(
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
                _walk(value[name], steps, i + 1, here, hits, definite=definite, root=root)
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
                    _walk(
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
                _walk(v, steps, i + 1, at + f"['{k}']", hits, definite=False, root=root)
        elif isinstance(value, list):
            for n, v in enumerate(value):
                _walk(v, steps, i + 1, at + f"[{n}]", hits, definite=False, root=root)
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
                    f"Filter: {_fragment(step)} can only be applied to arrays. "
                    f"Current context is: {_java_text(value)}",
                )
        if kind == "filter" and isinstance(value, dict) and step[1](value, root):
            _walk(value, steps, i + 1, at, hits, definite=False, root=root)
        return
    if kind == "index":
        n = step[1]
        if -len(value) <= n < len(value):
            _walk(value[n], steps, i + 1, at + f"[{n}]", hits, definite=definite, root=root)
        return
    if kind == "indexes":
        for n in step[1]:
            if -len(value) <= n < len(value):
                _walk(value[n], steps, i + 1, at + f"[{n}]", hits, definite=False, root=root)
        return
    if kind == "slice":
        for n in range(*slice(step[1], step[2], step[3]).indices(len(value))):
            _walk(value[n], steps, i + 1, at + f"[{n}]", hits, definite=False, root=root)
        return
    if kind == "filter":
        pred = step[1]
        for n, v in enumerate(value):
            if pred(v, root):
                _walk(v, steps, i + 1, at + f"[{n}]", hits, definite=False, root=root)
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
            _walk(child, steps, i + 1, at, hits, definite=False, root=root)
            _scan(child, inner, steps, i, at, hits, root)
        return
    if isinstance(value, dict | list):
        _walk(value, rest, 0, at, hits, definite=False, root=root)
        children = list(value.values()) if isinstance(value, dict) else value
        for child in children:
            if isinstance(child, dict | list):
                _scan(child, inner, steps, i, at, hits, root)


def _copy(value: JSON) -> JSON:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _java_text(value: JSON) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class CompiledPath:
    """A parsed JSONPath, ready to evaluate many times.

    Attributes:
        text: the path as written.
        root: ``"input"`` (``$``), ``"context"`` (``$$``) or ``"variable"`` (``$name``).
        variable: the variable name for a variable path, else None.
        is_reference: True when the path is a Reference Path (fields and indexes only).
        is_definite: True when the path selects at most one node.
    """

    __slots__ = ("_keys", "_steps", "is_definite", "is_reference", "root", "text", "variable")

    def __init__(self, text: str) -> None:
        self.text = text
        root, variable, offset = _parse_root(text)
        self.root = root
        self.variable = variable
        parser = _Parser(text, offset)
        self._steps: tuple[Step, ...] = tuple(parser.steps(lambda: False))
        self.is_reference = all(s[0] in ("field", "index") for s in self._steps)
        self.is_definite = self.is_reference or (
            all(s[0] in ("field", "index", "func") for s in self._steps)
        )
        # The fast path: str keys are fields, int keys are indexes.
        self._keys: tuple[str | int, ...] | None = (
            tuple(s[1] for s in self._steps) if self.is_reference else None
        )

    @property
    def is_context(self) -> bool:
        """True for a context-object path (``$$.Execution.Id``)."""
        return self.root == "context"

    @property
    def is_variable(self) -> bool:
        """True for a variable path (``$order.id``)."""
        return self.root == "variable"

    @property
    def steps(self) -> tuple[Step, ...]:
        """The parsed steps (the data-flow checker walks them).

        Each step is a tuple whose first item names its kind; this format is stable:
        ``("field", name)``, ``("index", i)``, ``("wild",)``, ``("slice", start, stop,
        step)``, ``("fields", names)``, ``("indexes", ints)``, ``("filter", predicate,
        text)``, ``("scan", inner_step)`` for ``..``, ``("func", name)`` for ``.length()``.
        """
        return self._steps

    def field_names(self) -> tuple[str | int, ...] | None:
        """Return the keys of a Reference Path (str fields, int indexes), else None."""
        return self._keys

    def evaluate(self, data: JSON) -> JSON:
        """Apply the path to ``data`` (the value its root stands for).

        Raises:
            PathNotFound: a definite path selected nothing (``States.Runtime``).
        """
        keys = self._keys
        if keys is not None:
            cur = data
            for key in keys:
                if type(key) is str:
                    if type(cur) is dict and key in cur:
                        cur = cur[key]
                        continue
                elif type(cur) is list and -len(cur) <= key < len(cur):  # type: ignore[operator]
                    cur = cur[key]  # type: ignore[index]
                    continue
                return self._slow(data)  # produce Jayway's exact failure message
            return cur
        return self._slow(data)

    def _slow(self, data: JSON) -> JSON:
        hits: list[JSON] = []
        try:
            _walk(data, self._steps, 0, "$", hits, definite=self.is_definite, root=data)
        except PathNotFound as exc:
            raise PathNotFound(self.text, exc.detail) from None
        if self.is_definite:
            if not hits:
                path = "$" + "".join(_fragment(s) for s in self._steps)
                raise PathNotFound(self.text, f"No results for path: {path}")
            return hits[0]
        return hits

    def resolve(
        self, data: JSON, context: JSON = None, variables: Mapping[str, JSON] | None = None
    ) -> JSON:
        """Evaluate against the right root: the input, the context object or a variable.

        Values are returned without copying (JSON values are treated as immutable), except
        for context-object reads: the context is the runner's live state (``State.Name``,
        ``RetryCount`` change as the run goes on), so what a state reads from it is a copy.

        Raises:
            PathNotFound: nothing selected, or the variable is not set.
        """
        if self.root == "input":
            return self.evaluate(data)
        if self.root == "context":
            return _copy(self.evaluate(context))
        name = self.variable or ""
        if variables is None or name not in variables:
            raise PathNotFound(self.text, f"The variable '{name}' is not defined")
        return self.evaluate(variables[name])

    def __repr__(self) -> str:
        return f"CompiledPath({self.text!r})"


@lru_cache(maxsize=4096)
def compile_path(text: str) -> CompiledPath:
    """Parse a JSONPath once; later calls with the same text return the same object.

    Raises:
        ExpressionSyntaxError: the text is not a JSONPath AWS accepts.
    """
    if not isinstance(text, str):
        raise ExpressionSyntaxError("a JSONPath must be a string", expression=repr(text))
    return CompiledPath(text)


def reference_path_error(text: str) -> str | None:
    """Return why ``text`` is not a valid Reference Path, or None when it is one.

    Reference Paths (``ResultPath``, ``ItemsPath`` and the ``*Path`` fields that read one
    value, such as ``SecondsPath``) may select one node only: fields and array indexes, no
    filters, wildcards, slices, unions, ``..`` or functions. ``InputPath`` and
    ``OutputPath`` are ordinary Paths and may use all of those.
    """
    try:
        path = compile_path(text)
    except ExpressionSyntaxError as exc:
        return exc.message
    if not path.is_reference:
        kinds = {s[0] for s in path.steps}
        names = {
            "wild": "wildcards",
            "filter": "filters",
            "slice": "slices",
            "fields": "unions",
            "indexes": "unions",
            "scan": "'..'",
            "func": "functions",
        }
        found = ", ".join(sorted(names[k] for k in kinds if k in names))
        return f"{text!r} is not a Reference Path: it uses {found}"
    return None


def resolve_items(
    items_path: str,
    data: JSON,
    context: JSON = None,
    variables: Mapping[str, JSON] | None = None,
) -> list[JSON]:
    """Return the array a Map state's ``ItemsPath`` selects.

    Raises:
        StatesError: ``States.Runtime`` when nothing is selected or the value is not an
            array (worded as AWS words it: ``Reference path "$.x" must point to array.``).
    """
    path = compile_path(items_path)
    value = path.resolve(data, context, variables)
    if not isinstance(value, list) or not path.is_definite:
        # AWS quotes a context path without its second '$' ("$$.Execution.Input" reads
        # "$.Execution.Input"), since it is a path into the context object.
        shown = path.text[1:] if path.is_context else path.text
        raise StatesError("States.Runtime", f'Reference path "{shown}" must point to array.')
    return value


# --- ResultPath ------------------------------------------------------------------------


def apply_result_path(state_input: JSON, result_path: str | None, result: JSON) -> JSON:
    """Combine a state's input and result as ``ResultPath`` says.

    ``None`` (``"ResultPath": null``) discards the result; ``"$"`` replaces the input with
    it; ``"$.a.b"`` returns a copy of the input with the result stored at ``a.b``, creating
    missing objects on the way. The input is never mutated.

    Raises:
        StatesError: ``States.ResultPathMatchFailure`` when the path runs through a value
            that is not an object (or an index outside an array).
    """
    if result_path is None:
        return state_input
    path = compile_path(result_path)
    keys = path.field_names()
    if keys is None or path.root != "input":
        raise StatesError(
            "States.ResultPathMatchFailure",
            f"Unable to apply ResultPath {result_path!r}: not a Reference Path",
        )
    if not keys:
        return result
    return _set_in(state_input, keys, 0, result, result_path)


def _set_in(node: JSON, keys: tuple[str | int, ...], i: int, result: JSON, text: str) -> JSON:
    key = keys[i]
    last = i == len(keys) - 1
    if isinstance(key, str):
        if node is _MISSING:
            node = {}
        if not isinstance(node, dict):
            raise _result_path_failure(text, keys[i:], node)
        out = dict(node)
        out[key] = result if last else _set_in(out.get(key, _MISSING), keys, i + 1, result, text)
        return out
    if not isinstance(node, list) or not -len(node) <= key < len(node):
        raise _result_path_failure(text, keys[i:], node)
    items = list(node)
    items[key] = result if last else _set_in(items[key], keys, i + 1, result, text)
    return items


def _result_path_failure(text: str, rest: tuple[str | int, ...], node: JSON) -> StatesError:
    step = rest[0]
    shown = step if isinstance(step, str) else f"[{step}]"
    return StatesError(
        "States.ResultPathMatchFailure",
        f'Unable to apply step "{shown}" to input {_java_text(node)}',
    )


__all__ = [
    "CompiledPath",
    "apply_result_path",
    "compile_path",
    "reference_path_error",
    "resolve_items",
]
