"""JSONata templates: a JSON value in which any string may be a ``{% %}`` expression.

``Output``, ``Arguments``, ``Assign`` and ``Items`` of a JSONata state are such values. A
template is compiled once into a small tree of constants and compiled expressions; a render
shares one :class:`~orderflow.asl._jsonata.Scope` across its expressions, so the engine's
bindings are converted at most once per render.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from orderflow.asl._document import JSON
from orderflow.asl._jsonata import (
    JsonataExpression,
    Scope,
    compile_jsonata,
    default_millis,
    is_jsonata,
)

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
        scope = Scope(states, variables)
        if self._constant:
            return _render(self._root, scope, field, rng, 0)
        millis = default_millis() if now_millis is None else now_millis
        return _render(self._root, scope, field, rng, millis)

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
    scope: Scope,
    field: str,
    rng: random.Random | None,
    millis: int,
) -> JSON:
    kind = node[0]
    if kind == 0:
        return node[1]
    if kind == 1:
        expr: JsonataExpression = node[1]
        return expr._run(scope, field=field + node[2], rng=rng, now_millis=millis)
    if kind == 2:
        return {k: _render(n, scope, field, rng, millis) for k, n in node[1]}
    return [_render(n, scope, field, rng, millis) for n in node[1]]


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


__all__ = ["JsonataTemplate", "compile_jsonata_template"]
