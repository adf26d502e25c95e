"""The intrinsic functions themselves: what each ``States.X`` call computes.

:mod:`orderflow.asl._intrinsics` parses a call and evaluates its arguments; the functions
here take the argument values and reproduce what AWS records, quirks included (Java number
and ``Map.toString`` formatting, half-up rounding in ``States.MathAdd``, ``StringSplit``
splitting on any delimiter character). Each takes ``(args, rng)`` and returns a JSON value
or raises ``States.IntrinsicFailure``.
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
from collections.abc import Callable
from functools import lru_cache
from typing import Final

from orderflow.asl import _wire as wire
from orderflow.asl._document import JSON
from orderflow.asl._states_errors import StatesError

# Shared with JSONata's $hash and $range, which AWS bounds the same way.
HASH_ALGORITHMS: Final = {
    "MD5": "md5",
    "SHA-1": "sha1",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
}
MAX_RANGE_ITEMS: Final = 1000
_MAX_STRING: Final = 10000
PLACEHOLDER: Final = re.compile(r"(?<!\\)\{\}")
"""A ``{}`` in a States.Format template that is not escaped."""


def inclusive_range(start: int, end: int, step: int) -> range | None:
    """``start`` to ``end`` inclusive by ``step`` (not 0), or None past MAX_RANGE_ITEMS.

    The bound is checked before anything is built, so ``(0, 1e18, 1)`` fails at once
    instead of exhausting memory; slicing a range is lazy and, unlike ``len()``, works
    past ``sys.maxsize`` items.
    """
    span = range(start, end + (1 if step > 0 else -1), step)
    return None if span[MAX_RANGE_ITEMS:] else span


def unescape_braces(text: str) -> str:
    """Turn a string literal's ``\\{`` and ``\\}`` into plain braces."""
    return text.replace("\\{", "{").replace("\\}", "}")


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


def _default_rng(rng: random.Random | None) -> random.Random:
    # Built only when a random function runs without one: seeding a Random is not free.
    return rng if rng is not None else random.Random(0)


@lru_cache(maxsize=1024)
def _template_pieces(template: str) -> tuple[str, ...]:
    return tuple(PLACEHOLDER.split(template))


def _format(args: list[JSON], rng: random.Random | None) -> JSON:
    template = args[0]
    if not isinstance(template, str):
        raise _fail("States.Format", "the format string must be a string")
    values = args[1:]
    pieces = _template_pieces(template)
    if len(pieces) - 1 != len(values):
        raise _fail(
            "States.Format",
            f"the format string has {len(pieces) - 1} placeholder(s) but {len(values)} "
            "argument(s) were given",
        )
    out = [unescape_braces(pieces[0])]
    for value, piece in zip(values, pieces[1:], strict=True):
        out.append(_java_text(value))
        out.append(unescape_braces(piece))
    return "".join(out)


def _string_to_json(args: list[JSON], rng: random.Random | None) -> JSON:
    text = args[0]
    if not isinstance(text, str):
        raise _fail("States.StringToJson", "the argument must be a string")
    if not text.strip():
        return None
    try:
        return wire.loads(text)
    except wire.NotJson as exc:
        shown = text if len(text) <= 200 else text[:200] + "…"
        raise _fail(
            "States.StringToJson", f"the string {shown!r} is not valid JSON ({exc})"
        ) from None


def _json_to_string(args: list[JSON], rng: random.Random | None) -> JSON:
    return _json_text(args[0])


def _array(args: list[JSON], rng: random.Random | None) -> JSON:
    return list(args)


def _need_array(function: str, value: JSON) -> list[JSON]:
    if not isinstance(value, list):
        raise _fail(function, f"expected an array but got {_json_text(value)}")
    return value


def _need_int(function: str, value: JSON, what: str) -> int:
    if not _is_integral(value):
        raise _fail(function, f"the {what} must be an integer but was {_json_text(value)}")
    return int(value)


def _array_partition(args: list[JSON], rng: random.Random | None) -> JSON:
    items = _need_array("States.ArrayPartition", args[0])
    size = _need_int("States.ArrayPartition", args[1], "chunk size")
    if size <= 0:
        raise _fail("States.ArrayPartition", "the chunk size must be greater than 0")
    return [items[i : i + size] for i in range(0, len(items), size)]


def _same(a: JSON, b: JSON) -> bool:
    return _canonical(a) == _canonical(b)


def _canonical(value: JSON) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _array_contains(args: list[JSON], rng: random.Random | None) -> JSON:
    items = _need_array("States.ArrayContains", args[0])
    return any(_same(item, args[1]) for item in items)


def _array_range(args: list[JSON], rng: random.Random | None) -> JSON:
    start = _need_int("States.ArrayRange", args[0], "start")
    end = _need_int("States.ArrayRange", args[1], "end")
    step = _need_int("States.ArrayRange", args[2], "step")
    if step == 0:
        raise _fail("States.ArrayRange", "the step must not be 0")
    span = inclusive_range(start, end, step)
    if span is None:
        raise _fail("States.ArrayRange", f"the range would have more than {MAX_RANGE_ITEMS} items")
    return list(span)


def _array_get_item(args: list[JSON], rng: random.Random | None) -> JSON:
    items = _need_array("States.ArrayGetItem", args[0])
    index = _need_int("States.ArrayGetItem", args[1], "index")
    if not 0 <= index < len(items):
        raise _fail("States.ArrayGetItem", f"the index {index} is out of bounds")
    return items[index]


def _array_length(args: list[JSON], rng: random.Random | None) -> JSON:
    return len(_need_array("States.ArrayLength", args[0]))


def _array_unique(args: list[JSON], rng: random.Random | None) -> JSON:
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


def _base64_encode(args: list[JSON], rng: random.Random | None) -> JSON:
    text = _need_string("States.Base64Encode", args[0])
    return base64.b64encode(text.encode()).decode("ascii")


def _base64_decode(args: list[JSON], rng: random.Random | None) -> JSON:
    text = _need_string("States.Base64Decode", args[0])
    try:
        return base64.b64decode(text, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise _fail("States.Base64Decode", "the string is not valid base64") from None


def _hash(args: list[JSON], rng: random.Random | None) -> JSON:
    data = _need_string("States.Hash", args[0])
    algorithm = args[1]
    if not isinstance(algorithm, str) or algorithm not in HASH_ALGORITHMS:
        raise _fail(
            "States.Hash",
            f"the algorithm must be one of {', '.join(HASH_ALGORITHMS)} but was "
            f"{_json_text(algorithm)}",
        )
    return hashlib.new(HASH_ALGORITHMS[algorithm], data.encode()).hexdigest()


def _json_merge(args: list[JSON], rng: random.Random | None) -> JSON:
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


def _math_random(args: list[JSON], rng: random.Random | None) -> JSON:
    # AWS accepts non-integral bounds (MathRandom(12.5, 44.51) succeeds); they are rounded
    # like MathAdd's arguments.
    start = _need_number("States.MathRandom", args[0], "start")
    end = _need_number("States.MathRandom", args[1], "end")
    if start >= end:
        raise _fail("States.MathRandom", "the start must be less than the end")
    if len(args) == 3:
        return random.Random(_need_int("States.MathRandom", args[2], "seed")).randrange(start, end)
    return _default_rng(rng).randrange(start, end)


def _math_add(args: list[JSON], rng: random.Random | None) -> JSON:
    a, b = args
    if not _is_number(a) or not _is_number(b):
        raise _fail("States.MathAdd", "both arguments must be numbers")
    return _round_half_up(a) + _round_half_up(b)


def _string_split(args: list[JSON], rng: random.Random | None) -> JSON:
    text = _need_string("States.StringSplit", args[0])
    delimiters = _need_string("States.StringSplit", args[1])
    if not delimiters:
        return [text] if text else []
    pieces = re.split("[" + re.escape(delimiters) + "]", text)
    return [p for p in pieces if p]


def _uuid(args: list[JSON], rng: random.Random | None) -> JSON:
    return str(uuid.UUID(int=_default_rng(rng).getrandbits(128), version=4))


IMPLEMENTATIONS: Final[dict[str, Callable[[list[JSON], random.Random | None], JSON]]] = {
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
    "HASH_ALGORITHMS",
    "IMPLEMENTATIONS",
    "MAX_RANGE_ITEMS",
    "PLACEHOLDER",
    "inclusive_range",
    "unescape_braces",
]
