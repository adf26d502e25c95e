"""Properties that hold for any JSON input (Hypothesis)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from orderflow.testing import run_asl

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)
objects = st.dictionaries(st.text(min_size=1, max_size=6), json_values, max_size=5)


@settings(max_examples=60, deadline=None)
@given(json_values)
def test_pass_chain_is_identity(value: Any) -> None:
    machine = {
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "End": True}},
    }
    assert run_asl(machine, value).output == value


@settings(max_examples=60, deadline=None)
@given(objects, json_values)
def test_result_path_merges_without_touching_the_input(data: dict[str, Any], result: Any) -> None:
    before = repr(data)
    machine = {
        "StartAt": "A",
        "States": {"A": {"Type": "Pass", "Result": result, "ResultPath": "$.out", "End": True}},
    }
    output = run_asl(machine, data).output
    assert output == {**data, "out": result}
    assert repr(data) == before


@settings(max_examples=30, deadline=None)
@given(st.lists(json_values, max_size=12), st.integers(0, 5))
def test_map_output_does_not_depend_on_max_concurrency(items: list[Any], concurrency: int) -> None:
    def machine(n: int) -> dict[str, Any]:
        return {
            "StartAt": "M",
            "States": {
                "M": {
                    "Type": "Map",
                    "MaxConcurrency": n,
                    "ItemSelector": {"i.$": "$$.Map.Item.Index", "v.$": "$$.Map.Item.Value"},
                    "ItemProcessor": {
                        "StartAt": "P",
                        "States": {"P": {"Type": "Pass", "End": True}},
                    },
                    "End": True,
                }
            },
        }

    expected = [{"i": i, "v": v} for i, v in enumerate(items)]
    assert (
        run_asl(machine(concurrency), items).output == expected == run_asl(machine(1), items).output
    )
