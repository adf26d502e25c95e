"""How ``check`` (validation + data flow) scales on the definitions that used to blow it up.

Run: ``.venv/bin/python benchmarks/bench_check.py [--repeat N] [--quick]``.

Four families, each a few KB to a few hundred KB of ordinary-looking ASL:

* ``map-nest`` — Map states nested N deep (each body holds the next Map);
* ``parallel-nest`` — Parallel states nested N deep (one branch nests, one is a Pass);
* ``diamonds`` — a chain of Choice diamonds whose two arms each add a field with
  ``ResultPath``, so the shape at each join is the union of both and keeps growing;
* ``diamonds-pass`` — the same chain with arms that pass the input through;
* ``choice-fan`` — one Choice with N rules, each on its own field, all into one state
  (its rules' narrowed inputs all meet there).

For each size the table shows the best time over ``--repeat`` runs, the checker's operation
counts (nested scopes solved, state transfers, work units) and the ratio of the time per
unit of size (nesting level or state) to the smallest size's: near-linear growth keeps that
ratio near 1. The same counts are asserted by ``tests/checker/test_bounds.py``, which cannot
depend on the machine's speed.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from orderflow.asl import as_definition
from orderflow.checker._budget import Counters
from orderflow.checker._dataflow import Analysis
from orderflow.checker._diagnostics import Reporter
from orderflow.checker._shape import ANY
from orderflow.validation import validate

Definition = dict[str, Any]


def _leaf(name: str) -> Definition:
    return {"StartAt": name, "States": {name: {"Type": "Pass", "End": True}}}


def map_nest(depth: int) -> Definition:
    """Map states nested ``depth`` deep, each reading ``$.items`` and keeping its input."""
    body = _leaf("Leaf")
    for i in range(depth):
        state = {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, **body},
            "ResultPath": "$.out",
            "End": True,
        }
        body = {"StartAt": f"Map{i}", "States": {f"Map{i}": state}}
    return body


def parallel_nest(depth: int) -> Definition:
    """Parallel states nested ``depth`` deep: one branch holds the next level, one a Pass."""
    body = _leaf("Leaf")
    for i in range(depth):
        state = {
            "Type": "Parallel",
            "Branches": [body, _leaf(f"Side{i}")],
            "ResultPath": "$.out",
            "End": True,
        }
        body = {"StartAt": f"Par{i}", "States": {f"Par{i}": state}}
    return body


def diamonds(states: int, *, grow: bool = True) -> Definition:
    """A chain of Choice diamonds with about ``states`` states in all.

    Each diamond is a Choice on ``$.f<i>`` and two Pass arms meeting at the next Choice;
    with ``grow`` each arm adds its own field (``ResultPath: $.a<i>`` / ``$.b<i>``).
    """
    count = max(1, (states - 1) // 3)
    machine: Definition = {}
    for i in range(count):
        join = f"Choice{i + 1}" if i + 1 < count else "Done"
        machine[f"Choice{i}"] = {
            "Type": "Choice",
            "Choices": [{"Variable": f"$.f{i}", "IsPresent": True, "Next": f"A{i}"}],
            "Default": f"B{i}",
        }
        for arm in ("A", "B"):
            state: Definition = {"Type": "Pass", "Next": join}
            if grow:
                state.update({"Result": {"n": i}, "ResultPath": f"$.{arm.lower()}{i}"})
            machine[f"{arm}{i}"] = state
    machine["Done"] = {"Type": "Succeed"}
    return {"StartAt": "Choice0", "States": machine}


def choice_fan(rules: int) -> Definition:
    """One Choice with ``rules`` rules (each testing its own field) all leading to one state."""
    choices = [{"Variable": f"$.f{i}", "IsPresent": True, "Next": "Done"} for i in range(rules)]
    return {
        "StartAt": "Choose",
        "States": {
            "Choose": {"Type": "Choice", "Choices": choices, "Default": "Done"},
            "Done": {"Type": "Succeed"},
        },
    }


def count_operations(definition: Definition) -> Counters:
    """Run the data-flow analysis alone and return what it did."""
    analysis = Analysis(contracts=None, execution_input=ANY, reporter=Reporter())
    analysis.reporter.active = True
    analysis.run(as_definition(definition).data)
    return analysis.counters


FAMILIES: dict[str, tuple[Callable[[int], Definition], list[int], list[int]]] = {
    # name: (generator, full sizes, --quick sizes)
    "map-nest": (map_nest, [1, 2, 4, 8, 16, 24, 30], [1, 8, 30]),
    "parallel-nest": (parallel_nest, [1, 2, 4, 8, 16, 24, 30], [1, 8, 30]),
    "diamonds": (diamonds, [625, 1250, 2500, 5000, 10000], [625, 2500]),
    "choice-fan": (choice_fan, [625, 1250, 2500, 5000, 10000], [625, 2500]),
    "diamonds-pass": (
        lambda n: diamonds(n, grow=False),
        [625, 1250, 2500, 5000, 10000],
        [625, 2500],
    ),
}


def time_check(definition: Definition, repeat: int) -> float:
    """Best wall time of validation plus the data-flow check (what ``orderflow check`` runs)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        validate(definition)
        count_operations(definition)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="fewer, smaller sizes")
    parser.add_argument("--family", choices=sorted(FAMILIES), action="append")
    args = parser.parse_args()
    for name in args.family or list(FAMILIES):
        generate, sizes, quick = FAMILIES[name]
        sizes = quick if args.quick else sizes
        time_check(generate(sizes[0]), 1)  # warm-up: imports and parser caches
        print(f"\n{name}")
        print(
            f"{'size':>7} {'seconds':>9} {'solves':>7} {'transfers':>10} {'work':>10}"
            f" {'us/unit':>9} {'ratio':>6}"
        )
        base: float | None = None
        for size in sizes:
            definition = generate(size)
            seconds = time_check(definition, args.repeat)
            ops = count_operations(definition)
            per_unit = seconds / size
            base = base or per_unit
            print(
                f"{size:>7} {seconds:>9.4f} {ops.scope_solves:>7} {ops.transfers:>10}"
                f" {ops.work:>10} {per_unit * 1e6:>9.1f} {per_unit / base:>6.2f}"
            )


if __name__ == "__main__":
    main()
