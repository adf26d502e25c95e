"""Hypothesis strategies that generate valid payloads from a Pydantic contract.

``json_from_model(Model)`` draws JSON values (dicts of str/int/bool/list...) satisfying the
model's JSON Schema — exactly what a Lambda event or a state's input looks like — and
``from_model(Model)`` validates those into model instances. Built on the schema rather than
on ``st.builds`` so field constraints (bounds, lengths, patterns, literals, nested models,
``extra="forbid"``) are honoured the way the contract states them.

Example:
    >>> from hypothesis import given
    >>> from orderflow.orders import OrderRequest
    >>> @given(json_from_model(OrderRequest))
    ... def test_accepts(payload): OrderRequest.model_validate(payload)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from typing import Any, TypeVar

from hypothesis import strategies as st
from pydantic import BaseModel

from orderflow._errors import ContractError

M = TypeVar("M", bound=BaseModel)

_MAX_COLLECTION = 5
"""Arrays are drawn with at most this many elements beyond their minimum, to keep runs fast."""

_MAX_TEXT = 24
"""Unbounded strings are drawn at most this long."""


class UnsupportedSchema(ContractError):
    """The model's JSON Schema uses a construct these strategies cannot generate."""


def json_from_model(
    model: type[BaseModel], overrides: Mapping[str, st.SearchStrategy[Any]] | None = None
) -> st.SearchStrategy[dict[str, Any]]:
    """A strategy for JSON objects that ``model.model_validate`` accepts.

    Args:
        model: the contract.
        overrides: property name -> strategy used for that property wherever it appears
            (nested models included), e.g. ``{"user_id": st.sampled_from(["u-100"])}`` to
            hit known records. The caller keeps overridden values valid.

    Raises:
        UnsupportedSchema: the schema uses a keyword not handled here (named in the message).
    """
    schema = model.model_json_schema()
    strategy: st.SearchStrategy[dict[str, Any]] = _from_schema(
        schema, _Context(schema.get("$defs", {}), dict(overrides or {})), model.__name__
    )  # a model's schema is an object schema, so this yields dicts
    return strategy


def from_model(
    model: type[M], overrides: Mapping[str, st.SearchStrategy[Any]] | None = None
) -> st.SearchStrategy[M]:
    """A strategy for valid instances of ``model`` (drawn as JSON, then validated)."""
    return json_from_model(model, overrides).map(model.model_validate)


@dataclass(frozen=True)
class _Context:
    defs: dict[str, Any]
    overrides: dict[str, st.SearchStrategy[Any]]


def _from_schema(schema: dict[str, Any], ctx: _Context, where: str) -> Any:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name not in ctx.defs:
            raise UnsupportedSchema(f"{where}: unresolvable $ref {schema['$ref']!r}")
        return st.deferred(lambda: _from_schema(ctx.defs[name], ctx, name))
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return st.one_of(
                [_from_schema(s, ctx, f"{where}|{i}") for i, s in enumerate(schema[key])]
            )
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return _from_schema(schema["allOf"][0], ctx, where)
    kind = schema.get("type")
    if kind == "object":
        return _object(schema, ctx, where)
    if kind == "array":
        return _array(schema, ctx, where)
    if kind == "string":
        return _string(schema, where)
    if kind == "integer":
        return _integer(schema)
    if kind == "number":
        return st.floats(
            min_value=schema.get("minimum"),
            max_value=schema.get("maximum"),
            allow_nan=False,
            allow_infinity=False,
        )
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    raise UnsupportedSchema(f"{where}: cannot generate values for schema {schema!r}")


def _object(schema: dict[str, Any], ctx: _Context, where: str) -> Any:
    properties: dict[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", []))
    fields = {
        name: ctx.overrides[name]
        if name in ctx.overrides
        else _from_schema(sub, ctx, f"{where}.{name}")
        for name, sub in properties.items()
    }
    return st.fixed_dictionaries(
        {k: v for k, v in fields.items() if k in required},
        optional={k: v for k, v in fields.items() if k not in required},
    )


def _array(schema: dict[str, Any], ctx: _Context, where: str) -> Any:
    low = schema.get("minItems", 0)
    high = schema.get("maxItems", low + _MAX_COLLECTION)
    items = _from_schema(schema.get("items", {"type": "string"}), ctx, f"{where}[]")
    return st.lists(items, min_size=low, max_size=min(high, low + _MAX_COLLECTION))


def _integer(schema: dict[str, Any]) -> Any:
    low = schema.get("minimum")
    high = schema.get("maximum")
    if "exclusiveMinimum" in schema:
        low = schema["exclusiveMinimum"] + 1
    if "exclusiveMaximum" in schema:
        high = schema["exclusiveMaximum"] - 1
    return st.integers(min_value=low, max_value=high)


def _string(schema: dict[str, Any], where: str) -> Any:
    low = schema.get("minLength", 0)
    high = schema.get("maxLength")
    if schema.get("format") == "date-time":
        return st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat())
    if "format" in schema and schema["format"] not in {"email"}:
        raise UnsupportedSchema(f"{where}: string format {schema['format']!r} is not supported")
    if "pattern" in schema:
        return st.from_regex(schema["pattern"], fullmatch=True).filter(
            lambda s: len(s) >= low and (high is None or len(s) <= high)
        )
    return st.text(
        min_size=low, max_size=min(high if high is not None else _MAX_TEXT, low + _MAX_TEXT)
    )


__all__ = ["UnsupportedSchema", "from_model", "json_from_model"]
