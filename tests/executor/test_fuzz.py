"""``run_asl`` on mutated definitions and inputs: it only ever raises orderflow's errors.

Seeded (every failure reproduces from its seed and index), over two sources: the
definitions and inputs AWS recorded (``../shared/conformance``, skipped when absent) and a
self-contained set below. Each mutation swaps one node of the definition or the input for
a hostile value (a 5,000-digit integer, NaN, 2,000-deep nesting, a catastrophic regex, a
runaway JSONata expression, a wrong type…), and the Lambda handler answers with hostile
values of its own. The budgets are lowered so that runaway expressions stop quickly; they
still stop by counting, not by the clock.
"""

from __future__ import annotations

import json
import math
import random
from pathlib import Path
from typing import Any

import pytest

from orderflow import OrderflowError
from orderflow.asl import _jsonata_budget, _regex
from orderflow.executor._conformance import denormalise, load_cases
from orderflow.testing import run_asl

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "conformance"

_DEEP_LIST: Any = []
_node = _DEEP_LIST
for _ in range(2_000):
    _node.append([])
    _node = _node[0]

HOSTILE_VALUES: list[Any] = [
    10**5000,
    -(10**30),
    math.nan,
    math.inf,
    1e308,
    _DEEP_LIST,
    "x" * 300_000,
    "",
    None,
    True,
    [],
    {},
    "$",
    "$..a",
    "$.a[?(@.b =~ /(a|aa)+$/)]",
    "{% ($f := function($n){$f($n+1)}; $f(0)) %}",
    "{% ($f := function($n){$n = 0 ? 0 : 1 + $f($n-1)}; $f(100000)) %}",
    "{% [[1..10000000],[1..10000000]] %}",
    "{% $match('" + "a" * 40 + "b', /(a|aa)+$/) %}",
    "{% $states.input.missing %}",
    "States.StringToJson($.t)",
    "States.ArrayRange(1, 1000000, 1)",
    "States.Format('{}', $.a)",
    "\ud800",
    {"Type": "Pass", "End": True},
    {"Type": "Choice", "Choices": [], "Default": "Nowhere"},
    "arn:aws:states:::lambda:invoke",
    "arn:aws:lambda:us-east-1:123456789012:function:f",
    -1,
    2**63,
    0.5,
]

SELF_CONTAINED: list[tuple[dict[str, Any], Any]] = [
    (
        {
            "StartAt": "P",
            "States": {
                "P": {"Type": "Pass", "Parameters": {"v.$": "$.a"}, "Next": "T"},
                "T": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke",
                    "Parameters": {"FunctionName": "f", "Payload.$": "$"},
                    "ResultSelector": {"r.$": "$.Payload"},
                    "ResultPath": "$.out",
                    "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}],
                    "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "F"}],
                    "Next": "C",
                },
                "C": {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$.v", "NumericGreaterThan": 1, "Next": "S"}],
                    "Default": "F",
                },
                "S": {"Type": "Succeed"},
                "F": {"Type": "Fail", "Error": "E", "Cause": "c"},
            },
        },
        {"a": 2, "t": "[1]"},
    ),
    (
        {
            "QueryLanguage": "JSONata",
            "StartAt": "M",
            "States": {
                "M": {
                    "Type": "Map",
                    "Items": "{% $states.input.items %}",
                    "ItemProcessor": {
                        "StartAt": "X",
                        "States": {
                            "X": {"Type": "Pass", "Output": "{% $states.input * 2 %}", "End": True}
                        },
                    },
                    "Next": "W",
                },
                "W": {"Type": "Wait", "Seconds": 1, "Next": "Par"},
                "Par": {
                    "Type": "Parallel",
                    "Branches": [
                        {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
                        {
                            "StartAt": "B",
                            "States": {
                                "B": {
                                    "Type": "Task",
                                    "Resource": "arn:aws:lambda:us-east-1:123456789012:function:g",
                                    "End": True,
                                }
                            },
                        },
                    ],
                    "End": True,
                },
            },
        },
        {"items": [1, 2, 3]},
    ),
    (
        {
            "StartAt": "L",
            "States": {
                "L": {"Type": "Pass", "Next": "C"},
                "C": {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$.stop", "IsPresent": True, "Next": "E"}],
                    "Default": "L",
                },
                "E": {"Type": "Succeed"},
            },
        },
        {},
    ),
]


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every node's path (keys and indexes), the root included."""
    out = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            out.extend(_paths(item, (*prefix, key)))
    elif isinstance(value, list) and len(value) < 50:
        for index, item in enumerate(value):
            out.extend(_paths(item, (*prefix, index)))
    return out


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        copy = dict(value)
        copy[head] = _replace(value[head], rest, new)
        return copy
    copy_list = list(value)
    copy_list[head] = _replace(value[head], rest, new)
    return copy_list


def _mutate(value: Any, rng: random.Random) -> Any:
    paths = _paths(value)
    path = rng.choice(paths)
    choice = rng.random()
    if choice < 0.15 and path and isinstance(_get(value, path[:-1]), dict):
        parent = _get(value, path[:-1])
        smaller = {k: v for k, v in parent.items() if k != path[-1]}
        return _replace(value, path[:-1], smaller)  # a field removed
    if choice < 0.3:
        other = _get(value, rng.choice(paths))
        return _replace(value, path, other)  # a node copied elsewhere (wrong type)
    return _replace(value, path, rng.choice(HOSTILE_VALUES))


def _get(value: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        value = value[step]
    return value


class _HostileLambda:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def __call__(self, name: str, payload: Any) -> Any:
        pick = self.rng.random()
        if pick < 0.4:
            return payload
        if pick < 0.5:
            raise ValueError("boom")
        if pick < 0.6:
            return b"\xff\xfe not json"
        if pick < 0.7:
            return object()  # no JSON form: Runtime.MarshalError, as in Lambda
        return self.rng.choice(HOSTILE_VALUES)


def _corpus(limit: int) -> list[tuple[Any, Any]]:
    if not (CORPUS / "executions").is_dir():
        return []
    cases = [
        (denormalise(case.data["definition"]), case.data.get("input"))
        for case in load_cases(CORPUS)
        if isinstance(case.data.get("definition"), dict)
    ]
    random.Random(12).shuffle(cases)
    return cases[:limit]


def _run_mutations(sources: list[tuple[Any, Any]], seed: int, rounds: int) -> int:
    rng = random.Random(seed)
    ran = 0
    for index in range(rounds):
        definition, execution_input = sources[index % len(sources)]
        if rng.random() < 0.6:
            definition = _mutate(definition, rng)
        else:
            execution_input = _mutate(execution_input, rng)
        as_text = rng.random() < 0.3
        try:
            subject: Any = json.dumps(definition) if as_text else definition
        except (ValueError, TypeError):
            subject = definition
        try:
            run_asl(
                subject,
                execution_input,
                lambda_handler=_HostileLambda(rng),
                state_machine_type=rng.choice(["STANDARD", "EXPRESS"]),
                seed=index,
            )
        except OrderflowError:
            pass  # documented: InvalidDefinition, DefinitionError, ExecutionError
        except BaseException as exc:  # anything else is the bug this test exists to find
            raise AssertionError(
                f"seed {seed}, round {index}: run_asl raised {type(exc).__name__}: {exc}"
            ) from exc
        ran += 1
    return ran


@pytest.fixture(autouse=True)
def _small_budgets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_jsonata_budget, "MAX_STEPS", 20_000)
    monkeypatch.setattr(_regex, "REGEX_TIMEOUT_SECONDS", 0.05)


@pytest.mark.parametrize("seed", [1, 2])
def test_run_asl_raises_only_orderflow_errors_on_mutated_self_contained_cases(seed: int) -> None:
    assert _run_mutations(SELF_CONTAINED, seed, 150) == 150


@pytest.mark.conformance
def test_run_asl_raises_only_orderflow_errors_on_mutated_recorded_cases() -> None:
    sources = _corpus(400)
    if not sources:
        pytest.skip("conformance corpus not found next to the repository")
    assert _run_mutations(sources, 7, 400) == 400
