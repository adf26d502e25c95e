"""JSONPath as AWS Step Functions evaluates it (the Jayway dialect), compiled once.

A path is parsed into a tuple of steps when first seen and cached. Paths made only of
field names and array indexes (``$.order.items[0]``, by far the most common) evaluate as a
tight loop over precomputed keys; filters, wildcards, slices, unions and ``..`` go through
a small interpreter (:mod:`orderflow.asl._jsonpath_filters`) that follows Jayway's rules for
what a missing property means:

* a *definite* path (no wildcard, filter, slice, union or ``..``) selecting nothing is an
  error (``States.Runtime``) worded as Jayway words it, e.g.
  ``No results for path: $['a']['b']`` or ``Missing property in path $['a']``;
* an *indefinite* path returns the list of everything it selected, possibly empty.

Three roots: ``$`` (the state input), ``$$`` (the context object) and ``$name`` (a
variable set by ``Assign``). :meth:`CompiledPath.evaluate` applies the steps to whatever
root value it is given; :meth:`CompiledPath.resolve` picks the root from the path itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Final

from orderflow.asl._document import JSON
from orderflow.asl._jsonpath_filters import (
    MISSING,
    Step,
    compile_filter,
    fragment,
    walk,
)
from orderflow.asl._states_errors import (
    ExpressionSyntaxError,
    PathNotFound,
    StatesError,
    cause_json,
)

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_FIELD_CHARS = re.compile(r"[^.\[\]()\s,*?@'\"]+")
_FUNCTIONS: Final = frozenset({"length", "size", "min", "max", "avg", "sum", "stddev", "keys"})
_INTEGER = re.compile(r"\s*(-?\d+)\s*")


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
        m = _INTEGER.match(self.text, self.pos)
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
            predicate = compile_filter(body, self.text, body_start, _operand_steps)
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


def _operand_steps(text: str) -> tuple[Step, ...]:
    # A filter operand's root is one character (@ or $); its steps parse as any path's.
    return tuple(_Parser(text, 1).steps(lambda: False))


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


def _copy(value: JSON) -> JSON:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


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
            walk(data, self._steps, 0, "$", hits, definite=self.is_definite, root=data)
        except PathNotFound as exc:
            raise PathNotFound(self.text, exc.detail) from None
        if self.is_definite:
            if not hits:
                path = "$" + "".join(fragment(s) for s in self._steps)
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
        if node is MISSING:
            node = {}
        if not isinstance(node, dict):
            raise _result_path_failure(text, keys[i:], node)
        out = dict(node)
        out[key] = result if last else _set_in(out.get(key, MISSING), keys, i + 1, result, text)
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
        f'Unable to apply step "{shown}" to input {cause_json(node)}',
    )


__all__ = [
    "CompiledPath",
    "Step",
    "apply_result_path",
    "compile_path",
    "reference_path_error",
    "resolve_items",
]
