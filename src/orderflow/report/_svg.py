"""The SVG drawing of a laid-out graph, optionally with an execution's marks on it.

Every string that came from the definition (state names, comments, error names, Choice
conditions) goes through :func:`html.escape` here, in text nodes and attribute values
alike; nothing else writes markup. Elements carry classes (``t-Task``, ``k-catch``,
``st-failed``…) that the page's stylesheet colours, and ``data-state`` indexes that the
page's script uses to show a state's details on click.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Set
from html import escape

from orderflow.report._graph import Graph, Node
from orderflow.report._layout import FONT_SIZE, Box, EdgePath, Layout

_LINE = FONT_SIZE * 1.25
_ARROW_HALF_WIDTH = 3.5


def _css(kind: str) -> str:
    """A state type as a class-name fragment (a hostile ``Type`` cannot add classes)."""
    return re.sub(r"[^A-Za-z0-9_-]", "", kind) or "unknown"


def _n(value: float) -> str:
    """A coordinate as short, stable text."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _shape(node: Node, box: Box) -> str:
    x, y, w, h = box.x, box.y, box.width, box.height
    if node.shape == "diamond":
        cx, cy = x + w / 2, y + h / 2
        points = [(cx, y), (x + w, cy), (cx, y + h), (x, cy)]
    elif node.shape == "parallelogram":
        skew = min(12.0, w / 6)
        points = [(x + skew, y), (x + w, y), (x + w - skew, y + h), (x, y + h)]
    elif node.shape == "hexagon":
        cut = min(12.0, w / 6)
        cy = y + h / 2
        points = [(x + cut, y), (x + w - cut, y), (x + w, cy), (x + w - cut, y + h)]
        points += [(x + cut, y + h), (x, cy)]
    elif node.shape == "marker":
        return (
            f'<ellipse cx="{_n(x + w / 2)}" cy="{_n(y + h / 2)}" '
            f'rx="{_n(w / 2)}" ry="{_n(h / 2)}"/>'
        )
    else:
        radius = h / 2 if node.shape == "terminal" else (1 if node.shape == "join" else 4)
        return f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" rx="{_n(radius)}"/>'
    return '<polygon points="' + " ".join(f"{_n(px)},{_n(py)}" for px, py in points) + '"/>'


def _text(node: Node, box: Box) -> str:
    if not node.lines:
        return ""
    cx = box.x + box.width / 2
    first = box.y + box.height / 2 - (len(node.lines) - 1) * _LINE / 2 + FONT_SIZE * 0.35
    spans = []
    for i, line in enumerate(node.lines):
        css = ' class="name"' if i == 0 else (' class="retry"' if line.startswith("↻") else "")
        spans.append(f'<tspan x="{_n(cx)}" y="{_n(first + i * _LINE)}"{css}>{escape(line)}</tspan>')
    return f'<text text-anchor="middle">{"".join(spans)}</text>'


def _path(edge: EdgePath) -> str:
    points = edge.points
    if not points:
        return ""
    parts = [f"M{_n(points[0][0])},{_n(points[0][1])}"]
    for i in range(1, len(points) - 2, 3):
        (ax, ay), (bx, by), (cx, cy) = points[i : i + 3]
        parts.append(f"C{_n(ax)},{_n(ay)} {_n(bx)},{_n(by)} {_n(cx)},{_n(cy)}")
    markup = f'<path d="{" ".join(parts)}"/>'
    if edge.tip is not None:
        (bx, by), (tx, ty) = points[-1], edge.tip
        dx, dy = tx - bx, ty - by
        length = (dx * dx + dy * dy) ** 0.5 or 1.0
        px, py = -dy / length * _ARROW_HALF_WIDTH, dx / length * _ARROW_HALF_WIDTH
        markup += (
            f'<polygon class="arrow" points="{_n(tx)},{_n(ty)} {_n(bx + px)},{_n(by + py)} '
            f'{_n(bx - px)},{_n(by - py)}"/>'
        )
    return markup


def draw_svg(
    graph: Graph,
    layout: Layout,
    *,
    status: Mapping[int, str] | None = None,
    badges: Mapping[int, str] | None = None,
    taken: Set[str] = frozenset(),
) -> str:
    """The ``<svg>`` element (one line per element, deterministic).

    Args:
        graph: what to draw.
        layout: where (from :func:`orderflow.report._layout.layout`).
        status: state index -> execution status (``succeeded``, ``failed``…), a class.
        badges: state index -> a short summary drawn above the state (runs, time, retries).
        taken: keys of the edges the execution followed.
    """
    status = status or {}
    badges = badges or {}
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="flow" '
        f'width="{_n(layout.width + 16)}" height="{_n(layout.height + 16)}" '
        f'viewBox="-8 -8 {_n(layout.width + 16)} {_n(layout.height + 16)}" role="img" '
        'aria-label="state machine graph">'
    ]
    out.append('<g class="clusters">')
    for cluster in graph.clusters:
        box = layout.clusters.get(cluster.key)
        if box is None:
            continue
        state = graph.states[cluster.state]
        css = f"cluster t-{_css(state.kind)}" + (" body" if cluster.parent else "")
        out.append(
            f'<g class="{css}" data-state="{cluster.state}">'
            f'<rect x="{_n(box.x)}" y="{_n(box.y)}" width="{_n(box.width)}" '
            f'height="{_n(box.height)}" rx="6"/>'
            f'<text x="{_n(box.x + box.width / 2)}" y="{_n(box.y + FONT_SIZE + 3)}" '
            f'text-anchor="middle">{escape(cluster.label)}</text></g>'
        )
    out.append("</g>")
    out.append('<g class="edges">')
    for edge in graph.edges:
        path = layout.edges.get(edge.key)
        if path is None:
            continue
        css = f"edge k-{edge.kind}" + (" taken" if edge.key in taken else "")
        ends = "".join(
            f' data-{side}="{index}"'
            for side, index in (("source", edge.source), ("target", edge.target))
            if index is not None
        )
        label = ""
        if edge.label and path.label is not None:
            label = (
                f'<text x="{_n(path.label[0])}" y="{_n(path.label[1] + FONT_SIZE * 0.35)}" '
                f'text-anchor="middle">{escape(edge.label)}</text>'
            )
        out.append(f'<g class="{css}" id="{edge.key}"{ends}>{_path(path)}{label}</g>')
    out.append("</g>")
    out.append('<g class="nodes">')
    for node in graph.nodes:
        box = layout.nodes.get(node.key)
        if box is None:
            continue
        if node.state is None:
            out.append(
                f'<g class="node marker" id="{node.key}">{_shape(node, box)}{_text(node, box)}</g>'
            )
            continue
        state = graph.states[node.state]
        css = f"node t-{_css(state.kind)} r-{state.role} p-{node.part}"
        if node.state in status:
            css += f" st-{status[node.state]}"
        title = state.name + (f"\n{state.comment}" if state.comment else "")
        badge = ""
        if node.part != "join" and node.state in badges:
            badge = (
                f'<text class="badge" x="{_n(box.x + box.width)}" y="{_n(box.y - 3)}" '
                f'text-anchor="end">{escape(badges[node.state])}</text>'
            )
        out.append(
            f'<g class="{css}" id="{node.key}" data-state="{node.state}" tabindex="0">'
            f"<title>{escape(title)}</title>{_shape(node, box)}{_text(node, box)}{badge}</g>"
        )
    out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)


__all__ = ["draw_svg"]
