"""AWS recordings checked against the expression layer alone (no executor).

1. TestState responses (../shared/conformance/test_state): our InputPath / Parameters /
   ResultSelector / ResultPath / OutputPath pipeline must reproduce every per-stage value
   AWS reported. Only JSONPath states whose stages this layer computes are checked; service
   calls are not made here, so a Task's result is taken from the request's mock (or,
   without one, from the recorded ``result``), exactly as TestState itself does.
2. Executions of a single Pass state (../shared/conformance/executions, mostly the
   intrinsic-function and JSONata cases): the state's Parameters / ResultPath / OutputPath
   or JSONata Output must give the recorded output, or the recorded error and cause.

The corpus lives outside the repository; the tests skip when it is absent.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from orderflow.asl.expressions import (
    StatesError,
    apply_result_path,
    compile_jsonata_template,
    compile_path,
    compile_template,
    resolve_items,
)

CONFORMANCE = Path(__file__).resolve().parents[2] / ".." / "shared" / "conformance"
CORPUS = CONFORMANCE / "test_state"
STAGES = ("afterInputPath", "afterParameters", "afterResultSelector", "afterResultPath")
_TOKEN = re.compile(r"<[^<>]+>")
# NORMALIZATION.json's helper transformers write the execution role's ARN as one of these.
_ROLE_TOKENS = ("snf_role_arn", "sfn_role_arn")
_ROLE_ARN = re.compile(r"arn:<partition>:iam::\d{12}:role/[\w+=,.@/-]+")
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?")

pytestmark = pytest.mark.conformance


def _cases() -> list[Any]:
    if not CORPUS.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"no corpus at {CORPUS}"))]
    out = []
    for path in sorted(CORPUS.glob("*.json")):
        case = json.loads(path.read_text())
        if case["category"] != "test_state":
            continue
        data = case["expected_response"].get("inspectionData", {})
        if any(stage in data for stage in (*STAGES, "afterItemsPath")):
            out.append(pytest.param(case, id=path.stem[-80:]))
    return out


def _find_state(scope: dict[str, Any], name: str) -> dict[str, Any] | None:
    for state_name, state in scope.get("States", {}).items():
        if state_name == name:
            return dict(state)
        for inner in [
            state.get("ItemProcessor"),
            state.get("Iterator"),
            *state.get("Branches", []),
        ]:
            if inner and (found := _find_state(inner, name)) is not None:
                return found
    return None


def _state(case: dict[str, Any]) -> dict[str, Any]:
    definition = case["request"]["definition"]
    if "States" in definition:
        name = case["request"].get("stateName") or definition["StartAt"]
        found = _find_state(definition, name)
        assert found is not None, f"no state {name!r}"
        return found
    return dict(definition)


def _recorded(value: Any) -> Any:
    """TestState reports every stage value as JSON text; the corpus decoded only objects."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _matches(expected: Any, got: Any) -> bool:
    """Compare with the corpus's normalisation: ``<token>`` and ``date`` are wildcards."""
    if isinstance(expected, dict):
        return (
            isinstance(got, dict)
            and expected.keys() == got.keys()
            and all(_matches(v, got[k]) for k, v in expected.items())
        )
    if isinstance(expected, list):
        return (
            isinstance(got, list)
            and len(expected) == len(got)
            and all(_matches(e, g) for e, g in zip(expected, got, strict=True))
        )
    if isinstance(expected, str) and isinstance(got, str):
        got = _TIMESTAMP.sub("date", got.replace("arn:aws:", "arn:<partition>:"))
        got = _ROLE_ARN.sub(expected if expected in _ROLE_TOKENS else "snf_role_arn", got)
        if expected == got:
            return True
        if _TOKEN.search(expected):
            pattern = ".+".join(re.escape(p) for p in _TOKEN.split(expected))
            return re.fullmatch(pattern, got, re.DOTALL) is not None
        return False
    if isinstance(expected, bool) or isinstance(got, bool):
        return expected is got
    return bool(expected == got)


def _run(case: dict[str, Any]) -> dict[str, Any]:
    """Compute the stages this layer owns for one state.

    Returns the stage values, plus ``status`` and ``output`` or ``error``/``cause`` when
    the whole state ran here (Pass, and Task with a known result); states whose later
    stages need the executor (Choice, Map iteration, Parallel…) stop after their last
    JSONPath stage and carry no status.
    """
    request = case["request"]
    expected = case["expected_response"]
    state = _state(case)
    kind = state["Type"]
    if state.get("QueryLanguage") == "JSONata":
        pytest.skip("JSONata state: no JSONPath stages")
    state_input = request.get("input", {})
    context = request.get("context", {})
    variables = request.get("variables")
    mock = request.get("mock") or {}
    recorded = expected.get("inspectionData", {})
    got: dict[str, Any] = {}
    try:
        input_path = state.get("InputPath", "$")
        after_input = (
            {}
            if input_path is None
            else compile_path(input_path).resolve(state_input, context, variables)
        )
        got["afterInputPath"] = after_input
        if kind == "Map":
            got["afterItemsPath"] = resolve_items(
                state.get("ItemsPath", "$"), after_input, context, variables
            )
        if kind not in ("Pass", "Task", "Map", "Parallel"):
            return got
        if "Parameters" in state and kind != "Map":
            got["afterParameters"] = compile_template(state["Parameters"]).render(
                after_input, context, variables
            )
        else:
            got["afterParameters"] = after_input
        if kind == "Pass":
            result = state.get("Result", got["afterParameters"])
        elif "result" in mock:
            result = json.loads(mock["result"])
        elif "result" in recorded:
            result = _recorded(recorded["result"])
        else:
            return got
        got["result"] = result
        if "ResultSelector" in state:
            result = compile_template(state["ResultSelector"]).render(result, context, variables)
        got["afterResultSelector"] = result
        combined = apply_result_path(state_input, state.get("ResultPath", "$"), result)
        got["afterResultPath"] = combined
        output_path = state.get("OutputPath", "$")
        got["output"] = {} if output_path is None else compile_path(output_path).evaluate(combined)
        got["status"] = "SUCCEEDED"
    except StatesError as exc:
        got.update(status="FAILED", error=exc.error, cause=exc.cause)
    return got


@pytest.mark.parametrize("case", _cases())
def test_stage_values_match_aws(case: dict[str, Any] | None) -> None:
    assert case is not None
    got = _run(case)
    expected = case["expected_response"]
    data = expected.get("inspectionData", {})
    compared = [s for s in (*STAGES, "afterItemsPath", "result") if s in data and s in got]
    assert compared, "nothing to compare"
    for stage in compared:
        want = _recorded(data[stage])
        assert _matches(want, got[stage]), f"{stage}: {got[stage]!r} != {want!r}"
    if "status" not in got:
        return  # the executor computes the rest of this state
    if got["status"] == "FAILED" or expected.get("status") == "FAILED":
        assert got["status"] == expected["status"]
        assert (got["error"], got["cause"]) == (expected["error"], expected["cause"])
    elif "output" in expected:
        assert _matches(_recorded(expected["output"]), got["output"])


# --- single-Pass-state executions ------------------------------------------------------

# Functions whose results are random: AWS's recordings mask the value, so only the status
# and the result's type can be compared.
_RANDOM = ("States.MathRandom", "States.UUID", "$random", "$uuid")


def _pass_cases() -> list[Any]:
    root = CONFORMANCE / "executions"
    if not root.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"no corpus at {root}"))]
    out = []
    for path in sorted(root.glob("*/*.json")):
        case = json.loads(path.read_text())
        states = case["definition"]["States"]
        if len(states) != 1 or next(iter(states.values()))["Type"] != "Pass":
            continue
        if case["expected"]["status"] not in ("SUCCEEDED", "FAILED"):
            continue
        if case["expected"].get("error") == "States.DataLimitExceeded":
            continue  # a payload-size limit the executor enforces, not an expression result
        out.append(pytest.param(case, id=path.stem[-80:]))
    return out


def _context(case: dict[str, Any], state_name: str) -> dict[str, Any]:
    # Values of the right form; the recordings hold placeholders for all of them.
    arn = "arn:aws:states:us-east-1:111111111111"
    return {
        "Execution": {
            "Id": f"{arn}:execution:Machine:run-1",
            "Input": case["input"],
            "Name": "run-1",
            "RoleArn": "arn:aws:iam::111111111111:role/role",
            "StartTime": "2024-01-01T00:00:00.000Z",
            "RedriveCount": 0,
        },
        "StateMachine": {"Id": f"{arn}:stateMachine:Machine", "Name": "Machine"},
        "State": {"Name": state_name, "EnteredTime": "2024-01-01T00:00:01.000Z"},
    }


def _run_pass(case: dict[str, Any]) -> dict[str, Any]:
    definition = case["definition"]
    name, state = next(iter(definition["States"].items()))
    data = case["input"]
    context = _context(case, name)
    language = state.get("QueryLanguage", definition.get("QueryLanguage", "JSONPath"))
    try:
        if language == "JSONata":
            states = {"input": data, "context": context}
            output = data
            if "Output" in state:
                output = compile_jsonata_template(state["Output"]).evaluate(
                    states, {}, field="Output", now_millis=0
                )
            if "Assign" in state:
                compile_jsonata_template(state["Assign"]).evaluate(
                    states, {}, field="Assign", now_millis=0
                )
        else:
            input_path = state.get("InputPath", "$")
            effective = (
                {} if input_path is None else compile_path(input_path).resolve(data, context)
            )
            result = state.get("Result", effective)
            if "Parameters" in state and "Result" not in state:
                result = compile_template(state["Parameters"]).render(effective, context)
            if "Assign" in state:
                compile_template(state["Assign"]).render(result, context)
            combined = apply_result_path(data, state.get("ResultPath", "$"), result)
            output_path = state.get("OutputPath", "$")
            output = (
                {} if output_path is None else compile_path(output_path).resolve(combined, context)
            )
    except StatesError as exc:
        prefix = (
            f"An error occurred while executing the state '{name}' (entered at the event id #2). "
        )
        return {"status": "FAILED", "error": exc.error, "cause": prefix + exc.cause}
    return {"status": "SUCCEEDED", "output": output}


@pytest.mark.parametrize("case", _pass_cases())
def test_single_pass_state_matches_aws(case: dict[str, Any] | None) -> None:
    assert case is not None
    got = _run_pass(case)
    expected = case["expected"]
    if any(name in json.dumps(case["definition"]) for name in _RANDOM):
        assert got["status"] == expected["status"]
        return
    assert _matches(expected, got), f"{got!r} != {expected!r}"
