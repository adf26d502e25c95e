"""JSON as it crosses the wire: compact UTF-8 bytes, sizes, copies (orjson, with a fallback).

Step Functions counts every payload limit (256 KiB on state inputs, outputs and results)
on the compact UTF-8 JSON text, and a value handed to a Lambda function or received from
one is a copy that went through JSON. Both happen several times per state, so they use
orjson (an order of magnitude faster than the standard library) and compute the text once
per value. orjson refuses integers beyond 64 bits, which JSON allows and AWS passes
through as numbers; those values (rare) take the standard library's path instead.

Non-finite floats (``NaN``, ``Infinity``) are not JSON: orjson would silently write them
as ``null`` and the standard library as invalid JSON, so both paths refuse them here.
"""

from __future__ import annotations

import json
import math
import re
import sys
from typing import Any, Final

import orjson

from orderflow.asl._document import JSON

# Types orjson would serialise that JSON's standard encoder (and so a Lambda runtime)
# refuses: keep them refused, through the fallback, instead of quietly stringifying them.
_OPTIONS: Final = (
    orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_SUBCLASS
    | orjson.OPT_NON_STR_KEYS
)


# 20 digits or more may exceed the 64-bit integers orjson reads exactly.
_LONG_DIGITS: Final = re.compile(rb"\d{20}")
_LONG_DIGITS_TEXT: Final = re.compile(r"\d{20}")


class NotJson(ValueError):
    """A value has no JSON form (the message says why: type, non-finite float, depth)."""


def _has_non_finite(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if type(item) is float:
            if not math.isfinite(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return False


def _explain(exc: Exception) -> str:
    if "integer string conversion" in str(exc):
        # Python refuses to convert integers of more than 4,300 digits (CVE-2020-10735).
        return (
            f"a number has more digits than Python converts ({sys.get_int_max_str_digits():,}); "
            "use a string for it"
        )
    return str(exc)


def _slow_dumps(value: Any) -> bytes:
    try:
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except RecursionError:
        raise NotJson("the value is nested too deeply to serialise") from None
    except (TypeError, ValueError) as exc:
        raise NotJson(_explain(exc)) from None
    try:
        return text.encode()
    except UnicodeEncodeError as exc:  # lone surrogates have no UTF-8 form
        raise NotJson(f"the value holds text that is not valid Unicode: {exc.reason}") from None


def _encode(value: Any) -> tuple[bytes, bool]:
    """The compact text, and whether orjson wrote it (so orjson can read it back)."""
    try:
        data = orjson.dumps(value, option=_OPTIONS)
    except orjson.JSONEncodeError:
        # Integers beyond 64 bits, subclasses, nesting deeper than orjson's 254 levels…
        return _slow_dumps(value), False
    if b"null" in data and _has_non_finite(value):
        raise NotJson("Out of range float values are not JSON compliant (NaN or Infinity)")
    return data, True


def dumps(value: JSON) -> bytes:
    """The compact UTF-8 JSON text of ``value`` (the form AWS measures and records).

    Raises:
        NotJson: the value has no JSON form.
    """
    return _encode(value)[0]


def size(value: JSON) -> int:
    """The byte size AWS counts against its payload limits (compact UTF-8 JSON).

    Meant for values already known to be JSON (everything inside an execution is), so
    it skips :func:`dumps`' search for non-finite floats: it runs on every state.

    Raises:
        NotJson: the value has no JSON form.
    """
    try:
        return len(orjson.dumps(value, option=_OPTIONS))
    except orjson.JSONEncodeError:
        return len(_slow_dumps(value))


def loads(data: bytes | str) -> JSON:
    """Decode JSON text (orjson; the standard library for what orjson refuses).

    Raises:
        NotJson: the text is not JSON (the message names line and column), or nests
            too deeply to decode.
    """
    # orjson reads an integer beyond 64 bits as a float (losing digits) and refuses nesting
    # over 1,024 levels: text that may hold such integers goes to the standard library.
    if isinstance(data, str):
        long_number = _LONG_DIGITS_TEXT.search(data) is not None
    else:
        long_number = _LONG_DIGITS.search(data) is not None
    if not long_number:
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
    return _slow_loads(data)


def _refuse_constant(token: str) -> Any:
    raise NotJson(f"{token} is not a JSON number (JSON has no NaN or Infinity)")


def _finite_float(token: str) -> float:
    number = float(token)
    if not math.isfinite(number):
        raise NotJson(f"{token} is out of range for a JSON number (it would be Infinity)")
    return number


def _slow_loads(data: bytes | str) -> JSON:
    try:
        return json.loads(data, parse_constant=_refuse_constant, parse_float=_finite_float)
    except RecursionError:
        raise NotJson("the JSON text is nested too deeply to decode") from None
    except NotJson:
        raise
    except ValueError as exc:
        raise NotJson(_explain(exc)) from None


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise NotJson(
                f"the key {key!r} appears twice in one object; JSON keeps only the last "
                "value, so one of them would be silently lost"
            )
        result[key] = value
    return result


def loads_document(data: bytes | str) -> JSON:
    """Decode a JSON document a user wrote (an execution input), strictly.

    Stricter than :func:`loads`: the text must be UTF-8, and an object may not repeat a
    key (a decoder would silently keep the last value, as ``orderflow check`` warns for
    definitions). Numbers must be finite; nesting is bounded by the interpreter's stack.

    Raises:
        NotJson: why the text is refused, with line and column for a syntax error.
    """
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise NotJson(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        data.encode("utf-8")
    except UnicodeEncodeError as exc:  # undecodable bytes from a command line
        raise NotJson(f"not UTF-8 text ({exc.reason} at character {exc.start})") from None
    try:
        return json.loads(
            data,
            object_pairs_hook=_unique_keys,
            parse_constant=_refuse_constant,
            parse_float=_finite_float,
        )
    except RecursionError:
        raise NotJson("the JSON text is nested too deeply to decode") from None
    except NotJson:
        raise
    except json.JSONDecodeError as exc:
        raise NotJson(f"line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except ValueError as exc:
        raise NotJson(_explain(exc)) from None


def copy_with_size(value: JSON) -> tuple[JSON, int]:
    """A copy of ``value`` as if it had crossed the wire, and its size in bytes.

    Raises:
        NotJson: the value has no JSON form.
    """
    data, fast = _encode(value)
    return (orjson.loads(data) if fast else _slow_loads(data)), len(data)


def copy(value: JSON) -> JSON:
    """A deep copy of ``value`` through JSON.

    Raises:
        NotJson: the value has no JSON form.
    """
    data, fast = _encode(value)
    return orjson.loads(data) if fast else _slow_loads(data)


__all__ = ["NotJson", "copy", "copy_with_size", "dumps", "loads", "loads_document", "size"]
