"""How the HTML view scales: layout time and drawing quality from 11 to 500 states.

Run: ``.venv/bin/python benchmarks/bench_render_html.py [--repeat N]``. Needs Graphviz's
``dot``. The machines are the order workflow and ``bench_validation``'s generated ones
(blocks of Choice, Pass, Wait, Task with Retry/Catch, Fail, a two-branch Parallel and a
Map: many clusters, labelled edges and Catch edges). For each: the best time of the three
stages (graph from ASL, ``dot`` layout, SVG + page), the page size, and quality checks on
the layout: overlapping state boxes (must be 0), edges Graphviz could not route (must be 0)
and the drawing's area per node. The last column is the total time relative to the order
workflow's, measured in the same run.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any, TypeVar

from orderflow.asl import Definition, as_definition
from orderflow.executor._local import load_target
from orderflow.report._graph import Graph, build_graph
from orderflow.report._layout import Box, Layout, layout
from orderflow.report._page import page, state_records
from orderflow.report._svg import draw_svg

try:
    from benchmarks.bench_validation import generate
except ModuleNotFoundError:  # run as a script: this folder is on sys.path
    from bench_validation import generate  # type: ignore[no-redef]

T = TypeVar("T")


def best(repeat: int, work: Callable[[], T]) -> tuple[float, T]:
    fastest, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        fastest = min(fastest, time.perf_counter() - start)
    assert result is not None
    return fastest, result


def overlaps(boxes: list[Box]) -> int:
    """Pairs of boxes that overlap (sweep over x, so 600 boxes stay cheap)."""
    ordered = sorted(boxes, key=lambda b: b.x)
    count = 0
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if b.x >= a.x + a.width:
                break
            if b.y < a.y + a.height and a.y < b.y + b.height:
                count += 1
    return count


def measure(definition: Definition, repeat: int) -> dict[str, Any]:
    graph_seconds, graph = best(repeat, lambda: build_graph(definition))
    layout_seconds, laid = best(repeat, lambda: layout(graph))
    draw_seconds, html = best(repeat, lambda: _draw(graph, laid))
    state_boxes = [laid.nodes[n.key] for n in graph.nodes if n.part not in ("join",)]
    return {
        "states": len(graph.states),
        "nodes": len(graph.nodes),
        "edges": len(graph.edges),
        "clusters": len(graph.clusters),
        "graph": graph_seconds,
        "layout": layout_seconds,
        "draw": draw_seconds,
        "total": graph_seconds + layout_seconds + draw_seconds,
        "kib": len(html.encode()) / 1024,
        "overlaps": overlaps(state_boxes),
        "unrouted": sum(1 for e in graph.edges if not laid.edges[e.key].points),
        "area": laid.width * laid.height / len(graph.nodes) / 1e4,
        "size": f"{laid.width:.0f}x{laid.height:.0f}",
    }


def _draw(graph: Graph, laid: Layout) -> str:
    svg = draw_svg(graph, laid)
    return page(title="bench", subtitle="", svg=svg, data={"states": state_records(graph)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 250, 500])
    args = parser.parse_args()
    machines = [("order workflow", load_target(None))]
    machines += [(f"generated {n}", as_definition(generate(n))) for n in args.sizes]
    print(
        f"{'machine':<16} {'states':>6} {'edges':>5} {'clust':>5} {'graph s':>8} "
        f"{'dot s':>7} {'draw s':>7} {'KiB':>6} {'overlap':>7} {'unrouted':>8} "
        f"{'size pt':>12} {'ratio':>6}"
    )
    base: float | None = None
    for label, definition in machines:
        m = measure(definition, args.repeat)
        base = base or m["total"]
        print(
            f"{label:<16} {m['states']:>6} {m['edges']:>5} {m['clusters']:>5} "
            f"{m['graph']:>8.4f} {m['layout']:>7.3f} {m['draw']:>7.4f} {m['kib']:>6.0f} "
            f"{m['overlaps']:>7} {m['unrouted']:>8} {m['size']:>12} {m['total'] / base:>6.1f}"
        )


if __name__ == "__main__":
    main()
