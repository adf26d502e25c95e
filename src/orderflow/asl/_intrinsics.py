"""Intrinsic functions (``States.Format(...)`` and friends): parse once, evaluate many times.

The grammar is AWS's: a call is ``States.Name(arg, ...)``; an argument is a string literal
in single quotes (escapes ``\\'``, ``\\{``, ``\\}``, ``\\\\``), a number, ``true``,
``false``, ``null``, a JSONPath (``$.x``, ``$$.Execution.Id``, ``$var.x``) or another call.

Evaluation reproduces what AWS records, quirks included: ``States.MathAdd`` rounds each
argument half-up to an integer first (``MathAdd(1.49, 1.5)`` is ``3``), ``States.Format``
prints objects the way Java's ``Map.toString`` does (``{a=1, b=[]}``), ``States.StringSplit``
splits on *any* of the delimiter characters and drops empty pieces.

Randomness (``States.MathRandom`` without a seed, ``States.UUID``) comes only from the
``random.Random`` passed to :meth:`IntrinsicCall.evaluate`. This module parses calls and
evaluates their arguments; the functions themselves are in
:mod:`orderflow.asl._intrinsic_functions`.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from orderflow.asl._document import JSON
from orderflow.asl._intrinsic_functions import IMPLEMENTATIONS, PLACEHOLDER, unescape_braces
from orderflow.asl._jsonpath import CompiledPath, compile_path
from orderflow.asl._states_errors import ExpressionSyntaxError

KNOWN_INTRINSICS: Final[Mapping[str, tuple[int, int | None]]] = {
    "States.Format": (1, None),
    "States.StringToJson": (1, 1),
    "States.JsonToString": (1, 1),
    "States.Array": (0, None),
    "States.ArrayPartition": (2, 2),
    "States.ArrayContains": (2, 2),
    "States.ArrayRange": (3, 3),
    "States.ArrayGetItem": (2, 2),
    "States.ArrayLength": (1, 1),
    "States.ArrayUnique": (1, 1),
    "States.Base64Encode": (1, 1),
    "States.Base64Decode": (1, 1),
    "States.Hash": (2, 2),
    "States.JsonMerge": (3, 3),
    "States.MathRandom": (2, 3),
    "States.MathAdd": (2, 2),
    "States.StringSplit": (2, 2),
    "States.UUID": (0, 0),
}
"""Every intrinsic function AWS knows, with its (minimum, maximum) argument count."""

_CALL_START = re.compile(r"(States\.[A-Za-z0-9]+)\(")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
_MAX_NESTING: Final = 10  # "You can nest up to 10 intrinsic functions within a field."


def is_intrinsic(text: object) -> bool:
    """Return True when ``text`` looks like an intrinsic call (``States.X(...)``)."""
    return isinstance(text, str) and _CALL_START.match(text) is not None


# --- model -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Literal:
    """A literal argument: string, number, boolean or null.

    ``raw`` keeps a string literal's ``\\{`` and ``\\}`` escapes, which matter only
    to ``States.Format`` (an escaped brace is not a placeholder).
    """

    value: JSON
    raw: str | None = None


@dataclass(frozen=True, slots=True)
class PathArg:
    """A JSONPath argument, resolved against the input, context object or a variable."""

    path: CompiledPath


@dataclass(frozen=True, slots=True)
class IntrinsicCall:
    """A parsed intrinsic call.

    Attributes:
        name: the function name (``States.Format``).
        args: the arguments, each a :class:`Literal`, :class:`PathArg` or nested call.
        text: the source text.
    """

    name: str
    args: tuple[Literal | PathArg | IntrinsicCall, ...]
    text: str

    def evaluate(
        self,
        data: JSON,
        context: JSON = None,
        variables: Mapping[str, JSON] | None = None,
        rng: random.Random | None = None,
    ) -> JSON:
        """Evaluate the call.

        Args:
            data: the value ``$`` stands for (the state's effective input).
            context: the context object (``$$``).
            variables: the variables in scope (``$name``).
            rng: the source of randomness for ``States.MathRandom`` (unseeded) and
                ``States.UUID``; without one a ``random.Random(0)`` is used, so results
                stay reproducible.

        Raises:
            StatesError: ``States.IntrinsicFailure`` for bad argument values, or
                ``States.Runtime`` when a path argument selects nothing.
        """
        values = [
            arg.value
            if isinstance(arg, Literal)
            else arg.path.resolve(data, context, variables)
            if isinstance(arg, PathArg)
            else arg.evaluate(data, context, variables, rng)
            for arg in self.args
        ]
        if self.name == "States.Format" and isinstance(self.args[0], Literal):
            values[0] = self.args[0].raw
        return IMPLEMENTATIONS[self.name](values, rng)

    def paths(self) -> list[CompiledPath]:
        """Return every JSONPath this call reads, nested calls included."""
        out: list[CompiledPath] = []
        for arg in self.args:
            if isinstance(arg, PathArg):
                out.append(arg.path)
            elif isinstance(arg, IntrinsicCall):
                out.extend(arg.paths())
        return out


# --- parsing ---------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.depth = 0

    def fail(self, message: str, pos: int | None = None) -> ExpressionSyntaxError:
        return ExpressionSyntaxError(
            message, expression=self.text, position=self.pos if pos is None else pos
        )

    def ws(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t\r\n":
            self.pos += 1

    def call(self) -> IntrinsicCall:
        start = self.pos
        m = _CALL_START.match(self.text, self.pos)
        if not m:
            raise self.fail("expected an intrinsic function call 'States.Name(...)'")
        name = m.group(1)
        if name not in KNOWN_INTRINSICS:
            raise self.fail(f"unknown intrinsic function {name!r}", m.start(1))
        self.pos = m.end()
        args: list[Literal | PathArg | IntrinsicCall] = []
        self.ws()
        if self.text.startswith(")", self.pos):
            self.pos += 1
        else:
            while True:
                self.ws()
                args.append(self.argument())
                self.ws()
                ch = self.text[self.pos : self.pos + 1]
                self.pos += 1
                if ch == ")":
                    break
                if ch != ",":
                    raise self.fail("expected ',' or ')' after an argument", self.pos - 1)
        low, high = KNOWN_INTRINSICS[name]
        if len(args) < low or (high is not None and len(args) > high):
            expected = (
                f"{low}"
                if low == high
                else f"at least {low}"
                if high is None
                else f"{low} to {high}"
            )
            raise self.fail(
                f"{name} takes {expected} argument{'s' if high != 1 else ''}, got {len(args)}",
                start,
            )
        _check_literals(name, args, self)
        return IntrinsicCall(name, tuple(args), self.text[start : self.pos].strip())

    def argument(self) -> Literal | PathArg | IntrinsicCall:
        ch = self.text[self.pos : self.pos + 1]
        if ch == "'":
            return self.literal_string()
        if ch == "$":
            return PathArg(self.path())
        if self.text.startswith("States.", self.pos):
            self.depth += 1
            if self.depth >= _MAX_NESTING:
                raise self.fail(
                    f"intrinsic functions can be nested at most {_MAX_NESTING} deep in a field"
                )
            call = self.call()
            self.depth -= 1
            return call
        for word, value in (("true", True), ("false", False), ("null", None)):
            if self.text.startswith(word, self.pos):
                self.pos += len(word)
                return Literal(value)
        m = _NUMBER.match(self.text, self.pos)
        if m:
            self.pos = m.end()
            text = m.group()
            return Literal(float(text) if any(c in text for c in ".eE") else int(text))
        if not ch:
            raise self.fail("unexpected end of text; expected an argument")
        raise self.fail(f"unexpected character {ch!r}; expected an argument")

    def string(self) -> str:
        start = self.pos
        self.pos += 1
        buf: list[str] = []
        while True:
            if self.pos >= len(self.text):
                raise self.fail("unterminated string literal", start)
            ch = self.text[self.pos]
            if ch == "\\":
                nxt = self.text[self.pos + 1 : self.pos + 2]
                if nxt not in ("'", "{", "}", "\\"):
                    raise self.fail(
                        "only \\', \\{, \\} and \\\\ may be escaped in a string literal"
                    )
                # \{ and \} stay escaped so States.Format can tell them from placeholders.
                buf.append(nxt if nxt in ("'", "\\") else "\\" + nxt)
                self.pos += 2
                continue
            self.pos += 1
            if ch == "'":
                return "".join(buf)
            buf.append(ch)

    def literal_string(self) -> Literal:
        raw = self.string()
        return Literal(unescape_braces(raw), raw)

    def path(self) -> CompiledPath:
        start = self.pos
        depth = 0
        quote = ""
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if quote:
                if ch == "\\":
                    self.pos += 1
                elif ch == quote:
                    quote = ""
            elif ch in "'\"":
                quote = ch
            elif ch in "[(":
                depth += 1
            elif ch in "])":
                if depth == 0:
                    break
                depth -= 1
            elif ch == "," and depth == 0:
                break
            self.pos += 1
        text = self.text[start : self.pos].rstrip()
        try:
            return compile_path(text)
        except ExpressionSyntaxError as exc:
            pos = start + (exc.position or 0)
            raise self.fail(f"bad JSONPath argument {text!r}: {exc.reason}", pos) from None


def _check_literals(
    name: str, args: Sequence[Literal | PathArg | IntrinsicCall], parser: _Parser
) -> None:
    """Reject literal arguments AWS refuses when the definition is created."""
    if name == "States.Format" and args:
        template = args[0]
        if isinstance(template, Literal):
            if not isinstance(template.value, str):
                raise parser.fail("States.Format's first argument must be a string literal")
            holes = _count_placeholders(template.raw or "")
            if holes != len(args) - 1:
                raise parser.fail(
                    f"States.Format template has {holes} placeholder(s) "
                    f"but {len(args) - 1} value argument(s)"
                )
    if name == "States.JsonMerge" and isinstance(args[2], Literal) and args[2].value is not False:
        raise parser.fail(
            "States.JsonMerge supports only shallow merging: its third argument must be false"
        )


def _count_placeholders(template: str) -> int:
    return len(PLACEHOLDER.findall(template))


@lru_cache(maxsize=2048)
def parse_intrinsic(text: str) -> IntrinsicCall:
    """Parse an intrinsic call (cached by text).

    Raises:
        ExpressionSyntaxError: bad grammar, an unknown function or a wrong argument count.
    """
    parser = _Parser(text)
    call = parser.call()
    parser.ws()
    if parser.pos != len(text):
        raise parser.fail("unexpected text after the intrinsic call")
    return call


__all__ = [
    "KNOWN_INTRINSICS",
    "IntrinsicCall",
    "Literal",
    "PathArg",
    "is_intrinsic",
    "parse_intrinsic",
]
