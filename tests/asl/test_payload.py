"""Payload templates (Parameters / ResultSelector / ItemSelector)."""

from __future__ import annotations

import random

import pytest

from orderflow.asl.expressions import (
    ExpressionSyntaxError,
    StatesError,
    compile_template,
    evaluate_path_or_intrinsic,
    template_problems,
)


def test_render_mixes_constants_paths_context_variables_and_intrinsics() -> None:
    template = {
        "static": {"n": 1, "list": [1, {"deep.$": "$.a"}]},
        "a.$": "$.a",
        "exec.$": "$$.Execution.Id",
        "var.$": "$customer.email",
        "msg.$": "States.Format('order {}', $.a)",
        "all.$": "$",
    }
    out = compile_template(template).render(
        {"a": 7}, {"Execution": {"Id": "E"}}, {"customer": {"email": "c@x"}}
    )
    assert out == {
        "static": {"n": 1, "list": [1, {"deep": 7}]},
        "a": 7,
        "exec": "E",
        "var": "c@x",
        "msg": "order 7",
        "all": {"a": 7},
    }


def test_renders_are_independent_copies() -> None:
    template = compile_template({"k": {"x": [1]}})
    first = template.render({})
    first["k"]["x"].append(2)
    assert template.render({}) == {"k": {"x": [1]}}


def test_compile_is_cached() -> None:
    assert compile_template({"a.$": "$.b"}) is compile_template({"a.$": "$.b"})


def test_missing_path_uses_the_field_wording() -> None:
    with pytest.raises(StatesError) as info:
        compile_template({"value.$": "$.no_such_jsonpath"}).render({"int-literal": 0})
    assert info.value.error == "States.Runtime"
    assert info.value.cause == (
        "The JSONPath '$.no_such_jsonpath' specified for the field 'value.$' could not be "
        "found in the input '{\"int-literal\":0}'"
    )


@pytest.mark.parametrize(
    "template",
    [{"a.$": 5}, {"a.$": "no dollar"}, {"a.$": "States.Nope()"}, {"x": {"a.$": "$.["}}],
)
def test_bad_expressions_fail_at_compile_time(template: dict[str, object]) -> None:
    with pytest.raises(ExpressionSyntaxError):
        compile_template(template)


def test_syntax_error_names_the_field() -> None:
    with pytest.raises(ExpressionSyntaxError) as info:
        compile_template({"outer": {"a.$": "$.["}})
    assert info.value.field == "outer/a.$"


def test_paths_lists_what_the_template_reads() -> None:
    template = compile_template({"a.$": "$.x", "b": {"c.$": "States.Array($.y, $$.z)"}})
    assert [(k, p.text) for k, p in template.paths()] == [
        ("a.$", "$.x"),
        ("c.$", "$.y"),
        ("c.$", "$$.z"),
    ]


def test_evaluate_path_or_intrinsic() -> None:
    assert evaluate_path_or_intrinsic("$.a", {"a": 1}) == 1
    uuid_text = evaluate_path_or_intrinsic("States.UUID()", {}, rng=random.Random(1))
    assert isinstance(uuid_text, str) and len(uuid_text) == 36
    with pytest.raises(StatesError, match="specified for the field 'ErrorPath'"):
        evaluate_path_or_intrinsic("$.e", {}, field="ErrorPath")


def test_template_problems_lists_every_bad_value() -> None:
    template = {
        "good.$": "$.g",
        "bad1.$": 23,
        "bad2.$": "23",
        "f3": {"bad3.$": [1], "f5": ["x", {"f7": {"bad4.$": {"f9": 1}}}]},
        "bad5.$": "$$23",
        "bad6.$": " States.Array(1)",
    }
    problems = template_problems(template)
    assert [p.field for p in problems] == [
        "bad1.$",
        "bad2.$",
        "f3/bad3.$",
        "f3/f5/1/f7/bad4.$",
        "bad5.$",
        "bad6.$",
    ]
    assert "must be a valid JSONPath or a valid intrinsic function call" in str(problems[0])
    assert template_problems({"ok.$": "$$", "x": [{"y.$": "$$.Map.Item.Value"}]}) == []


def test_null_input_cannot_feed_input_paths() -> None:
    with pytest.raises(StatesError, match="Unable to apply Path transformation to null"):
        compile_template({"Input.$": "$"}).render(None)
    # Templates that read only the context object or constants are fine.
    assert compile_template({"v.$": "$$.Map.Item.Value", "k": 1}).render(
        None, {"Map": {"Item": {"Value": 3}}}
    ) == {"v": 3, "k": 1}
