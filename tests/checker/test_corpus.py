"""Precision on real AWS runs: the conformance corpus recorded against AWS.

A machine whose recorded run SUCCEEDED read every path it evaluated successfully, so an
error on such a read is a false alarm. The checker runs on every succeeded machine twice:
knowing nothing about the input (how ``orderflow check`` sees a raw file), and knowing the
exact shape of the recorded input (the strongest test: every closed object is a chance to
cry wolf). An error counts as a false alarm when the run performed the read: the state was
entered and, for fields evaluated after the result (ResultSelector, ResultPath, OutputPath,
Output, Assign), left without failing. Figures are printed (``pytest -s``).

The corpus also serves as an oracle the other way: a FAILED run the checker flags with an
error must have failed the way a bad read fails (``States.Runtime`` or
``States.QueryEvaluationError``).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from orderflow.checker import check_dataflow, shape_of
from orderflow.validation import Diagnostic

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "conformance" / "executions"

pytestmark = pytest.mark.conformance

_AFTER_RESULT = ("ResultSelector", "ResultPath", "OutputPath", "Output", "Assign", "Catch")


def _cases(status: str) -> list[tuple[str, dict[str, Any]]]:
    if not CORPUS.is_dir():
        pytest.skip(f"conformance corpus not found at {CORPUS}")
    out = []
    for path in sorted(CORPUS.rglob("*.json")):
        case = json.loads(path.read_text())
        if isinstance(case, dict) and case.get("expected", {}).get("status") == status:
            out.append((path.name, case))
    return out


def _visits(history: list[dict[str, Any]]) -> dict[str, list[bool]]:
    """For each state name: one entry per visit, True when the visit did not fail."""
    visits: dict[str, list[bool]] = {}
    open_visits: dict[str, int] = {}
    last_type: dict[str, str] = {}
    for event in history:
        kind = str(event.get("type", ""))
        entered = event.get("stateEnteredEventDetails")
        exited = event.get("stateExitedEventDetails")
        if entered:
            name = entered.get("name")
            visits.setdefault(name, []).append(False)
            open_visits[name] = len(visits[name]) - 1
            last_type[name] = kind
        elif exited:
            name = exited.get("name")
            if name in open_visits:
                failed = last_type.get(name, "").endswith(("Failed", "TimedOut", "Aborted"))
                visits[name][open_visits.pop(name)] = not failed
        else:
            for name in open_visits:
                last_type[name] = kind
    return visits


def _read_at_run_time(d: Diagnostic, visits: dict[str, list[bool]]) -> bool:
    runs = visits.get(d.state or "")
    if not runs:
        return False
    if (d.field or "").startswith(_AFTER_RESULT):
        return any(runs)
    return True


def _measure(input_known: bool) -> tuple[int, Counter[str], Counter[str], list[str]]:
    cases = _cases("SUCCEEDED")
    errors: Counter[str] = Counter()
    warnings: Counter[str] = Counter()
    false_alarms: list[str] = []
    for name, case in cases:
        model = shape_of(case["input"]) if input_known else None
        visits = _visits(case.get("history", []))
        for d in check_dataflow(case["definition"], input_model=model):
            if d.severity == "error":
                errors[d.code] += 1
                if _read_at_run_time(d, visits):
                    false_alarms.append(f"{name}: {d.message}")
            else:
                warnings[d.code] += 1
    return len(cases), errors, warnings, false_alarms


@pytest.mark.parametrize("input_known", [False, True], ids=["input-unknown", "input-exact"])
def test_no_false_errors_on_succeeded_runs(input_known: bool) -> None:
    count, errors, warnings, false_alarms = _measure(input_known)
    print(
        f"\n{count} succeeded machines ({'exact input shape' if input_known else 'input unknown'}):"
        f" {sum(errors.values())} error(s) {dict(errors)}, {len(false_alarms)} on reads the run"
        f" performed; {sum(warnings.values())} warning(s) {dict(warnings)}"
    )
    assert false_alarms == []
    assert count > 900  # the whole corpus was read


def test_flagged_failed_runs_failed_the_way_bad_reads_fail() -> None:
    flagged = 0
    wrong: list[str] = []
    for name, case in _cases("FAILED"):
        diagnostics = check_dataflow(case["definition"], input_model=shape_of(case["input"]))
        if any(d.severity == "error" for d in diagnostics):
            flagged += 1
            if case["expected"].get("error") not in (
                "States.Runtime",
                "States.QueryEvaluationError",
            ):
                wrong.append(f"{name}: {case['expected'].get('error')}")
    print(f"\n{flagged} failed run(s) flagged with an error by the checker")
    assert wrong == []
    assert flagged > 0


def _definitions(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        if "StartAt" in node and "States" in node:
            return [node]
        return [d for value in node.values() for d in _definitions(value)]
    if isinstance(node, list):
        return [d for value in node for d in _definitions(value)]
    return []


def test_never_crashes_on_malformed_definitions() -> None:
    root = CORPUS.parent
    if not root.is_dir():
        pytest.skip(f"conformance corpus not found at {root}")
    checked = 0
    for folder in ("invalid_definitions", "lint", "test_state"):
        for path in sorted((root / folder).rglob("*.json")):
            for definition in _definitions(json.loads(path.read_text())):
                check_dataflow(definition)  # findings or none, never an exception
                checked += 1
    assert checked > 300
