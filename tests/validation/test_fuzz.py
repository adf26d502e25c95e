"""Malformed definitions get diagnostics, never an exception.

Definitions are mutated deterministically (a seeded ``random.Random`` per case): values at
random places are replaced with values of the wrong type, or keys are deleted, and
``validate`` must return a list of diagnostics for every one of them. The hand-made seeds
always run; the corpus (../shared/conformance) adds breadth when it is present.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from orderflow.validation import Diagnostic, validate

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "conformance"

# Values of every JSON type, including ones that look like state names and fields.
_WRONG_VALUES: tuple[Any, ...] = (
    [],
    ["Pass"],
    [{"Type": "Pass"}],
    {},
    {"Type": "Pass"},
    {"States": {}},
    0,
    -1,
    1.5,
    10**30,
    None,
    True,
    "",
    "A",
    "B",
    "Pass",
    "Map",
    "$",
    "$.x",
    "{% $x %}",
    "States.ALL",
)

SEEDS: list[dict[str, Any]] = [
    {"StartAt": "A", "States": {"A": {"Type": ["Pass"], "End": True}}},
    {"StartAt": "A", "States": {"A": {"Type": {"x": 1}, "End": True}}},
    {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": []}},
    {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": "Pass"}},
    {
        "StartAt": "A",
        "States": {
            "A": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "B"}],
                "End": True,
            },
            "B": 7,
        },
    },
    {
        "StartAt": "C",
        "States": {
            "C": {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$.a", "StringEquals": "x", "Next": "D"},
                    {"And": [{"Variable": "$.b", "IsPresent": True}], "Next": "E"},
                ],
                "Default": "D",
            },
            "D": {"Type": "Succeed"},
            "E": {"Type": "Fail", "Error": "E", "Cause": "c"},
        },
    },
    {
        "StartAt": "P",
        "States": {
            "P": {
                "Type": "Parallel",
                "Branches": [{"StartAt": "X", "States": {"X": {"Type": "Pass", "End": True}}}],
                "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}],
                "Next": "M",
            },
            "M": {
                "Type": "Map",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "Y",
                    "States": {"Y": {"Type": "Wait", "Seconds": 1, "End": True}},
                },
                "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "Parameters": {}},
                "End": True,
            },
        },
    },
    {
        "QueryLanguage": "JSONata",
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Arguments": {"FunctionName": "f", "Payload": "{% $states.input %}"},
                "Output": "{% $states.result.Payload %}",
                "Assign": {"x": 1},
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "F", "Output": {}}],
                "End": True,
            },
            "F": {"Type": "Fail", "Error": "{% 'E' %}"},
        },
    },
]


# Field names to plant on random objects, so wrong types reach every check, not only the
# fields a definition happens to use.
_FIELDS = (
    "Type",
    "Next",
    "End",
    "Default",
    "Choices",
    "Catch",
    "Retry",
    "Branches",
    "ItemProcessor",
    "Iterator",
    "ProcessorConfig",
    "Mode",
    "ExecutionType",
    "ItemReader",
    "ItemSelector",
    "ItemBatcher",
    "ResultWriter",
    "Parameters",
    "Arguments",
    "Output",
    "Assign",
    "Resource",
    "ResultPath",
    "InputPath",
    "OutputPath",
    "ResultSelector",
    "Variable",
    "And",
    "Or",
    "Not",
    "Condition",
    "ErrorEquals",
    "MaxAttempts",
    "BackoffRate",
    "IntervalSeconds",
    "MaxDelaySeconds",
    "JitterStrategy",
    "Seconds",
    "Timestamp",
    "SecondsPath",
    "Error",
    "Cause",
    "QueryLanguage",
    "StartAt",
    "States",
    "TimeoutSeconds",
    "HeartbeatSeconds",
    "MaxConcurrency",
    "ToleratedFailureCount",
    "Credentials",
    "Comment",
    "Label",
    "Items",
    "StringEquals",
    "NumericLessThan",
    "TimestampEquals",
    "IsPresent",
    "StringMatches",
)


def _corpus_definitions() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for folder in ("executions", "invalid_definitions", "lint"):
        for path in sorted((CORPUS / folder).rglob("*.json")):
            try:
                case = json.loads(path.read_text(encoding="utf-8"))
            except (ValueError, OSError):
                continue
            definition = case.get("definition") if isinstance(case, dict) else None
            if isinstance(definition, dict):
                found.append(definition)
    return found


def _places(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _places(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _places(item, (*path, index))


def _mutate(definition: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    result = copy.deepcopy(definition)
    for _ in range(rng.randint(1, 3)):
        places = [path for path in _places(result) if path]
        if not places:
            break
        path = rng.choice(places)
        parent: Any = result
        for step in path[:-1]:
            parent = parent[step]
        last = path[-1]
        roll = rng.random()
        if isinstance(parent, dict) and roll < 0.2:
            del parent[last]
        elif isinstance(parent, dict) and roll < 0.4:
            parent[rng.choice(_FIELDS)] = copy.deepcopy(rng.choice(_WRONG_VALUES))
        else:
            parent[last] = copy.deepcopy(rng.choice(_WRONG_VALUES))
    return result


def _assert_diagnoses(definition: dict[str, Any]) -> None:
    try:
        diagnostics = validate(definition)
    except Exception as exc:  # the point is that nothing escapes
        pytest.fail(f"validate raised {exc!r} on {json.dumps(definition)[:2000]}")
    assert isinstance(diagnostics, list)
    assert all(isinstance(d, Diagnostic) for d in diagnostics)


def test_hand_made_malformed_seeds_are_diagnosed() -> None:
    for seed in SEEDS:
        _assert_diagnoses(seed)
    # The first five are broken as written: each must yield an error naming the state.
    for seed in SEEDS[:5]:
        errors = [d for d in validate(seed) if d.severity == "error"]
        assert errors, seed
        assert any(d.state in {"A", "B"} for d in errors), errors


@pytest.mark.parametrize("index", range(len(SEEDS)))
def test_mutated_seeds_never_raise(index: int) -> None:
    rng = random.Random(index)
    for _ in range(300):
        _assert_diagnoses(_mutate(SEEDS[index], rng))


@pytest.mark.conformance
def test_mutated_corpus_definitions_never_raise() -> None:
    definitions = _corpus_definitions()
    if not definitions:
        pytest.skip("../shared/conformance is not available")
    rng = random.Random(20261126)
    for definition in definitions:
        for _ in range(3):
            _assert_diagnoses(_mutate(definition, rng))
