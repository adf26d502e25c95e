"""The executor's single door to the expression layer (``orderflow.asl``).

Every JSONPath template, intrinsic call and JSONata expression a state uses is compiled
here once, when the plan is built; states then call ``render``/``evaluate`` only. Keeping
the calls in one module means the rest of the executor never depends on how the
expression layer spells its API.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from orderflow.asl import JSON
from orderflow.asl.expressions import (
    apply_result_path,
    compile_jsonata_template,
    compile_path,
    compile_template,
    is_intrinsic,
    parse_intrinsic,
)
from orderflow.executor._paths import PathReader

if TYPE_CHECKING:
    from orderflow.executor._runtime import Runtime


class ValueReader(Protocol):
    """Reads a value from the state input, context object and variables."""

    def get(
        self,
        data: JSON,
        context: JSON,
        variables: Mapping[str, JSON] | None,
        rng: random.Random | None = None,
    ) -> JSON: ...


class _Intrinsic:
    __slots__ = ("_call", "field", "text")

    def __init__(self, text: str, field: str) -> None:
        self.text = text
        self.field = field
        self._call = parse_intrinsic(text)

    def get(
        self,
        data: JSON,
        context: JSON,
        variables: Mapping[str, JSON] | None,
        rng: random.Random | None = None,
    ) -> JSON:
        return self._call.evaluate(data, context, variables, rng)


def path_or_intrinsic(text: str, *, field: str) -> ValueReader:
    """A ``*Path`` field's reader: a JSONPath, or an intrinsic call where AWS allows one."""
    if is_intrinsic(text):
        return _Intrinsic(text, field)
    return PathReader(text, field)


class Payload:
    """A compiled JSONPath payload template (``Parameters``, ``ResultSelector``…)."""

    __slots__ = ("_template", "field")

    def __init__(self, template: JSON, field: str) -> None:
        self.field = field
        self._template: Any = compile_template(template)

    def render(
        self,
        data: JSON,
        context: JSON,
        variables: Mapping[str, JSON] | None,
        rng: random.Random,
    ) -> JSON:
        return self._template.render(data, context, variables, rng)


class Jsonata:
    """A compiled JSONata field value: an expression, or any JSON with ``{% %}`` inside."""

    __slots__ = ("_value", "field")

    def __init__(self, value: JSON, field: str) -> None:
        self.field = field
        self._value: Any = compile_jsonata_template(value)

    def evaluate(
        self, states: Mapping[str, JSON], variables: Mapping[str, JSON] | None, rt: Runtime
    ) -> JSON:
        now = rt.clock.now()
        return self._value.evaluate(
            states, variables, field=self.field, rng=rt.rng, now_millis=int(now.timestamp() * 1000)
        )


def result_path(state_input: JSON, path: str | None, result: JSON) -> JSON:
    """``ResultPath``: discard (``None``), replace (``$``) or merge the result."""
    return apply_result_path(state_input, path, result)


def check_path(text: str) -> None:
    """Compile ``text`` now so a bad path fails at plan time, not mid-run."""
    compile_path(text)


__all__ = ["Jsonata", "Payload", "ValueReader", "check_path", "path_or_intrinsic", "result_path"]
