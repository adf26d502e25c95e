"""The checker's public door: exactly these names, each importable and documented."""

from __future__ import annotations

import orderflow.checker as checker

EXPECTED = {
    "CHECK_CODES",
    "AnalysisResult",
    "CheckCode",
    "Contract",
    "ContractTable",
    "Shape",
    "analyze",
    "check_dataflow",
    "check_with_contracts",
    "from_json_schema",
    "function_base_name",
    "load_object",
    "model_shape",
    "output_shape",
    "shape_of",
}


def test_all_is_exactly_the_public_names() -> None:
    assert set(checker.__all__) == EXPECTED
    assert len(checker.__all__) == len(EXPECTED)


def test_public_functions_have_docstrings() -> None:
    for name in checker.__all__:
        value = getattr(checker, name)
        if callable(value) and not isinstance(value, type):
            assert value.__doc__, name


def test_codes_have_one_severity_each() -> None:
    assert {c.severity for c in checker.CHECK_CODES.values()} == {"error", "warning"}
    assert checker.CHECK_CODES["path-cannot-exist"].severity == "error"
    assert checker.CHECK_CODES["unchecked"].severity == "warning"
