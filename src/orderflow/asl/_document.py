"""The ASL document model: a state machine definition as typed, plain JSON data.

Everything downstream of the DSL (validation, the data-flow checker, the executor, deploy)
consumes a :class:`Definition` or raw ASL JSON, never DSL objects, so a hand-written or
exported ASL file gets exactly the treatment a DSL workflow gets.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, TypeAlias

from orderflow._errors import DefinitionError

JSON: TypeAlias = Any
"""A decoded JSON value (dict, list, str, int, float, bool or None)."""

# The order fields are written in. ASL readers expect Type first and transitions last;
# anything not listed (user payload keys, new AWS fields) keeps its insertion order after
# the known fields, so output stays deterministic without reordering user data.
_SCOPE_ORDER = ("Comment", "QueryLanguage", "StartAt", "TimeoutSeconds", "Version", "States")
_FIELD_ORDER = (
    "ErrorEquals",
    "IntervalSeconds",
    "MaxAttempts",
    "BackoffRate",
    "MaxDelaySeconds",
    "JitterStrategy",
    "Type",
    "Comment",
    "QueryLanguage",
    "Resource",
    "Credentials",
    "InputPath",
    "Parameters",
    "Arguments",
    "ItemsPath",
    "Items",
    "ItemReader",
    "ItemSelector",
    "ItemBatcher",
    "MaxConcurrency",
    "MaxConcurrencyPath",
    "ToleratedFailureCount",
    "ToleratedFailurePercentage",
    "ToleratedFailureCountPath",
    "ToleratedFailurePercentagePath",
    "ItemProcessor",
    "Iterator",
    "ResultWriter",
    "Label",
    "Branches",
    "Result",
    "ResultSelector",
    "ResultPath",
    "OutputPath",
    "Output",
    "Assign",
    "Seconds",
    "SecondsPath",
    "Timestamp",
    "TimestampPath",
    "TimeoutSeconds",
    "TimeoutSecondsPath",
    "HeartbeatSeconds",
    "HeartbeatSecondsPath",
    "Choices",
    "Default",
    "Error",
    "ErrorPath",
    "Cause",
    "CausePath",
    "Retry",
    "Catch",
    "Next",
    "End",
)
_RANK = {name: i for i, name in enumerate(_FIELD_ORDER)}
_SCOPE_RANK = {name: i for i, name in enumerate(_SCOPE_ORDER)}
# Keys under these fields are user data (payload templates, states by name): keep their order.
_USER_DATA_FIELDS = frozenset(
    {"Parameters", "Arguments", "Result", "ResultSelector", "ItemSelector", "Output", "Assign"}
)


def _ordered(value: JSON, *, user_data: bool = False) -> JSON:
    if isinstance(value, list):
        return [_ordered(item, user_data=user_data) for item in value]
    if not isinstance(value, dict):
        return value
    keys = list(value)
    if not user_data:
        # A scope (the machine, a Parallel branch, a Map processor) has States; a state,
        # retrier or catcher does not, and TimeoutSeconds means different things in each.
        rank = _SCOPE_RANK if "States" in value else _RANK
        position = {key: i for i, key in enumerate(keys)}
        keys.sort(key=lambda k: (rank.get(k, len(rank)), position[k]))
    result: dict[str, JSON] = {}
    for key in keys:
        item = value[key]
        if key == "States" and isinstance(item, dict) and not user_data:
            result[key] = {name: _ordered(state) for name, state in item.items()}
        else:
            result[key] = _ordered(item, user_data=user_data or key in _USER_DATA_FIELDS)
    return result


def dumps(data: JSON, *, indent: int | None = 2) -> str:
    """Serialise ASL deterministically: canonical field order, fixed indentation.

    Raises:
        DefinitionError: ``data`` holds NaN or an infinite number, which JSON cannot
            express (Python would write ``NaN``, text no JSON reader, AWS included, accepts).
    """
    try:
        text = json.dumps(_ordered(data), indent=indent, ensure_ascii=False, allow_nan=False)
    except ValueError:
        pointer = non_finite_pointer(data)
        if pointer is None:
            raise
        raise DefinitionError(
            "the definition holds a number JSON cannot express (NaN or infinite); use a "
            "finite number or a string",
            pointer=pointer,
        ) from None
    return text + ("\n" if indent is not None else "")


def non_finite_pointer(data: JSON) -> str | None:
    """JSON pointer to the first NaN or infinite float in ``data``, found without recursion."""
    stack: list[tuple[str, JSON]] = [("", data)]
    while stack:
        pointer, value = stack.pop()
        if isinstance(value, float) and not math.isfinite(value):
            return pointer or "/"
        if isinstance(value, dict):
            items = [(pointer_join(pointer, str(k)), v) for k, v in value.items()]
        elif isinstance(value, list):
            items = [(f"{pointer}/{i}", v) for i, v in enumerate(value)]
        else:
            continue
        stack.extend(reversed(items))
    return None


class Definition:
    """An ASL state machine definition.

    Attributes:
        data: the definition as decoded JSON (a dict). Treat it as read-only; use
            :meth:`to_dict` for a copy to modify.
        file: the file it was read from, when there was one (used in error messages).
    """

    __slots__ = ("data", "file")

    def __init__(self, data: Mapping[str, JSON], *, file: str | None = None) -> None:
        self.data: dict[str, JSON] = dict(data)
        self.file = file

    @property
    def start_at(self) -> str | None:
        start = self.data.get("StartAt")
        return start if isinstance(start, str) else None

    @property
    def states(self) -> dict[str, dict[str, JSON]]:
        states = self.data.get("States")
        return states if isinstance(states, dict) else {}

    @property
    def query_language(self) -> str:
        language = self.data.get("QueryLanguage", "JSONPath")
        return language if isinstance(language, str) else "JSONPath"

    def to_dict(self) -> dict[str, JSON]:
        """A deep copy of the definition, safe to modify."""
        return copy.deepcopy(self.data)

    def to_json(self, *, indent: int | None = 2) -> str:
        """The definition as deterministic JSON text (what AWS receives)."""
        return dumps(self.data, indent=indent)

    def iter_states(self) -> Iterator[tuple[str, str, dict[str, JSON]]]:
        """Yield ``(json_pointer, name, state)`` for every state, nested ones included."""
        yield from _iter_states(self.data, "")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Definition) and self.data == other.data

    def __hash__(self) -> int:
        return hash(self.to_json(indent=None))

    def __repr__(self) -> str:
        return f"Definition(start_at={self.start_at!r}, states={len(self.states)})"


def _iter_states(
    scope: Mapping[str, JSON], prefix: str
) -> Iterator[tuple[str, str, dict[str, JSON]]]:
    states = scope.get("States")
    if not isinstance(states, dict):
        return
    for name, state in states.items():
        if not isinstance(state, dict):
            continue
        pointer = pointer_join(prefix, "States", name)
        yield pointer, name, state
        for i, branch in enumerate(state.get("Branches") or []):
            if isinstance(branch, dict):
                yield from _iter_states(branch, f"{pointer}/Branches/{i}")
        for key in ("ItemProcessor", "Iterator"):
            body = state.get(key)
            if isinstance(body, dict):
                yield from _iter_states(body, f"{pointer}/{key}")


def pointer_join(base: str, *tokens: str | int) -> str:
    """Append JSON pointer tokens to ``base``, escaping ``~`` and ``/`` (RFC 6901).

    The one place orderflow builds a JSON pointer from state names and keys, so a state
    called ``"a/b"`` is addressed the same way by the validator, checker, executor and SDK
    interop.

    Example:
        >>> pointer_join("/States", "a/b", "Catch", 0)
        '/States/a~1b/Catch/0'
    """
    return base + "".join("/" + str(t).replace("~", "~0").replace("/", "~1") for t in tokens)


def parse_definition(text: str | bytes, *, file: str | None = None) -> Definition:
    """Decode ASL JSON text; bad JSON or a non-object is a :class:`DefinitionError`.

    The error names the file and, for a syntax error, the line and column.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DefinitionError(
                f"not UTF-8 text ({exc.reason} at byte {exc.start})", file=file
            ) from None
    if not text.strip():
        raise DefinitionError("the document is empty; expected a JSON object", file=file)
    try:
        data = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except _NonStandardNumber as exc:
        line, column = _locate_number(text, exc.token)
        where = f"line {line}, column {column}: " if line else ""
        raise DefinitionError(
            f"invalid JSON at {where}{exc.token} is not a JSON number (JSON has no NaN or "
            "Infinity, and numbers must be finite); use a finite number or a string",
            file=file,
        ) from None
    except json.JSONDecodeError as exc:
        raise DefinitionError(
            f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}", file=file
        ) from None
    except RecursionError:
        raise DefinitionError("JSON is nested too deeply to read", file=file) from None
    except ValueError as exc:
        # Python refuses integers of more than 4,300 digits (CVE-2020-10735).
        raise DefinitionError(
            f"invalid JSON: a number is too long to read ({exc}); use a string for it",
            file=file,
        ) from None
    if not isinstance(data, dict):
        raise DefinitionError(
            f"the document is a JSON {type(data).__name__ if data is not None else 'null'}, "
            "expected an object with StartAt and States",
            file=file,
        )
    return Definition(data, file=file)


class _NonStandardNumber(ValueError):
    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.token = token


def _refuse_constant(token: str) -> Any:
    # Python's json accepts NaN, Infinity and -Infinity by default; JSON (RFC 8259) does not.
    raise _NonStandardNumber(token)


def _finite_float(token: str) -> float:
    value = float(token)
    if not math.isfinite(value):
        raise _NonStandardNumber(token)  # 1e999 decodes to inf and could not be written back
    return value


# A JSON string, or a token outside strings: the first match of the offending token that is
# not inside a string is where the decoder met it.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|(-?Infinity|NaN|-?[0-9][0-9.eE+-]*)')


def _locate_number(text: str, token: str) -> tuple[int, int]:
    """1-based (line, column) of ``token`` outside strings, or (0, 0) when not found."""
    for match in _TOKENS.finditer(text):
        if match.group(1) == token:
            start = match.start(1)
            line = text.count("\n", 0, start) + 1
            return line, start - (text.rfind("\n", 0, start) + 1) + 1
    return 0, 0


def load_definition(path: str | Path) -> Definition:
    """Read an ASL file; unreadable files and bad JSON raise :class:`DefinitionError`."""
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise DefinitionError(f"cannot read the file: {exc.strerror}", file=name) from None
    return parse_definition(raw, file=name)


def as_definition(source: Definition | Mapping[str, JSON] | str | bytes) -> Definition:
    """Accept a :class:`Definition`, a decoded dict, or JSON text, and return a Definition.

    This is the one door every consumer (validator, executor, checker, deploy) uses, so
    all of them accept the same inputs.
    """
    if isinstance(source, Definition):
        return source
    if isinstance(source, (str, bytes)):
        return parse_definition(source)
    if isinstance(source, Mapping):
        return Definition(source)
    to_definition = getattr(source, "to_definition", None)
    if callable(to_definition):
        result = to_definition()
        if isinstance(result, Definition):
            return result
    raise DefinitionError(
        f"expected an ASL definition (dict, JSON text or Definition), got {type(source).__name__}"
    )


__all__ = [
    "JSON",
    "Definition",
    "as_definition",
    "dumps",
    "load_definition",
    "parse_definition",
    "pointer_join",
]
