"""Intrinsic functions: grammar, every function, AWS's quirks."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orderflow.asl.expressions import (
    KNOWN_INTRINSICS,
    ExpressionSyntaxError,
    StatesError,
    is_intrinsic,
    parse_intrinsic,
)


def ev(text: str, data: object = None, context: object = None, **kw: object) -> object:
    return parse_intrinsic(text).evaluate(data, context, kw.get("variables"), kw.get("rng"))  # type: ignore[arg-type]


def test_is_intrinsic() -> None:
    assert is_intrinsic("States.Format('x')")
    assert not is_intrinsic("$.a")
    assert not is_intrinsic(3)


def test_every_function_is_known() -> None:
    assert len(KNOWN_INTRINSICS) == 18
    assert KNOWN_INTRINSICS["States.MathRandom"] == (2, 3)


@pytest.mark.parametrize(
    ("a", "b", "total"),
    [(1.49, 1.5, 3), (1.5, 1.51, 4), (-1.5, 0, -1), (-1.51, 0, -2), (-0.5, 0.5, 1), (-9, 3, -6)],
)
def test_math_add_rounds_each_argument_half_up(a: float, b: float, total: int) -> None:
    assert ev("States.MathAdd($.a, $.b)", {"a": a, "b": b}) == total


def test_format_renders_values_like_java() -> None:
    data = {"o": {"Arg1": 1, "Arg2": []}, "n": None, "f": 1.1, "big": 1e20}
    assert ev("States.Format('{} {} {} {}', $.o, $.n, $.f, $.big)", data) == (
        "{Arg1=1, Arg2=[]} null 1.1 1.0E20"
    )


def test_format_escaped_braces_are_not_placeholders() -> None:
    assert ev("States.Format('\\{\\} {}', 'x')") == "{} x"


def test_string_literal_escapes() -> None:
    assert ev("States.Array('it\\'s', 'a\\\\b')") == ["it's", "a\\b"]


def test_string_split_uses_any_delimiter_char_and_drops_empties() -> None:
    assert ev("States.StringSplit('This.is+a,test', '.+,')") == ["This", "is", "a", "test"]
    assert ev("States.StringSplit(', , ,', ',')") == [" ", " "]
    assert ev("States.StringSplit(',,,,', ',')") == []


def test_json_round_trip() -> None:
    assert ev("States.JsonToString($.x)", {"x": {"a": [1, "b"]}}) == '{"a":[1,"b"]}'
    assert ev("States.StringToJson($.s)", {"s": '{"a": 1}'}) == {"a": 1}
    assert ev("States.StringToJson($.s)", {"s": " "}) is None


def test_arrays() -> None:
    assert ev("States.Array()") == []
    assert ev("States.ArrayPartition($.a, 2)", {"a": [0, 1, 2]}) == [[0, 1], [2]]
    assert ev("States.ArrayContains($.a, $.b)", {"a": [[1, 2], 2], "b": [1, 2]}) is True
    assert ev("States.ArrayContains($.a, 1.0)", {"a": [True]}) is False
    assert ev("States.ArrayRange(0, 10, 3)") == [0, 3, 6, 9]
    assert ev("States.ArrayGetItem($.a, 1)", {"a": [5, 6]}) == 6
    assert ev("States.ArrayLength($.a)", {"a": [5, 6]}) == 2
    assert ev("States.ArrayUnique($.a)", {"a": [1, 1, True, {"x": 1}, {"x": 1}]}) == [
        1,
        True,
        {"x": 1},
    ]


def test_encoding_and_hash() -> None:
    assert ev("States.Base64Encode('Data to encode')") == "RGF0YSB0byBlbmNvZGU="
    assert ev("States.Base64Decode('RGF0YSB0byBlbmNvZGU=')") == "Data to encode"
    assert ev("States.Hash('input data', 'SHA-1')") == "aaff4a450a104cd177d28d18d74485e8cae074b7"


def test_json_merge_is_shallow() -> None:
    data = {"a": {"x": {"k": 1}, "b": 2}, "b": {"x": {"j": 2}}}
    assert ev("States.JsonMerge($.a, $.b, false)", data) == {"x": {"j": 2}, "b": 2}


def test_randomness_comes_from_the_given_rng() -> None:
    first = ev("States.UUID()", rng=random.Random(7))
    assert first == ev("States.UUID()", rng=random.Random(7))
    assert first != ev("States.UUID()", rng=random.Random(8))
    value = ev("States.MathRandom(1, 10)", rng=random.Random(3))
    assert isinstance(value, int) and 1 <= value < 10
    assert ev("States.MathRandom(0, 999, 3)") == ev("States.MathRandom(0, 999, 3)")


def test_nested_calls_and_context_paths() -> None:
    text = (
        "States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), "
        "States.MathAdd(States.ArrayLength(States.StringSplit($$.StateMachine.Name, '-')), -1))"
    )
    assert ev(text, {}, {"StateMachine": {"Name": "a-b-c"}}) == "c"


def test_variables_as_arguments() -> None:
    assert ev("States.Format('hi {}', $user.name)", variables={"user": {"name": "ann"}}) == (
        "hi ann"
    )


@pytest.mark.parametrize(
    "text",
    [
        "States.Nope()",
        "States.MathAdd(1)",
        "States.UUID(1)",
        "States.Format('{} {}', 1)",
        "States.Array(1 2)",
        "States.Array('x)",
        "States.Array('\\n')",
        "States.JsonMerge($.a, $.b, true)",
        "States.Array($.a[)",
        "States.Array(1) trailing",
    ],
)
def test_bad_calls_are_syntax_errors(text: str) -> None:
    with pytest.raises(ExpressionSyntaxError):
        parse_intrinsic(text)


@pytest.mark.parametrize(
    ("text", "data"),
    [
        ("States.MathAdd($.a, 1)", {"a": "1"}),
        ("States.ArrayGetItem($.a, 5)", {"a": [1]}),
        ("States.ArrayLength($.a)", {"a": "x"}),
        ("States.ArrayPartition($.a, 0)", {"a": [1]}),
        ("States.ArrayRange(0, 5000, 1)", None),
        ("States.Hash('x', 'SHA-999')", None),
        ("States.StringToJson($.s)", {"s": "{nope"}),
        ("States.Base64Decode('***')", None),
        ("States.MathRandom(5, 1)", None),
    ],
)
def test_bad_values_are_intrinsic_failures(text: str, data: object) -> None:
    with pytest.raises(StatesError) as info:
        ev(text, data)
    assert info.value.error == "States.IntrinsicFailure"


def test_array_range_is_bounded_before_it_is_built() -> None:
    assert len(ev("States.ArrayRange(1, 1000, 1)")) == 1000  # type: ignore[arg-type]
    # Built first and measured after, this range would exhaust memory before failing.
    with pytest.raises(StatesError, match="more than 1000 items"):
        ev("States.ArrayRange(0, $.end, 1)", {"end": 10**18})
    with pytest.raises(StatesError, match="more than 1000 items"):
        ev("States.ArrayRange(0, 1000, 1)")


def test_missing_path_argument_is_states_runtime() -> None:
    with pytest.raises(StatesError) as info:
        ev("States.Array($.nope)", {})
    assert info.value.error == "States.Runtime"


def test_paths_lists_every_path_read() -> None:
    call = parse_intrinsic("States.Format('{}{}', $.a, States.Array($$.b, $v.c))")
    assert [p.text for p in call.paths()] == ["$.a", "$$.b", "$v.c"]


def test_json_to_string_writes_doubles_like_java() -> None:
    data = {"a": [1, 1.5, 1e20, 1e-5, None, True, 'x"y'], "b": {}}
    assert ev("States.JsonToString($)", data) == (
        '{"a":[1,1.5,1.0E20,1.0E-5,null,true,"x\\"y"],"b":{}}'
    )


def test_math_random_accepts_non_integral_bounds() -> None:
    value = ev("States.MathRandom(12.5, 44.51)", rng=random.Random(0))
    assert isinstance(value, int) and 13 <= value < 45


def test_nesting_is_limited_to_ten_calls() -> None:
    def nested(levels: int) -> str:
        text = "1"
        for _ in range(levels):
            text = f"States.Array({text})"
        return text

    assert parse_intrinsic(nested(10)).evaluate(None) == [[[[[[[[[[1]]]]]]]]]]
    with pytest.raises(ExpressionSyntaxError, match="nested at most 10"):
        parse_intrinsic(nested(11))


def _literal(value: object) -> str:
    """Write a value as an intrinsic-function literal."""
    if isinstance(value, str):
        escaped = "".join("\\" + c if c in "'{}\\" else c for c in value)
        return f"'{escaped}'"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


_LITERALS = st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.text(max_size=8)


@settings(max_examples=200, deadline=None)
@given(st.lists(_LITERALS, max_size=5))
def test_literals_round_trip_through_states_array(values: list[object]) -> None:
    text = "States.Array(" + ", ".join(_literal(v) for v in values) + ")"
    assert parse_intrinsic(text).evaluate(None) == values


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=12), st.text(min_size=1, max_size=3))
def test_string_split_matches_a_character_class_split(text: str, delimiters: str) -> None:
    got = ev("States.StringSplit($.t, $.d)", {"t": text, "d": delimiters})
    pieces, current = [], ""
    for char in text:
        if char in delimiters:
            pieces.append(current)
            current = ""
        else:
            current += char
    pieces.append(current)
    assert got == [p for p in pieces if p]
