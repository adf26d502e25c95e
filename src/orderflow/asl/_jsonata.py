"""JSONata as AWS Step Functions evaluates it: ``{% ... %}`` strings over ``$states``.

Built on ``jsonata-python``. On top of standard JSONata, AWS adds ``$partition``,
``$range``, ``$hash``, ``$random([seed])``, ``$uuid`` and ``$parse``, and removes
``$eval``. Randomness (``$random``, ``$uuid``, ``$shuffle``) and the clock (``$now``,
``$millis``) come from the caller, never from global state, so runs are reproducible.

jsonata-python tells JSON ``null`` from "undefined" only when nulls in the data are its
``NULL_VALUE`` marker, so inputs are converted on the way in and results on the way out;
an expression that yields nothing is ``States.QueryEvaluationError`` as on AWS.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import random
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any, Final

from jsonata import Jsonata
from jsonata.functions import Functions
from jsonata.jexception import JException
from jsonata.tokenizer import Tokenizer
from jsonata.utils import Utils

from orderflow.asl._document import JSON
from orderflow.asl._states_errors import ExpressionSyntaxError, StatesError

_WRAPPED = re.compile(r"\A\{%(.*)%\}\Z", re.DOTALL)
_HASH_ALGORITHMS: Final = {
    "MD5": "md5",
    "SHA-1": "sha1",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
}
_MAX_RANGE_ITEMS: Final = 1000


def is_jsonata(value: object) -> bool:
    """Return True for a string wrapped in ``{%`` and ``%}``."""
    return isinstance(value, str) and value.startswith("{%") and value.endswith("%}")


# --- JSON <-> jsonata-python values ----------------------------------------------------


def _to_jsonata(value: JSON) -> Any:
    """Replace JSON nulls by jsonata's NULL_VALUE so they are not taken for undefined."""
    if value is None:
        return Utils.NULL_VALUE
    if isinstance(value, dict):
        return {k: _to_jsonata(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_jsonata(v) for v in value]
    return value


_UNDEFINED: Final = object()


def _from_jsonata(value: Any) -> Any:
    """Return plain JSON, or _UNDEFINED for "no value"; functions are rejected by callers."""
    if value is None:
        return _UNDEFINED
    if value is Utils.NULL_VALUE:
        return None
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int | float):
        if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
            return int(value)
        return value
    if isinstance(value, dict):
        out: dict[str, JSON] = {}
        for k, v in value.items():
            item = _from_jsonata(v)
            if item is not _UNDEFINED:
                out[k] = item
        return out
    if isinstance(value, list):
        items = [i for i in (_from_jsonata(v) for v in value) if i is not _UNDEFINED]
        if Utils.is_sequence(value) and not getattr(value, "keep_singleton", False):
            if not items:
                return _UNDEFINED
            if len(items) == 1 and not getattr(value, "outer_wrapper", False):
                return items[0]
        return items
    # Anything else is a function (a lambda node, a native or partial function): no JSON form.
    return _FUNCTION


class _FunctionResult:
    """Marker: the expression produced a function, which has no JSON form."""


_FUNCTION: Final = _FunctionResult()


# --- AWS's extra functions -------------------------------------------------------------


class _Native:
    """Adapter giving a Python callable the ``call(input, args)`` jsonata expects."""

    __slots__ = ("fn",)

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn

    def call(self, focus: Any, args: Sequence[Any] | None) -> Any:
        return self.fn(*(args or ()))


def _function(fn: Callable[..., Any], signature: str) -> Any:
    return Jsonata.JFunction(_Native(fn), signature)


def _aws_error(code: str, message: str) -> JException:
    err = JException(code, -1)
    err.message = message
    return err


def _partition(array: Any, size: Any) -> Any:
    if not isinstance(array, list):
        array = [array]
    if not isinstance(size, int | float) or isinstance(size, bool) or size < 1:
        raise _aws_error("D3040", "The second argument of $partition must be a positive number")
    n = int(size)
    out = Utils.JList([Utils.JList(array[i : i + n]) for i in range(0, len(array), n)])
    return out


def _range(start: Any, end: Any, step: Any) -> Any:
    for value in (start, end, step):
        if not isinstance(value, int | float) or isinstance(value, bool) or value != int(value):
            raise _aws_error("D3041", "The arguments of $range must be integers")
    if step == 0:
        raise _aws_error("D3041", "The step of $range must not be 0")
    items = list(range(int(start), int(end) + (1 if step > 0 else -1), int(step)))
    if len(items) > _MAX_RANGE_ITEMS:
        raise _aws_error("D3041", f"$range cannot produce more than {_MAX_RANGE_ITEMS} items")
    # A JSONata sequence: AWS returns a single item unwrapped ($range(1, 9, 9) is 1).
    return Utils.create_sequence_from_iter(items)


def _hash(data: Any, algorithm: Any) -> Any:
    if not isinstance(data, str):
        raise _aws_error("D3042", "The first argument of $hash must be a string")
    if algorithm not in _HASH_ALGORITHMS:
        raise _aws_error(
            "D3042",
            "The second argument of $hash must be one of " + ", ".join(_HASH_ALGORITHMS),
        )
    return hashlib.new(_HASH_ALGORITHMS[algorithm], data.encode()).hexdigest()


def _parse(text: Any) -> Any:
    if not isinstance(text, str):
        raise _aws_error("D3043", "The argument of $parse must be a string")
    try:
        return _to_jsonata(json.loads(text))
    except ValueError:
        raise _aws_error("D3043", "The argument of $parse is not valid JSON") from None


# Functions that need nothing from the caller are built once; those that need the caller's
# randomness or clock are built per evaluation, and only for expressions that mention them.
_STATIC_EXTRAS: Final[dict[str, Any]] = {
    "partition": _function(_partition, "<an:a>"),
    "range": _function(_range, "<nnn:a>"),
    "hash": _function(_hash, "<ss:s>"),
    "parse": _function(_parse, "<s:x>"),
    "eval": None,  # AWS does not offer $eval; calling it is "invoke a non-function"
}
_DYNAMIC_NAMES: Final = ("random", "uuid", "shuffle", "now", "millis")


def _dynamic_extras(names: tuple[str, ...], rng: random.Random, now_millis: int) -> dict[str, Any]:
    def random_(seed: Any = None) -> float:
        if seed is None:
            return rng.random()
        return random.Random(seed).random()

    def shuffle(array: Any) -> Any:
        if not isinstance(array, list):
            return array
        items = list(array)
        rng.shuffle(items)
        return Utils.JList(items)

    def now(picture: Any = None, timezone: Any = None) -> Any:
        return Functions.datetime_from_millis(now_millis, picture, timezone)

    makers: dict[str, Callable[[], Any]] = {
        "random": lambda: _function(random_, "<n?:n>"),
        "uuid": lambda: _function(
            lambda: str(uuid.UUID(int=rng.getrandbits(128), version=4)), "<:s>"
        ),
        "shuffle": lambda: _function(shuffle, "<a:a>"),
        "now": lambda: _function(now, "<s?s?:s>"),
        "millis": lambda: _function(lambda: now_millis, "<:n>"),
    }
    return {name: makers[name]() for name in names}


def _default_millis() -> int:
    return int(datetime.datetime.now(datetime.UTC).timestamp() * 1000)


# --- expressions -----------------------------------------------------------------------


class JsonataExpression:
    """A compiled JSONata expression.

    Attributes:
        text: the expression without its ``{% %}`` delimiters, trimmed (as AWS quotes it
            in error causes).
    """

    __slots__ = ("_compiled", "_dynamic", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        try:
            self._compiled = Jsonata(text)
        except JException as exc:
            raise ExpressionSyntaxError(
                f"invalid JSONata: {_describe(exc)}",
                expression=text,
                position=_position(exc),
            ) from None
        except Exception as exc:  # the library can fail with plain Python errors
            raise ExpressionSyntaxError(f"invalid JSONata: {exc}", expression=text) from None
        _reject_newer_operators(text)
        self._compiled.set_output_convert_nulls(False)
        for name, fn in _STATIC_EXTRAS.items():
            self._compiled.register_function(name, fn)
        self._dynamic = tuple(n for n in _DYNAMIC_NAMES if f"${n}" in text)

    def evaluate(
        self,
        states: Mapping[str, JSON],
        variables: Mapping[str, JSON] | None = None,
        *,
        field: str = "",
        rng: random.Random | None = None,
        now_millis: int | None = None,
        allow_undefined: bool = False,
    ) -> JSON:
        """Evaluate with ``$states`` and the variables bound.

        Args:
            states: the ``$states`` object (``input``, ``context``, and ``result`` or
                ``errorOutput`` where they exist).
            variables: variables in scope, bound as ``$name``.
            field: where the expression sits (``Output/result``), used in error causes.
            rng: randomness for ``$random``, ``$uuid`` and ``$shuffle``; a
                ``random.Random(0)`` when not given.
            now_millis: the clock for ``$now``/``$millis`` (epoch milliseconds); the
                current time when not given.
            allow_undefined: return None instead of failing when nothing is produced.

        Raises:
            StatesError: ``States.QueryEvaluationError`` with AWS's cause text.
        """
        return self._run(
            _prepare(states, variables),
            field=field,
            rng=rng,
            now_millis=now_millis,
            allow_undefined=allow_undefined,
        )

    def _run(
        self,
        prepared: dict[str, Any],
        *,
        field: str,
        rng: random.Random | None,
        now_millis: int | None,
        allow_undefined: bool = False,
    ) -> JSON:
        """Evaluate with bindings already converted by :func:`_prepare`."""
        bindings = prepared
        if self._dynamic:
            bindings = {
                **prepared,
                **_dynamic_extras(
                    self._dynamic,
                    rng if rng is not None else random.Random(0),
                    _default_millis() if now_millis is None else now_millis,
                ),
            }
        try:
            raw = self._compiled.evaluate(None, bindings)
        except JException as exc:
            raise self._error(
                field, f"threw an error during evaluation. {_describe(exc)}"
            ) from None
        except RecursionError:
            raise self._error(
                field, "threw an error during evaluation. U1001: Stack overflow error"
            ) from None
        except Exception as exc:  # library bugs surface as Python errors; keep them ASL
            raise self._error(field, f"threw an error during evaluation. {exc}") from None
        result = _from_jsonata(raw)
        if result is _UNDEFINED:
            if allow_undefined:
                return None
            raise self._error(field, "returned nothing (undefined).")
        if result is _FUNCTION:
            raise self._error(field, "returned an unsupported result type.")
        return result

    def _error(self, field: str, what: str) -> StatesError:
        return StatesError(
            "States.QueryEvaluationError",
            f"The JSONata expression '{self.text}' specified for the field '{field}' {what}",
        )

    def __repr__(self) -> str:
        return f"JsonataExpression({self.text!r})"


_OPERAND_END: Final = frozenset({"name", "variable", "number", "string", "value", "regex"})


def _reject_newer_operators(text: str) -> None:
    """Refuse ``?:`` and ``??``: jsonata-python implements JSONata 2.1, AWS 2.0.6.

    The operators only exist since 2.1, so a workflow using them would pass locally and
    fail on AWS. The expression is re-tokenised with jsonata's own tokenizer (so strings,
    comments and regex literals such as ``/(?:x)/`` are not mistaken for operators).
    """
    lexer = Tokenizer(text)
    infix = False
    try:
        while (token := lexer.next(infix)) is not None:
            if token.type == "operator" and token.value in ("?:", "??"):
                raise ExpressionSyntaxError(
                    f"the {token.value} operator is JSONata 2.1; AWS Step Functions implements "
                    "JSONata 2.0.6, which does not have it (use a ternary ? : instead)",
                    expression=text,
                    position=max(token.position - len(token.value), 0),
                )
            infix = token.type in _OPERAND_END or (
                token.type == "operator" and token.value in (")", "]", "}")
            )
    except JException:
        return  # the parser accepted it; the tokenizer alone may misread a corner case


def _prepare(states: Mapping[str, JSON], variables: Mapping[str, JSON] | None) -> dict[str, Any]:
    """Convert ``$states`` and the variables to jsonata-python values, once per render."""
    bindings = {name: _to_jsonata(value) for name, value in (variables or {}).items()}
    bindings["states"] = _to_jsonata(dict(states))
    return bindings


def _describe(exc: JException) -> str:
    code = getattr(exc, "error", None)
    message = getattr(exc, "message", None) or str(exc)
    return f"{code}: {message}" if code else str(message)


def _position(exc: JException) -> int | None:
    location = getattr(exc, "location", None)
    return location if isinstance(location, int) and location >= 0 else None


@lru_cache(maxsize=4096)
def compile_jsonata(text: str) -> JsonataExpression:
    """Compile a JSONata expression, with or without its ``{% %}`` delimiters (cached).

    Raises:
        ExpressionSyntaxError: the expression does not parse.
    """
    m = _WRAPPED.match(text)
    return JsonataExpression((m.group(1) if m else text).strip())


# --- templates -------------------------------------------------------------------------

_Node = tuple[Any, ...]  # (0, value) | (1, expr, subfield) | (2, ((key, node), ...)) | (3, nodes)


class JsonataTemplate:
    """A JSON value in which any string may be a ``{% %}`` expression (``Output``,
    ``Arguments``, ``Assign``, ``Items``…).

    Attributes:
        source: the value as written.
    """

    __slots__ = ("_constant", "_root", "source")

    def __init__(self, source: JSON) -> None:
        self.source = source
        self._root = _compile(source, "")
        self._constant = not self.expressions

    def evaluate(
        self,
        states: Mapping[str, JSON],
        variables: Mapping[str, JSON] | None = None,
        *,
        field: str = "",
        rng: random.Random | None = None,
        now_millis: int | None = None,
    ) -> JSON:
        """Render the value, evaluating every expression in it.

        Args:
            states: the ``$states`` object.
            variables: variables in scope.
            field: the ASL field name (``Output``); nested positions are appended to it
                (``Output/result``) in error causes, as AWS does.
            rng: randomness for ``$random``, ``$uuid``, ``$shuffle``.
            now_millis: the clock for ``$now``/``$millis``.

        Raises:
            StatesError: ``States.QueryEvaluationError``.
        """
        if self._constant:
            return _render(self._root, {}, field, rng, 0)
        millis = _default_millis() if now_millis is None else now_millis
        return _render(self._root, _prepare(states, variables), field, rng, millis)

    @property
    def expressions(self) -> list[JsonataExpression]:
        """Every expression in the template."""
        out: list[JsonataExpression] = []
        _collect(self._root, out)
        return out

    @property
    def is_constant(self) -> bool:
        """True when the template holds no expression at all."""
        return self._constant


def _compile(value: JSON, where: str) -> _Node:
    if isinstance(value, str) and is_jsonata(value):
        return (1, compile_jsonata(value), where)
    if isinstance(value, dict):
        return (2, tuple((k, _compile(v, f"{where}/{k}")) for k, v in value.items()))
    if isinstance(value, list):
        return (3, tuple(_compile(v, f"{where}/{n}") for n, v in enumerate(value)))
    return (0, value)


def _render(
    node: _Node,
    prepared: dict[str, Any],
    field: str,
    rng: random.Random | None,
    millis: int,
) -> JSON:
    kind = node[0]
    if kind == 0:
        return node[1]
    if kind == 1:
        expr: JsonataExpression = node[1]
        return expr._run(prepared, field=field + node[2], rng=rng, now_millis=millis)
    if kind == 2:
        return {k: _render(n, prepared, field, rng, millis) for k, n in node[1]}
    return [_render(n, prepared, field, rng, millis) for n in node[1]]


def _collect(node: _Node, out: list[JsonataExpression]) -> None:
    if node[0] == 1:
        out.append(node[1])
    elif node[0] == 2:
        for _, child in node[1]:
            _collect(child, out)
    elif node[0] == 3:
        for child in node[1]:
            _collect(child, out)


@lru_cache(maxsize=1024)
def _compile_template_cached(text: str) -> JsonataTemplate:
    return JsonataTemplate(json.loads(text))


def compile_jsonata_template(value: JSON) -> JsonataTemplate:
    """Compile a JSON value whose strings may be ``{% %}`` expressions (cached).

    Raises:
        ExpressionSyntaxError: an expression does not parse.
    """
    return _compile_template_cached(json.dumps(value, separators=(",", ":")))


def json_type_name(value: JSON) -> str:
    """Return the JSON type name AWS uses in messages (``array``, ``number``…)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def result_type_error(expression: str, field: str, expected: str, value: JSON) -> StatesError:
    """Return AWS's error for a JSONata result of the wrong JSON type.

    Used by states that need a particular type from a field (``Items`` must be an array).

    Args:
        expression: the expression text, without delimiters (``JsonataExpression.text``).
        field: the field, as in other causes (``Items``).
        expected: the JSON type name wanted (``array``).
        value: what the expression produced.
    """
    shown = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return StatesError(
        "States.QueryEvaluationError",
        f"The JSONata expression '{expression}' specified for the field '{field}' returned an "
        f"unexpected result type. Expected '{expected}', but was '{json_type_name(value)}' "
        f"for value: {shown}",
    )


__all__ = [
    "JsonataExpression",
    "JsonataTemplate",
    "compile_jsonata",
    "compile_jsonata_template",
    "is_jsonata",
    "json_type_name",
    "result_type_error",
]
