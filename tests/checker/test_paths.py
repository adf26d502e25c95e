"""Following JSONPath over shapes: ok, maybe or never, with the reason."""

from __future__ import annotations

from orderflow.asl._jsonpath import compile_path
from orderflow.checker._paths import follow
from orderflow.checker._shape import (
    ANY,
    INTEGER,
    NUMBER,
    STRING,
    Obj,
    Prop,
    list_of,
    obj,
    tuple_of,
    union,
)


def _follow(shape, text):  # type: ignore[no-untyped-def]
    return follow(shape, compile_path(text))


def test_known_field_is_ok() -> None:
    reach = _follow(obj({"a": obj({"b": INTEGER})}), "$.a.b")
    assert (reach.status, reach.shape) == ("ok", INTEGER)


def test_missing_field_of_closed_object_never_exists() -> None:
    reach = _follow(obj({"a": STRING}), "$.b")
    assert reach.status == "never"
    assert "has no property 'b'" in reach.reasons[0]
    assert "{a}" in reach.reasons[0]


def test_missing_field_of_open_object_is_unknown_not_an_error() -> None:
    reach = _follow(Obj((), closed=False), "$.b.c")
    assert (reach.status, reach.shape) == ("ok", ANY)


def test_optional_field_may_be_missing() -> None:
    reach = _follow(Obj((Prop("a", STRING, required=False),), closed=True), "$.a")
    assert reach.status == "maybe"


def test_field_of_an_array_never_exists() -> None:
    reach = _follow(obj({"p": tuple_of([STRING, STRING])}), "$.p.x")
    assert reach.status == "never"
    assert "not an object" in reach.reasons[0]


def test_index_into_tuple() -> None:
    shape = tuple_of([STRING, INTEGER])
    assert _follow(shape, "$[1]").shape == INTEGER
    assert _follow(shape, "$[-1]").shape == INTEGER
    assert _follow(shape, "$[2]").status == "never"


def test_index_into_list_of_unknown_length_may_fail() -> None:
    assert _follow(list_of(STRING), "$[0]").status == "maybe"


def test_union_member_without_the_field_makes_it_maybe() -> None:
    reach = _follow(union(obj({"a": STRING}), STRING), "$.a")
    assert (reach.status, reach.shape) == ("maybe", STRING)


def test_indefinite_paths_never_fail() -> None:
    assert _follow(obj({}), "$..x").status == "ok"
    assert _follow(STRING, "$[*]").status == "ok"


def test_length_function_on_string_and_array() -> None:
    assert _follow(obj({"a": list_of(STRING)}), "$.a.length()").shape == INTEGER
    assert _follow(obj({"a": list_of(NUMBER)}), "$.a.sum()").shape == NUMBER
    assert _follow(obj({"a": INTEGER}), "$.a.length()").status == "never"
