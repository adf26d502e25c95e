"""The shape algebra: unions stay small and sound, schemas and models become shapes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from orderflow.checker._shape import (
    ANY,
    INTEGER,
    NEVER,
    NULL,
    NUMBER,
    STRING,
    Arr,
    Obj,
    Prop,
    from_json_schema,
    list_of,
    model_shape,
    obj,
    only_kinds,
    shape_of,
    tuple_of,
    union,
    without_kinds,
)


def test_union_of_any_is_any() -> None:
    assert union(STRING, ANY) == ANY


def test_union_folds_integer_into_number() -> None:
    assert union(INTEGER, NUMBER) == NUMBER


def test_union_of_nothing_is_never() -> None:
    assert union() == NEVER


def test_union_merges_objects_keeping_only_common_fields_required() -> None:
    merged = union(obj({"a": STRING, "b": INTEGER}), obj({"a": STRING}))
    assert merged == Obj((Prop("a", STRING), Prop("b", INTEGER, required=False)), closed=True)


def test_union_with_an_open_object_admits_anything_for_its_missing_fields() -> None:
    merged = union(obj({"a": STRING}), Obj((), closed=False))
    assert isinstance(merged, Obj)
    assert not merged.closed
    assert merged.get("a") == Prop("a", ANY, required=False)


def test_union_merges_tuples_of_different_lengths() -> None:
    merged = union(tuple_of([STRING]), tuple_of([STRING, INTEGER]))
    assert merged == Arr((STRING, INTEGER), None, 1)


def test_shape_of_literal_is_exact_and_closed() -> None:
    assert shape_of({"a": [1, "x"], "b": None}) == obj(
        {"a": tuple_of([INTEGER, STRING]), "b": NULL}
    )


def test_only_kinds_narrows_any_to_the_tested_kind() -> None:
    assert only_kinds(ANY, ["string"]) == STRING
    assert only_kinds(union(STRING, NULL), ["null"]) == NULL


def test_without_kinds_removes_a_member() -> None:
    assert without_kinds(union(STRING, NULL), ["null"]) == STRING
    assert without_kinds(ANY, ["null"]) == ANY


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sku: str
    quantity: int = 1


class _Cart(BaseModel):
    items: list[_Item]
    note: str | None = None
    kind: Literal["a", "b"] = "a"


def test_input_model_shape_resolves_refs_and_keeps_defaults_optional() -> None:
    shape = model_shape(_Cart, output=False)
    assert isinstance(shape, Obj)
    assert not shape.closed  # extra="ignore" accepts (and drops) unknown fields
    items = shape.get("items")
    assert items is not None and items.required
    assert items.shape == list_of(
        Obj((Prop("sku", STRING), Prop("quantity", INTEGER, required=False)), closed=True)
    )
    note = shape.get("note")
    assert note is not None and not note.required and note.shape == union(STRING, NULL)


def test_output_model_shape_has_every_field_present_and_closed() -> None:
    shape = model_shape(_Cart, output=True)
    assert isinstance(shape, Obj)
    assert shape.closed
    assert all(p.required for p in shape.props)


def test_json_schema_tuple_and_additional_properties() -> None:
    schema = {
        "type": "object",
        "properties": {
            "pair": {"type": "array", "prefixItems": [{"type": "string"}], "items": False}
        },
        "required": ["pair"],
        "additionalProperties": False,
    }
    assert from_json_schema(schema) == Obj((Prop("pair", Arr((STRING,), None, 0)),), closed=True)
