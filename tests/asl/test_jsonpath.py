"""JSONPath: parsing, Jayway-style evaluation, Reference Paths and ResultPath."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orderflow.asl.expressions import (
    ExpressionSyntaxError,
    PathNotFound,
    StatesError,
    apply_result_path,
    compile_path,
    reference_path_error,
    resolve_items,
)

DOC = {
    "order": {"id": "A1", "items": [{"sku": "x", "qty": 1}, {"sku": "y", "qty": 5}]},
    "users": [{"status": 0, "name": "ann"}, {"status": 1, "name": "bob"}],
    "odd key": {"a.b": 3},
    "nothing": None,
}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$", DOC),
        ("$.order.id", "A1"),
        ("$.order.items[0].sku", "x"),
        ("$.order.items[-1].qty", 5),
        ("$['odd key']['a.b']", 3),
        ('$["odd key"]["a.b"]', 3),
        ("$.nothing", None),
        ("$.order.items.length()", 2),
    ],
)
def test_definite_paths_return_the_value(path: str, expected: object) -> None:
    assert compile_path(path).evaluate(DOC) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$.order.items[*].sku", ["x", "y"]),
        ("$.order.items[?(@.qty > 1)].sku", ["y"]),
        ("$.users[?(@.status == 0)]", [{"status": 0, "name": "ann"}]),
        ("$.users[?(@.name == 'bob' && @.status >= 1)].name", ["bob"]),
        ("$.users[?(@.name =~ /A.*/i)].name", ["ann"]),
        ("$.users[?(!(@.status == 0))].name", ["bob"]),
        ("$.users[?(@.missing)]", []),
        ("$.order.items[:1].sku", ["x"]),
        ("$.order.items[1:].sku", ["y"]),
        ("$.order.items[0,1].qty", [1, 5]),
        ("$..sku", ["x", "y"]),
        ("$.order['id','nope']", ["A1"]),
        ("$.order.items[?(@.qty in [5, 6])].sku", ["y"]),
    ],
)
def test_indefinite_paths_return_lists(path: str, expected: object) -> None:
    assert compile_path(path).evaluate(DOC) == expected


@pytest.mark.parametrize(
    ("path", "detail"),
    [
        ("$.missing", "No results for path: $['missing']"),
        ("$.missing.deeper", "Missing property in path $['missing']"),
        ("$.order.items[7]", "No results for path: $['order']['items'][7]"),
        ("$.order.nope", "No results for path: $['order']['nope']"),
    ],
)
def test_missing_definite_path_is_states_runtime(path: str, detail: str) -> None:
    with pytest.raises(PathNotFound) as info:
        compile_path(path).evaluate(DOC)
    assert info.value.error == "States.Runtime"
    assert info.value.cause == f"Invalid path '{path}' : {detail}"


def test_for_field_uses_the_template_wording() -> None:
    with pytest.raises(PathNotFound) as info:
        compile_path("$.x").evaluate({})
    err = info.value.for_field("value.$", "{}")
    assert err.cause == (
        "The JSONPath '$.x' specified for the field 'value.$' could not be found in the input '{}'"
    )


def test_navigating_through_a_scalar_fails() -> None:
    with pytest.raises(PathNotFound, match="Expected to find an object with property"):
        compile_path("$.order.id.x").evaluate(DOC)


def test_roots_are_classified() -> None:
    assert compile_path("$.a").root == "input"
    ctx = compile_path("$$.Execution.Id")
    assert ctx.is_context and not ctx.is_variable
    var = compile_path("$customer.email")
    assert var.is_variable and var.variable == "customer"
    assert var.resolve({}, None, {"customer": {"email": "e"}}) == "e"
    assert ctx.resolve({}, {"Execution": {"Id": "X"}}) == "X"


def test_unknown_variable_is_states_runtime() -> None:
    with pytest.raises(StatesError, match="not defined"):
        compile_path("$nobody.x").resolve({}, None, {})


def test_compile_is_cached() -> None:
    assert compile_path("$.a.b") is compile_path("$.a.b")


@pytest.mark.parametrize("bad", ["a.b", "$.a[", "$.a[?(@.x >)]", "$[1:2:0]", "$.a..", "$.[x]"])
def test_bad_paths_raise_syntax_errors(bad: str) -> None:
    with pytest.raises(ExpressionSyntaxError):
        compile_path(bad)


def test_reference_paths() -> None:
    assert reference_path_error("$.a.b[0]['c d']") is None
    assert reference_path_error("$") is None
    for bad in ("$.a[*]", "$..a", "$.a[?(@.x)]", "$.a[1:]", "$.a[0,1]"):
        assert reference_path_error(bad) is not None
    assert reference_path_error("nope") is not None


def test_is_reference_flag() -> None:
    assert compile_path("$.a[0].b").is_reference
    assert not compile_path("$.a[*]").is_reference


def test_result_path_variants() -> None:
    state_input = {"a": 1, "keep": {"x": 1}}
    assert apply_result_path(state_input, None, {"r": 1}) == state_input
    assert apply_result_path(state_input, "$", {"r": 1}) == {"r": 1}
    merged = apply_result_path(state_input, "$.keep.r.deep", 5)
    assert merged == {"a": 1, "keep": {"x": 1, "r": {"deep": 5}}}
    assert state_input == {"a": 1, "keep": {"x": 1}}  # never mutated


def test_result_path_replaces_existing_values() -> None:
    assert apply_result_path({"a": {"b": 1}}, "$.a", 2) == {"a": 2}


def test_result_path_through_a_scalar_fails() -> None:
    with pytest.raises(StatesError) as info:
        apply_result_path({"a": 1}, "$.a.b", 5)
    assert info.value.error == "States.ResultPathMatchFailure"


def test_result_path_into_an_array_element() -> None:
    assert apply_result_path({"a": [1, {"b": 0}]}, "$.a[1].b", 9) == {"a": [1, {"b": 9}]}


def test_context_reads_are_copies() -> None:
    context = {"State": {"Name": "A"}}
    read = compile_path("$$").resolve({}, context)
    context["State"]["Name"] = "B"
    assert read == {"State": {"Name": "A"}}


def test_backslash_in_a_quoted_name_is_kept() -> None:
    # Recorded from AWS: the key Test\""Name" is selected by $['Test\""Name"'].
    key = 'Test\\""Name"'
    assert compile_path('$[\'Test\\""Name"\']').evaluate({key: 1}) == 1


def test_resolve_items() -> None:
    assert resolve_items("$.xs", {"xs": [1]}) == [1]
    with pytest.raises(
        StatesError, match=re.escape('Reference path "$.Execution.Input" must point')
    ):
        resolve_items("$$.Execution.Input", {}, {"Execution": {"Input": {}}})


def test_filters_follow_jayway_equality() -> None:
    items = {"xs": [{"v": 1}, {"v": "1"}, {"v": 2}, {}]}
    assert compile_path("$.xs[?(@.v == 1)]").evaluate(items) == [{"v": 1}, {"v": "1"}]
    assert compile_path("$.xs[?(@.v == '1')]").evaluate(items) == [{"v": 1}, {"v": "1"}]
    # != and nin are negations, so elements without the field are selected.
    assert compile_path("$.xs[?(@.v != 1)]").evaluate(items) == [{"v": 2}, {}]
    assert compile_path("$.xs[?(@.v nin [1, 2])]").evaluate(items) == [{}]
    assert compile_path("$.xs[?(@.v > 1)]").evaluate(items) == [{"v": 2}]


# --- properties --------------------------------------------------------------------------

_KEYS = st.text(alphabet=st.characters(categories=["L", "N"]), min_size=1, max_size=6)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=20,
)


def _some_path(doc: object, draw: st.DrawFn) -> tuple[str, object]:
    """Walk down ``doc`` choosing existing keys; return the path text and the value."""
    text, node = "$", doc
    while isinstance(node, dict | list) and node and draw(st.booleans()):
        if isinstance(node, dict):
            key = draw(st.sampled_from(sorted(node)))
            text += f"['{key}']" if draw(st.booleans()) else f".{key}"
            node = node[key]
        else:
            index = draw(st.integers(0, len(node) - 1))
            text += f"[{index}]"
            node = node[index]
    return text, node


@st.composite
def _doc_and_path(draw: st.DrawFn) -> tuple[object, str, object]:
    doc = draw(st.dictionaries(_KEYS, _JSON, min_size=1, max_size=4))
    text, value = _some_path(doc, draw)
    return doc, text, value


@settings(max_examples=150, deadline=None)
@given(_doc_and_path())
def test_existing_reference_paths_select_their_value(case: tuple[object, str, object]) -> None:
    doc, text, value = case
    path = compile_path(text)
    assert path.is_reference and path.is_definite
    assert path.evaluate(doc) == value


@settings(max_examples=150, deadline=None)
@given(_doc_and_path(), _JSON)
def test_result_path_then_read_back(case: tuple[object, str, object], result: object) -> None:
    doc, text, _ = case
    merged = apply_result_path(doc, text, result)
    assert compile_path(text).evaluate(merged) == result


_DATA = {
    "a": [1, 2, 3, 4],
    "xs": [{"t": ["a", "b"], "s": "abc"}, {"t": [], "s": ""}, {"t": ["c"], "s": "x"}],
    "n": {"m": [{"k": 1}, {"k": 2}]},
}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$.a.min()", 1.0),
        ("$.a.max()", 4.0),
        ("$.a.avg()", 2.5),
        ("$.a.sum()", 10.0),
        ("$.n.keys()", ["m"]),
        ("$.n..k", [1, 2]),
        ("$..m[0].k", [1]),
        ("$.xs[?(@.t size 2)].s", ["abc"]),
        ("$.xs[?(@.t empty true)].s", [""]),
        ("$.xs[?(@.t subsetof ['a', 'b'])].s", ["abc", ""]),
        ("$.xs[?(@.t anyof ['c'])].s", ["x"]),
        ("$.xs[?(@.t noneof ['a'])].s", ["", "x"]),
        ("$.xs[?(@.s == $.xs[2].s)].s", ["x"]),
    ],
)
def test_jayway_functions_and_operators(path: str, expected: object) -> None:
    assert compile_path(path).evaluate(_DATA) == expected
