"""JSONata evaluation with AWS's bindings, extra functions and error wording."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orderflow.asl.expressions import (
    ExpressionSyntaxError,
    StatesError,
    compile_jsonata,
    compile_jsonata_template,
    is_jsonata,
    result_type_error,
)

STATES = {"input": {"a": None, "n": [1, 2, 3], "s": "x"}, "context": {"State": {"Name": "S"}}}


def ev(text: str, variables: dict[str, object] | None = None, **kw: object) -> object:
    return compile_jsonata(text).evaluate(STATES, variables, field="Output", **kw)  # type: ignore[arg-type]


def test_is_jsonata() -> None:
    assert is_jsonata("{% 1 %}")
    assert not is_jsonata("{% 1")
    assert not is_jsonata(1)


def test_delimiters_are_stripped_and_compiles_are_cached() -> None:
    assert compile_jsonata("{%  $states.input.s  %}").text == "$states.input.s"
    assert compile_jsonata("{% 1 %}") is compile_jsonata("{% 1 %}")


def test_states_and_variables_are_bound() -> None:
    assert ev("{% $states.input.s & $states.context.State.Name %}") == "xS"
    assert ev("{% $order.id %}", {"order": {"id": 5}}) == 5


def test_null_is_not_undefined() -> None:
    assert ev("{% $states.input.a %}") is None
    assert ev("{% $v %}", {"v": None}) is None
    assert ev("{% {'k': $states.input.a} %}") == {"k": None}


def test_results_are_plain_json() -> None:
    out = ev("{% $states.input.n[$ > 1] %}")
    assert out == [2, 3] and type(out) is list
    assert ev("{% $states.input.n[$ > 2] %}") == 3  # a singleton sequence collapses
    assert ev("{% 6 / 2 %}") == 3 and type(ev("{% 6 / 2 %}")) is int
    assert ev("{% 3 / 2 %}") == 1.5


def test_aws_extra_functions() -> None:
    assert ev("{% $partition([0, 1, 2], 2) %}") == [[0, 1], [2]]
    assert ev("{% $partition([0], 1) %}") == [[0]]
    assert ev("{% $range(0, 10, 3) %}") == [0, 3, 6, 9]
    assert ev("{% $range(1, 9, 9) %}") == 1
    assert ev("{% $hash('input data', 'MD5') %}") == "812f45842bc6d66ee14572ce20db8e86"
    assert ev("{% $parse('{\"a\": [1, null]}') %}") == {"a": [1, None]}
    assert ev("{% $merge([{'a': 1}, {'b': 2}]) %}") == {"a": 1, "b": 2}


def test_range_is_bounded_before_it_is_built() -> None:
    assert len(ev("{% $range(1, 1000, 1) %}")) == 1000  # type: ignore[arg-type]
    for text in ("{% $range(0, 1000, 1) %}", "{% $range(0, 1e18, 1) %}"):
        with pytest.raises(StatesError, match="D3041: \\$range cannot produce more than 1000"):
            ev(text)


def test_randomness_and_clock_are_injected() -> None:
    a = ev("{% $uuid() %}", rng=random.Random(1))
    assert a == ev("{% $uuid() %}", rng=random.Random(1))
    assert a != ev("{% $uuid() %}", rng=random.Random(2))
    r = ev("{% $random() %}", rng=random.Random(1))
    assert isinstance(r, float) and 0 <= r < 1
    assert ev("{% $random(42) %}") == ev("{% $random(42) %}", rng=random.Random(9))
    assert ev("{% $now() %}", now_millis=0) == "1970-01-01T00:00:00.000Z"
    assert ev("{% $millis() %}", now_millis=1234) == 1234


def test_eval_is_not_available() -> None:
    with pytest.raises(StatesError, match="T1006"):
        ev("{% $eval('1') %}")


def test_undefined_is_a_query_evaluation_error() -> None:
    with pytest.raises(StatesError) as info:
        compile_jsonata("{% $doesNotExist %}").evaluate(STATES, {}, field="Output/result")
    assert info.value.error == "States.QueryEvaluationError"
    assert info.value.cause == (
        "The JSONata expression '$doesNotExist' specified for the field 'Output/result' "
        "returned nothing (undefined)."
    )
    assert compile_jsonata("{% $nope %}").evaluate(STATES, allow_undefined=True) is None


def test_runtime_errors_carry_the_jsonata_code() -> None:
    with pytest.raises(StatesError) as info:
        ev("{% $randomSeeded(1) %}")
    assert info.value.cause == (
        "The JSONata expression '$randomSeeded(1)' specified for the field 'Output' threw an "
        "error during evaluation. T1006: Attempted to invoke a non-function"
    )


def test_functions_are_not_json() -> None:
    with pytest.raises(StatesError, match="unsupported result type"):
        ev("{% function($x){$x} %}")


def test_syntax_errors_at_compile_time() -> None:
    with pytest.raises(ExpressionSyntaxError, match="S0207"):
        compile_jsonata("{% 1 + %}")


def test_template_renders_nested_expressions_with_field_paths() -> None:
    template = compile_jsonata_template({"a": "{% 1 + 1 %}", "b": [1, "{% $states.input.s %}"]})
    assert template.evaluate(STATES, field="Output") == {"a": 2, "b": [1, "x"]}
    assert len(template.expressions) == 2 and not template.is_constant
    with pytest.raises(StatesError, match="field 'Output/result'"):
        compile_jsonata_template({"result": "{% $nope %}"}).evaluate(STATES, field="Output")


def test_constant_template() -> None:
    template = compile_jsonata_template({"a": [1, "plain"]})
    assert template.is_constant
    assert template.evaluate(STATES) == {"a": [1, "plain"]}


def test_result_type_error_wording() -> None:
    err = result_type_error("{'foo': 'bar'}", "Items", "array", {"foo": "bar"})
    assert err.error == "States.QueryEvaluationError"
    assert err.cause == (
        "The JSONata expression '{'foo': 'bar'}' specified for the field 'Items' returned an "
        "unexpected result type. Expected 'array', but was 'object' for value: {\"foo\":\"bar\"}"
    )
    assert result_type_error("x", "Items", "array", "s").cause.endswith(
        "but was 'string' for value: \"s\""
    )


@pytest.mark.parametrize("text", ["{% $x ?: 2 %}", "{% $x ?? 2 %}"])
def test_jsonata_2_1_operators_are_refused(text: str) -> None:
    # AWS implements JSONata 2.0.6; jsonata-python would accept these.
    with pytest.raises(ExpressionSyntaxError, match=r"2\.0\.6"):
        compile_jsonata(text)


@pytest.mark.parametrize(
    "text",
    ["{% $x ? 1 : 2 %}", "{% '?? in a string' %}", "{% $match('a', /(?:a)/) %}"],
)
def test_lookalikes_of_newer_operators_are_fine(text: str) -> None:
    compile_jsonata(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{% $states.input.order.items[0].sku %}", [("states", ("input", "order", "items"))]),
        (
            "{% {'a': $states.input.x, 'n': $count($states.result.list)} %}",
            [("states", ("input", "x")), ("states", ("result", "list"))],
        ),
        ("{% $customer.email %}", [("customer", ("email",))]),
        ("{% ($v := $states.input.k; $v.z) %}", [("states", ("input", "k")), ("v", ("z",))]),
        ("{% $states %}", [("states", ())]),
    ],
)
def test_references_lists_variables_and_field_chains(
    text: str, expected: list[tuple[str, tuple[str, ...]]]
) -> None:
    assert compile_jsonata(text).references() == expected


_NAMES = st.sampled_from(["a", "b", "c"])
_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 5)
    | st.floats(-4, 4, width=16)
    | st.text(max_size=2),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_NAMES, inner, max_size=3),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(_NAMES, _VALUES, max_size=3),
    st.lists(_NAMES, max_size=3),
    st.dictionaries(_NAMES, _VALUES, max_size=2),
)
def test_simple_paths_read_directly_agree_with_the_engine(
    data: dict[str, object], fields: list[str], variables: dict[str, object]
) -> None:
    # "$states.input.a.b" may be read without the engine; "($states.input.a.b)" always
    # goes through it. Both must give the same value or the same error.
    for root in ("$states.input", "$a"):
        text = ".".join([root, *fields])

        def run(expression: str) -> object:
            try:
                return compile_jsonata(expression).evaluate(
                    {"input": data}, variables, field="Output"
                )
            except StatesError as exc:
                return ("error", exc.cause.replace(expression, "<expr>"))

        # JSON text, so that 2 and 2.0 or 1 and true count as different.
        assert json.dumps(run(text)) == json.dumps(run(f"({text})"))
