"""Payload templates: ``Parameters``, ``ResultSelector``, ``ItemSelector`` (JSONPath states).

A template is JSON in which a key ending in ``.$`` takes its value from an expression: a
JSONPath over the input (``$.order.id``), the context object (``$$.Execution.Id``), a
variable (``$customer.email``) or an intrinsic call (``States.Format(...)``). The ``.$`` is
dropped from the output key. Everything else is copied as is, recursing into objects and
arrays. :func:`compile_template` parses every expression once; :meth:`Template.render`
only evaluates.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from functools import lru_cache
from typing import Final

from orderflow.asl._document import JSON
from orderflow.asl._intrinsics import IntrinsicCall, is_intrinsic, parse_intrinsic
from orderflow.asl._jsonpath import CompiledPath, compile_path
from orderflow.asl._states_errors import (
    ExpressionSyntaxError,
    PathNotFound,
    StatesError,
    cause_json,
)

# Node kinds of a compiled template (small tuples: cheap to build, quick to dispatch).
_CONST: Final = 0  # (0, value) immutable scalar
_PATH: Final = 1  # (1, CompiledPath, field)
_CALL: Final = 2  # (2, IntrinsicCall, field)
_OBJECT: Final = 3  # (3, ((key, node), ...))
_ARRAY: Final = 4  # (4, (node, ...))

_Node = tuple[object, ...]


def compile_expression(text: object, *, field: str = "") -> CompiledPath | IntrinsicCall:
    """Compile the value of a ``.$`` key: a JSONPath or an intrinsic call.

    Raises:
        ExpressionSyntaxError: the value is not a string, or not a valid path or call.
    """
    if not isinstance(text, str):
        raise ExpressionSyntaxError(
            f"the value of {field or 'a .$ key'} must be a JSONPath or intrinsic function string",
            expression=json.dumps(text),
        )
    if text.startswith("$"):
        return compile_path(text)
    if is_intrinsic(text):
        return parse_intrinsic(text)
    raise ExpressionSyntaxError(
        f"the value of {field or 'a .$ key'} starts with neither '$' (a JSONPath) nor "
        "'States.' (an intrinsic function call)",
        expression=text,
    )


def evaluate_path_or_intrinsic(
    expression: CompiledPath | IntrinsicCall | str,
    data: JSON,
    context: JSON = None,
    variables: Mapping[str, JSON] | None = None,
    rng: random.Random | None = None,
    *,
    field: str | None = None,
) -> JSON:
    """Evaluate one ``.$`` value (compiled or as text).

    Args:
        expression: a compiled path or call, or the text of one.
        data: the value ``$`` stands for.
        context: the context object (``$$``).
        variables: variables in scope (``$name``).
        rng: randomness for ``States.UUID`` / ``States.MathRandom``.
        field: the key as written (``id.$``); when given, a missing path is reported as
            AWS reports it for template fields.

    Raises:
        StatesError: ``States.Runtime`` (missing path) or ``States.IntrinsicFailure``.
    """
    if isinstance(expression, str):
        expression = compile_expression(expression, field=field or "")
    try:
        if isinstance(expression, CompiledPath):
            return expression.resolve(data, context, variables)
        return expression.evaluate(data, context, variables, rng)
    except PathNotFound as exc:
        if field is None:
            raise
        raise exc.for_field(field, cause_json(data)) from None


class Template:
    """A compiled payload template.

    Example:
        >>> template = compile_template({"id.$": "$.order.id", "source": "web"})
        >>> template.render({"order": {"id": "A1"}})
        {'id': 'A1', 'source': 'web'}

    Attributes:
        source: the template as written.
    """

    __slots__ = ("_reads_input", "_root", "source")

    def __init__(self, source: JSON) -> None:
        self.source = source
        self._root = _compile(source, "", None)
        self._reads_input = any(path.root == "input" for _, path in self.paths())

    def render(
        self,
        data: JSON,
        context: JSON = None,
        variables: Mapping[str, JSON] | None = None,
        rng: random.Random | None = None,
    ) -> JSON:
        """Build the payload for one input.

        Args:
            data: the value ``$`` stands for (the effective input, or the task result for
                ``ResultSelector``, or the item for ``ItemSelector``).
            context: the context object (``$$``).
            variables: the variables in scope.
            rng: randomness for ``States.UUID`` / ``States.MathRandom``.

        Raises:
            StatesError: ``States.Runtime`` when a path selects nothing (worded as AWS
                words it for template fields) or when ``data`` is null and the template
                reads it; ``States.IntrinsicFailure`` from an intrinsic call.
        """
        if data is None and self._reads_input:
            # AWS refuses to apply any input path to a null input, even "$".
            raise StatesError(
                "States.Runtime", "Unable to apply Path transformation to null or empty input."
            )
        return _render(self._root, data, context, variables, rng)

    def paths(self) -> list[tuple[str, CompiledPath]]:
        """Return ``(key, path)`` for every JSONPath the template reads (intrinsics too)."""
        out: list[tuple[str, CompiledPath]] = []
        _collect(self._root, out)
        return out

    def __repr__(self) -> str:
        return f"Template({self.source!r})"


def _compile(value: JSON, where: str, problems: list[ExpressionSyntaxError] | None) -> _Node:
    """Compile a template node; collect syntax problems when ``problems`` is a list,
    otherwise raise the first."""
    if isinstance(value, dict):
        entries: list[tuple[str, _Node]] = []
        for key, item in value.items():
            pointer = f"{where}/{key}"
            if not key.endswith(".$"):
                entries.append((key, _compile(item, pointer, problems)))
                continue
            try:
                expr = compile_expression(item, field=key)
            except ExpressionSyntaxError as exc:
                # AWS's own words, then what exactly is wrong.
                problem = ExpressionSyntaxError(
                    f"The value for the field '{key}' must be a valid JSONPath or a valid "
                    f"intrinsic function call ({exc.reason})",
                    expression=exc.expression,
                    position=exc.position,
                    field=pointer.lstrip("/"),
                )
                if problems is None:
                    raise problem from None
                problems.append(problem)
                continue
            kind = _PATH if isinstance(expr, CompiledPath) else _CALL
            entries.append((key[:-2], (kind, expr, key)))
        return (_OBJECT, tuple(entries))
    if isinstance(value, list):
        return (
            _ARRAY,
            tuple(_compile(item, f"{where}/{n}", problems) for n, item in enumerate(value)),
        )
    return (_CONST, value)


def template_problems(template: JSON) -> list[ExpressionSyntaxError]:
    """Return every malformed ``.$`` value in a template (empty when it compiles).

    Each error's ``field`` is the JSON pointer of the key inside the template
    (``f3/f5/1/f7/bad4.$``), so a validator can report all of them at once.
    """
    problems: list[ExpressionSyntaxError] = []
    _compile(template, "", problems)
    return problems


def _render(
    node: _Node,
    data: JSON,
    context: JSON,
    variables: Mapping[str, JSON] | None,
    rng: random.Random | None,
) -> JSON:
    kind = node[0]
    if kind == _OBJECT:
        out: dict[str, JSON] = {}
        for key, child in node[1]:  # type: ignore[attr-defined]
            # Constants and paths (most fields) inline: a render runs on every state.
            child_kind = child[0]
            if child_kind == _CONST:
                out[key] = child[1]
            elif child_kind == _PATH:
                try:
                    out[key] = child[1].resolve(data, context, variables)
                except PathNotFound as exc:
                    raise exc.for_field(str(child[2]), cause_json(data)) from None
            else:
                out[key] = _render(child, data, context, variables, rng)
        return out
    if kind == _CONST:
        return node[1]
    if kind == _PATH:
        path: CompiledPath = node[1]  # type: ignore[assignment]
        try:
            return path.resolve(data, context, variables)
        except PathNotFound as exc:
            raise exc.for_field(str(node[2]), cause_json(data)) from None
    if kind == _CALL:
        call: IntrinsicCall = node[1]  # type: ignore[assignment]
        try:
            return call.evaluate(data, context, variables, rng)
        except PathNotFound as exc:
            raise exc.for_field(str(node[2]), cause_json(data)) from None
    return [_render(child, data, context, variables, rng) for child in node[1]]  # type: ignore[attr-defined]


def _collect(node: _Node, out: list[tuple[str, CompiledPath]]) -> None:
    kind = node[0]
    if kind == _OBJECT:
        for _, child in node[1]:  # type: ignore[attr-defined]
            _collect(child, out)
    elif kind == _ARRAY:
        for child in node[1]:  # type: ignore[attr-defined]
            _collect(child, out)
    elif kind == _PATH:
        out.append((str(node[2]), node[1]))  # type: ignore[arg-type]
    elif kind == _CALL:
        call: IntrinsicCall = node[1]  # type: ignore[assignment]
        out.extend((str(node[2]), p) for p in call.paths())


@lru_cache(maxsize=1024)
def _compile_cached(text: str) -> Template:
    return Template(json.loads(text))


def compile_template(template: JSON) -> Template:
    """Compile a payload template (cached by its JSON text).

    Raises:
        ExpressionSyntaxError: a ``.$`` value is not a valid JSONPath or intrinsic call.
    """
    return _compile_cached(json.dumps(template, sort_keys=False, separators=(",", ":")))


__all__ = [
    "Template",
    "template_problems",
    "compile_expression",
    "compile_template",
    "evaluate_path_or_intrinsic",
]
