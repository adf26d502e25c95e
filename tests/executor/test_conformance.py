"""The executor against executions recorded on real AWS (skipped without the corpus)."""

from __future__ import annotations

from pathlib import Path

import pytest

from orderflow.executor._conformance import matches, run_corpus

pytestmark = pytest.mark.conformance

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "conformance"


def test_corpus_pass_rate() -> None:
    root = CORPUS
    if not (root / "executions").is_dir():
        pytest.skip("conformance corpus not found next to the repository")
    report = run_corpus(root)
    assert report.total >= 900
    failures = "\n".join(f"{r.case.category}/{r.case.name}: {r.detail}" for r in report.failures())
    assert report.passed / report.total >= 0.98, failures
    for category, (passed, total) in report.by_category().items():
        if total > 10:
            assert passed / total >= 0.98, (category, failures)


def test_placeholders_are_wildcards_but_the_rest_is_exact() -> None:
    assert matches(
        "arn:<partition>:states:<region>:111111111111:execution:<ArnPart_0idx>:x",
        "arn:aws:states:us-east-1:123456789012:execution:sm:x",
    )
    assert not matches(
        "arn:<partition>:states:<region>:111111111111:execution:<ArnPart_0idx>:x",
        "arn:aws:states:us-east-1:123456789012:execution:sm:y",
    )
    assert matches({"a": [1, "date"]}, {"a": [1.0, "2024-01-01T00:00:00Z"]})
    assert not matches({"a": 1}, {"a": True})
    assert not matches({"a": 1}, {"a": 1, "b": 2})


def test_every_in_scope_definition_passes_validation_once_denormalised() -> None:
    from orderflow.executor._conformance import denormalise, load_cases
    from orderflow.validation import has_errors, validate

    if not (CORPUS / "executions").is_dir():
        pytest.skip("conformance corpus not found next to the repository")
    cases = load_cases(CORPUS)
    rejected = [
        case.name
        for case in cases
        if has_errors(
            validate(
                denormalise(case.data["definition"]),  # type: ignore[arg-type]
                state_machine_type=case.data.get("state_machine_type", "STANDARD"),
            )
        )
    ]
    assert not rejected, rejected[:10]


def test_denormalise_strips_brackets_inside_arns_only() -> None:
    from orderflow.executor._conformance import denormalise

    assert denormalise(
        {"Resource": "arn:aws:lambda:us-east-1:111111111111:function:<fn_name>", "X": "<keep>"}
    ) == {"Resource": "arn:aws:lambda:us-east-1:111111111111:function:fn_name", "X": "<keep>"}
