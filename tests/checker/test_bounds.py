"""``check`` stays bounded and near-linear: operation counts, never wall-clock times.

The definitions are the benchmark's (``benchmarks/bench_check.py``): Map and Parallel
nested up to 30 deep, chains of Choice diamonds that grow the data at every join. Before
the scopes were memoised a Map nested 18 deep took 30 s and 24 never ended; the counts
asserted here (nested scopes solved, state transfers, work units) grow exactly linearly,
so a regression shows up as a failed assertion, whatever the machine's speed.
"""

from __future__ import annotations

import importlib.util
import inspect
import itertools
import sys
from fractions import Fraction
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from orderflow.asl import as_definition
from orderflow.checker import _budget as budget
from orderflow.checker import _shape as shape_module
from orderflow.checker import check_dataflow
from orderflow.checker._budget import MAX_SCOPE_DEPTH, MAX_WIDTH, bound_shape
from orderflow.checker._shape import ANY, INTEGER, STRING, Arr, Obj, Prop, obj, tuple_of, union
from orderflow.validation import has_errors, validate


def _load_bench() -> ModuleType:
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_check.py"
    spec = importlib.util.spec_from_file_location("orderflow_bench_check", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


bench = _load_bench()


def _linear(counts: dict[int, int]) -> None:
    """Equal steps in size add equal amounts of work (an exact linear function)."""
    sizes = sorted(counts)
    steps = {Fraction(counts[b] - counts[a], b - a) for a, b in itertools.pairwise(sizes)}
    assert len(steps) == 1, counts


@pytest.mark.parametrize("family", ["map_nest", "parallel_nest"])
def test_nesting_is_solved_once_per_scope(family: str) -> None:
    generate = getattr(bench, family)
    solves, transfers = {}, {}
    for depth in (1, 10, 20, 30):
        ops = bench.count_operations(generate(depth))
        solves[depth], transfers[depth] = ops.scope_solves, ops.transfers
    # One solve per scope: the machine, each nested body (and each side branch).
    scopes_per_level = 1 if family == "map_nest" else 2
    assert solves == {d: 1 + scopes_per_level * d for d in solves}
    _linear(transfers)


def test_nesting_30_deep_checks_cleanly() -> None:
    for generate in (bench.map_nest, bench.parallel_nest):
        definition = generate(30)
        assert not has_errors(validate(definition))
        assert check_dataflow(definition) == []


def test_choice_diamonds_grow_linearly() -> None:
    transfers, work = {}, {}
    for states in (601, 1201, 2401):  # 200, 400, 800 diamonds
        ops = bench.count_operations(bench.diamonds(states))
        transfers[states], work[states] = ops.transfers, ops.work
    _linear(transfers)
    # Work weighs each transfer by its shape's size, which the width bound caps: doubling
    # the chain (well past the cap) doubles the work, give or take the cap's sawtooth.
    assert work[1201] / work[601] == pytest.approx(2, rel=0.1)
    assert work[2401] / work[1201] == pytest.approx(2, rel=0.1)


def _merged_properties(monkeypatch: pytest.MonkeyPatch, definition: dict[str, Any]) -> int:
    """How many properties the object merges of one analysis read, in all."""
    total = 0
    original = shape_module._merge_objects

    def counting(objects: list[Obj]) -> Obj:
        nonlocal total
        total += sum(len(o.props) for o in objects)
        return original(objects)

    monkeypatch.setattr(shape_module, "_merge_objects", counting)
    bench.count_operations(definition)
    monkeypatch.setattr(shape_module, "_merge_objects", original)
    return total


@pytest.mark.parametrize(
    ("family", "sizes"),
    [("choice_fan", (500, 1000, 2000)), ("diamonds", (601, 1201, 2401))],
)
def test_object_merges_grow_linearly(
    monkeypatch: pytest.MonkeyPatch, family: str, sizes: tuple[int, int, int]
) -> None:
    # A 5,000-rule Choice into one state took 395 s when each edge was merged into the
    # running union; 3,001 diamond states took 61 s with a scan per property name.
    generate = getattr(bench, family)
    merged = [_merged_properties(monkeypatch, generate(n)) for n in sizes]
    assert merged[1] / merged[0] == pytest.approx(2, rel=0.15), merged
    assert merged[2] / merged[1] == pytest.approx(2, rel=0.15), merged


def test_wide_shapes_are_widened_with_a_warning() -> None:
    diagnostics = check_dataflow(bench.diamonds(1000))
    assert diagnostics, "a 600-field object must be reported as cut"
    assert {d.code for d in diagnostics} == {"unchecked"}
    assert all("the checker keeps" in d.message for d in diagnostics)


def test_parallel_chain_doubling_its_output_is_cut_by_size() -> None:
    # Each Parallel outputs [input, input]: 40 in a row describe 2**40 nodes.
    states: dict[str, Any] = {}
    for i in range(40):
        states[f"P{i}"] = {
            "Type": "Parallel",
            "Branches": [bench._leaf(f"X{i}"), bench._leaf(f"Y{i}")],
            **({"Next": f"P{i + 1}"} if i < 39 else {"End": True}),
        }
    definition = {"StartAt": "P0", "States": states}
    ops = bench.count_operations(definition)
    assert ops.scope_solves <= 1 + 2 * 40 * 2
    found = check_dataflow(definition)
    assert found and all(d.code == "unchecked" and "nodes" in d.message for d in found)


def test_nesting_past_the_bound_is_reported_not_followed() -> None:
    ops = bench.count_operations(bench.map_nest(MAX_SCOPE_DEPTH + 20))
    assert ops.scope_solves == MAX_SCOPE_DEPTH
    found = check_dataflow(bench.map_nest(MAX_SCOPE_DEPTH + 20))
    assert [d.code for d in found] == ["unchecked"]
    assert f"more than {MAX_SCOPE_DEPTH}" in found[0].message


def test_work_budget_stops_the_analysis_with_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(budget, "MAX_WORK", 500)
    found = check_dataflow(bench.diamonds(900))
    assert found[-1].code == "unchecked"
    assert "stopped after 500 units of work" in found[-1].message


def test_running_out_of_stack_is_a_warning_not_a_crash() -> None:
    # Python's stack is the last bound: a definition nested past it (here, a tiny stack)
    # must end in an unchecked warning, never a RecursionError out of check_dataflow.
    definition = as_definition(bench.map_nest(30))
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 120)
    try:
        found = check_dataflow(definition)
    finally:
        sys.setrecursionlimit(old)
    assert [d.code for d in found] == ["unchecked"]
    assert "nested too deeply" in found[0].message


def test_bound_shape_only_widens() -> None:
    small = obj({"a": STRING})
    assert bound_shape(small) is None
    wide = Obj(tuple(Prop(f"p{i}", INTEGER) for i in range(MAX_WIDTH + 1)), closed=True)
    cut = bound_shape(wide)
    assert isinstance(cut, Obj) and not cut.closed
    # The newest properties are kept (ResultPath appends), with their shapes.
    assert cut.get(f"p{MAX_WIDTH}") == Prop(f"p{MAX_WIDTH}", INTEGER)
    assert cut.get("p0") is None
    # A tuple too long becomes a list of its elements' union.
    long = tuple_of([INTEGER] * MAX_WIDTH + [STRING])
    assert bound_shape(long) == Arr((), union(INTEGER, STRING), MAX_WIDTH + 1)
    assert bound_shape(ANY) is None
