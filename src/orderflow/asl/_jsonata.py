"""JSONata as AWS Step Functions evaluates it: ``{% ... %}`` strings over ``$states``.

Built on ``jsonata-python``. On top of standard JSONata, AWS adds ``$partition``,
``$range``, ``$hash``, ``$random([seed])``, ``$uuid`` and ``$parse``, and removes
``$eval``. Randomness (``$random``, ``$uuid``, ``$shuffle``) and the clock (``$now``,
``$millis``) come from the caller, never from global state, so runs are reproducible.

jsonata-python tells JSON ``null`` from "undefined" only when nulls in the data are its
``NULL_VALUE`` marker, so inputs are converted on the way in and results on the way out;
an expression that yields nothing is ``States.QueryEvaluationError`` as on AWS. The most
common expressions, plain ``$states.input.a.b`` / ``$var.field`` chains over objects, are
read directly without the engine (a property test holds the two to the same results).
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
from jsonata.parser import Parser
from jsonata.tokenizer import Tokenizer
from jsonata.utils import Utils

from orderflow.asl._document import JSON
from orderflow.asl._intrinsic_functions import HASH_ALGORITHMS, MAX_RANGE_ITEMS, inclusive_range
from orderflow.asl._jsonata_budget import STACK_OVERFLOW, EvaluationBudget
from orderflow.asl._regex import RegexBudgetExceeded, jsonata_regex_engine
from orderflow.asl._states_errors import ExpressionSyntaxError, StatesError, cause_json

_WRAPPED = re.compile(r"\A\{%(.*)%\}\Z", re.DOTALL)


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
    # Inside objects and arrays, undefined values and functions have no JSON form and are
    # left out, as JSON serialisation of a JSONata result leaves them out.
    if isinstance(value, dict):
        out: dict[str, JSON] = {}
        for k, v in value.items():
            item = _from_jsonata(v)
            if item is not _UNDEFINED and item is not _FUNCTION:
                out[k] = item
        return out
    if isinstance(value, list):
        items = [
            i
            for i in (_from_jsonata(v) for v in value)
            if i is not _UNDEFINED and i is not _FUNCTION
        ]
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
    span = inclusive_range(int(start), int(end), int(step))
    if span is None:
        raise _aws_error("D3041", f"$range cannot produce more than {MAX_RANGE_ITEMS} items")
    # A JSONata sequence: AWS returns a single item unwrapped ($range(1, 9, 9) is 1).
    return Utils.create_sequence_from_iter(list(span))


def _hash(data: Any, algorithm: Any) -> Any:
    if not isinstance(data, str):
        raise _aws_error("D3042", "The first argument of $hash must be a string")
    if algorithm not in HASH_ALGORITHMS:
        raise _aws_error(
            "D3042",
            "The second argument of $hash must be one of " + ", ".join(HASH_ALGORITHMS),
        )
    return hashlib.new(HASH_ALGORITHMS[algorithm], data.encode()).hexdigest()


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


def default_millis() -> int:
    """The current time in epoch milliseconds, for ``$now``/``$millis`` without a clock."""
    return int(datetime.datetime.now(datetime.UTC).timestamp() * 1000)


# --- expressions -----------------------------------------------------------------------


class JsonataExpression:
    """A compiled JSONata expression.

    Attributes:
        text: the expression without its ``{% %}`` delimiters, trimmed (as AWS quotes it
            in error causes).
    """

    __slots__ = ("_compiled", "_dynamic", "_simple", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        try:
            self._compiled = Jsonata(text, jsonata_regex_engine)
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
        # `$states.input.a.b` and `$var.field` (most expressions in practice) are read
        # directly when every step lands on an object; anything else goes to the engine.
        simple = _SIMPLE_PATH.match(text)
        self._simple: tuple[str, tuple[str, ...]] | None = (
            (simple.group(1), tuple(simple.group(2).split(".")[1:])) if simple else None
        )

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
            Scope(states, variables),
            field=field,
            rng=rng,
            now_millis=now_millis,
            allow_undefined=allow_undefined,
        )

    def _run(
        self,
        scope: Scope,
        *,
        field: str,
        rng: random.Random | None,
        now_millis: int | None,
        allow_undefined: bool = False,
    ) -> JSON:
        """Evaluate in ``scope`` (whose engine bindings are converted once, if needed).

        Templates (:mod:`orderflow.asl._jsonata_template`) call this to share one scope
        across all the expressions of one render.
        """
        if self._simple is not None:
            value = scope.follow(*self._simple)
            if value is not _UNDEFINED:
                return value
        prepared = scope.prepared()
        budget = EvaluationBudget()
        bindings = {**prepared, **budget.hooks()}
        if self._dynamic:
            bindings.update(
                _dynamic_extras(
                    self._dynamic,
                    rng if rng is not None else random.Random(0),
                    default_millis() if now_millis is None else now_millis,
                )
            )
        try:
            raw = self._compiled.evaluate(None, bindings)
        except JException as exc:
            raise self._error(
                field, f"threw an error during evaluation. {_describe(exc)}"
            ) from None
        except RecursionError:
            raise self._error(
                field, f"threw an error during evaluation. {STACK_OVERFLOW}"
            ) from None
        except RegexBudgetExceeded as exc:
            raise self._error(field, f"threw an error during evaluation. {exc}") from None
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

    def references(self) -> list[tuple[str, tuple[str, ...]]]:
        """Return the variables the expression reads and the field names it follows.

        ``$states.input.order.items[0].sku`` gives ``("states", ("input", "order",
        "items"))``: the chain stops at the first step that is not a plain field name
        (a filter, index, wildcard or function). Reading a field does not mean the
        expression needs it (``$exists($states.input.x)``), so callers can use these
        for warnings, not errors. Called functions and the names an expression declares
        (``$x := …``, lambda parameters) are left out, but a later read of such a local
        name (``$x.y``) is reported like any other, as is a function passed by name
        (``~> $merge``).
        """
        out: list[tuple[str, tuple[str, ...]]] = []
        _collect_references(self._compiled.ast, out, set())
        return out

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


_SIMPLE_PATH: Final = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)((?:\.[A-Za-z_][A-Za-z0-9_]*)*)\Z")


class Scope:
    """``$states`` and the variables for one evaluation (or one template render).

    The conversion to jsonata-python values is done at most once, and only when an
    expression actually needs the engine.
    """

    __slots__ = ("_prepared", "states", "variables")

    def __init__(self, states: Mapping[str, JSON], variables: Mapping[str, JSON] | None) -> None:
        self.states = states
        self.variables = variables
        self._prepared: dict[str, Any] | None = None

    def prepared(self) -> dict[str, Any]:
        if self._prepared is None:
            bindings = {k: _to_jsonata(v) for k, v in (self.variables or {}).items()}
            bindings["states"] = _to_jsonata(dict(self.states))
            self._prepared = bindings
        return self._prepared

    def follow(self, name: str, fields: tuple[str, ...]) -> Any:
        """Read ``$name.f1.f2`` when every step is an object holding the field; else
        return _UNDEFINED so the engine decides (arrays map, missing is undefined)."""
        if name == "states":
            value: Any = self.states
        elif self.variables is not None and name in self.variables:
            value = self.variables[name]
        else:
            return _UNDEFINED
        for field in fields:
            if type(value) is not dict or field not in value:
                return _UNDEFINED
            value = value[field]
        return _plain(value)


def _plain(value: JSON) -> JSON:
    """Copy a JSON value the way the engine would hand it back (integral doubles as ints)."""
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) < 2**63 else value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _collect_references(node: Any, out: list[tuple[str, tuple[str, ...]]], seen: set[int]) -> None:
    if id(node) in seen:
        return
    seen.add(id(node))
    node_type = getattr(node, "type", None)
    steps = getattr(node, "steps", None)
    # Names that are declared or called here are not reads of data.
    if node_type in ("function", "partial"):
        seen.add(id(getattr(node, "procedure", None)))
    elif node_type == "lambda":
        seen.update(id(arg) for arg in getattr(node, "arguments", None) or ())
    elif node_type == "bind":
        seen.add(id(getattr(node, "lhs", None)))
    if node_type == "path" and steps and getattr(steps[0], "type", None) == "variable":
        seen.add(id(steps[0]))
        names: list[str] = []
        for step in steps[1:]:
            if getattr(step, "type", None) != "name":
                break
            names.append(str(step.value))
            if getattr(step, "stages", None) or getattr(step, "predicate", None):
                break
        out.append((str(steps[0].value), tuple(names)))
    elif node_type == "variable" and node.value:
        out.append((str(node.value), ()))
    for name, value in vars(node).items():
        if name in ("_outer_instance", "environment", "token"):
            continue
        for child in _children(value):
            if child is not node:
                _collect_references(child, out, seen)


def _children(value: Any) -> list[Any]:
    if isinstance(value, Parser.Symbol):
        return [value]
    if isinstance(value, list | tuple):
        found: list[Any] = []
        for item in value:
            found.extend(_children(item))
        return found
    return []


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
    shown = cause_json(value)
    return StatesError(
        "States.QueryEvaluationError",
        f"The JSONata expression '{expression}' specified for the field '{field}' returned an "
        f"unexpected result type. Expected '{expected}', but was '{json_type_name(value)}' "
        f"for value: {shown}",
    )


__all__ = [
    "JsonataExpression",
    "Scope",
    "compile_jsonata",
    "default_millis",
    "is_jsonata",
    "json_type_name",
    "result_type_error",
]
