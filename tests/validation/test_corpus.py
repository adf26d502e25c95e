"""The validator against data nobody here wrote (../shared/conformance, see its README).

* invalid_definitions/: every definition AWS rejected must be rejected, and where AWS's
  message names a location (``at /States/X/Field``) one of our errors must point there.
* validate_definition_api/: our verdict equals ValidateStateMachineDefinition's.
* executions/: AWS accepted every definition, so no error is allowed (warnings are fine).
* lint/: statelint's problem counts, compared under the scoping rules below; cases where
  orderflow deliberately differs are listed with reasons in statelint_expectations.json.

Agreement figures are printed (run with ``-s`` to see them) and asserted.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from orderflow import DefinitionError
from orderflow.executor._conformance import denormalise
from orderflow.validation import Diagnostic, StateMachineType, has_errors, validate

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "conformance"
EXPECTATIONS = Path(__file__).with_name("statelint_expectations.json")

pytestmark = pytest.mark.conformance


def _cases(folder: str, pattern: str = "*.json") -> list[Path]:
    root = CORPUS / folder
    return sorted(root.glob(pattern)) if root.is_dir() else []


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _require(paths: list[Path]) -> None:
    if not paths:
        pytest.skip("../shared/conformance is not available")


# --- invalid_definitions --------------------------------------------------------------

INVALID = _cases("invalid_definitions")
_AWS_LOCATION = re.compile(r" at (/[^' ]*)")


def _machine_type(case: dict[str, Any]) -> StateMachineType:
    """The type the upstream test created the machine with.

    The corpus does not record it for rejected definitions; LocalStack's
    ``test_sfn_api_express.py`` creates every machine as EXPRESS (its module's subject), all
    the other modules create STANDARD ones.
    """
    test_file = case["source"]["test_id"].split("::")[0]
    return "EXPRESS" if test_file.endswith("test_sfn_api_express.py") else "STANDARD"


def _aws_message(case: dict[str, Any]) -> str:
    expected = case["expected_error"]
    return str(expected.get("message") or expected.get("exception_value") or expected)


@pytest.mark.parametrize("path", INVALID, ids=[p.stem[:90] for p in INVALID])
def test_every_definition_aws_rejected_is_rejected(path: Path) -> None:
    case = _load(path)
    diagnostics = validate(case["definition"], state_machine_type=_machine_type(case))
    errors = [d for d in diagnostics if d.severity == "error"]
    assert errors, f"AWS rejected this definition: {_aws_message(case)}"
    location = _AWS_LOCATION.search(_aws_message(case))
    if location is not None:
        where = location.group(1)
        assert any(
            d.pointer == where or d.pointer.startswith(where.rstrip("/") + "/") for d in errors
        ), f"AWS points at {where}; we point at {[d.pointer for d in errors]}"


def test_invalid_definitions_agreement_figure() -> None:
    _require(INVALID)
    rejected = 0
    for path in INVALID:
        case = _load(path)
        if has_errors(validate(case["definition"], state_machine_type=_machine_type(case))):
            rejected += 1
    print(f"\ninvalid_definitions: {rejected}/{len(INVALID)} rejected")
    assert rejected == len(INVALID)


# --- validate_definition_api ----------------------------------------------------------

API = _cases("validate_definition_api")


def _verdict(definition: Any, machine_type: StateMachineType) -> tuple[str, list[Diagnostic]]:
    try:
        diagnostics = validate(definition, state_machine_type=machine_type)
    except DefinitionError:
        # Text that is not a JSON object: validate() refuses it (the CLI exits 2) where the
        # API answers FAIL; both reject it.
        return "FAIL", []
    return ("FAIL" if has_errors(diagnostics) else "OK"), diagnostics


@pytest.mark.parametrize("path", API, ids=[p.stem[60:] for p in API])
def test_validate_definition_api_verdicts_agree(path: Path) -> None:
    case = _load(path)
    response = case["expected_response"]
    verdict, diagnostics = _verdict(case["definition"], case["type"])
    assert verdict == response["result"]
    for expected in response["diagnostics"]:
        where = expected.get("location", "")
        if where.startswith("/") and diagnostics:
            assert any(d.pointer.startswith(where) for d in diagnostics if d.severity == "error")


# --- executions: AWS accepted every one of these --------------------------------------

EXECUTIONS = _cases("executions", "*/*.json")


def test_no_false_errors_on_definitions_aws_accepted() -> None:
    _require(EXECUTIONS)
    false_errors: list[str] = []
    warnings: Counter[str] = Counter()
    for path in EXECUTIONS:
        case = _load(path)
        diagnostics = validate(
            denormalise(case["definition"]), state_machine_type=case["state_machine_type"]
        )
        for d in diagnostics:
            if d.severity == "error":
                false_errors.append(
                    f"{path.parent.name}/{path.name}: {d.code} {d.pointer}: {d.message}"
                )
            else:
                warnings[d.code] += 1
    accepted = len(EXECUTIONS) - len({e.split(":")[0] for e in false_errors})
    print(f"\nexecutions: {accepted}/{len(EXECUTIONS)} accepted; warnings {dict(warnings)}")
    assert not false_errors, "\n".join(false_errors[:20])


# --- test_state: single states AWS's TestState API accepted ---------------------------

TEST_STATE = _cases("test_state")


def _as_machine(definition: dict[str, Any]) -> dict[str, Any]:
    """A lone state becomes a one-state machine; its targets become Succeed states."""
    if "States" in definition:
        return definition
    states: dict[str, Any] = {"Tested": definition}
    targets = [definition.get("Next"), definition.get("Default")]
    for key in ("Catch", "Choices"):
        targets += [item.get("Next") for item in definition.get(key, []) if isinstance(item, dict)]
    for target in targets:
        if isinstance(target, str):
            states.setdefault(target, {"Type": "Succeed"})
    return {"StartAt": "Tested", "States": states}


def test_no_false_errors_on_states_test_state_accepted() -> None:
    accepted = [p for p in TEST_STATE if "expected_error" not in _load(p)]
    _require(accepted)
    false_errors = []
    for path in accepted:
        definition = _load(path)["request"]["definition"]
        if isinstance(definition, str):
            definition = json.loads(definition)
        for d in validate(_as_machine(definition)):
            if d.severity == "error":
                false_errors.append(f"{path.name}: {d.code} {d.pointer}: {d.message}")
    print(f"\ntest_state: {len(accepted) - len(false_errors)}/{len(accepted)} accepted")
    assert not false_errors, "\n".join(false_errors[:20])


# --- statelint ------------------------------------------------------------------------

LINT = _cases("lint", "*/*.json")
# statelint checks no Resource value ("foo:bar" and "arn:aws:lambda:REGION:ACCOUNT_ID:..."
# pass); AWS rejects resources it does not recognise (invalid_definitions has one), so our
# invalid-resource errors are outside what the lint counts measure.
NOT_CHECKED_BY_STATELINT = frozenset({"invalid-resource"})
# statelint's graph-only checkers (StateNode#check, the wmfs state-node checker) count only
# these problems: targets, StartAt, orphans, terminals, duplicates, States.ALL placement.
GRAPH_CODES = frozenset(
    {
        "start-at-not-found",
        "unknown-target",
        "transition-leaves-scope",
        "unreachable-state",
        "no-terminal-path",
        "duplicate-state-name",
        "states-all-not-alone",
        "states-all-not-last",
    }
)
# A lone state node has no enclosing States, so statelint resolves none of its transitions;
# only the States.ALL rules apply to it.
STATE_NODE_CODES = frozenset({"states-all-not-alone", "states-all-not-last"})
_LAMBDA = "arn:aws:states:::lambda:invoke"


def _lint_errors(case: dict[str, Any]) -> list[str]:
    """Our error codes for a lint case, restricted to what its statelint checker counts."""
    definition = case["definition"]
    codes = GRAPH_CODES
    if "States" not in definition and "StartAt" not in definition:
        definition = {
            "StartAt": "Node",
            "States": {"Node": {"Type": "Task", "Resource": _LAMBDA, "End": True, **definition}},
        }
        codes = STATE_NODE_CODES
    elif case["checker"].startswith("full linter"):
        codes = frozenset(c for c in _all_codes() if c not in NOT_CHECKED_BY_STATELINT)
    return [d.code for d in validate(definition) if d.severity == "error" and d.code in codes]


def _all_codes() -> frozenset[str]:
    from orderflow.validation import CODES

    return frozenset(CODES)


def _expectations() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = json.loads(EXPECTATIONS.read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize("path", LINT, ids=[f"{p.parent.name}/{p.stem}" for p in LINT])
def test_statelint_case(path: Path) -> None:
    case = _load(path)
    key = f"{path.parent.name}/{path.stem}"
    codes = _lint_errors(case)
    known = _expectations().get(key)
    if known is None:
        assert len(codes) == case["expected_problem_count"], codes
    else:
        assert known["reason"]
        assert sorted(codes) == sorted(known["orderflow_errors"]), codes


def test_statelint_agreement_figure() -> None:
    _require(LINT)
    expectations = _expectations()
    agree = differ = 0
    for path in LINT:
        key = f"{path.parent.name}/{path.stem}"
        case = _load(path)
        if len(_lint_errors(case)) == case["expected_problem_count"]:
            agree += 1
        else:
            differ += 1
            assert key in expectations, f"{key}: unexplained disagreement with statelint"
    assert set(expectations) <= {f"{p.parent.name}/{p.stem}" for p in LINT}
    print(f"\nstatelint: {agree}/{len(LINT)} agree, {differ} differ with a recorded reason")
