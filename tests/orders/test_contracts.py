"""Contract hygiene: strict, documented models; money is integer cents and says so."""

from __future__ import annotations

import typing
from collections.abc import Iterator

import pytest
from pydantic import BaseModel

from orderflow.orders.app import app


def _models() -> Iterator[type[BaseModel]]:
    seen: set[type[BaseModel]] = set()
    todo: list[type[BaseModel]] = [
        m for s in app.services.values() for m in (s.input_model, s.output_model)
    ]
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.add(model)
        yield model
        for field in model.model_fields.values():
            for arg in _flatten(field.annotation):
                if isinstance(arg, type) and issubclass(arg, BaseModel):
                    todo.append(arg)


def _flatten(tp: object) -> Iterator[object]:
    yield tp
    for arg in typing.get_args(tp):
        yield from _flatten(arg)


MODELS = sorted(_models(), key=lambda m: m.__name__)


def test_models_found() -> None:
    assert {"OrderItem", "ReservedItem", "Refund", "Notification"} <= {m.__name__ for m in MODELS}


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_model_is_strict_and_documented(model: type[BaseModel]) -> None:
    assert model.model_config.get("extra") == "forbid"
    assert model.__doc__
    money = [name for name in model.model_fields if name.endswith("_cents")]
    if money:
        assert "integer cents" in model.__doc__, model.__name__
    for name, field in model.model_fields.items():
        assert field.description, f"{model.__name__}.{name} has no description"
        if name in money:
            assert "integer cents" in field.description, f"{model.__name__}.{name}"
            # Strict: the string form of a number is refused, not coerced.
            schema = model.model_json_schema(mode="validation")
            assert schema["properties"][name]["type"] == "integer"


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_no_float_or_string_coercion_for_numbers(model: type[BaseModel]) -> None:
    for name, field in model.model_fields.items():
        ints = [arg for arg in _flatten(field.annotation) if arg is int]
        if not ints:
            continue
        strict = any(getattr(m, "strict", None) for m in field.metadata) or any(
            getattr(m, "strict", None)
            for arg in _flatten(field.annotation)
            for m in getattr(arg, "__metadata__", ())
        )
        assert strict, f"{model.__name__}.{name} would coerce '12' to 12"
