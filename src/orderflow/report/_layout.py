"""Layout by Graphviz: the graph goes to ``dot`` as DOT text, positions come back as JSON.

Why Graphviz's ``dot`` (the Debian/Ubuntu/Homebrew package ``graphviz``, run as a
subprocess) rather than a pure-Python layout library:

* It is the reference implementation of layered (Sugiyama) layout, maintained for three
  decades, with what a state machine needs and the pure-Python options lack: clusters
  drawn as boxes around Parallel branches and Map bodies, edge labels placed without
  overlaps, orthogonal ordering that keeps crossings low, and spline routing around
  clusters. ``grandalf`` (the maintained pure-Python Sugiyama) has no clusters and no
  label placement and was last released in 2023; ``pyelk`` is a young port.
* It is fast and tidy enough: measured on this project's machine (graphviz 2.43, 2 shared
  cores) with ``benchmarks/bench_render_html.py``, the order workflow lays out in about
  0.03 s (922 x 538 pt) and a generated 500-state machine (746 edges, 245 clusters: 49
  Parallels and 49 Maps, Choices with labelled rules, Catches) in about 0.45 s, 0.5 s for
  the whole page (550 KiB), with no overlapping boxes and every edge routed. Two settings
  made the big machine readable: heavier Next edges (a straight main line instead of a
  sideways drift) and external edge labels (labels no longer widen the ranks): 610 pt wide
  instead of 16,430.
* Known limit: ``constraint=false`` edges together with clusters crash dot 2.43, so none is
  used; a crash or any other failure of dot is reported as :class:`LayoutError`.
* Its output is deterministic for a given input and Graphviz version, which the golden
  file needs.

Only the *layout* comes from Graphviz (``-Tjson``: node centres and sizes, cluster boxes,
edge splines and label positions); the SVG is drawn by :mod:`orderflow.report._svg`, so
every string from the definition is escaped by orderflow, never trusted to another tool,
and the drawing carries the ids the execution overlay and the page's script need. The
DOT text names nodes by synthetic ids (``n3``) and quotes every label, so a hostile state
name cannot change the graph either.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from typing import Any

from orderflow._errors import OrderflowError
from orderflow.report._graph import Cluster, Graph, Node

_POINTS_PER_INCH = 72.0
FONT_SIZE = 11.0
"""Label font size in points, shared with the SVG so dot sizes the boxes for the text."""
_TIMEOUT_SECONDS = 120


class LayoutError(OrderflowError, RuntimeError):
    """Graphviz's ``dot`` is missing, failed, or answered something unreadable."""


@dataclass(frozen=True)
class Box:
    """A rectangle in SVG coordinates (origin top left, y down), in points."""

    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class EdgePath:
    """A laid-out edge: cubic Bézier control points, the arrow tip, the label's centre."""

    points: tuple[tuple[float, float], ...]
    tip: tuple[float, float] | None
    label: tuple[float, float] | None


@dataclass(frozen=True)
class Layout:
    """Where everything goes; keys are the graph's node, cluster and edge keys."""

    width: float
    height: float
    nodes: dict[str, Box]
    clusters: dict[str, Box]
    edges: dict[str, EdgePath]


def dot_binary() -> str:
    """The path of Graphviz's ``dot``.

    Raises:
        LayoutError: it is not on ``PATH``; the message says how to install it.
    """
    found = shutil.which("dot")
    if found is None:
        raise LayoutError(
            "the HTML view needs Graphviz's 'dot' program, which is not on PATH; install "
            "the 'graphviz' package (apt-get install graphviz, brew install graphviz, ...)"
        )
    return found


@functools.cache
def dot_version() -> str:
    """Graphviz's version (``"2.43.0"``), as ``dot -V`` prints it; ``""`` if unreadable.

    Layout coordinates differ between Graphviz versions, so the pages name the version
    that laid them out (and the golden test compares like with like).

    Raises:
        LayoutError: ``dot`` is not on ``PATH``.
    """
    binary = dot_binary()
    try:
        done = subprocess.run(
            [binary, "-V"], capture_output=True, timeout=_TIMEOUT_SECONDS, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    found = re.search(rb"version\s+(\S+)", done.stderr + done.stdout)
    return found.group(1).decode(errors="replace") if found else ""


def _quote(text: str) -> str:
    # Inside a DOT string only `"` and `\` are special, but dot also expands escapes such
    # as \N and \G in labels; doubling every backslash keeps them literal.
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


_NODE_STYLES = {
    "diamond": "shape=diamond",
    "terminal": "shape=box style=rounded",
    "parallelogram": "shape=parallelogram",
    "hexagon": "shape=hexagon",
    "header": "shape=box",
    "join": "shape=box height=0.08 width=0.6 fixedsize=true",
    "marker": "shape=ellipse",
}


def _node_line(node: Node) -> str:
    label = "\\n".join(line.replace("\\", "\\\\").replace('"', '\\"') for line in node.lines)
    style = _NODE_STYLES.get(node.shape, "shape=box")
    return f'{node.key} [{style} label="{label}"]'


def to_dot(graph: Graph) -> str:
    """The DOT text handed to ``dot`` (deterministic: document order throughout)."""
    lines = [
        "digraph orderflow {",
        '  graph [rankdir=TB nodesep=0.35 ranksep=0.45 fontname="Helvetica" '
        f"fontsize={FONT_SIZE:g}]",
        f'  node [fontname="Helvetica" fontsize={FONT_SIZE:g} margin="0.15,0.06"]',
        f'  edge [fontname="Helvetica" fontsize={FONT_SIZE - 1:g}]',
    ]
    children: dict[str | None, list[Cluster]] = {}
    for cluster in graph.clusters:
        children.setdefault(cluster.parent, []).append(cluster)
    members: dict[str | None, list[Node]] = {}
    for node in graph.nodes:
        members.setdefault(node.cluster, []).append(node)

    def emit(cluster: str | None, depth: int) -> None:
        pad = "  " * depth
        for node in members.get(cluster, []):
            lines.append(pad + _node_line(node))
        for child in children.get(cluster, []):
            lines.append(f"{pad}subgraph cluster_{child.key} {{")
            lines.append(f"{pad}  label={_quote(child.label)} margin=10")
            emit(child.key, depth + 1)
            lines.append(pad + "}")

    emit(None, 1)
    for edge in graph.edges:
        attributes = [f"id={edge.key}"]
        if edge.label:
            # An external label is placed after the layout, next to its edge; a plain
            # label would be a dummy node in the ranks and push long Catch edges wide
            # (measured: the order workflow is 17% narrower).
            attributes.append(f"xlabel={_quote(edge.label)}")
        if edge.kind in ("branch", "join"):
            # Structural edges: keep them short and let the transitions decide the ranks.
            attributes.append("weight=4")
        elif edge.kind in ("next", "start", "end"):
            # The main line: heavier edges are drawn straighter, which keeps a long machine
            # from drifting sideways (measured: 40% narrower on 500 states).
            attributes.append("weight=3")
        lines.append(f"  {edge.tail} -> {edge.head} [{' '.join(attributes)}]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def layout(graph: Graph) -> Layout:
    """Lay ``graph`` out with ``dot``.

    Raises:
        LayoutError: ``dot`` is missing, fails, times out or prints unreadable JSON.
    """
    binary = dot_binary()
    try:
        done = subprocess.run(
            [binary, "-Tjson"],
            input=to_dot(graph).encode(),
            capture_output=True,
            timeout=_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise LayoutError(f"Graphviz's dot took over {_TIMEOUT_SECONDS}s to lay out") from None
    except OSError as exc:
        raise LayoutError(f"cannot run Graphviz's dot ({binary}): {exc}") from None
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip()
        raise LayoutError(f"Graphviz's dot failed (exit {done.returncode}): {message}")
    try:
        return read_layout(json.loads(done.stdout))
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        raise LayoutError(f"unreadable layout from Graphviz's dot: {exc}") from None


def _floats(text: str) -> list[float]:
    return [float(part) for part in text.replace(",", " ").split()]


def read_layout(data: dict[str, Any]) -> Layout:
    """A :class:`Layout` from ``dot -Tjson`` output, flipped to SVG's y-down axis."""
    left, bottom, right, top = _floats(data["bb"])
    height = top - bottom

    def point(x: float, y: float) -> tuple[float, float]:
        return (round(x - left, 2), round(top - y, 2))

    def box(x0: float, y0: float, x1: float, y1: float) -> Box:
        (ax, ay), (bx, by) = point(x0, y1), point(x1, y0)
        return Box(ax, ay, round(bx - ax, 2), round(by - ay, 2))

    nodes: dict[str, Box] = {}
    clusters: dict[str, Box] = {}
    for item in data.get("objects", []):
        name = str(item["name"])
        if name.startswith("cluster_"):
            clusters[name.removeprefix("cluster_")] = box(*_floats(item["bb"]))
        elif "pos" in item:
            x, y = _floats(item["pos"])
            w = float(item["width"]) * _POINTS_PER_INCH
            h = float(item["height"]) * _POINTS_PER_INCH
            nodes[name] = box(x - w / 2, y - h / 2, x + w / 2, y + h / 2)
    edges: dict[str, EdgePath] = {}
    for item in data.get("edges", []):
        tip: tuple[float, float] | None = None
        points: list[tuple[float, float]] = []
        for part in str(item["pos"]).split():
            if part.startswith("e,"):
                x, y = _floats(part[2:])
                tip = point(x, y)
            elif not part.startswith("s,"):
                x, y = _floats(part)
                points.append(point(x, y))
        place = item.get("xlp", item.get("lp"))
        label = point(*_floats(place)) if place else None
        edges[str(item["id"])] = EdgePath(tuple(points), tip, label)
    return Layout(round(right - left, 2), round(height, 2), nodes, clusters, edges)


__all__ = [
    "FONT_SIZE",
    "Box",
    "EdgePath",
    "Layout",
    "LayoutError",
    "dot_binary",
    "dot_version",
    "layout",
    "to_dot",
]
