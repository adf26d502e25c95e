"""JSON on the wire: orjson speed without orjson's silent changes to values."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderflow.asl import _wire as wire
from orderflow.executor._lambda import runtime_text_size

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=20,
)


@given(json_values)
def test_copy_matches_the_standard_library(value: Any) -> None:
    copied, size = wire.copy_with_size(value)
    assert copied == json.loads(json.dumps(value))
    assert size == len(wire.dumps(value))
    assert json.loads(wire.dumps(value)) == copied


float_free_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=20,
)


@given(float_free_values)
def test_size_is_the_compact_utf8_length(value: Any) -> None:
    # Floats may be spelled differently (1e-05 or 0.00001), both compact JSON.
    compact = json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
    assert wire.size(value) == len(compact)


@given(json_values)
def test_runtime_text_size_is_the_length_of_json_dumps(value: Any) -> None:
    value = json.loads(json.dumps(value))
    assert runtime_text_size(value, wire.size(value)) == len(json.dumps(value).encode())


def test_integers_beyond_64_bits_keep_every_digit() -> None:
    big = 10**30 + 7
    assert wire.copy({"n": big}) == {"n": big}
    assert wire.loads(b"[1000000000000000000000000000007]") == [10**30 + 7]
    assert wire.loads('{"n": 123456789012345678901234567890}') == {
        "n": 123456789012345678901234567890
    }


@pytest.mark.parametrize("value", [math.nan, [math.inf], {"a": -math.inf}])
def test_non_finite_floats_are_not_json(value: Any) -> None:
    with pytest.raises(wire.NotJson, match="NaN or Infinity"):
        wire.dumps(value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"NaN", "NaN is not a JSON number"),
        (b"[1e400]", "out of range"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b"1" * 5000, "more digits than Python converts"),
    ],
)
def test_loads_refuses_what_is_not_json(text: bytes, message: str) -> None:
    with pytest.raises(wire.NotJson, match=message):
        wire.loads(text)


def test_values_a_lambda_runtime_cannot_send_stay_refused() -> None:
    import datetime

    with pytest.raises(wire.NotJson):
        wire.dumps({"when": datetime.datetime(2024, 1, 1)})
    with pytest.raises(wire.NotJson):
        wire.dumps(object())


def test_deep_values_fall_back_to_the_standard_library() -> None:
    deep: Any = []
    node = deep
    for _ in range(500):  # past orjson's 254 levels
        node.append([])
        node = node[0]
    assert wire.copy(deep) == deep


def test_loads_document_refuses_duplicate_keys_anywhere() -> None:
    with pytest.raises(wire.NotJson, match="the key 'b' appears twice"):
        wire.loads_document('{"a": [{"b": 1, "b": 2}]}')
    assert wire.loads_document(b'{"a": 1}') == {"a": 1}
