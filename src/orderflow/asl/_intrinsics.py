"""Intrinsic functions (``States.Format(...)`` and friends): parse once, evaluate many times.

The grammar is AWS's: a call is ``States.Name(arg, ...)``; an argument is a string literal
in single quotes (escapes ``\\'``, ``\\{``, ``\\}``, ``\\\\``), a number, ``true``,
``false``, ``null``, a JSONPath (``$.x``, ``$$.Execution.Id``, ``$var.x``) or another call.

Evaluation reproduces what AWS records, quirks included: ``States.MathAdd`` rounds each
argument half-up to an integer first (``MathAdd(1.49, 1.5)`` is ``3``), ``States.Format``
prints objects the way Java's ``Map.toString`` does (``{a=1, b=[]}``), ``States.StringSplit``
splits on *any* of the delimiter characters and drops empty pieces.

Randomness (``States.MathRandom`` without a seed, ``States.UUID``) comes only from the
``random.Random`` passed to :meth:`IntrinsicCall.evaluate`.
"""

from __future__ import annotations

import base64
import binascii
import decimal
import hashlib
import json
import math
import random
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from orderflow.asl._document import JSON
from orderflow.asl._jsonpath import CompiledPath, compile_path
from orderflow.asl._states_errors import ExpressionSyntaxError, StatesError

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
_HASH_ALGORITHMS: Final = {
    "MD5": "md5",
    "SHA-1": "sha1",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
}
_MAX_RANGE_ITEMS: Final = 1000
_MAX_STRING: Final = 10000
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
        return _IMPLEMENTATIONS[self.name](values, rng if rng is not None else random.Random(0))

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
        return Literal(_unescape_braces(raw), raw)

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


def _unescape_braces(text: str) -> str:
    return text.replace("\\{", "{").replace("\\}", "}")


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
    return len(re.findall(r"(?<!\\)\{\}", template))


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


# --- implementations -------------------------------------------------------------------


def _fail(function: str, message: str) -> StatesError:
    return StatesError("States.IntrinsicFailure", f"Invalid arguments in {function}: {message}")


def _is_number(value: JSON) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_integral(value: JSON) -> bool:
    return _is_number(value) and float(value).is_integer()


def _java_number(value: int | float) -> str:
    """Format a number as Java's ``toString`` does (``1.0``, ``1.0E20``, ``1.0E-5``)."""
    if isinstance(value, int):
        return str(value)
    if math.isinf(value) or math.isnan(value):
        return "NaN" if math.isnan(value) else "Infinity" if value > 0 else "-Infinity"
    if value == 0 or 1e-3 <= abs(value) < 1e7:
        text = repr(value)
        if "e" in text:  # repr switches to exponents earlier than Java does
            text = f"{decimal.Decimal(text):f}"
        return text if "." in text else text + ".0"
    sign, digits, exponent = decimal.Decimal(repr(value)).as_tuple()
    assert isinstance(exponent, int)
    shown = "".join(map(str, digits)).rstrip("0") or "0"
    mantissa = shown[0] + "." + (shown[1:] or "0")
    return f"{'-' if sign else ''}{mantissa}E{len(digits) - 1 + exponent}"


def _java_text(value: JSON) -> str:
    """Render a value the way ``String.valueOf`` renders a Jackson-decoded Java object."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _java_number(value)
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "[" + ", ".join(_java_text(v) for v in value) + "]"
    return "{" + ", ".join(f"{k}={_java_text(v)}" for k, v in value.items()) + "}"


def _json_text(value: JSON) -> str:
    """Compact JSON as AWS's serialiser writes it: doubles the Java way (``1.0E20``)."""
    if isinstance(value, float) and not math.isinf(value) and not math.isnan(value):
        return _java_number(value)
    if isinstance(value, dict):
        return "{" + ",".join(f"{_json_string(k)}:{_json_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_json_text(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _json_string(key: str) -> str:
    return json.dumps(key, ensure_ascii=False)


def _round_half_up(value: int | float) -> int:
    # Java's Math.round: floor(x + 0.5). AWS applies it to each MathAdd argument.
    return value if isinstance(value, int) else math.floor(value + 0.5)


def _format(args: list[JSON], rng: random.Random) -> JSON:
    template = args[0]
    if not isinstance(template, str):
        raise _fail("States.Format", "the format string must be a string")
    values = args[1:]
    pieces = re.split(r"(?<!\\)\{\}", template)
    if len(pieces) - 1 != len(values):
        raise _fail(
            "States.Format",
            f"the format string has {len(pieces) - 1} placeholder(s) but {len(values)} "
            "argument(s) were given",
        )
    out = [_unescape_braces(pieces[0])]
    for value, piece in zip(values, pieces[1:], strict=True):
        out.append(_java_text(value))
        out.append(_unescape_braces(piece))
    return "".join(out)


def _string_to_json(args: list[JSON], rng: random.Random) -> JSON:
    text = args[0]
    if not isinstance(text, str):
        raise _fail("States.StringToJson", "the argument must be a string")
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError:
        raise _fail("States.StringToJson", f"the string {text!r} is not valid JSON") from None


def _json_to_string(args: list[JSON], rng: random.Random) -> JSON:
    return _json_text(args[0])


def _array(args: list[JSON], rng: random.Random) -> JSON:
    return list(args)


def _need_array(function: str, value: JSON) -> list[JSON]:
    if not isinstance(value, list):
        raise _fail(function, f"expected an array but got {_json_text(value)}")
    return value


def _need_int(function: str, value: JSON, what: str) -> int:
    if not _is_integral(value):
        raise _fail(function, f"the {what} must be an integer but was {_json_text(value)}")
    return int(value)


def _array_partition(args: list[JSON], rng: random.Random) -> JSON:
    items = _need_array("States.ArrayPartition", args[0])
    size = _need_int("States.ArrayPartition", args[1], "chunk size")
    if size <= 0:
        raise _fail("States.ArrayPartition", "the chunk size must be greater than 0")
    return [items[i : i + size] for i in range(0, len(items), size)]


def _same(a: JSON, b: JSON) -> bool:
    return _canonical(a) == _canonical(b)


def _canonical(value: JSON) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _array_contains(args: list[JSON], rng: random.Random) -> JSON:
    items = _need_array("States.ArrayContains", args[0])
    return any(_same(item, args[1]) for item in items)


def _array_range(args: list[JSON], rng: random.Random) -> JSON:
    start = _need_int("States.ArrayRange", args[0], "start")
    end = _need_int("States.ArrayRange", args[1], "end")
    step = _need_int("States.ArrayRange", args[2], "step")
    if step == 0:
        raise _fail("States.ArrayRange", "the step must not be 0")
    result = list(range(start, end + (1 if step > 0 else -1), step))
    if len(result) > _MAX_RANGE_ITEMS:
        raise _fail("States.ArrayRange", f"the range would have more than {_MAX_RANGE_ITEMS} items")
    return result


def _array_get_item(args: list[JSON], rng: random.Random) -> JSON:
    items = _need_array("States.ArrayGetItem", args[0])
    index = _need_int("States.ArrayGetItem", args[1], "index")
    if not 0 <= index < len(items):
        raise _fail("States.ArrayGetItem", f"the index {index} is out of bounds")
    return items[index]


def _array_length(args: list[JSON], rng: random.Random) -> JSON:
    return len(_need_array("States.ArrayLength", args[0]))


def _array_unique(args: list[JSON], rng: random.Random) -> JSON:
    seen: set[str] = set()
    out: list[JSON] = []
    for item in _need_array("States.ArrayUnique", args[0]):
        key = _canonical(item)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _need_string(function: str, value: JSON) -> str:
    if not isinstance(value, str):
        raise _fail(function, f"expected a string but got {_json_text(value)}")
    if len(value) > _MAX_STRING:
        raise _fail(function, f"the string is longer than {_MAX_STRING} characters")
    return value


def _base64_encode(args: list[JSON], rng: random.Random) -> JSON:
    text = _need_string("States.Base64Encode", args[0])
    return base64.b64encode(text.encode()).decode("ascii")


def _base64_decode(args: list[JSON], rng: random.Random) -> JSON:
    text = _need_string("States.Base64Decode", args[0])
    try:
        return base64.b64decode(text, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise _fail("States.Base64Decode", "the string is not valid base64") from None


def _hash(args: list[JSON], rng: random.Random) -> JSON:
    data = _need_string("States.Hash", args[0])
    algorithm = args[1]
    if not isinstance(algorithm, str) or algorithm not in _HASH_ALGORITHMS:
        raise _fail(
            "States.Hash",
            f"the algorithm must be one of {', '.join(_HASH_ALGORITHMS)} but was "
            f"{_json_text(algorithm)}",
        )
    return hashlib.new(_HASH_ALGORITHMS[algorithm], data.encode()).hexdigest()


def _json_merge(args: list[JSON], rng: random.Random) -> JSON:
    left, right, deep = args
    if not isinstance(left, dict) or not isinstance(right, dict):
        raise _fail("States.JsonMerge", "both values to merge must be JSON objects")
    if deep is not False:
        raise _fail("States.JsonMerge", "only shallow merging is supported (deep must be false)")
    return {**left, **right}


def _need_number(function: str, value: JSON, what: str) -> int:
    if not _is_number(value):
        raise _fail(function, f"the {what} must be a number but was {_json_text(value)}")
    return _round_half_up(value)


def _math_random(args: list[JSON], rng: random.Random) -> JSON:
    # AWS accepts non-integral bounds (MathRandom(12.5, 44.51) succeeds); they are rounded
    # like MathAdd's arguments.
    start = _need_number("States.MathRandom", args[0], "start")
    end = _need_number("States.MathRandom", args[1], "end")
    if start >= end:
        raise _fail("States.MathRandom", "the start must be less than the end")
    source = rng
    if len(args) == 3:
        source = random.Random(_need_int("States.MathRandom", args[2], "seed"))
    return source.randrange(start, end)


def _math_add(args: list[JSON], rng: random.Random) -> JSON:
    a, b = args
    if not _is_number(a) or not _is_number(b):
        raise _fail("States.MathAdd", "both arguments must be numbers")
    return _round_half_up(a) + _round_half_up(b)


def _string_split(args: list[JSON], rng: random.Random) -> JSON:
    text = _need_string("States.StringSplit", args[0])
    delimiters = _need_string("States.StringSplit", args[1])
    if not delimiters:
        return [text] if text else []
    pieces = re.split("[" + re.escape(delimiters) + "]", text)
    return [p for p in pieces if p]


def _uuid(args: list[JSON], rng: random.Random) -> JSON:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


_IMPLEMENTATIONS: Final[dict[str, Callable[[list[JSON], random.Random], JSON]]] = {
    "States.Format": _format,
    "States.StringToJson": _string_to_json,
    "States.JsonToString": _json_to_string,
    "States.Array": _array,
    "States.ArrayPartition": _array_partition,
    "States.ArrayContains": _array_contains,
    "States.ArrayRange": _array_range,
    "States.ArrayGetItem": _array_get_item,
    "States.ArrayLength": _array_length,
    "States.ArrayUnique": _array_unique,
    "States.Base64Encode": _base64_encode,
    "States.Base64Decode": _base64_decode,
    "States.Hash": _hash,
    "States.JsonMerge": _json_merge,
    "States.MathRandom": _math_random,
    "States.MathAdd": _math_add,
    "States.StringSplit": _string_split,
    "States.UUID": _uuid,
}

__all__ = [
    "KNOWN_INTRINSICS",
    "IntrinsicCall",
    "Literal",
    "PathArg",
    "is_intrinsic",
    "parse_intrinsic",
]
