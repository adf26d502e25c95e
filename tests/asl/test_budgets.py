"""Expression budgets: JSONata and regexes stop with AWS's error instead of hanging.

Budgets count evaluation steps, nesting and allocated items, so each test stops at the
same point on any machine; regexes have a per-call time budget (the ``regex`` module has
no step counter), lowered here so the catastrophic cases stop fast.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from orderflow.asl import _jsonata_budget, _regex
from orderflow.asl._jsonata import compile_jsonata
from orderflow.asl.expressions import StatesError, compile_path
from orderflow.testing import run_asl

CATASTROPHIC = "a" * 40 + "b"


@pytest.fixture(autouse=True)
def _small_regex_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_regex, "REGEX_TIMEOUT_SECONDS", 0.05)


def _evaluate(expression: str, data: Any = None) -> Any:
    return compile_jsonata(expression).evaluate({"input": data or {}}, field="Output")


def _fails_with(expression: str, code: str) -> str:
    with pytest.raises(StatesError) as caught:
        _evaluate(expression)
    assert caught.value.error == "States.QueryEvaluationError"
    assert code in (caught.value.cause or "")
    return caught.value.cause or ""


def test_tail_recursion_stops_after_the_step_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_jsonata_budget, "MAX_STEPS", 5_000)
    cause = _fails_with("($f := function($n){$f($n+1)}; $f(0))", "U1002")
    assert "more than 5,000 evaluation steps" in cause


def test_the_step_budget_counts_steps_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    # The same expression fits under a budget just above its step count and not below.
    expression = "$sum([1..50])"
    budget = _jsonata_budget.EvaluationBudget()
    steps = _count_steps(expression, budget)
    monkeypatch.setattr(_jsonata_budget, "MAX_STEPS", steps)
    assert _evaluate(expression) == 1275
    monkeypatch.setattr(_jsonata_budget, "MAX_STEPS", steps - 1)
    _fails_with(expression, "U1002")


def _count_steps(expression: str, budget: _jsonata_budget.EvaluationBudget) -> int:
    original = _jsonata_budget.EvaluationBudget.enter
    seen: list[int] = []

    def enter(self: Any, expr: Any, focus: Any, env: Any) -> None:
        original(self, expr, focus, env)
        seen.append(self.steps)

    _jsonata_budget.EvaluationBudget.enter = enter  # type: ignore[method-assign]
    try:
        _evaluate(expression)
    finally:
        _jsonata_budget.EvaluationBudget.enter = original  # type: ignore[method-assign]
    return max(seen)


def test_deep_recursion_is_a_stack_overflow_not_a_crash() -> None:
    _fails_with("($f := function($n){$n = 0 ? 0 : 1 + $f($n-1)}; $f(100000))", "U1001")


def test_recursion_within_the_depth_budget_works() -> None:
    assert _evaluate("($f := function($n){$n = 0 ? 0 : 1 + $f($n-1)}; $f(300))") == 300


def test_allocation_is_bounded_across_ranges() -> None:
    cause = _fails_with("[[1..10000000], [1..10000000], [1..10000000]]", "D2014")
    assert "10,000,000 items" in cause


def test_catastrophic_regex_in_match_stops() -> None:
    cause = _fails_with(f"$match('{CATASTROPHIC}', /(a|aa)+$/)", "")
    assert "did not finish within its 0.05 s budget" in cause


@pytest.mark.parametrize(
    "expression",
    [
        f"$replace('{CATASTROPHIC}', /(a|aa)+$/, 'x')",
        f"$contains('{CATASTROPHIC}', /(a|aa)+$/)",
        f"$split('{CATASTROPHIC}', /(a|aa)+$/)",
    ],
)
def test_catastrophic_regex_in_other_functions_stops(expression: str) -> None:
    _fails_with(expression, "budget")


def test_nested_quantifiers_that_re_cannot_handle_finish_quickly() -> None:
    # (a+)+$ takes minutes with the re module; the regex module prunes it at once.
    assert _evaluate(f"$contains('{'a' * 30}b', /(a+)+$/)") is False


def test_regexes_keep_their_meaning() -> None:
    assert _evaluate("$match('ab12cd345', /[0-9]+/).match") == ["12", "345"]
    assert _evaluate("$replace('John Smith', /(\\w+)\\s(\\w+)/, '$2, $1')") == "Smith, John"
    assert _evaluate("$contains('Hello', /hel/i)") is True
    assert _evaluate("$split('a1b22c', /[0-9]+/)") == ["a", "b", "c"]


def test_jsonpath_regex_filter_is_bounded() -> None:
    path = compile_path("$.items[?(@.name =~ /(a|aa)+$/)]")
    with pytest.raises(StatesError) as caught:
        path.resolve({"items": [{"name": CATASTROPHIC}]}, None, None)
    assert caught.value.error == "States.Runtime"
    assert "budget" in (caught.value.cause or "")
    assert compile_path("$.items[?(@.name =~ /ab.*/i)].name").resolve(
        {"items": [{"name": "ABc"}, {"name": "x"}]}, None, None
    ) == ["ABc"]


def test_a_runaway_expression_fails_the_state_and_can_be_caught(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_jsonata_budget, "MAX_STEPS", 5_000)
    machine = {
        "QueryLanguage": "JSONata",
        "StartAt": "Loop",
        "States": {
            "Loop": {
                "Type": "Task",
                "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
                "Arguments": "{% ($f := function($n){$f($n+1)}; $f(0)) %}",
                "Catch": [{"ErrorEquals": ["States.QueryEvaluationError"], "Next": "Caught"}],
                "End": True,
            },
            "Caught": {"Type": "Pass", "End": True},
        },
    }
    execution = run_asl(machine, {}, lambda_handler=lambda name, payload: {})
    assert execution.status == "SUCCEEDED"
    assert "EvaluationFailed" in execution.history_types
    error = execution.output
    assert error["Error"] == "States.QueryEvaluationError"
    assert re.search(r"U1002: Expression evaluation timeout", error["Cause"])
